//! Streaming HAR reader.
//!
//! serde_json's streaming deserializer walks `{"log": {..., "entries": [...]}}` through a chain of
//! `DeserializeSeed`s; everything but `log.entries` is skipped with `IgnoredAny` (which serde_json
//! skips iteratively, so a hostile depth there cannot overflow the stack). Each entry is captured
//! as a `RawValue` — only that entry's text is in memory — and converted on its own, so its syntax,
//! depth or field errors are reported against it and reading goes on. Keys may come in any order.

use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::har_entry::{entry_json_to_exchange, error_message};
use crate::{Exchange, IngestError, IngestReport, InputFormat};

struct HarState<'a> {
    name: &'a str,
    report: IngestReport,
    sink: &'a mut dyn FnMut(Exchange),
    entries_seen: u64,
    saw_entries: bool,
}

impl HarState<'_> {
    fn handle_entry(&mut self, entry_json: &str) {
        let index = self.entries_seen;
        self.entries_seen += 1;
        match entry_json_to_exchange(entry_json) {
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

struct Root<'s, 'a>(&'s mut HarState<'a>);
struct Log<'s, 'a>(&'s mut HarState<'a>);
struct Entries<'s, 'a>(&'s mut HarState<'a>);

impl<'de> DeserializeSeed<'de> for Root<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object {\"log\": {...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                map.next_value_seed(Log(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Log<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Log<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the HAR log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" {
                self.0.saw_entries = true;
                map.next_value_seed(Entries(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        // `any` so that `"entries": null` (seen in exports of empty sessions) is just empty.
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of HAR entries")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Box<RawValue>>()? {
            self.0.handle_entry(entry.get());
        }
        Ok(())
    }
}

fn syntax_error(name: &str, error: &serde_json::Error) -> IngestError {
    let message = match error.classify() {
        serde_json::error::Category::Io => format!("read error: {}", error_message(error)),
        serde_json::error::Category::Eof => {
            format!("unexpected end of file (truncated?): {}", error_message(error))
        }
        // What serde_json says about bytes that are not UTF-8 inside a string.
        _ if error_message(error) == "invalid unicode code point" => "invalid UTF-8 in a string".to_owned(),
        _ => error_message(error),
    };
    let error_at = IngestError::new(name, message);
    if error.line() > 0 { error_at.at_position(error.line() as u64, error.column() as u64) } else { error_at }
}

/// Reads a HAR from an already-buffered reader (the caller counts progress).
pub(crate) fn read_har_buffered(
    name: &str,
    reader: impl BufRead,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let mut state = HarState {
        name,
        report: IngestReport::new(name, InputFormat::Har),
        sink,
        entries_seen: 0,
        saw_entries: false,
    };
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let outcome = Root(&mut state).deserialize(&mut deserializer).and_then(|()| deserializer.end());
    let mut report = state.report;
    match outcome {
        Ok(()) if !state.saw_entries => {
            report.fatal = Some(IngestError {
                field: Some("log.entries".into()),
                ..IngestError::new(name, "missing: not a HAR file?")
            });
        }
        Ok(()) => {}
        Err(error) => {
            let error = syntax_error(name, &error);
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
