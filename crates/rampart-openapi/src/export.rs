//! Exporting the inventory of one host as a reconstructed OpenAPI 3.1 document.
//!
//! The document only says what traffic showed: operations that were called, the parameters,
//! bodies, statuses and credentials they were called with, and schemas rendered by
//! [`crate::json_schema`]. Rampart's own knowledge (calls, first and last seen, how the endpoint
//! compares with the declared specs) goes in an `x-rampart` extension so that standard tooling
//! ignores it.

use std::collections::{BTreeMap, BTreeSet};

use rampart_core::{AuthKind, Endpoint, Inventory, SchemaNode, SpecStatus};
use serde_json::{Map, Value, json};

use crate::compare::template_params;
use crate::error::SpecError;
use crate::schema::json_schema;

/// Methods an OpenAPI path item can hold; calls with other methods are left out of the document.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/// Headers OpenAPI describes elsewhere (content negotiation, security) than in `parameters`.
const IMPLICIT_HEADERS: [&str; 4] = ["accept", "authorization", "content-type", "cookie"];

/// The reconstructed OpenAPI 3.1 document for `host` (endpoints with at least one call).
pub fn export_openapi(inventory: &Inventory, host: &str) -> Value {
    let mut grouped: BTreeMap<(String, String), Endpoint> = BTreeMap::new();
    let endpoints: Vec<&Endpoint> =
        inventory.endpoints.iter().filter(|e| e.calls > 0 && e.key.host.eq_ignore_ascii_case(host)).collect();
    let paths_by_shape = canonical_paths(&endpoints);
    for endpoint in &endpoints {
        let method = endpoint.key.method.to_ascii_lowercase();
        if !METHODS.contains(&method.as_str()) {
            tracing::debug!(method = %endpoint.key.method, "method has no OpenAPI operation; left out of the export");
            continue;
        }
        let path = paths_by_shape.get(&path_shape(&endpoint.key.path_template)).cloned().unwrap_or_default();
        // Two templates that differ only in parameter names are one OpenAPI path.
        match grouped.get_mut(&(path.clone(), method.clone())) {
            Some(existing) => existing.merge(endpoint),
            None => {
                grouped.insert((path, method), (*endpoint).clone());
            }
        }
    }

    let mut paths = Map::new();
    let mut operation_ids = BTreeSet::new();
    let mut security_schemes = Map::new();
    let mut total_calls = 0u64;
    let mut first_seen: Option<chrono::DateTime<chrono::Utc>> = None;
    let mut last_seen = None;
    for ((path, method), endpoint) in &grouped {
        total_calls += endpoint.calls;
        first_seen = match (first_seen, endpoint.first_seen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        last_seen = last_seen.max(endpoint.last_seen);
        let operation_id = unique_operation_id(method, path, &mut operation_ids);
        let operation = operation(endpoint, path, operation_id, &mut security_schemes);
        if let Value::Object(item) = paths.entry(path.clone()).or_insert_with(|| Value::Object(Map::new())) {
            item.insert(method.clone(), operation);
        }
    }

    let window = match (first_seen, last_seen) {
        (Some(first), Some(last)) => format!(" between {} and {}", first.to_rfc3339(), last.to_rfc3339()),
        _ => String::new(),
    };
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{host} (reconstructed by Rampart)"),
            "version": last_seen.map_or_else(|| "unobserved".to_owned(), |t| format!("observed-{}", t.format("%Y-%m-%d"))),
            "description": format!(
                "Reconstructed from {total_calls} observed calls{window}. Schemas describe the traffic seen, \
                 not a contract: review before publishing."
            ),
        },
        "servers": [{ "url": if host.is_empty() { "/".to_owned() } else { format!("https://{host}") } }],
        "paths": paths,
    });
    if !security_schemes.is_empty()
        && let Some(obj) = doc.as_object_mut()
    {
        obj.insert("components".into(), json!({ "securitySchemes": security_schemes }));
    }
    doc
}

/// Render a document as YAML.
pub fn to_yaml(doc: &Value) -> Result<String, SpecError> {
    yaml_serde::to_string(doc).map_err(|e| SpecError::Yaml(e.to_string()))
}

/// Path segments with parameter names blanked (`/accounts/{}`), to group templates that differ
/// only by names.
pub fn path_shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 1);
    if !template.starts_with('/') {
        out.push('/');
    }
    let mut in_param = false;
    for c in template.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// One OpenAPI path per shape: the template of the most-called endpoint, made valid (leading
/// slash, unique parameter names).
fn canonical_paths(endpoints: &[&Endpoint]) -> BTreeMap<String, String> {
    let mut best: BTreeMap<String, (u64, &str)> = BTreeMap::new();
    for endpoint in endpoints {
        let template = endpoint.key.path_template.as_str();
        let entry = best.entry(path_shape(template)).or_insert((0, template));
        if endpoint.calls > entry.0 || (endpoint.calls == entry.0 && template < entry.1) {
            *entry = (endpoint.calls, template);
        }
    }
    best.into_iter().map(|(shape, (_, template))| (shape, valid_path(template))).collect()
}

fn valid_path(template: &str) -> String {
    let template = if template.starts_with('/') { template.to_owned() } else { format!("/{template}") };
    let mut out = String::with_capacity(template.len());
    let mut used = BTreeSet::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push_str(&rest[..open]);
        let name = sanitize_name(&after[..close], "param");
        let mut unique = name.clone();
        let mut n = 2;
        while !used.insert(unique.clone()) {
            unique = format!("{name}{n}");
            n += 1;
        }
        out.push('{');
        out.push_str(&unique);
        out.push('}');
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Keep what component keys and parameter names accept: ASCII alphanumerics, `.`, `-`, `_`.
fn sanitize_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if cleaned.is_empty() { fallback.to_owned() } else { cleaned }
}

fn unique_operation_id(method: &str, path: &str, used: &mut BTreeSet<String>) -> String {
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let words: String = segment
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect();
        if segment.starts_with('{') {
            id.push_str("By");
        }
        id.push_str(&words);
    }
    let mut unique = id.clone();
    let mut n = 2;
    while !used.insert(unique.clone()) {
        unique = format!("{id}{n}");
        n += 1;
    }
    unique
}

fn schema_or_string(node: Option<&SchemaNode>) -> Value {
    match node {
        Some(node) if !node.is_empty() => json_schema(node),
        _ => json!({ "type": "string" }),
    }
}

fn api_key_names(endpoint: &Endpoint, kind: AuthKind) -> Vec<String> {
    endpoint.auth.schemes.iter().filter(|s| s.kind == kind).filter_map(|s| s.name.clone()).collect()
}

fn operation(
    endpoint: &Endpoint,
    path: &str,
    operation_id: String,
    security_schemes: &mut Map<String, Value>,
) -> Value {
    let mut parameters = Vec::new();
    for (position, name) in template_params(path).into_iter().enumerate() {
        parameters.push(json!({
            "name": name,
            "in": "path",
            "required": true,
            "schema": schema_or_string(endpoint.path_params.get(position).map(|p| &p.schema)),
        }));
    }
    let query_keys = api_key_names(endpoint, AuthKind::ApiKeyQuery);
    for (name, observed) in &endpoint.query_params {
        if query_keys.contains(name) {
            continue;
        }
        parameters.push(json!({
            "name": name,
            "in": "query",
            "required": observed.seen >= endpoint.calls,
            "schema": json_schema(&observed.schema),
        }));
    }
    let header_keys = api_key_names(endpoint, AuthKind::ApiKeyHeader);
    let mut header_names = BTreeSet::new();
    for (name, observed) in &endpoint.header_params {
        let lower = name.to_ascii_lowercase();
        if IMPLICIT_HEADERS.contains(&lower.as_str())
            || header_keys.iter().any(|k| k.eq_ignore_ascii_case(name))
            || !header_names.insert(lower)
        {
            continue;
        }
        parameters.push(json!({
            "name": name,
            "in": "header",
            "required": observed.seen >= endpoint.calls,
            "schema": json_schema(&observed.schema),
        }));
    }

    let mut operation = Map::new();
    operation.insert("operationId".into(), Value::from(operation_id));
    if !parameters.is_empty() {
        operation.insert("parameters".into(), Value::Array(parameters));
    }

    let mut request_content = Map::new();
    for media_type in endpoint.request_content_types.keys().chain(endpoint.request_bodies.keys()) {
        let schema = endpoint.request_bodies.get(media_type).map_or_else(|| json!({}), json_schema);
        request_content.insert(media_type.clone(), json!({ "schema": schema }));
    }
    if !request_content.is_empty() {
        let with_body: u64 = endpoint.request_content_types.values().sum();
        operation.insert(
            "requestBody".into(),
            json!({ "required": with_body >= endpoint.calls, "content": request_content }),
        );
    }

    let mut responses = Map::new();
    for (&status, &count) in &endpoint.statuses {
        if !(100..=599).contains(&status) {
            continue;
        }
        let mut response = Map::new();
        let reason = reason_phrase(status).map_or_else(String::new, |r| format!("{r}, "));
        response.insert("description".into(), Value::from(format!("{reason}observed {count} times")));
        if let Some(bodies) = endpoint.responses.get(&status)
            && !bodies.is_empty()
        {
            let content: Map<String, Value> = bodies
                .iter()
                .map(|(media_type, node)| (media_type.clone(), json!({ "schema": json_schema(node) })))
                .collect();
            response.insert("content".into(), Value::Object(content));
        }
        responses.insert(status.to_string(), Value::Object(response));
    }
    if responses.is_empty() {
        responses.insert("default".into(), json!({ "description": "No response was observed" }));
    }
    operation.insert("responses".into(), Value::Object(responses));

    let mut requirements = Vec::new();
    let mut anonymous = endpoint.auth.unauthenticated_calls > 0;
    for scheme in &endpoint.auth.schemes {
        if scheme.kind == AuthKind::None {
            anonymous |= scheme.calls > 0;
            continue;
        }
        let Some((name, definition)) = security_scheme(scheme.kind, scheme.name.as_deref()) else { continue };
        security_schemes.insert(name.clone(), definition);
        requirements.push(json!({ name: [] }));
    }
    if !requirements.is_empty() {
        if anonymous {
            // Some calls went through without credentials: the empty requirement says so.
            requirements.push(json!({}));
        }
        operation.insert("security".into(), Value::Array(requirements));
    }

    let spec = endpoint.spec.as_ref();
    if spec.is_some_and(|s| s.deprecated || s.status == SpecStatus::Zombie) {
        operation.insert("deprecated".into(), Value::Bool(true));
    }
    let mut extension = Map::new();
    extension.insert("calls".into(), Value::from(endpoint.calls));
    if let Some(t) = endpoint.first_seen {
        extension.insert("firstSeen".into(), Value::from(t.to_rfc3339()));
    }
    if let Some(t) = endpoint.last_seen {
        extension.insert("lastSeen".into(), Value::from(t.to_rfc3339()));
    }
    if let Some(spec) = spec {
        extension.insert("specStatus".into(), serde_json::to_value(spec.status).unwrap_or(Value::Null));
        if let Some(file) = &spec.spec_file {
            extension.insert("specFile".into(), Value::from(file.as_str()));
        }
        if let Some(reason) = &spec.reason {
            extension.insert("reason".into(), Value::from(reason.as_str()));
        }
        if !spec.drift.is_empty() {
            extension.insert("drift".into(), serde_json::to_value(&spec.drift).unwrap_or(Value::Null));
        }
    }
    operation.insert("x-rampart".into(), Value::Object(extension));
    Value::Object(operation)
}

/// Component name and definition of an observed credential kind; `None` when it cannot be
/// described (an API key whose name was not recorded, no credential at all).
fn security_scheme(kind: AuthKind, name: Option<&str>) -> Option<(String, Value)> {
    Some(match kind {
        AuthKind::None => return None,
        AuthKind::BearerJwt => {
            ("bearerJwt".to_owned(), json!({ "type": "http", "scheme": "bearer", "bearerFormat": "JWT" }))
        }
        AuthKind::Bearer => ("bearerToken".to_owned(), json!({ "type": "http", "scheme": "bearer" })),
        AuthKind::Basic => ("basicAuth".to_owned(), json!({ "type": "http", "scheme": "basic" })),
        AuthKind::ApiKeyHeader => {
            let name = name?;
            (
                format!("apiKeyHeader_{}", sanitize_name(name, "key")),
                json!({ "type": "apiKey", "in": "header", "name": name }),
            )
        }
        AuthKind::ApiKeyQuery => {
            let name = name?;
            (
                format!("apiKeyQuery_{}", sanitize_name(name, "key")),
                json!({ "type": "apiKey", "in": "query", "name": name }),
            )
        }
        AuthKind::Cookie => {
            let name = name?;
            (
                format!("cookie_{}", sanitize_name(name, "session")),
                json!({ "type": "apiKey", "in": "cookie", "name": name }),
            )
        }
        AuthKind::Other => {
            let name = name?;
            (
                format!("http_{}", sanitize_name(name, "other")),
                json!({ "type": "http", "scheme": name.to_ascii_lowercase() }),
            )
        }
    })
}

fn reason_phrase(status: u16) -> Option<&'static str> {
    http::StatusCode::from_u16(status).ok().and_then(|code| code.canonical_reason())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_valid() {
        assert_eq!(valid_path("accounts/{id}/links/{id}"), "/accounts/{id}/links/{id2}");
        assert_eq!(valid_path("/files/{file name}.pdf"), "/files/{file_name}.pdf");
    }

    #[test]
    fn operation_ids_are_readable_and_unique() {
        let mut used = BTreeSet::new();
        assert_eq!(
            unique_operation_id("get", "/v1/accounts/{accountId}", &mut used),
            "getV1AccountsByAccountId"
        );
        assert_eq!(
            unique_operation_id("get", "/v1/accounts/{accountId}", &mut used),
            "getV1AccountsByAccountId2"
        );
        assert_eq!(unique_operation_id("post", "/", &mut used), "post");
    }

    #[test]
    fn shapes_group_templates_that_differ_only_by_names() {
        assert_eq!(path_shape("/a/{id}/b/"), path_shape("/a/{accountId}/b"));
    }
}
