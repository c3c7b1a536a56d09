//! Loading a spec: text to a [`Doc`] whose nodes keep their line and column.
//!
//! JSON documents (first non-blank character `{`) go through a dedicated position-keeping JSON
//! parser, which is several times faster than the YAML parser on large specs; everything else,
//! and JSON that the strict parser refuses, goes through `saphyr-parser` (YAML 1.2).

mod json;
mod yaml;

use crate::doc::Doc;

/// Deeper nesting than this is refused: no real spec comes near it, and it bounds the stack
/// used by the recursive walks of the rules.
pub const MAX_DEPTH: usize = 256;

/// A document that could not be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: u32, column: u32, message: String },
}

impl LoadError {
    /// The 1-based line and column of the error.
    pub fn position(&self) -> (u32, u32) {
        match self {
            LoadError::Syntax { line, column, .. } => (*line, *column),
        }
    }
}

/// Parse a YAML or JSON document.
pub fn parse(text: &str) -> Result<Doc, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        match json::parse(text) {
            Ok(doc) => Ok(doc),
            // JSON with comments or other YAML-isms: YAML may still read it. If not, the JSON
            // error is the clearer one.
            Err(json_error) => yaml::parse(text).map_err(|_| json_error),
        }
    } else {
        yaml::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Pos, Value};

    const YAML: &str = "openapi: 3.0.3\ninfo:\n  title: t\npaths:\n  /a:\n    get:\n      parameters:\n        - name: id\n          in: path\n";

    #[test]
    fn yaml_keeps_key_and_value_positions() {
        let doc = parse(YAML).expect("valid yaml");
        let (id, pos) = doc.locate("/paths/~1a/get/parameters/0/name").expect("found");
        assert_eq!(pos, Pos { line: 8, col: 11 });
        assert_eq!(doc.node(id).pos, Pos { line: 8, col: 17 });
        assert_eq!(doc.as_str(id), Some("id"));
        let (_, info) = doc.locate("/info").expect("info");
        assert_eq!(info, Pos { line: 2, col: 1 });
    }

    #[test]
    fn json_keeps_positions_in_pretty_and_minified_documents() {
        let pretty = "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {\n    \"/a\": {\"get\": {}}\n  }\n}\n";
        let doc = parse(pretty).expect("valid json");
        assert_eq!(doc.locate("/paths/~1a/get").map(|r| r.1), Some(Pos { line: 4, col: 12 }));
        let minified = r#"{"openapi":"3.1.0","x":"é","paths":{"/a":{}}}"#;
        let doc = parse(minified).expect("valid json");
        // Columns count characters: `é` is two bytes, one column.
        assert_eq!(doc.locate("/paths").map(|r| r.1), Some(Pos { line: 1, col: 28 }));
    }

    #[test]
    fn json_and_yaml_give_the_same_values() {
        let doc = parse(r#"{"a": [1, 2.5, true, null, "x\u00e9\ud83d\ude00"]}"#).expect("json");
        let (seq, _) = doc.locate("/a").expect("a");
        let values: Vec<&Value> = doc.items(seq).iter().map(|i| doc.value(*i)).collect();
        assert_eq!(values[0], &Value::Number(1.0));
        assert_eq!(values[2], &Value::Bool(true));
        assert_eq!(values[3], &Value::Null);
        assert_eq!(values[4], &Value::String("xé😀".into()));
        let doc = parse("a: [1, 2.5, true, null, '007', 0x1F, ~]").expect("yaml");
        let (seq, _) = doc.locate("/a").expect("a");
        let values: Vec<&Value> = doc.items(seq).iter().map(|i| doc.value(*i)).collect();
        assert_eq!(values[0], &Value::Number(1.0));
        assert_eq!(values[4], &Value::String("007".into()));
        assert_eq!(values[5], &Value::Number(31.0));
        assert_eq!(values[6], &Value::Null);
    }

    #[test]
    fn syntax_errors_name_the_line_and_column() {
        let err = parse("openapi: 3.0.0\ninfo:\n  title: [unclosed\n").expect_err("bad yaml");
        assert!(err.position().0 >= 3, "{err}");
        let err = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").expect_err("bad json");
        assert_eq!(err.position(), (3, 7), "{err}");
    }

    #[test]
    fn aliases_share_nodes_and_merge_keys_apply() {
        let doc = parse("base: &b {type: string, maxLength: 3}\nx:\n  <<: *b\n  maxLength: 9\ny: *b\n")
            .expect("yaml");
        let (x, _) = doc.locate("/x").expect("x");
        assert_eq!(doc.get_str(x, "type"), Some("string"));
        assert_eq!(doc.get(x, "maxLength").map(|v| doc.value(v).clone()), Some(Value::Number(9.0)));
        assert_eq!(doc.locate("/y").map(|r| r.0), doc.locate("/base").map(|r| r.0));
    }

    #[test]
    fn alias_bombs_load_without_expansion() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..30 {
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let doc = parse(&text).expect("loads");
        assert!(doc.nodes.len() < 1000);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let deep_yaml = "- ".repeat(5_000) + "x";
        assert!(parse(&deep_yaml).is_err());
    }
}
