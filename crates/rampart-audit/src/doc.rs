//! The document tree the audit works on: every node keeps the line and column where it is
//! written, and every mapping entry keeps the position of its key.
//!
//! Nodes live in one arena (`Vec<Node>`) and refer to each other by index. A YAML alias is the
//! index of the anchored node, not a copy, so an alias bomb ("billion laughs") costs nothing to
//! load, and walks that keep a visited set stay linear in the size of the file.

use std::fmt::Write as _;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Index of a node in [`Doc::nodes`].
pub type NodeId = u32;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(Box<str>),
    Seq(Vec<NodeId>),
    Map(Vec<Entry>),
}

/// One `key: value` of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Box<str>,
    pub key_pos: Pos,
    pub value: NodeId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Where the node's value starts.
    pub pos: Pos,
}

/// A parsed document: the arena and its root.
#[derive(Debug, Clone)]
pub struct Doc {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

/// One segment of a path from the root: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The JSON pointer (RFC 6901) of a path, e.g. `/paths/~1accounts/get`.
pub fn pointer_of(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(key) => escape_into(key, &mut out),
            Seg::Index(i) => {
                let _ = write!(out, "{i}");
            }
        }
    }
    out
}

/// Append `key` escaped as a JSON pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape_into(key: &str, out: &mut String) {
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Undo the pointer escapes and the URI percent-encoding of one segment of a `$ref` fragment
/// (`%7B` → `{`, `~1` → `/`). Invalid escapes are kept as written.
pub fn unescape_segment(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                decoded.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    let text = String::from_utf8(decoded).unwrap_or_else(|_| segment.to_string());
    text.replace("~1", "/").replace("~0", "~")
}

impl Doc {
    pub fn node(&self, id: NodeId) -> &Node {
        // Ids are only ever made by the loaders, which push before they hand an id out.
        &self.nodes[id as usize]
    }

    pub fn value(&self, id: NodeId) -> &Value {
        &self.node(id).value
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match self.value(id) {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.value(id) {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.value(id), Value::Map(_))
    }

    /// The entry `key` of a mapping node.
    pub fn entry(&self, id: NodeId, key: &str) -> Option<&Entry> {
        self.entries(id).iter().find(|e| &*e.key == key)
    }

    /// The value of `key` in a mapping node.
    pub fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        self.entry(id, key).map(|e| e.value)
    }

    pub fn has(&self, id: NodeId, key: &str) -> bool {
        self.entry(id, key).is_some()
    }

    pub fn as_str(&self, id: NodeId) -> Option<&str> {
        match self.value(id) {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// `get` then `as_str`.
    pub fn get_str(&self, id: NodeId, key: &str) -> Option<&str> {
        self.get(id, key).and_then(|v| self.as_str(v))
    }

    /// JavaScript truthiness, as Spectral's `truthy` sees it: not null, false, 0 or "".
    pub fn truthy(&self, id: NodeId) -> bool {
        match self.value(id) {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Seq(_) | Value::Map(_) => true,
        }
    }

    /// Follow a JSON pointer (`/components/schemas/User`, already split and unescaped) from
    /// the root. Returns the node and the position to report for it: its key's position when
    /// it is a mapping value, its own position otherwise.
    pub fn lookup<S: AsRef<str>>(&self, segments: &[S]) -> Option<(NodeId, Pos)> {
        let mut current = self.root;
        let mut pos = self.node(current).pos;
        for segment in segments {
            let segment = segment.as_ref();
            match self.value(current) {
                Value::Map(entries) => {
                    let entry = entries.iter().find(|e| &*e.key == segment)?;
                    current = entry.value;
                    pos = entry.key_pos;
                }
                Value::Seq(items) => {
                    let index: usize = segment.parse().ok()?;
                    current = *items.get(index)?;
                    pos = self.node(current).pos;
                }
                _ => return None,
            }
        }
        Some((current, pos))
    }

    /// Resolve a JSON pointer string (`/paths/~1accounts/get`, RFC 6901 escapes).
    pub fn locate(&self, pointer: &str) -> Option<(NodeId, Pos)> {
        if pointer.is_empty() {
            return Some((self.root, self.node(self.root).pos));
        }
        let rest = pointer.strip_prefix('/')?;
        let segments: Vec<String> =
            rest.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
        self.lookup(&segments)
    }

    /// A canonical text of a node, to compare two subtrees for equality (security requirements).
    /// Bounded: stops after `limit` bytes.
    pub fn canonical(&self, id: NodeId, limit: usize) -> String {
        let mut out = String::new();
        self.canonical_into(id, &mut out, limit, 0);
        out
    }

    fn canonical_into(&self, id: NodeId, out: &mut String, limit: usize, depth: usize) {
        if out.len() > limit || depth > 64 {
            return;
        }
        match self.value(id) {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => {
                let _ = write!(out, "{s:?}");
            }
            Value::Seq(items) => {
                out.push('[');
                for item in items {
                    self.canonical_into(*item, out, limit, depth + 1);
                    out.push(',');
                }
                out.push(']');
            }
            Value::Map(entries) => {
                let mut sorted: Vec<&Entry> = entries.iter().collect();
                sorted.sort_by(|a, b| a.key.cmp(&b.key));
                out.push('{');
                for entry in sorted {
                    let _ = write!(out, "{:?}:", entry.key);
                    self.canonical_into(entry.value, out, limit, depth + 1);
                    out.push(',');
                }
                out.push('}');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        let path = [Seg::Key("paths"), Seg::Key("/a/{id}~x"), Seg::Key("get"), Seg::Index(2)];
        assert_eq!(pointer_of(&path), "/paths/~1a~1{id}~0x/get/2");
    }

    #[test]
    fn ref_segments_decode_percent_and_pointer_escapes() {
        assert_eq!(unescape_segment("~1users~1%7Bid%7D"), "/users/{id}");
        assert_eq!(unescape_segment("a%2"), "a%2");
        assert_eq!(unescape_segment("%zz"), "%zz");
        assert_eq!(unescape_segment("~0tilde"), "~tilde");
    }
}
