//! YAML 1.2 to the positioned tree, from `saphyr-parser`'s events and spans.
//!
//! The tree is built with an explicit stack (no recursion), anchors are registered when their
//! node is complete (so an alias can never point into a node still being built: no cycles),
//! aliases share the anchored node, and `<<` merge keys are applied.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::{LoadError, MAX_DEPTH};
use crate::doc::{Doc, Entry, Node, NodeId, Pos, Value};

enum Frame {
    Seq { items: Vec<NodeId>, pos: Pos, anchor: usize },
    Map { entries: Vec<Entry>, key: Option<(Box<str>, Pos)>, pos: Pos, anchor: usize },
}

fn pos_of(span: &Span) -> Pos {
    Pos {
        line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
        col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
    }
}

pub fn parse(text: &str) -> Result<Doc, LoadError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut root: Option<NodeId> = None;
    let mut last_pos = Pos { line: 1, col: 1 };

    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|err| LoadError::Syntax {
            line: u32::try_from(err.marker().line()).unwrap_or(u32::MAX),
            column: u32::try_from(err.marker().col() + 1).unwrap_or(u32::MAX),
            message: err.info().to_string(),
        })?;
        let pos = pos_of(&span);
        last_pos = pos;
        // A finished node, to attach to its parent.
        let done: Option<NodeId> = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
            Event::DocumentStart(_) => None,
            Event::DocumentEnd => {
                if root.is_some() {
                    break; // only the first document of a stream is the spec
                }
                None
            }
            Event::Scalar(text, style, anchor, tag) => {
                // A key of a mapping: keep its text as written, no node.
                if anchor == 0
                    && let Some(Frame::Map { key: key @ None, .. }) = stack.last_mut()
                {
                    *key = Some((text.as_ref().into(), pos));
                    continue;
                }
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if style != ScalarStyle::Plain || is_str_tag {
                    Value::String(text.as_ref().into())
                } else {
                    plain_scalar(&text)
                };
                nodes.push(Node { value, pos });
                let id = (nodes.len() - 1) as NodeId;
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
                Some(id)
            }
            Event::Alias(anchor) => match anchors.get(&anchor) {
                Some(id) => Some(*id),
                None => {
                    return Err(LoadError::Syntax {
                        line: pos.line,
                        column: pos.col,
                        message: "alias to an anchor that is not complete (recursive alias)".into(),
                    });
                }
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(LoadError::Syntax {
                        line: pos.line,
                        column: pos.col,
                        message: "nesting is too deep".into(),
                    });
                }
                if matches!(event, Event::SequenceStart(..)) {
                    stack.push(Frame::Seq { items: Vec::new(), pos, anchor });
                } else {
                    stack.push(Frame::Map { entries: Vec::new(), key: None, pos, anchor });
                }
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { items, pos, anchor }) => {
                    nodes.push(Node { value: Value::Seq(items), pos });
                    let id = (nodes.len() - 1) as NodeId;
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    Some(id)
                }
                Some(Frame::Map { entries, pos, anchor, .. }) => {
                    let entries = merge_keys(entries, &nodes);
                    nodes.push(Node { value: Value::Map(entries), pos });
                    let id = (nodes.len() - 1) as NodeId;
                    if anchor != 0 {
                        anchors.insert(anchor, id);
                    }
                    Some(id)
                }
                None => None,
            },
        };
        let Some(id) = done else { continue };
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(id);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(id),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                Some((name, key_pos)) => entries.push(Entry { key: name, key_pos, value: id }),
                None => {
                    // A key that is an alias or a collection.
                    let node = &nodes[id as usize];
                    let name: Box<str> = match &node.value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string().into(),
                        Value::Bool(b) => b.to_string().into(),
                        Value::Null => "null".into(),
                        Value::Seq(_) | Value::Map(_) => "<complex key>".into(),
                    };
                    *key = Some((name, node.pos));
                }
            },
        }
    }
    match root {
        Some(root) => Ok(Doc { nodes, root }),
        None => {
            // An empty stream: an empty document, which the spec checks reject with a message.
            nodes.push(Node { value: Value::Null, pos: last_pos });
            Ok(Doc { root: (nodes.len() - 1) as NodeId, nodes })
        }
    }
}

/// Apply YAML merge keys: `<<: *base` or `<<: [*a, *b]` add the entries of those mappings that
/// the mapping does not set itself.
fn merge_keys(entries: Vec<Entry>, nodes: &[Node]) -> Vec<Entry> {
    if !entries.iter().any(|e| &*e.key == "<<") {
        return entries;
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| &*e.key == "<<");
    for merge in merges {
        let sources: Vec<NodeId> = match &nodes[merge.value as usize].value {
            Value::Map(_) => vec![merge.value],
            Value::Seq(items) => items.clone(),
            _ => Vec::new(),
        };
        for source in sources {
            if let Value::Map(inherited) = &nodes[source as usize].value {
                for entry in inherited {
                    if !own.iter().any(|e| e.key == entry.key) {
                        own.push(entry.clone());
                    }
                }
            }
        }
    }
    own
}

/// The YAML 1.2 core schema for plain scalars.
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Number(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Number(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Number(f64::NAN),
        _ => {}
    }
    let bytes = text.as_bytes();
    let numeric_start = bytes.first().is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'));
    if numeric_start {
        if let Some(hex) = text.strip_prefix("0x")
            && let Ok(n) = i64::from_str_radix(hex, 16)
        {
            return Value::Number(n as f64);
        }
        if let Some(oct) = text.strip_prefix("0o")
            && let Ok(n) = i64::from_str_radix(oct, 8)
        {
            return Value::Number(n as f64);
        }
        if text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
            && text.bytes().any(|b| b.is_ascii_digit())
            && let Ok(n) = text.parse::<f64>()
        {
            return Value::Number(n);
        }
    }
    Value::String(text.into())
}
