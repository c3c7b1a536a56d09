//! Properties of the loader and the audit: never a panic on arbitrary YAML-ish text, and for any
//! document, every JSON pointer is found, at a position that exists, holding the same value in
//! its JSON and YAML forms.

use proptest::prelude::*;
use rampart_audit::doc::{Doc, NodeId, Value as Node};
use rampart_audit::{AuditConfig, audit_text, load};
use serde_json::{Map, Value};

fn to_json(doc: &Doc, id: NodeId) -> Value {
    match doc.value(id) {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Number(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
        Node::String(s) => Value::String(s.to_string()),
        Node::Seq(items) => Value::Array(items.iter().map(|i| to_json(doc, *i)).collect()),
        Node::Map(entries) => Value::Object(
            entries.iter().map(|e| (e.key.to_string(), to_json(doc, e.value))).collect::<Map<_, _>>(),
        ),
    }
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) => {
            n.as_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
        }
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

fn pointers(value: &Value, prefix: String, out: &mut Vec<(String, Value)>) {
    out.push((prefix.clone(), value.clone()));
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{prefix}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{prefix}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        _ => {}
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1_000_000i64..1_000_000).prop_map(Value::from),
        "[a-zA-Z0-9 _/~{}é-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_/~{}$é-][a-zA-Z0-9_/~{}é-]{0,8}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_audit_never_panics_on_yaml_ish_text(text in "[-a-z0-9 :{}\\[\\],'\"#&*!|>?$/~\n\t]{0,300}") {
        let with_header = format!("openapi: 3.1.0\npaths:\n  /a:\n{text}");
        for input in [text.as_str(), with_header.as_str()] {
            let report = audit_text("p.yaml", input, &AuditConfig::default());
            let lines = input.lines().count() as u32 + 1;
            for finding in &report.findings {
                let location = finding.location.as_ref().expect("location");
                prop_assert!(location.line >= 1 && location.line <= lines);
            }
        }
    }

    #[test]
    fn every_pointer_is_found_with_its_value_in_json_and_yaml(value in json_value()) {
        let document = Value::Object([("root".to_string(), value)].into_iter().collect());
        let json = serde_json::to_string_pretty(&document).expect("serialise");
        let yaml = yaml_serde::to_string(&document).expect("serialise yaml");
        let mut all = Vec::new();
        pointers(&document, String::new(), &mut all);
        for text in [&json, &yaml] {
            let doc = load::parse(text).expect("a serialised document parses");
            let line_count = text.lines().count() as u32;
            for (pointer, expected) in &all {
                let (id, pos) = doc.locate(pointer).unwrap_or_else(|| panic!("{pointer} not found in\n{text}"));
                prop_assert_eq!(normalise(&to_json(&doc, id)), normalise(expected), "{} in\n{}", pointer, text);
                prop_assert!(pos.line >= 1 && pos.line <= line_count.max(1), "{} at {:?}", pointer, pos);
                // A mapping member is reported at its key, which the text holds there.
                if let Some(key) = pointer.rsplit('/').next().filter(|_| !pointer.is_empty()) {
                    let key = key.replace("~1", "/").replace("~0", "~");
                    let line = text.lines().nth(pos.line as usize - 1).unwrap_or("");
                    let rest: String = line.chars().skip(pos.col as usize - 1).collect();
                    let is_index = key.parse::<usize>().is_ok();
                    if !is_index && !key.is_empty() {
                        let bare = rest.trim_start_matches(['"', '\'']);
                        prop_assert!(bare.starts_with(&key), "{} at {:?}: `{}`", pointer, pos, rest);
                    }
                }
            }
        }
    }
}
