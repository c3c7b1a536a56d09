//! Hand-made inventories for the integration tests: observed shapes are built from sample JSON
//! bodies the way discovery would record them.

#![allow(dead_code)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rampart_core::{
    ArrayStats, AuthKind, Endpoint, EndpointKey, NumberStats, ObjectStats, ParamObservation, SchemaNode,
    StringFormat, StringStats,
};
use serde_json::Value;

/// The shape of one JSON value.
pub fn observe(value: &Value) -> SchemaNode {
    let mut node = SchemaNode { seen: 1, ..SchemaNode::default() };
    match value {
        Value::Null => node.null = 1,
        Value::Bool(_) => node.boolean = 1,
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let v = n.as_f64().unwrap();
            node.integer = Some(NumberStats { count: 1, min: v, max: v });
        }
        Value::Number(n) => {
            let v = n.as_f64().unwrap();
            node.number = Some(NumberStats { count: 1, min: v, max: v });
        }
        Value::String(s) => node.string = Some(string_stats(s)),
        Value::Array(items) => {
            let mut merged = SchemaNode::default();
            for item in items {
                merged.merge(&observe(item));
            }
            let n = items.len() as u64;
            node.array = Some(Box::new(ArrayStats { count: 1, min_items: n, max_items: n, items: merged }));
        }
        Value::Object(map) => {
            let properties = map.iter().map(|(k, v)| (k.clone(), observe(v))).collect();
            node.object = Some(Box::new(ObjectStats { count: 1, properties, truncated: 0 }));
        }
    }
    node
}

fn string_stats(s: &str) -> StringStats {
    let mut formats = BTreeMap::new();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        formats.insert(StringFormat::Digits, 1);
    } else if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        formats.insert(StringFormat::Date, 1);
    } else if s.len() == 36 && s.matches('-').count() == 4 {
        formats.insert(StringFormat::Uuid, 1);
    }
    StringStats { count: 1, min_len: s.len() as u64, max_len: s.len() as u64, formats, examples: vec![] }
}

/// The merged shape of several JSON values.
pub fn observe_all(values: &[Value]) -> SchemaNode {
    let mut node = SchemaNode::default();
    for v in values {
        node.merge(&observe(v));
    }
    node
}

pub fn param(name: &str, values: &[&str]) -> ParamObservation {
    let mut schema = SchemaNode::default();
    for v in values {
        schema.merge(&SchemaNode { seen: 1, string: Some(string_stats(v)), ..SchemaNode::default() });
    }
    ParamObservation { name: name.to_owned(), seen: values.len() as u64, schema }
}

pub fn time(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub fn endpoint(host: &str, method: &str, template: &str, calls: u64) -> Endpoint {
    let mut e = Endpoint::new(EndpointKey {
        host: host.into(),
        method: method.into(),
        path_template: template.into(),
    });
    e.calls = calls;
    e.first_seen = Some(time("2026-11-01T08:00:00Z"));
    e.last_seen = Some(time("2026-11-03T17:30:00Z"));
    e
}

/// Record `calls` responses with `status`, each with the JSON `body`.
pub fn respond(e: &mut Endpoint, status: u16, body: Option<&Value>, calls: u64) {
    *e.statuses.entry(status).or_default() += calls;
    if let Some(body) = body {
        *e.response_content_types.entry("application/json".into()).or_default() += calls;
        let bodies = e.responses.entry(status).or_default();
        for _ in 0..calls {
            bodies.entry("application/json".into()).or_default().merge(&observe(body));
        }
    }
}

pub fn send(e: &mut Endpoint, media_type: &str, body: &Value, calls: u64) {
    *e.request_content_types.entry(media_type.into()).or_default() += calls;
    for _ in 0..calls {
        e.request_bodies.entry(media_type.into()).or_default().merge(&observe(body));
    }
}

pub fn jwt_auth(e: &mut Endpoint) {
    let calls = e.calls;
    e.auth.add_scheme(AuthKind::BearerJwt, None, calls);
}
