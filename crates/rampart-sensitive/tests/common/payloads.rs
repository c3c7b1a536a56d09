//! Walking labelled payloads and scoring detections, shared by the accuracy tests over whole
//! documents (`independent.rs`, `fresh.rs`).

#![allow(dead_code)]

use serde_json::Value;

pub struct Leaf {
    pub pointer: String,
    pub template: String,
    pub field: Option<String>,
    pub context: Option<String>,
    pub value: String,
}

/// Members whose value names what the object's other members hold (case and separators
/// ignored): the spellings of this set's shapes.
pub fn is_type_key(key: &str) -> bool {
    let plain: String =
        key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    [
        "type",
        "idtype",
        "documenttype",
        "doctype",
        "kind",
        "category",
        "scheme",
        "schemename",
        "prooftype",
        "documentkind",
    ]
    .contains(&plain.as_str())
}

pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

pub fn leaves(
    value: &Value,
    pointer: &str,
    template: &str,
    field: Option<&str>,
    parent: Option<&str>,
    out: &mut Vec<Leaf>,
) {
    let leaf = |text: String| Leaf {
        pointer: pointer.to_owned(),
        template: template.to_owned(),
        field: field.map(str::to_owned),
        context: parent.map(str::to_owned),
        value: text,
    };
    match value {
        Value::Object(map) => {
            let sibling_type =
                map.iter().find(|(key, v)| is_type_key(key) && v.is_string()).and_then(|(_, v)| v.as_str());
            for (key, child) in map {
                let escaped = escape(key);
                let before = out.len();
                leaves(
                    child,
                    &format!("{pointer}/{escaped}"),
                    &format!("{template}/{escaped}"),
                    Some(key),
                    field,
                    out,
                );
                if let (Some(sibling_type), Value::String(_) | Value::Number(_)) = (sibling_type, child) {
                    for leaf in &mut out[before..] {
                        leaf.context = Some(sibling_type.to_owned());
                    }
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                leaves(child, &format!("{pointer}/{index}"), &format!("{template}/*"), field, parent, out);
            }
        }
        Value::String(text) => out.push(leaf(text.clone())),
        Value::Number(number) => out.push(leaf(number.to_string())),
        Value::Bool(_) | Value::Null => {}
    }
}

#[derive(Default)]
pub struct Score {
    pub true_positives: u32,
    pub false_negatives: u32,
    pub false_positives: u32,
    pub misses: Vec<String>,
    pub false_alarms: Vec<String>,
}

impl Score {
    pub fn precision(&self) -> f64 {
        f64::from(self.true_positives) / f64::from((self.true_positives + self.false_positives).max(1))
    }

    pub fn recall(&self) -> f64 {
        f64::from(self.true_positives) / f64::from((self.true_positives + self.false_negatives).max(1))
    }

    pub fn meets_goal(&self) -> bool {
        self.precision() >= 0.99 && self.recall() >= 0.99
    }
}
