//! Schemas: unbounded strings, arrays and numbers, open objects.
//!
//! Every schema of the document is visited once, where it is written: component schemas,
//! inline schemas of parameters, headers, request bodies and responses (in paths, webhooks,
//! callbacks and components), and their subschemas. A `$ref` is followed only when its target
//! has not been visited yet (a target outside the usual places), so a shared schema gives its
//! findings once, at its definition.

use rampart_openapi::keywords::{SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUED};

use super::operations::has_type;
use super::{At, Ctx, METHODS};
use crate::Version;
use crate::doc::{NodeId, Value};
use crate::load::MAX_DEPTH;

pub fn check(ctx: &mut Ctx<'_>) {
    let mut roots: Vec<At<'_>> = Vec::new();
    let mut request_roots: Vec<At<'_>> = Vec::new();
    let mut response_roots: Vec<At<'_>> = Vec::new();
    collect_roots(ctx, &mut roots, &mut request_roots, &mut response_roots);

    // Which schemas a request body reaches (following refs): mass-assignment candidates.
    let mut in_request = vec![false; ctx.doc.nodes.len()];
    for root in &request_roots {
        mark_request(ctx, root, &mut in_request, 0);
    }

    let mut in_response = vec![false; ctx.doc.nodes.len()];
    for root in &response_roots {
        mark_request(ctx, root, &mut in_response, 0);
    }

    let mut visited = vec![false; ctx.doc.nodes.len()];
    let marks = Marks { in_request: &in_request, in_response: &in_response };
    for root in roots {
        walk(ctx, &root, &mut visited, &marks, false, 0);
    }
}

/// Gather the schemas written directly under the places OpenAPI puts them.
/// Which schemas requests and responses reach.
struct Marks<'m> {
    in_request: &'m [bool],
    in_response: &'m [bool],
}

fn collect_roots<'a>(
    ctx: &mut Ctx<'a>,
    roots: &mut Vec<At<'a>>,
    request_roots: &mut Vec<At<'a>>,
    response_roots: &mut Vec<At<'a>>,
) {
    let doc = ctx.doc;
    let root = ctx.root();
    if let Some(components) = root.child(doc, "components") {
        if let Some(schemas) = components.child(doc, "schemas") {
            roots.extend(schemas.children(doc).into_iter().map(|(_, s)| s));
        }
        if let Some(parameters) = components.child(doc, "parameters") {
            for (_, p) in parameters.children(doc) {
                parameter_schemas(ctx, &p, roots);
                parameter_schemas(ctx, &p, request_roots);
            }
        }
        if let Some(headers) = components.child(doc, "headers") {
            for (_, h) in headers.children(doc) {
                parameter_schemas(ctx, &h, roots);
            }
        }
        if let Some(bodies) = components.child(doc, "requestBodies") {
            for (_, body) in bodies.children(doc) {
                content_schemas(ctx, &body, roots);
                content_schemas(ctx, &body, request_roots);
            }
        }
        if let Some(responses) = components.child(doc, "responses") {
            for (_, response) in responses.children(doc) {
                response_schemas(ctx, &response, roots);
                content_schemas(ctx, &response, response_roots);
            }
        }
        for key in ["callbacks", "pathItems"] {
            if let Some(group) = components.child(doc, key) {
                for (_, entry) in group.children(doc) {
                    if key == "callbacks" {
                        for (_, item) in entry.children(doc) {
                            path_item_schemas(ctx, &item, roots, request_roots, response_roots, 0);
                        }
                    } else {
                        path_item_schemas(ctx, &entry, roots, request_roots, response_roots, 0);
                    }
                }
            }
        }
    }
    // `x-webhooks`: the pre-3.1 convention for webhooks (Redocly, APIs.guru).
    for key in ["paths", "webhooks", "x-webhooks"] {
        if let Some(items) = root.child(doc, key) {
            for (_, item) in items.children(doc) {
                path_item_schemas(ctx, &item, roots, request_roots, response_roots, 0);
            }
        }
    }
}

fn path_item_schemas<'a>(
    ctx: &mut Ctx<'a>,
    item: &At<'a>,
    roots: &mut Vec<At<'a>>,
    request_roots: &mut Vec<At<'a>>,
    response_roots: &mut Vec<At<'a>>,
    depth: usize,
) {
    let doc = ctx.doc;
    if depth > 8 || !doc.is_map(item.node) || doc.has(item.node, "$ref") {
        return;
    }
    if let Some(parameters) = item.child(doc, "parameters") {
        for p in parameters.items(doc) {
            parameter_schemas(ctx, &p, roots);
            parameter_schemas(ctx, &p, request_roots);
        }
    }
    for (method, op) in item.children(doc) {
        if !METHODS.contains(&method) || !doc.is_map(op.node) {
            continue;
        }
        if let Some(parameters) = op.child(doc, "parameters") {
            for p in parameters.items(doc) {
                parameter_schemas(ctx, &p, roots);
                parameter_schemas(ctx, &p, request_roots);
            }
        }
        if let Some(body) = op.child(doc, "requestBody") {
            // A referenced body is a root where it is defined; its schemas are request schemas
            // either way.
            if let Some(resolved) = ctx.deref(&body) {
                content_schemas(ctx, &resolved, request_roots);
            }
            if !doc.has(body.node, "$ref") {
                content_schemas(ctx, &body, roots);
            }
        }
        if let Some(responses) = op.child(doc, "responses") {
            for (_, response) in responses.children(doc) {
                response_schemas(ctx, &response, roots);
                if let Some(resolved) = ctx.deref(&response) {
                    content_schemas(ctx, &resolved, response_roots);
                }
            }
        }
        if let Some(callbacks) = op.child(doc, "callbacks") {
            for (_, callback) in callbacks.children(doc) {
                for (_, cb_item) in callback.children(doc) {
                    path_item_schemas(ctx, &cb_item, roots, request_roots, response_roots, depth + 1);
                }
            }
        }
    }
}

/// `schema` and `content.*.schema` of a parameter or header.
fn parameter_schemas<'a>(ctx: &mut Ctx<'a>, parameter: &At<'a>, roots: &mut Vec<At<'a>>) {
    let doc = ctx.doc;
    if doc.has(parameter.node, "$ref") {
        return;
    }
    if let Some(schema) = parameter.child(doc, "schema") {
        roots.push(schema);
    }
    content_schemas(ctx, parameter, roots);
}

fn content_schemas<'a>(ctx: &mut Ctx<'a>, holder: &At<'a>, roots: &mut Vec<At<'a>>) {
    let doc = ctx.doc;
    if let Some(content) = holder.child(doc, "content") {
        for (_, media) in content.children(doc) {
            if let Some(schema) = media.child(doc, "schema") {
                roots.push(schema);
            }
        }
    }
}

fn response_schemas<'a>(ctx: &mut Ctx<'a>, response: &At<'a>, roots: &mut Vec<At<'a>>) {
    let doc = ctx.doc;
    if doc.has(response.node, "$ref") {
        return;
    }
    content_schemas(ctx, response, roots);
    if let Some(headers) = response.child(doc, "headers") {
        for (_, header) in headers.children(doc) {
            parameter_schemas(ctx, &header, roots);
        }
    }
}

/// The subschemas of a schema, with their places.
fn subschemas<'a>(ctx: &Ctx<'a>, schema: &At<'a>) -> Vec<(At<'a>, bool)> {
    let doc = ctx.doc;
    let mut out = Vec::new();
    for entry in doc.entries(schema.node) {
        let key: &str = &entry.key;
        let is_schema_keyword =
            SCHEMA_VALUED.contains(&key) || SCHEMA_ARRAYS.contains(&key) || SCHEMA_MAPS.contains(&key);
        if !is_schema_keyword {
            continue; // most keys (description, example, format…): no path to build
        }
        let mut path = schema.path.clone();
        path.push(crate::doc::Seg::Key(&entry.key));
        let child = At { node: entry.value, pos: entry.key_pos, path };
        if SCHEMA_VALUED.contains(&key) {
            if doc.is_map(child.node) {
                out.push((child, false));
            } else if key == "items" {
                // Draft-04 tuple `items: [..]`.
                out.extend(child.items(doc).into_iter().map(|c| (c, false)));
            }
        } else if SCHEMA_ARRAYS.contains(&key) {
            let composed = key == "allOf";
            out.extend(child.items(doc).into_iter().map(|c| (c, composed)));
        } else if SCHEMA_MAPS.contains(&key) {
            out.extend(child.children(doc).into_iter().map(|(_, c)| (c, false)));
        }
    }
    out
}

fn mark_request<'a>(ctx: &mut Ctx<'a>, schema: &At<'a>, marks: &mut [bool], depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(resolved) = ctx.deref(schema) else { return };
    match marks.get_mut(resolved.node as usize) {
        Some(mark) if !*mark => *mark = true,
        _ => return,
    }
    for (child, _) in subschemas(ctx, &resolved) {
        mark_request(ctx, &child, marks, depth + 1);
    }
}

fn walk<'a>(
    ctx: &mut Ctx<'a>,
    schema: &At<'a>,
    visited: &mut [bool],
    marks: &Marks<'_>,
    composed: bool,
    depth: usize,
) {
    if depth > MAX_DEPTH || !ctx.doc.is_map(schema.node) {
        return;
    }
    match visited.get_mut(schema.node as usize) {
        Some(seen) if !*seen => *seen = true,
        _ => return,
    }
    if let Some(reference) = ctx.doc.get(schema.node, "$ref").and_then(|r| ctx.doc.as_str(r)) {
        // The target is visited where it is defined; walk it from here only if nothing else
        // reaches it (a ref into an unusual place). Its findings keep its own location.
        if let Some(target) = ctx.resolve(reference) {
            walk(ctx, &target, visited, marks, composed, depth + 1);
        }
        if ctx.version == Version::V30 {
            return; // In 3.0 the siblings of `$ref` are ignored.
        }
    }
    let index = schema.node as usize;
    let in_request = marks.in_request.get(index).copied().unwrap_or(false);
    let in_response = marks.in_response.get(index).copied().unwrap_or(false);
    check_schema(ctx, schema, in_request, composed);
    if in_response && !in_request {
        sensitive_properties(ctx, schema);
    }
    if in_request {
        password_grant(ctx, schema);
    }
    for (child, composed) in subschemas(ctx, schema) {
        walk(ctx, &child, visited, marks, composed, depth + 1);
    }
}

fn check_schema<'a>(ctx: &mut Ctx<'a>, schema: &At<'a>, in_request: bool, composed: bool) {
    let doc = ctx.doc;
    // Size limits matter most on what clients send; on response-only schemas a missing
    // string or number bound is documentation, not an attack surface.
    let output_only = (!in_request).then_some(rampart_core::Severity::Info);
    let node = schema.node;
    let has = |key: &str| doc.has(node, key);
    let described = |ctx: &Ctx<'a>| describe(ctx, schema);

    if has_type(ctx, node, "string") {
        if !(has("maxLength") || has("enum") || has("const")) {
            let title = format!("string {} has no maxLength", described(ctx));
            ctx.report("string-without-max-length", output_only, schema, title);
        }
        if !(has("format") || has("pattern") || has("enum") || has("const")) {
            let title = format!("string {} has no format, pattern or enum", described(ctx));
            ctx.report("string-unrestricted", output_only, schema, title);
        }
    }
    if has_type(ctx, node, "array") && !has("maxItems") {
        let title = format!("array {} has no maxItems", described(ctx));
        ctx.report("array-without-max-items", None, schema, title);
    }
    let bounded = |ctx: &Ctx<'a>| match ctx.version {
        Version::V30 => has("minimum") && has("maximum"),
        Version::V31 => {
            (has("minimum") != has("exclusiveMinimum")) && (has("maximum") != has("exclusiveMaximum"))
        }
    };
    if has_type(ctx, node, "integer") {
        if !bounded(ctx) {
            let title = format!("integer {} has no minimum and maximum", described(ctx));
            ctx.report("integer-unbounded", output_only, schema, title);
        }
        if !has("format") {
            let title = format!("integer {} has no format (int32/int64)", described(ctx));
            ctx.report("integer-without-format", output_only, schema, title);
        }
    }
    if has_type(ctx, node, "number") && !bounded(ctx) {
        let title = format!("number {} has no minimum and maximum", described(ctx));
        ctx.report("number-unbounded", output_only, schema, title);
    }
    if has_type(ctx, node, "object") {
        for keyword in ["additionalProperties", "unevaluatedProperties"] {
            let Some(extra) = schema.child(doc, keyword) else { continue };
            if !doc.truthy(extra.node) {
                continue;
            }
            let open = match doc.value(extra.node) {
                Value::Bool(true) => true,
                Value::Map(entries) => entries.is_empty(),
                _ => false,
            };
            let title = if open {
                format!("object {} allows any additional property (`{keyword}: true`)", described(ctx))
            } else {
                format!("object {} allows additional properties (`{keyword}` is a schema)", described(ctx))
            };
            let severity = (!open).then_some(rampart_core::Severity::Low);
            // `additionalProperties: {$ref: …}`: reported where the referenced schema is.
            let place = if doc.has(extra.node, "$ref") { ctx.deref_or_self(&extra) } else { extra.clone() };
            ctx.report("additional-properties-allowed", severity, &place, title);
            if doc.is_map(extra.node) && !has("maxProperties") {
                let title =
                    format!("object {} has no maxProperties for its additional properties", described(ctx));
                ctx.report("additional-properties-unbounded", None, schema, title);
            }
        }
    }
    let object_like = has_type(ctx, node, "object") || (doc.get(node, "type").is_none() && has("properties"));
    if in_request && object_like && has("properties") && !composed && !closed(ctx, node) {
        let title = format!("request object {} accepts undeclared properties", described(ctx));
        ctx.report("open-request-object", None, schema, title);
    }
}

/// `additionalProperties: false` or `unevaluatedProperties: false` (or the same on every
/// `allOf` member is not looked for: composition with closed members does not work anyway).
fn closed(ctx: &Ctx<'_>, node: NodeId) -> bool {
    let doc = ctx.doc;
    ["additionalProperties", "unevaluatedProperties"]
        .iter()
        .any(|k| doc.get(node, k).is_some_and(|v| matches!(doc.value(v), Value::Bool(false))))
}

/// A short name for a schema in messages: its pointer, shortened.
fn describe(_ctx: &Ctx<'_>, schema: &At<'_>) -> String {
    let pointer = schema.pointer();
    let short = pointer.strip_prefix("/components/schemas/").unwrap_or(&pointer);
    let short = short.replace("/properties/", ".");
    format!("`{short}`")
}

/// Response properties named after national IDs, card numbers, CVVs or passwords: the
/// response must mask them, or not carry them.
fn sensitive_properties<'a>(ctx: &mut Ctx<'a>, schema: &At<'a>) {
    use rampart_core::{SensitiveCategory, SensitiveType, Severity};
    let doc = ctx.doc;
    let Some(properties) = schema.child(doc, "properties") else { return };
    for (name, property) in properties.children(doc) {
        let lower = name.to_ascii_lowercase();
        if ["mask", "last4", "last_4", "truncated", "hash", "token", "suffix", "hint"]
            .iter()
            .any(|w| lower.contains(w))
        {
            continue; // `maskedPan`, `panLast4`: already reduced
        }
        let Some((kind, label)) = super::sensitive_name(name) else { continue };
        let severity = match kind {
            SensitiveType::Password | SensitiveType::PrivateKey => Severity::High,
            SensitiveType::CardNumber => Severity::Medium,
            _ if kind.category() == SensitiveCategory::NationalId => Severity::Low,
            _ => continue,
        };
        // `writeOnly` properties never appear in responses.
        if doc.get(property.node, "writeOnly").is_some_and(|w| doc.truthy(w)) {
            continue;
        }
        ctx.report_with(
            "sensitive-data-in-response",
            Some(severity),
            &property,
            format!("response property `{name}` carries {label} data"),
            vec![format!("name suggests {label}")],
        );
    }
}

/// A request field `grant_type` that accepts `password`: the OAuth 2.0 password grant.
fn password_grant<'a>(ctx: &mut Ctx<'a>, schema: &At<'a>) {
    let doc = ctx.doc;
    let Some(properties) = schema.child(doc, "properties") else { return };
    for (name, property) in properties.children(doc) {
        if !(name == "grant_type" || name == "grantType") {
            continue;
        }
        let Some(values) = property.child(doc, "enum") else { continue };
        if doc.items(values.node).iter().any(|v| doc.as_str(*v) == Some("password")) {
            ctx.report(
                "oauth-password-flow",
                None,
                &values,
                format!("request field `{name}` accepts the OAuth 2.0 password grant"),
            );
        }
    }
}
