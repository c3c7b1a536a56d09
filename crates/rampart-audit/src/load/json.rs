//! A small JSON parser that keeps the line and column of every value and key.
//!
//! `serde_json` forgets positions, and running JSON through the YAML parser works (YAML 1.2 is a
//! JSON superset) but costs about ten times more on a 10 MB spec. This parser is strict RFC 8259
//! JSON, recursive with a depth limit, and computes columns incrementally so that a minified
//! one-line document stays linear.

use super::{LoadError, MAX_DEPTH};
use crate::doc::{Doc, Entry, Node, NodeId, Pos, Value};

pub fn parse(text: &str) -> Result<Doc, LoadError> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        col_cache: (0, 1),
        nodes: Vec::new(),
    };
    parser.skip_ws();
    let root = parser.value(0)?;
    parser.skip_ws();
    if parser.i < parser.bytes.len() {
        return Err(parser.error("unexpected text after the JSON document"));
    }
    Ok(Doc { nodes: parser.nodes, root })
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    /// (byte offset, column) of the last column computed on the current line.
    col_cache: (usize, u32),
    nodes: Vec<Node>,
}

impl Parser<'_> {
    fn pos(&mut self) -> Pos {
        let (offset, col) = if self.col_cache.0 >= self.line_start && self.col_cache.0 <= self.i {
            self.col_cache
        } else {
            (self.line_start, 1)
        };
        let extra = self.text.get(offset..self.i).map_or(0, |s| s.chars().count()) as u32;
        let col = col + extra;
        self.col_cache = (self.i, col);
        Pos { line: self.line, col }
    }

    fn error(&mut self, message: &str) -> LoadError {
        let pos = self.pos();
        LoadError::Syntax { line: pos.line, column: pos.col, message: message.to_string() }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            match b {
                b' ' | b'\t' => self.i += 1,
                // CRLF: the LF ends the line. A lone CR ends it too, as YAML and editors say.
                b'\r' if self.bytes.get(self.i + 1) == Some(&b'\n') => self.i += 1,
                b'\n' | b'\r' => {
                    self.i += 1;
                    self.line += 1;
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn push(&mut self, value: Value, pos: Pos) -> NodeId {
        self.nodes.push(Node { value, pos });
        (self.nodes.len() - 1) as NodeId
    }

    fn value(&mut self, depth: usize) -> Result<NodeId, LoadError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting is too deep"));
        }
        let pos = self.pos();
        match self.bytes.get(self.i) {
            None => Err(self.error("unexpected end of the document, a value was expected")),
            Some(b'{') => {
                self.i += 1;
                let mut entries: Vec<Entry> = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(self.push(Value::Map(entries), pos));
                }
                loop {
                    self.skip_ws();
                    let key_pos = self.pos();
                    if self.bytes.get(self.i) != Some(&b'"') {
                        return Err(self.error("expected a string key"));
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    if self.bytes.get(self.i) != Some(&b':') {
                        return Err(self.error("expected `:` after the key"));
                    }
                    self.i += 1;
                    self.skip_ws();
                    let value = self.value(depth + 1)?;
                    entries.push(Entry { key: key.into_boxed_str(), key_pos, value });
                    self.skip_ws();
                    match self.bytes.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(self.push(Value::Map(entries), pos));
                        }
                        _ => return Err(self.error("expected `,` or `}` in an object")),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.bytes.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(self.push(Value::Seq(items), pos));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.bytes.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(self.push(Value::Seq(items), pos));
                        }
                        _ => return Err(self.error("expected `,` or `]` in an array")),
                    }
                }
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(self.push(Value::String(s.into_boxed_str()), pos))
            }
            Some(b't') => self.literal("true", Value::Bool(true), pos),
            Some(b'f') => self.literal("false", Value::Bool(false), pos),
            Some(b'n') => self.literal("null", Value::Null, pos),
            Some(b'-' | b'0'..=b'9') => self.number(pos),
            Some(_) => Err(self.error("unexpected character, a JSON value was expected")),
        }
    }

    fn literal(&mut self, word: &str, value: Value, pos: Pos) -> Result<NodeId, LoadError> {
        if self.bytes.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(self.push(value, pos))
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn number(&mut self, pos: Pos) -> Result<NodeId, LoadError> {
        let start = self.i;
        while let Some(b) = self.bytes.get(self.i) {
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.i += 1;
            } else {
                break;
            }
        }
        let raw = self.text.get(start..self.i).unwrap_or("");
        match raw.parse::<f64>() {
            Ok(n) if raw != "-" && !raw.starts_with('+') => Ok(self.push(Value::Number(n), pos)),
            _ => {
                self.i = start;
                Err(self.error("invalid number"))
            }
        }
    }

    /// A string starting at the opening quote; leaves `i` after the closing quote.
    fn string(&mut self) -> Result<String, LoadError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.bytes.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(self.text.get(start..self.i).unwrap_or(""));
            match self.bytes.get(self.i) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let escaped = self.bytes.get(self.i).copied();
                    self.i += 1;
                    match escaped {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let first = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&first) {
                                if self.bytes.get(self.i..self.i + 2) == Some(b"\\u") {
                                    self.i += 2;
                                    let second = self.hex4()?;
                                    if (0xDC00..0xE000).contains(&second) {
                                        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                                    } else {
                                        None
                                    }
                                } else {
                                    None
                                }
                            } else {
                                char::from_u32(first)
                            };
                            out.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.error("invalid escape in a string"));
                        }
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, LoadError> {
        let digits = self.text.get(self.i..self.i + 4).and_then(|h| u32::from_str_radix(h, 16).ok());
        match digits {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.error("invalid \\u escape")),
        }
    }
}
