//! Exchange JSON Lines: one `rampart_core::Exchange` per line (`docs/exchange-jsonl.md`).
//!
//! Lines are read with a bound: a line longer than `max_line_bytes` is skipped as it streams past
//! (its bytes are counted, never kept), so a hostile or corrupt file cannot make us buffer it.

use std::io::{self, BufRead, Write};

use rampart_core::{EXCHANGE_FORMAT_VERSION, Exchange, SourceKind};
use serde::Deserialize;

use crate::har_entry::error_message;
use crate::{IngestError, IngestReport, InputFormat};

/// One line as [`for_each_line`] sees it.
enum LineEvent<'a> {
    /// A line's bytes, without its `\n`.
    Line(&'a [u8]),
    /// A line over the limit, skipped; its length in bytes.
    TooLong { bytes: u64 },
}

/// Calls `on_line` for every line of `reader`, keeping at most `max` bytes of any one line.
///
/// A line that lies whole in the reader's buffer is handed over in place — the common case, and
/// the hot path of discovery: no copy, and the newline is found with `memchr`. Only a line that
/// straddles buffer refills is gathered in a side buffer, and a line over `max` is counted as it
/// streams past and never kept.
fn for_each_line(
    reader: &mut impl BufRead,
    max: usize,
    mut on_line: impl FnMut(LineEvent<'_>),
) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_bytes: u64 = 0;
    let mut pending_started = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            if pending_started {
                on_line(finish_pending(&pending, pending_bytes, max));
            }
            return Ok(());
        }
        match memchr::memchr(b'\n', available) {
            Some(pos) if !pending_started => {
                on_line(if pos <= max {
                    LineEvent::Line(&available[..pos])
                } else {
                    LineEvent::TooLong { bytes: pos as u64 }
                });
                reader.consume(pos + 1);
            }
            Some(pos) => {
                pending_bytes += pos as u64;
                if pending_bytes <= max as u64 {
                    pending.extend_from_slice(&available[..pos]);
                }
                on_line(finish_pending(&pending, pending_bytes, max));
                pending.clear();
                pending_bytes = 0;
                pending_started = false;
                reader.consume(pos + 1);
            }
            None => {
                let n = available.len();
                pending_started = true;
                pending_bytes += n as u64;
                if pending_bytes <= max as u64 {
                    pending.extend_from_slice(available);
                } else {
                    // Over the limit: stop keeping it, and give the memory back.
                    pending = Vec::new();
                }
                reader.consume(n);
            }
        }
    }
}

fn finish_pending(pending: &[u8], bytes: u64, max: usize) -> LineEvent<'_> {
    if bytes <= max as u64 { LineEvent::Line(pending) } else { LineEvent::TooLong { bytes } }
}

/// Only the version, to explain a line that does not parse as a v1 Exchange.
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    v: Option<serde_json::Value>,
}

fn unsupported_version(version: &serde_json::Value) -> String {
    format!(
        "unsupported Exchange format version {version} (this reader knows version {EXCHANGE_FORMAT_VERSION})"
    )
}

fn parse_line(text: &str) -> Result<Exchange, IngestError> {
    match serde_json::from_str::<Exchange>(text) {
        Ok(exchange) if exchange.v == EXCHANGE_FORMAT_VERSION => Ok(exchange),
        Ok(exchange) => Err(IngestError::in_field("v", unsupported_version(&exchange.v.into()))),
        Err(error) => {
            if let Ok(VersionProbe { v: Some(version) }) = serde_json::from_str::<VersionProbe>(text)
                && version != EXCHANGE_FORMAT_VERSION
            {
                return Err(IngestError::in_field("v", unsupported_version(&version)));
            }
            let located = IngestError::new("", error_message(&error));
            // Lines are single-line JSON: the column is the useful part.
            Err(if error.line() > 0 {
                IngestError { column: Some(error.column() as u64), ..located }
            } else {
                located
            })
        }
    }
}

pub(crate) fn read_jsonl_buffered(
    name: &str,
    mut reader: impl BufRead,
    max_line_bytes: usize,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let mut report = IngestReport::new(name, InputFormat::Jsonl);
    let mut line_number: u64 = 0;
    let result = for_each_line(&mut reader, max_line_bytes, |event| {
        line_number += 1;
        let at_line =
            |message: String| IngestError { line: Some(line_number), ..IngestError::new(name, message) };
        let mut bytes = match event {
            LineEvent::Line(bytes) => bytes,
            LineEvent::TooLong { bytes } => {
                report.skip(at_line(format!(
                    "line of {bytes} bytes is longer than the limit of {max_line_bytes}; skipped"
                )));
                return;
            }
        };
        if line_number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(utf8_error) => {
                let error = IngestError {
                    column: Some(utf8_error.valid_up_to() as u64 + 1),
                    ..at_line("invalid UTF-8".into())
                };
                report.skip(error);
                return;
            }
        };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        match parse_line(text) {
            Ok(mut exchange) => {
                // A record that says where it came from (a gateway tap) keeps that provenance.
                if exchange.source.kind == SourceKind::Other && exchange.source.name.is_none() {
                    exchange.source.kind = SourceKind::Jsonl;
                    exchange.source.name = Some(name.to_owned());
                    exchange.source.entry = Some(line_number - 1);
                }
                report.exchanges += 1;
                sink(exchange);
            }
            Err(error) => {
                report.skip(IngestError { file: name.to_owned(), line: Some(line_number), ..error })
            }
        }
    });
    if let Err(error) = result {
        let error = IngestError {
            line: Some(line_number + 1),
            ..IngestError::new(name, format!("read error: {error}"))
        };
        if report.exchanges > 0 || report.skipped > 0 {
            report.truncated = true;
            report.note(error);
        } else {
            report.fatal = Some(error);
        }
    }
    report
}

/// Writes one exchange as one JSON line (with its `\n`).
pub fn write_jsonl(mut w: impl Write, exchange: &Exchange) -> io::Result<()> {
    serde_json::to_writer(&mut w, exchange)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, u64>> {
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        for_each_line(&mut reader, max, |event| match event {
            LineEvent::Line(bytes) => out.push(Ok(String::from_utf8(bytes.to_vec()).unwrap())),
            LineEvent::TooLong { bytes } => out.push(Err(bytes)),
        })
        .unwrap();
        out
    }

    #[test]
    fn bounded_lines_skip_what_is_too_long_and_resume() {
        let got = lines(b"short\nthis line is far too long\n\nlast-no-newline", 10);
        assert_eq!(
            got,
            vec![Ok("short".into()), Err(25), Ok(String::new()), Err(15)],
            "the last line is 15 bytes, over the limit too"
        );
        assert_eq!(lines(b"ab\ncd", 10), vec![Ok("ab".into()), Ok("cd".into())]);
        assert!(lines(b"", 10).is_empty());
    }

    #[test]
    fn rejects_unknown_versions_clearly() {
        let v2 =
            r#"{"v":2,"started_at":"2026-01-01T00:00:00Z","request":{"method":"GET","host":"a","path":"/"}}"#;
        let error = parse_line(v2).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("v"));
        assert!(error.message.contains("unsupported Exchange format version 2"), "{error}");
        let v3_other_shape = r#"{"v":3,"when":"later"}"#;
        assert!(parse_line(v3_other_shape).unwrap_err().message.contains("version 3"));
        let missing_request = r#"{"v":1,"started_at":"2026-01-01T00:00:00Z"}"#;
        let error = parse_line(missing_request).unwrap_err();
        assert!(error.message.contains("missing field `request`"), "{error}");
    }
}
