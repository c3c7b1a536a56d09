//! Rendering an observed [`SchemaNode`] as JSON Schema 2020-12 (the OpenAPI 3.1 dialect).
//!
//! Only what traffic can vouch for becomes contract: types, formats every value had, required
//! properties (present in every object seen) and array items. Observed bounds (`minimum`,
//! `maxLength`, …) and value sets (`enum`) are left out: a sample of traffic cannot tell a limit
//! from a coincidence. Example values are emitted: they were masked when recorded.

use rampart_core::SchemaNode;
use serde_json::{Map, Value};

/// JSON Schema for an observed location; `{}` (anything) when nothing was seen.
pub fn json_schema(node: &SchemaNode) -> Value {
    let mut out = Map::new();
    if node.is_empty() {
        return Value::Object(out);
    }
    let mut types: Vec<&str> = Vec::new();
    if node.boolean > 0 {
        types.push("boolean");
    }
    match (&node.integer, &node.number) {
        // A location that carried both 3 and 3.5 is a number.
        (_, Some(_)) => types.push("number"),
        (Some(_), None) => types.push("integer"),
        (None, None) => {}
    }
    if node.string.is_some() {
        types.push("string");
    }
    if node.array.is_some() {
        types.push("array");
    }
    if node.object.is_some() {
        types.push("object");
    }
    if node.null > 0 {
        types.push("null");
    }
    match types.as_slice() {
        [] => {}
        [only] => {
            out.insert("type".into(), Value::from(*only));
        }
        many => {
            out.insert("type".into(), Value::from(many.to_vec()));
        }
    }
    if let Some(strings) = &node.string {
        if let Some(format) = strings.common_format().and_then(|f| f.json_schema_format()) {
            out.insert("format".into(), Value::from(format));
        }
        if !strings.examples.is_empty() {
            out.insert("examples".into(), Value::from(strings.examples.clone()));
        }
    }
    if let Some(array) = &node.array
        && !array.items.is_empty()
    {
        out.insert("items".into(), json_schema(&array.items));
    }
    if let Some(object) = &node.object
        && !object.properties.is_empty()
    {
        let properties: Map<String, Value> =
            object.properties.iter().map(|(name, prop)| (name.clone(), json_schema(prop))).collect();
        let required: Vec<Value> = object
            .properties
            .iter()
            .filter(|(_, prop)| prop.seen >= object.count && object.count > 0)
            .map(|(name, _)| Value::from(name.as_str()))
            .collect();
        out.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rampart_core::{ArrayStats, NumberStats, ObjectStats, StringFormat, StringStats};
    use serde_json::json;

    use super::*;

    fn strings(count: u64, format: Option<(StringFormat, u64)>, examples: &[&str]) -> SchemaNode {
        SchemaNode {
            seen: count,
            string: Some(StringStats {
                count,
                min_len: 1,
                max_len: 30,
                formats: format.into_iter().collect(),
                examples: examples.iter().map(|s| s.to_string()).collect(),
            }),
            ..SchemaNode::default()
        }
    }

    fn numbers(count: u64) -> Option<NumberStats> {
        Some(NumberStats { count, min: 0.0, max: 100.0 })
    }

    #[test]
    fn empty_node_allows_anything() {
        assert_eq!(json_schema(&SchemaNode::default()), json!({}));
    }

    #[test]
    fn nullable_string_is_a_type_array_with_format() {
        let mut node = strings(4, Some((StringFormat::DateTime, 4)), &["2026-11-01T10:00:00Z"]);
        node.seen = 5;
        node.null = 1;
        assert_eq!(
            json_schema(&node),
            json!({"type": ["string", "null"], "format": "date-time", "examples": ["2026-11-01T10:00:00Z"]})
        );
    }

    #[test]
    fn format_needs_every_string_to_match_and_a_standard_keyword() {
        assert_eq!(json_schema(&strings(3, Some((StringFormat::Email, 2)), &[])), json!({"type": "string"}));
        assert_eq!(json_schema(&strings(3, Some((StringFormat::Digits, 3)), &[])), json!({"type": "string"}));
    }

    #[test]
    fn integers_and_decimals_together_are_numbers_and_bounds_are_not_emitted() {
        let node = SchemaNode { seen: 3, integer: numbers(2), number: numbers(1), ..SchemaNode::default() };
        assert_eq!(json_schema(&node), json!({"type": "number"}));
        let node = SchemaNode { seen: 2, integer: numbers(2), ..SchemaNode::default() };
        assert_eq!(json_schema(&node), json!({"type": "integer"}));
    }

    #[test]
    fn unions_list_every_type() {
        let mut node = strings(2, None, &[]);
        node.seen = 5;
        node.integer = numbers(2);
        node.boolean = 1;
        assert_eq!(json_schema(&node), json!({"type": ["boolean", "integer", "string"]}));
    }

    #[test]
    fn nested_arrays_of_objects_with_required_by_presence() {
        let mut properties = BTreeMap::new();
        properties.insert("iban".to_owned(), strings(3, None, &["GB82 **** **** 5432"]));
        properties.insert("nickname".to_owned(), strings(1, None, &[]));
        let account = SchemaNode {
            seen: 3,
            object: Some(Box::new(ObjectStats { count: 3, properties, truncated: 0 })),
            ..Default::default()
        };
        let list = SchemaNode {
            seen: 2,
            array: Some(Box::new(ArrayStats { count: 2, min_items: 1, max_items: 2, items: account })),
            ..Default::default()
        };
        let mut top = BTreeMap::new();
        top.insert("accounts".to_owned(), list);
        let root = SchemaNode {
            seen: 2,
            object: Some(Box::new(ObjectStats { count: 2, properties: top, truncated: 0 })),
            ..Default::default()
        };
        assert_eq!(
            json_schema(&root),
            json!({
                "type": "object",
                "required": ["accounts"],
                "properties": {"accounts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["iban"],
                        "properties": {
                            "iban": {"type": "string", "examples": ["GB82 **** **** 5432"]},
                            "nickname": {"type": "string"}
                        }
                    }
                }}
            })
        );
    }

    #[test]
    fn only_nulls_is_the_null_type() {
        let node = SchemaNode { seen: 2, null: 2, ..SchemaNode::default() };
        assert_eq!(json_schema(&node), json!({"type": "null"}));
    }
}
