//! Finds `log.entries` in a HAR stream and hands over each entry's text, without parsing it.
//!
//! serde_json's streaming reader pulls bytes one at a time through `io::Read` and costs more than
//! parsing the entries themselves. This splitter works on whole `BufRead` buffers instead: string
//! bodies are skipped with `memchr2` (only `"` and `\` matter inside them) and the rest is a
//! byte-level state machine that tracks nesting on a bit stack, so neither hostile depth nor size
//! can overflow the stack or grow memory beyond one entry. It checks the document's shape (objects,
//! keys, `:` and `,` around `log` and `entries`) but not the values it skips (`pages`, `creator`,
//! ...): each entry is validated when it is parsed, and the rest is not used. Lines and columns
//! (1-based, columns in bytes, as serde_json counts them) are tracked as buffers are consumed so
//! that damage in the file can still be located.

use std::io::{self, BufRead};

use crate::IngestError;

/// One element of `log.entries`.
pub(crate) enum Element<'a> {
    /// The element's JSON text (valid UTF-8; its syntax is the caller's to check).
    Text(&'a str),
    /// An element larger than the bound, skipped without being kept.
    TooLarge { bytes: u64 },
}

/// How the document ended when no error stopped it.
pub(crate) struct SplitOutcome {
    /// Whether `log.entries` was present (possibly `null` or empty).
    pub(crate) saw_entries: bool,
}

/// The bytes that matter outside strings.
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// Where the next unconsumed byte is.
#[derive(Debug, Clone, Copy)]
struct Position {
    offset: u64,
    line: u64,
    line_start: u64,
}

impl Position {
    fn track(&mut self, consumed: &[u8]) {
        let newlines = consumed.iter().filter(|&&b| b == b'\n').count() as u64;
        if newlines > 0 {
            self.line += newlines;
            if let Some(last) = memchr::memrchr(b'\n', consumed) {
                self.line_start = self.offset + last as u64 + 1;
            }
        }
        self.offset += consumed.len() as u64;
    }

    fn column(&self) -> u64 {
        self.offset - self.line_start + 1
    }
}

/// Open containers, one bit each (1 = object), so that a hostile depth costs 1/8 byte a level.
#[derive(Default)]
struct NestingStack {
    words: Vec<u64>,
    depth: u64,
}

impl NestingStack {
    fn push(&mut self, is_object: bool) {
        let word = (self.depth / 64) as usize;
        if word == self.words.len() {
            self.words.push(0);
        }
        let bit = 1u64 << (self.depth % 64);
        if is_object {
            self.words[word] |= bit;
        } else {
            self.words[word] &= !bit;
        }
        self.depth += 1;
    }

    /// Pops the innermost container; false when `is_object` does not match it.
    fn pop(&mut self, is_object: bool) -> bool {
        let Some(depth) = self.depth.checked_sub(1) else { return false };
        self.depth = depth;
        let word = self.words[(depth / 64) as usize];
        ((word >> (depth % 64)) & 1 == 1) == is_object
    }
}

fn eof_error(position: Position, what: &str) -> IngestError {
    IngestError::new("", format!("unexpected end of file (truncated?): EOF while parsing {what}"))
        .at_position(position.line, position.column())
}

fn syntax_error(position: Position, message: &str) -> IngestError {
    IngestError::new("", message).at_position(position.line, position.column())
}

fn io_error(error: &io::Error) -> IngestError {
    IngestError::new("", format!("read error: {error}"))
}

struct Splitter<R> {
    reader: R,
    position: Position,
    nesting: NestingStack,
    /// The current element, gathered across buffer refills; reused from one element to the next.
    element: Vec<u8>,
    max_element_bytes: usize,
}

/// What [`Splitter::scan_value`] found.
struct Scanned {
    start: Position,
    /// The value was longer than the capture bound and is not (fully) in the capture buffer.
    overflowed: bool,
    bytes: u64,
}

impl<R: BufRead> Splitter<R> {
    /// The next byte that is not JSON whitespace, left unconsumed; `None` at the end of input.
    fn peek_significant(&mut self) -> Result<Option<u8>, IngestError> {
        loop {
            let buf = self.reader.fill_buf().map_err(|e| io_error(&e))?;
            if buf.is_empty() {
                return Ok(None);
            }
            let skip = buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            let n = skip.unwrap_or(buf.len());
            self.position.track(&buf[..n]);
            let next = skip.map(|i| buf[i]);
            self.reader.consume(n);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    fn consume_byte(&mut self, byte: u8) {
        self.position.track(&[byte]);
        self.reader.consume(1);
    }

    /// Scans one JSON value of any kind (its first byte is next), copying up to `limit` bytes of
    /// it into `capture` when given. Values are delimited, not validated: strings by `"` with
    /// `\` escapes, containers by matching brackets, scalars by the next delimiter.
    fn scan_value(
        &mut self,
        mut capture: Option<&mut Vec<u8>>,
        limit: usize,
    ) -> Result<Scanned, IngestError> {
        let first = match self.peek_significant()? {
            Some(byte) => byte,
            None => return Err(eof_error(self.position, "a value")),
        };
        let start = self.position;
        if matches!(first, b',' | b':' | b']' | b'}') {
            return Err(syntax_error(start, "expected value"));
        }
        if let Some(capture) = capture.as_deref_mut() {
            capture.clear();
        }
        let scalar = !matches!(first, b'"' | b'{' | b'[');
        let base_depth = self.nesting.depth;
        let mut in_string = false;
        let mut escaped = false;
        let mut overflowed = false;
        let mut bytes = 0u64;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| io_error(&e))?;
            if buf.is_empty() {
                if scalar {
                    break;
                }
                let what = if in_string { "a string" } else { "a value" };
                return Err(eof_error(self.position, what));
            }
            let mut i = 0;
            let mut done = false;
            let mut mismatch = false;
            while i < buf.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                        None => i = buf.len(),
                        Some(found) => {
                            i += found;
                            if buf[i] == b'\\' {
                                escaped = true;
                            } else {
                                in_string = false;
                                if self.nesting.depth == base_depth {
                                    i += 1;
                                    done = true;
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                } else if scalar {
                    if matches!(buf[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        done = true;
                        break;
                    }
                    i += 1;
                } else {
                    // Whitespace, numbers and literals between structural bytes are most of what is
                    // left outside strings in pretty-printed HARs.
                    while i < buf.len() && !STRUCTURAL[buf[i] as usize] {
                        i += 1;
                    }
                    if i == buf.len() {
                        break;
                    }
                    match buf[i] {
                        b'"' => in_string = true,
                        open @ (b'{' | b'[') => self.nesting.push(open == b'{'),
                        close @ (b'}' | b']') => {
                            if !self.nesting.pop(close == b'}') || self.nesting.depth < base_depth {
                                mismatch = true;
                                break;
                            }
                            if self.nesting.depth == base_depth {
                                i += 1;
                                done = true;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            let chunk = &buf[..i];
            bytes += i as u64;
            if let Some(capture) = capture.as_deref_mut() {
                if overflowed || capture.len() + chunk.len() > limit {
                    if !overflowed {
                        overflowed = true;
                        capture.clear();
                        capture.shrink_to(limit.min(1 << 20));
                    }
                } else {
                    capture.extend_from_slice(chunk);
                }
            }
            self.position.track(chunk);
            self.reader.consume(i);
            if mismatch {
                self.nesting = NestingStack::default();
                return Err(syntax_error(self.position, "mismatched bracket"));
            }
            if done {
                break;
            }
        }
        Ok(Scanned { start, overflowed, bytes })
    }

    /// Reads an object key and its `:`; `None` for a key too long to be one we look for.
    fn read_key(&mut self) -> Result<Option<String>, IngestError> {
        match self.peek_significant()? {
            Some(b'"') => {}
            Some(_) => return Err(syntax_error(self.position, "key must be a string")),
            None => return Err(eof_error(self.position, "an object")),
        }
        let mut raw = Vec::new();
        let scanned = self.scan_value(Some(&mut raw), 4096)?;
        let key = if scanned.overflowed { None } else { serde_json::from_slice::<String>(&raw).ok() };
        match self.peek_significant()? {
            Some(b':') => self.consume_byte(b':'),
            Some(_) => return Err(syntax_error(self.position, "expected `:`")),
            None => return Err(eof_error(self.position, "an object")),
        }
        Ok(key)
    }

    /// After a member or element: consumes `,` (true: more follow) or `close` (false).
    fn after_item(&mut self, close: u8) -> Result<bool, IngestError> {
        match self.peek_significant()? {
            Some(b',') => {
                self.consume_byte(b',');
                Ok(true)
            }
            Some(byte) if byte == close => {
                self.consume_byte(close);
                Ok(false)
            }
            Some(_) if close == b'}' => Err(syntax_error(self.position, "expected `,` or `}`")),
            Some(_) => Err(syntax_error(self.position, "expected `,` or `]`")),
            None if close == b'}' => Err(eof_error(self.position, "an object")),
            None => Err(eof_error(self.position, "a list")),
        }
    }

    /// Consumes `{` and walks the members, calling `on_member` with each key when its value is
    /// next; `on_member` must consume the value.
    fn object(
        &mut self,
        expecting: &str,
        mut on_member: impl FnMut(&mut Self, Option<String>) -> Result<(), IngestError>,
    ) -> Result<(), IngestError> {
        match self.peek_significant()? {
            Some(b'{') => self.consume_byte(b'{'),
            Some(_) => {
                return Err(syntax_error(self.position, &format!("invalid type: expected {expecting}")));
            }
            None => return Err(eof_error(self.position, "a value")),
        }
        if self.peek_significant()? == Some(b'}') {
            self.consume_byte(b'}');
            return Ok(());
        }
        loop {
            let key = self.read_key()?;
            on_member(self, key)?;
            if !self.after_item(b'}')? {
                return Ok(());
            }
        }
    }

    fn skip_value(&mut self) -> Result<(), IngestError> {
        self.scan_value(None, 0).map(|_| ())
    }

    fn entries(&mut self, on_element: &mut dyn FnMut(Element<'_>)) -> Result<(), IngestError> {
        match self.peek_significant()? {
            Some(b'[') => self.consume_byte(b'['),
            Some(b'n') => {
                // `"entries": null` (exports of empty sessions) is just empty.
                let mut raw = Vec::new();
                self.scan_value(Some(&mut raw), 16)?;
                if raw == b"null" {
                    return Ok(());
                }
                return Err(syntax_error(self.position, "invalid type: expected an array of HAR entries"));
            }
            Some(_) => {
                return Err(syntax_error(self.position, "invalid type: expected an array of HAR entries"));
            }
            None => return Err(eof_error(self.position, "a value")),
        }
        if self.peek_significant()? == Some(b']') {
            self.consume_byte(b']');
            return Ok(());
        }
        let mut element = std::mem::take(&mut self.element);
        let result = loop {
            let scanned = match self.scan_value(Some(&mut element), self.max_element_bytes) {
                Ok(scanned) => scanned,
                Err(error) => break Err(error),
            };
            if scanned.overflowed {
                on_element(Element::TooLarge { bytes: scanned.bytes });
            } else {
                match std::str::from_utf8(&element) {
                    Ok(text) => on_element(Element::Text(text)),
                    Err(error) => break Err(utf8_error(scanned.start, &element[..error.valid_up_to()])),
                }
            }
            match self.after_item(b']') {
                Ok(true) => {}
                Ok(false) => break Ok(()),
                Err(error) => break Err(error),
            }
        };
        self.element = element;
        result
    }
}

/// Locates the first invalid byte of an element that starts at `start` and whose valid prefix is
/// `valid`.
fn utf8_error(start: Position, valid: &[u8]) -> IngestError {
    let mut at = start;
    at.track(valid);
    IngestError::new("", "invalid UTF-8 in a string").at_position(at.line, at.column())
}

/// Walks a HAR document from `reader`, calling `on_element` for each element of the root's
/// `log.entries`, in order. Elements over `max_element_bytes` are reported as
/// [`Element::TooLarge`]. Errors (from reading, the document's shape, or UTF-8 in an entry) stop
/// the walk; their `file` is empty.
pub(crate) fn split_har_entries(
    reader: impl BufRead,
    max_element_bytes: usize,
    on_element: &mut dyn FnMut(Element<'_>),
) -> Result<SplitOutcome, IngestError> {
    let mut splitter = Splitter {
        reader,
        position: Position { offset: 0, line: 1, line_start: 0 },
        nesting: NestingStack::default(),
        element: Vec::new(),
        max_element_bytes,
    };
    let mut saw_entries = false;
    splitter.object("a HAR object {\"log\": {...}}", |splitter, key| {
        if key.as_deref() != Some("log") {
            return splitter.skip_value();
        }
        splitter.object("the HAR log object", |splitter, key| {
            if key.as_deref() == Some("entries") {
                saw_entries = true;
                splitter.entries(on_element)
            } else {
                splitter.skip_value()
            }
        })
    })?;
    if splitter.peek_significant()?.is_some() {
        return Err(syntax_error(splitter.position, "trailing characters"));
    }
    Ok(SplitOutcome { saw_entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` read `chunk` bytes at a time, so that every element spans refills.
    fn split(text: &[u8], chunk: usize, max: usize) -> (Vec<String>, Result<bool, String>) {
        let reader = io::BufReader::with_capacity(chunk, text);
        let mut elements = Vec::new();
        let outcome = split_har_entries(reader, max, &mut |element| match element {
            Element::Text(text) => elements.push(text.to_owned()),
            Element::TooLarge { bytes } => elements.push(format!("<too large: {bytes}>")),
        });
        (elements, outcome.map(|o| o.saw_entries).map_err(|e| e.to_string()))
    }

    #[test]
    fn yields_entries_whatever_the_key_order_and_buffer_size() {
        let text = br#"{"comment": "x{[\"", "log": {"pages": [{"id": "]"}], "entries": [
            {"a": "b\\\"}"}, 42, "s,]", [1, [2]], null
        ], "creator": {"name": "t"}}}"#;
        for chunk in [1, 2, 3, 7, 64, 4096] {
            let (elements, outcome) = split(text, chunk, 1 << 20);
            assert_eq!(outcome, Ok(true), "chunk {chunk}");
            assert_eq!(
                elements,
                [r#"{"a": "b\\\"}"}"#, "42", r#""s,]""#, "[1, [2]]", "null"],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn escaped_keys_are_decoded_and_other_objects_ignored() {
        let (elements, outcome) =
            split(br#"{"x": {"log": {"entries": [1]}}, "\u006cog": {"entries": [2]}}"#, 5, 1 << 20);
        assert_eq!((elements, outcome), (vec!["2".to_owned()], Ok(true)));
    }

    #[test]
    fn missing_or_null_entries() {
        assert_eq!(split(br#"{"log": {"version": "1.2"}}"#, 8, 1 << 20), (vec![], Ok(false)));
        assert_eq!(split(br#"{"log": {"entries": null}}"#, 8, 1 << 20), (vec![], Ok(true)));
        assert_eq!(split(br#"{"log": {"entries": []}}"#, 8, 1 << 20), (vec![], Ok(true)));
    }

    #[test]
    fn oversized_elements_are_skipped_and_reading_goes_on() {
        let (elements, outcome) = split(br#"{"log": {"entries": [{"big": "0123456789"}, {}]}}"#, 4, 10);
        assert_eq!(outcome, Ok(true));
        assert_eq!(elements, ["<too large: 21>", "{}"]);
    }

    #[test]
    fn damage_is_located_by_line_and_column() {
        let (elements, outcome) = split(b"{\"log\": {\"entries\": [\n  {},\n  {\"a\": 1]\n]}}", 3, 1 << 20);
        assert_eq!(elements, ["{}"]);
        assert_eq!(outcome, Err("line 3, column 10: mismatched bracket".to_owned()));

        let (_, outcome) = split(b"{\"log\": {\"entries\": [\n  {\"a\": \"x\xffy\"}]}}", 4, 1 << 20);
        assert_eq!(outcome, Err("line 2, column 11: invalid UTF-8 in a string".to_owned()));

        let (elements, outcome) = split(b"{\"log\": {\"entries\": [{}, {\"a\"", 4, 1 << 20);
        assert_eq!(elements, ["{}"]);
        assert_eq!(
            outcome,
            Err("line 1, column 30: unexpected end of file (truncated?): EOF while parsing a value"
                .to_owned())
        );

        let (_, outcome) = split(br#"{"log": {"entries": []}} x"#, 4, 1 << 20);
        assert_eq!(outcome, Err("line 1, column 26: trailing characters".to_owned()));
        let (_, outcome) = split(br#"[{"log": {}}]"#, 4, 1 << 20);
        assert_eq!(
            outcome,
            Err("line 1, column 1: invalid type: expected a HAR object {\"log\": {...}}".to_owned())
        );
        let (_, outcome) = split(br#"{"log" {}}"#, 4, 1 << 20);
        assert_eq!(outcome, Err("line 1, column 8: expected `:`".to_owned()));
    }

    #[test]
    fn hostile_depth_outside_entries_is_skipped_iteratively() {
        let mut text = br#"{"pad": "#.to_vec();
        text.extend(std::iter::repeat_n(b'[', 1_000_000));
        text.extend(std::iter::repeat_n(b']', 1_000_000));
        text.extend_from_slice(br#", "log": {"entries": [{}]}}"#);
        assert_eq!(split(&text, 1 << 16, 1 << 20), (vec!["{}".to_owned()], Ok(true)));
    }

    proptest::proptest! {
        /// Buffer boundaries never change what is found, even in damaged documents.
        #[test]
        fn result_does_not_depend_on_buffer_size(
            body in r#"(\{|\}|\[|\]|"|\\|,|:| |\n|1|x|"log"|"entries"|\xff){0,60}"#,
            chunk in 1usize..9,
        ) {
            let text = format!(r#"{{"log": {{"entries": [{body}"#);
            proptest::prop_assert_eq!(split(text.as_bytes(), chunk, 1 << 20), split(text.as_bytes(), 4096, 1 << 20));
        }
    }
}
