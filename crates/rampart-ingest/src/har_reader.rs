//! Streaming HAR reader.
//!
//! [`har_split`](crate::har_split) walks `{"log": {..., "entries": [...]}}` over whole buffers and
//! hands over each entry's text (keys in any order, everything but `log.entries` skipped without
//! being parsed). Each entry is then converted on its own — only that entry's text is in memory —
//! so its syntax, depth or field errors are reported against it and reading goes on. Damage in the
//! document's shape, invalid UTF-8 or a read error stops reading: entries already read are kept.

use std::io::BufRead;

use crate::har_entry::entry_json_to_exchange;
use crate::har_split::{Element, split_har_entries};
use crate::{Exchange, IngestError, IngestReport, InputFormat};

/// An entry larger than this is reported and skipped without being held whole: real entries with
/// embedded bodies reach tens of MiB, and a bigger one is more likely damage than traffic.
const MAX_ENTRY_BYTES: usize = 256 << 20;

struct HarState<'a> {
    name: &'a str,
    report: IngestReport,
    sink: &'a mut dyn FnMut(Exchange),
    entries_seen: u64,
}

impl HarState<'_> {
    fn handle_element(&mut self, element: Element<'_>) {
        let index = self.entries_seen;
        self.entries_seen += 1;
        let converted = match element {
            Element::Text(entry_json) => entry_json_to_exchange(entry_json),
            Element::TooLarge { bytes } => Err(IngestError::new(
                "",
                format!("entry too large ({bytes} bytes, over {} MiB): skipped", MAX_ENTRY_BYTES >> 20),
            )),
        };
        match converted {
            Ok(mut exchange) => {
                exchange.source.name = Some(self.name.to_owned());
                exchange.source.entry = Some(index);
                self.report.exchanges += 1;
                (self.sink)(exchange);
            }
            Err(error) => {
                // Positions inside the entry's own text would mislead: the entry index locates it.
                let error = IngestError {
                    file: self.name.to_owned(),
                    entry: Some(index),
                    line: None,
                    column: None,
                    ..error
                };
                self.report.skip(error);
            }
        }
    }
}

/// Reads a HAR from an already-buffered reader (the caller counts progress).
pub(crate) fn read_har_buffered(
    name: &str,
    reader: impl BufRead,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let mut state =
        HarState { name, report: IngestReport::new(name, InputFormat::Har), sink, entries_seen: 0 };
    let outcome = split_har_entries(reader, MAX_ENTRY_BYTES, &mut |element| state.handle_element(element));
    let mut report = state.report;
    match outcome {
        Ok(outcome) if !outcome.saw_entries => {
            report.fatal = Some(IngestError {
                field: Some("log.entries".into()),
                ..IngestError::new(name, "missing: not a HAR file?")
            });
        }
        Ok(_) => {}
        Err(error) => {
            let error = IngestError { file: name.to_owned(), ..error };
            if state.entries_seen > 0 {
                report.truncated = true;
                tracing::warn!(%error, kept = report.exchanges, "HAR reading stopped early; entries read so far are kept");
                report.note(error);
            } else {
                report.fatal = Some(error);
            }
        }
    }
    report
}
