//! OpenAPI schema objects → plain JSON Schema 2020-12, and the "declared properties" shape that
//! the strict response mode walks.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Which side of the exchange a schema checks: `readOnly` properties are not required in
/// requests, `writeOnly` ones not in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Request,
    Response,
}

use rampart_openapi::keywords::{SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUED};
/// OpenAPI-only keywords that mean nothing to a JSON Schema validator.
const DROPPED: [&str; 5] = ["discriminator", "xml", "example", "externalDocs", "$schema"];

/// Rewrite an OpenAPI schema for a 2020-12 validator. `openapi_30` turns on the 3.0 dialect
/// rewrites (`nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`).
pub(crate) fn rewrite(schema: &Value, openapi_30: bool, direction: Direction) -> Value {
    let Value::Object(obj) = schema else { return schema.clone() };
    let mut out = Map::with_capacity(obj.len());
    for (key, value) in obj {
        let key_str = key.as_str();
        if DROPPED.contains(&key_str) {
            continue;
        }
        let rewritten = if SCHEMA_VALUED.contains(&key_str) {
            match value {
                Value::Array(items) => {
                    // `items` as an array is the pre-2020-12 tuple form.
                    let list = items.iter().map(|s| rewrite(s, openapi_30, direction)).collect();
                    if key_str == "items" {
                        out.insert("prefixItems".into(), Value::Array(list));
                        continue;
                    }
                    Value::Array(list)
                }
                other => rewrite(other, openapi_30, direction),
            }
        } else if SCHEMA_ARRAYS.contains(&key_str) {
            match value {
                Value::Array(items) => {
                    Value::Array(items.iter().map(|s| rewrite(s, openapi_30, direction)).collect())
                }
                other => other.clone(),
            }
        } else if SCHEMA_MAPS.contains(&key_str) {
            match value {
                Value::Object(map) => Value::Object(
                    map.iter().map(|(k, s)| (k.clone(), rewrite(s, openapi_30, direction))).collect(),
                ),
                other => other.clone(),
            }
        } else {
            value.clone()
        };
        out.insert(key.clone(), rewritten);
    }

    drop_side_only_required(obj, &mut out, direction);
    if !openapi_30 {
        return Value::Object(out);
    }
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        match out.get(flag) {
            Some(Value::Bool(true)) => {
                out.remove(flag);
                if let Some(limit) = out.remove(bound) {
                    out.insert(flag.into(), limit);
                }
            }
            Some(Value::Bool(false)) => {
                out.remove(flag);
            }
            _ => {}
        }
    }
    match out.remove("nullable") {
        Some(Value::Bool(true)) => make_nullable(out),
        _ => Value::Object(out),
    }
}

fn make_nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(options)) = out.get_mut("enum")
        && !options.contains(&Value::Null)
    {
        options.push(Value::Null);
    }
    match out.get_mut("type") {
        Some(Value::String(t)) => {
            let single = Value::String(std::mem::take(t));
            out.insert("type".into(), Value::Array(vec![single, Value::from("null")]));
            Value::Object(out)
        }
        Some(Value::Array(types)) => {
            if !types.iter().any(|t| t == "null") {
                types.push(Value::from("null"));
            }
            Value::Object(out)
        }
        // No type to widen (e.g. `allOf` + `nullable`): null or the rest.
        _ => serde_json::json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] }),
    }
}

fn drop_side_only_required(
    original: &Map<String, Value>,
    out: &mut Map<String, Value>,
    direction: Direction,
) {
    let flag = match direction {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    let Some(Value::Object(properties)) = original.get("properties") else { return };
    let Some(Value::Array(required)) = out.get_mut("required") else { return };
    required.retain(|name| {
        let Some(name) = name.as_str() else { return true };
        !properties.get(name).and_then(|p| p.get(flag)).and_then(Value::as_bool).unwrap_or(false)
    });
}

/// True when any string passes the schema, so the validator need not run.
pub(crate) fn accepts_any_string(schema: &Value) -> bool {
    let Value::Object(obj) = schema else { return matches!(schema, Value::Bool(true)) };
    obj.iter().all(|(key, value)| match key.as_str() {
        "type" => value == "string" || value.as_array().is_some_and(|t| t.iter().any(|t| t == "string")),
        "description" | "title" | "examples" | "deprecated" | "default" | "readOnly" | "writeOnly" => true,
        "format" => matches!(value.as_str(), Some("password" | "byte" | "binary")),
        _ => false,
    })
}

/// The properties a response schema declares, as a tree to walk a JSON value against.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    /// Anything may appear below: `{}`, a free-form object, `additionalProperties: true`.
    pub(crate) open: bool,
    pub(crate) properties: Option<HashMap<Box<str>, Shape>>,
    /// `additionalProperties: {schema}`: a declared map; every key is allowed.
    pub(crate) additional: Option<Box<Shape>>,
    pub(crate) items: Option<Box<Shape>>,
}

/// Nesting past which a shape is treated as open (schemas are already depth-bounded on load).
const MAX_SHAPE_DEPTH: usize = 64;

impl Shape {
    fn open() -> Self {
        Self { open: true, ..Self::default() }
    }

    pub(crate) fn of(schema: &Value) -> Self {
        Self::build(schema, 0)
    }

    fn build(schema: &Value, depth: usize) -> Self {
        let Value::Object(obj) = schema else { return Self::open() };
        if depth > MAX_SHAPE_DEPTH || obj.keys().all(|k| is_annotation(k)) {
            return Self::open();
        }
        let mut shape = Self::default();
        if let Some(Value::Object(props)) = obj.get("properties") {
            let mut map = HashMap::with_capacity(props.len());
            for (name, prop) in props {
                map.insert(name.as_str().into(), Self::build(prop, depth + 1));
            }
            shape.properties = Some(map);
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(true)) => return Self::open(),
            Some(extra @ Value::Object(_)) => {
                shape.additional = Some(Box::new(Self::build(extra, depth + 1)))
            }
            _ => {}
        }
        if obj.contains_key("patternProperties") || obj.contains_key("unevaluatedProperties") {
            // Name patterns are not modelled: stay silent rather than guess.
            return Self::open();
        }
        match obj.get("items") {
            Some(items @ Value::Object(_)) => shape.items = Some(Box::new(Self::build(items, depth + 1))),
            Some(Value::Bool(true)) => shape.items = Some(Box::new(Self::open())),
            _ => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = obj.get(key) {
                for branch in branches {
                    let branch = Self::build(branch, depth + 1);
                    shape.merge(branch);
                    if shape.open {
                        return shape;
                    }
                }
            }
        }
        let says_object = match obj.get("type") {
            Some(Value::String(t)) => t == "object",
            Some(Value::Array(types)) => types.iter().any(|t| t == "object"),
            _ => false,
        };
        if says_object && shape.properties.is_none() && shape.additional.is_none() {
            // A free-form object: the spec declares no names to hold the response to.
            return Self::open();
        }
        shape
    }

    fn merge(&mut self, other: Self) {
        if other.open {
            *self = Self::open();
            return;
        }
        if let Some(props) = other.properties {
            let mine = self.properties.get_or_insert_with(HashMap::new);
            for (name, shape) in props {
                match mine.get_mut(&name) {
                    Some(existing) => existing.merge(shape),
                    None => {
                        mine.insert(name, shape);
                    }
                }
            }
        }
        if let Some(extra) = other.additional {
            match &mut self.additional {
                Some(existing) => existing.merge(*extra),
                None => self.additional = Some(extra),
            }
        }
        if let Some(items) = other.items {
            match &mut self.items {
                Some(existing) => existing.merge(*items),
                None => self.items = Some(items),
            }
        }
    }

    /// Append the pointer of every property of `value` that the shape does not declare.
    pub(crate) fn undeclared(
        &self,
        value: &Value,
        pointer: &mut String,
        out: &mut Vec<String>,
        limit: usize,
    ) {
        if self.open || out.len() >= limit {
            return;
        }
        match value {
            Value::Object(map) => {
                if self.properties.is_none() && self.additional.is_none() {
                    // Not declared as an object here at all: a type error the validator reports.
                    return;
                }
                for (name, child) in map {
                    let mark = pointer.len();
                    crate::violation::push_pointer_segment(pointer, name);
                    match self.properties.as_ref().and_then(|p| p.get(name.as_str())) {
                        Some(shape) => shape.undeclared(child, pointer, out, limit),
                        None => match &self.additional {
                            Some(extra) => extra.undeclared(child, pointer, out, limit),
                            None => {
                                if out.len() < limit {
                                    out.push(pointer.clone());
                                }
                            }
                        },
                    }
                    pointer.truncate(mark);
                }
            }
            Value::Array(items) => {
                if let Some(shape) = &self.items {
                    for (i, item) in items.iter().enumerate() {
                        let mark = pointer.len();
                        // Writing into a String cannot fail.
                        let _ = write!(pointer, "/{i}");
                        shape.undeclared(item, pointer, out, limit);
                        pointer.truncate(mark);
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "title"
            | "example"
            | "examples"
            | "deprecated"
            | "default"
            | "$comment"
            | "readOnly"
            | "writeOnly"
    ) || key.starts_with("x-")
}

/// For form bodies: how to read each top-level field, from the body schema (merging `allOf`).
pub(crate) fn form_fields(schema: &Value, out: &mut HashMap<Box<str>, crate::params::Coerce>) {
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            out.entry(name.as_str().into()).or_insert_with(|| crate::params::Coerce::from_schema(prop));
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(key) {
            for branch in branches {
                form_fields(branch, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nullable_becomes_a_type_union() {
        let s = rewrite(&json!({"type": "string", "nullable": true}), true, Direction::Request);
        assert_eq!(s, json!({"type": ["string", "null"]}));
        let s =
            rewrite(&json!({"type": "string", "enum": ["A"], "nullable": true}), true, Direction::Request);
        assert_eq!(s, json!({"type": ["string", "null"], "enum": ["A", null]}));
        let s = rewrite(&json!({"allOf": [{"type": "object"}], "nullable": true}), true, Direction::Request);
        assert_eq!(s, json!({"anyOf": [{"type": "null"}, {"allOf": [{"type": "object"}]}]}));
        // 3.1 has no `nullable`: left for the validator to ignore.
        let s = rewrite(&json!({"type": "string", "nullable": true}), false, Direction::Request);
        assert_eq!(s, json!({"type": "string", "nullable": true}));
    }

    #[test]
    fn boolean_exclusive_bounds_become_numbers() {
        let s = rewrite(
            &json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false}),
            true,
            Direction::Request,
        );
        assert_eq!(s, json!({"type": "number", "exclusiveMinimum": 0, "maximum": 9}));
    }

    #[test]
    fn openapi_only_keywords_are_dropped_deeply() {
        let s = rewrite(
            &json!({"discriminator": {"propertyName": "kind"}, "properties": {"a": {"example": 1, "xml": {}, "type": "integer"}}}),
            true,
            Direction::Request,
        );
        assert_eq!(s, json!({"properties": {"a": {"type": "integer"}}}));
    }

    #[test]
    fn read_only_is_not_required_in_requests_write_only_not_in_responses() {
        let schema = json!({
            "type": "object",
            "required": ["id", "password", "name"],
            "properties": {
                "id": {"type": "string", "readOnly": true},
                "password": {"type": "string", "writeOnly": true},
                "name": {"type": "string"}
            }
        });
        assert_eq!(rewrite(&schema, true, Direction::Request)["required"], json!(["password", "name"]));
        assert_eq!(rewrite(&schema, false, Direction::Response)["required"], json!(["id", "name"]));
    }

    #[test]
    fn trivial_string_schemas_skip_the_validator() {
        assert!(accepts_any_string(&json!({"type": "string"})));
        assert!(accepts_any_string(&json!({})));
        assert!(!accepts_any_string(&json!({"type": "string", "pattern": "^a$"})));
        assert!(!accepts_any_string(&json!({"type": "integer"})));
        assert!(!accepts_any_string(&json!({"type": "string", "format": "uuid"})));
    }

    fn undeclared(schema: Value, value: Value) -> Vec<String> {
        let mut out = Vec::new();
        Shape::of(&schema).undeclared(&value, &mut String::new(), &mut out, 100);
        out
    }

    #[test]
    fn strict_shape_finds_undeclared_properties_through_all_of_and_arrays() {
        let schema = json!({
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": {"allOf": [
                    {"type": "object", "properties": {"id": {"type": "string"}}},
                    {"type": "object", "required": ["id"], "properties": {"name": {"type": "string"}}}
                ]}},
                "meta": {"type": "object"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        });
        let value = json!({
            "data": [{"id": "1", "name": "a"}, {"id": "2", "nric": "S1234567D"}],
            "meta": {"anything": true},
            "labels": {"x": "y"},
            "debug": {"sql": "..."}
        });
        assert_eq!(undeclared(schema, value), vec!["/data/1/nric", "/debug"]);
    }

    #[test]
    fn open_schemas_report_nothing() {
        assert!(undeclared(json!({}), json!({"a": 1})).is_empty());
        assert!(
            undeclared(
                json!({"type": "object", "additionalProperties": true, "properties": {}}),
                json!({"a": 1})
            )
            .is_empty()
        );
        assert!(undeclared(json!({"anyOf": [{"type": "null"}, {}]}), json!({"a": 1})).is_empty());
    }
}
