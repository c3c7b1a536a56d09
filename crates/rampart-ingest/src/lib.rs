//! Traffic files → [`Exchange`]s, streaming.
//!
//! Rampart analyses recorded traffic as a stream of [`Exchange`]s. This crate reads the two file
//! formats that carry it:
//!
//! * **HAR 1.2** as browsers (Chrome, Firefox), mitmproxy, Burp and Charles write it — including
//!   the ways they bend the spec (missing fields, `null`s, numbers as strings, `-1` sizes,
//!   HTTP/2 pseudo-headers, base64 bodies, failed requests without a response);
//! * **Exchange JSON Lines** (`docs/exchange-jsonl.md`), the serde form of [`Exchange`], one per
//!   line, version 1.
//!
//! Design choices:
//!
//! * **Streaming, bounded memory.** Inputs can be gigabytes. The HAR reader splits `log.entries`
//!   out of the byte stream with a buffer-level scanner (`har_split`: serde_json's byte-at-a-time
//!   reader was the bottleneck) and holds one entry at a time; the JSONL reader holds
//!   one line at a time and skips lines over [`IngestOptions::max_line_bytes`] without keeping them.
//! * **One bad record never stops the file.** Every entry (HAR) or line (JSONL) is converted on
//!   its own; an unusable one is reported with its file, index or line and field when known, counted
//!   in [`IngestReport::skipped`], and reading goes on. A truncated or corrupt HAR keeps what was
//!   read before the damage. Nothing here panics on hostile input (fuzzed, see `fuzz/`).
//! * **Tolerant where optional, strict where unusable.** An entry without a method, a URL, a host
//!   or a start time is an error; anything else missing or odd is defaulted.
//! * **No secrets in errors.** Messages name fields, never their values (URLs, headers and bodies
//!   carry credentials).
//! * **Lean.** No `url` crate (HAR URLs are absolute; we only split them) and no decompression:
//!   compressed input is detected and refused with a clear message.
//!
//! HAR has no client address (`serverIPAddress` is the server's), so `Exchange.client` stays
//! empty for HAR input. The crate also writes both formats: [`har::write_har`] (used by the demo
//! traffic generator) and [`write_jsonl`].

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

pub use rampart_core::Exchange;

mod counting;
mod error;
pub mod har;
mod har_entry;
mod har_model;
mod har_reader;
mod har_split;
mod jsonl;
mod url;

pub use error::{IngestError, IngestReport, MAX_KEPT_ERRORS};
pub use jsonl::write_jsonl;

use counting::CountingReader;

/// Large enough that reads from disk are few and sequential.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// The default for [`IngestOptions::max_line_bytes`]: 64 MiB.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    Har,
    Jsonl,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Har => "HAR",
            InputFormat::Jsonl => "Exchange JSON Lines",
        }
    }
}

#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// A JSONL line longer than this is reported and skipped without being held in memory.
    pub max_line_bytes: usize,
    /// Bytes read from the input so far, for progress bars; updated as the reader goes.
    pub progress: Option<Arc<AtomicU64>>,
}

impl Default for IngestOptions {
    fn default() -> IngestOptions {
        IngestOptions { max_line_bytes: DEFAULT_MAX_LINE_BYTES, progress: None }
    }
}

/// What a compressed or non-UTF-8 input starts with, to refuse it with a useful message.
fn unsupported_encoding(head: &[u8]) -> Option<&'static str> {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"\x1f\x8b", "compressed input not supported (gzip): decompress it first"),
        (b"\x28\xb5\x2f\xfd", "compressed input not supported (zstd): decompress it first"),
        (b"BZh", "compressed input not supported (bzip2): decompress it first"),
        (b"\xfd7zXZ\x00", "compressed input not supported (xz): decompress it first"),
        (b"PK\x03\x04", "compressed input not supported (zip): extract it first"),
        (b"\xff\xfe", "UTF-16 input not supported: convert it to UTF-8"),
        (b"\xfe\xff", "UTF-16 input not supported: convert it to UTF-8"),
    ];
    MAGICS.iter().find(|(magic, _)| head.starts_with(magic)).map(|(_, message)| *message)
}

fn skip_bom_and_whitespace(head: &[u8]) -> &[u8] {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    &head[start..]
}

/// The first key of the JSON object `after_brace` continues, if it is a plain string.
fn first_key(after_brace: &[u8]) -> Option<&[u8]> {
    let rest = skip_bom_and_whitespace(after_brace).strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    Some(&rest[..end])
}

/// Detects the format from the first bytes of the input, with the extension as a hint.
///
/// An object whose first key is `log` is HAR; an object whose first key is an Exchange field is
/// JSON Lines. Otherwise `.har` / `.jsonl` / `.ndjson` decide, and failing that a first line that
/// is a complete object means JSON Lines. `None` when nothing fits (not JSON, a JSON array, ...).
pub fn detect_format(path: &Path, head: &[u8]) -> Option<InputFormat> {
    let hint = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let hint = match hint.as_deref() {
        Some("har") => Some(InputFormat::Har),
        Some("jsonl" | "ndjson") => Some(InputFormat::Jsonl),
        _ => None,
    };
    let body = skip_bom_and_whitespace(head);
    let after_brace = body.strip_prefix(b"{")?;
    match first_key(after_brace) {
        Some(b"log") => return Some(InputFormat::Har),
        Some(
            b"v" | b"started_at" | b"request" | b"response" | b"id" | b"client" | b"source" | b"duration_ms",
        ) => {
            return Some(InputFormat::Jsonl);
        }
        _ => {}
    }
    if hint.is_some() {
        return hint;
    }
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
    let first_line_is_object = first_line.trim_ascii_end().ends_with(b"}") && body.len() > first_line.len();
    if first_line_is_object {
        Some(InputFormat::Jsonl)
    } else if body.windows(5).any(|w| w == b"\"log\"") {
        Some(InputFormat::Har)
    } else {
        None
    }
}

/// Peeks at the start of a buffered input: refuses compressed input, skips a UTF-8 BOM (Fiddler
/// and Windows tools write one; serde_json does not accept it).
fn prepare(name: &str, reader: &mut impl BufRead) -> Result<(), IngestError> {
    let head = reader.fill_buf().map_err(|error| IngestError::new(name, format!("read error: {error}")))?;
    if let Some(message) = unsupported_encoding(head) {
        return Err(IngestError::new(name, message));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

fn har_from_buffered(name: &str, mut reader: impl BufRead, sink: &mut dyn FnMut(Exchange)) -> IngestReport {
    match prepare(name, &mut reader) {
        Ok(()) => har_reader::read_har_buffered(name, reader, sink),
        Err(fatal) => IngestReport { fatal: Some(fatal), ..IngestReport::new(name, InputFormat::Har) },
    }
}

fn jsonl_from_buffered(
    name: &str,
    mut reader: impl BufRead,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    match prepare(name, &mut reader) {
        Ok(()) => jsonl::read_jsonl_buffered(name, reader, opts.max_line_bytes, sink),
        Err(fatal) => IngestReport { fatal: Some(fatal), ..IngestReport::new(name, InputFormat::Jsonl) },
    }
}

/// Reads a HAR document; `name` is used in errors and `Exchange.source.name`.
pub fn read_har(
    name: &str,
    reader: impl Read,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let buffered =
        BufReader::with_capacity(READ_BUFFER_BYTES, CountingReader::new(reader, opts.progress.clone()));
    har_from_buffered(name, buffered, sink)
}

/// Reads Exchange JSON Lines; `name` is used in errors and `Exchange.source.name`.
pub fn read_jsonl(
    name: &str,
    reader: impl Read,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let buffered =
        BufReader::with_capacity(READ_BUFFER_BYTES, CountingReader::new(reader, opts.progress.clone()));
    jsonl_from_buffered(name, buffered, opts, sink)
}

/// Reads a whole file, detecting its format; calls `sink` for each exchange in order.
pub fn read_path(path: &Path, opts: &IngestOptions, sink: &mut dyn FnMut(Exchange)) -> IngestReport {
    // The path as the user gave it: two inputs may share a file name.
    let name = path.display().to_string();
    match File::open(path) {
        Ok(file) => read_detected(&name, file, opts, sink),
        Err(error) => failed(&name, format!("cannot open: {error}")),
    }
}

/// Reads a stream whose format is not known in advance (standard input, a pipe), detecting it
/// from the content; `name` is used in errors, in `Exchange.source.name`, and as a hint by its
/// extension.
pub fn read_detected(
    name: &str,
    reader: impl Read,
    opts: &IngestOptions,
    sink: &mut dyn FnMut(Exchange),
) -> IngestReport {
    let mut reader =
        BufReader::with_capacity(READ_BUFFER_BYTES, CountingReader::new(reader, opts.progress.clone()));
    let head = match reader.fill_buf() {
        Ok(head) => head,
        Err(error) => return failed(name, format!("read error: {error}")),
    };
    if let Some(message) = unsupported_encoding(head) {
        return failed(name, message.to_owned());
    }
    match detect_format(Path::new(name), head) {
        Some(InputFormat::Har) => har_from_buffered(name, reader, sink),
        Some(InputFormat::Jsonl) => jsonl_from_buffered(name, reader, opts, sink),
        None if head.is_empty() => failed(name, "empty input".to_owned()),
        None => failed(name, "unrecognised format: expected a HAR file or Exchange JSON Lines".to_owned()),
    }
}

fn failed(name: &str, message: String) -> IngestReport {
    IngestReport {
        file: name.to_owned(),
        fatal: Some(IngestError::new(name.to_owned(), message)),
        ..IngestReport::default()
    }
}

/// Converts one HAR entry (its JSON text). Pure: no I/O, no state; used by the reader and fuzzers.
/// The result's `source` is `kind: har` without a name or index.
pub fn har_entry_to_exchange(entry_json: &str) -> Result<Exchange, IngestError> {
    har_entry::entry_json_to_exchange(entry_json)
}
