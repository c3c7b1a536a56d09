//! Comparing the discovered inventory with the declared specs.
//!
//! Each seen endpoint is matched to a declared operation by host scope, method and template
//! (exactly, else with parameter names ignored: `/accounts/{id}` declares `/accounts/{accountId}`).
//! Matched endpoints are Documented — or Zombie when declared deprecated or superseded by a newer
//! version — and carry [`Drift`] items; unmatched ones are Shadow or Zombie; declared operations
//! nobody called are added as Unused endpoints with no calls.
//!
//! Drift checks are deliberately lenient where the declared schema is: a schema that does not
//! constrain property names (no `properties`, `additionalProperties: true`, `patternProperties`)
//! or a union branch that allows any object never yields an undeclared-field drift. A false drift
//! costs an analyst's trust; a missed one is caught by the stricter posture audit of the spec.

use std::collections::{BTreeMap, BTreeSet};

use rampart_core::{
    Drift, DriftKind, Endpoint, EndpointKey, Inventory, ParamLocation, SchemaNode, SpecComparison,
    SpecStatus, StringFormat,
};
use serde_json::Value;

use crate::load::{escape_pointer, normalize_host};
use crate::model::{SpecDocument, SpecOperation};

/// Drift items kept per endpoint; past this the spec is plainly not about this traffic.
const MAX_DRIFT: usize = 200;
/// Schema nesting followed when walking observed shapes against declared ones.
const MAX_WALK_DEPTH: usize = 64;
/// Request headers that OpenAPI says are described elsewhere than in `parameters`.
const IMPLICIT_HEADERS: [&str; 4] = ["accept", "authorization", "content-type", "cookie"];

struct Declared<'s> {
    doc_index: usize,
    doc: &'s SpecDocument,
    op: &'s SpecOperation,
    exact: String,
    shape: Vec<String>,
}

/// Set `Endpoint.spec` on every endpoint and add the declared operations never seen as Unused.
/// Comparing again (with other specs) first drops the Unused endpoints a previous call added.
pub fn compare(inventory: &mut Inventory, specs: &[SpecDocument]) {
    inventory
        .endpoints
        .retain(|e| !(e.calls == 0 && e.spec.as_ref().is_some_and(|s| s.status == SpecStatus::Unused)));
    let declared: Vec<Declared<'_>> = specs
        .iter()
        .enumerate()
        .flat_map(|(doc_index, doc)| {
            doc.operations.iter().map(move |op| Declared {
                doc_index,
                doc,
                op,
                exact: trim_trailing_slash(&op.template).to_owned(),
                shape: shape(&op.template),
            })
        })
        .collect();
    let seen: Vec<(String, String, Vec<String>)> = inventory
        .endpoints
        .iter()
        .filter(|e| e.calls > 0)
        .map(|e| (e.key.host.clone(), e.key.method.to_ascii_uppercase(), shape(&e.key.path_template)))
        .collect();
    let mut used = vec![false; declared.len()];
    let mut doc_hosts: Vec<BTreeSet<String>> = vec![BTreeSet::new(); specs.len()];

    for endpoint in &mut inventory.endpoints {
        let matched = find_declared(endpoint, &declared);
        let superseded = newer_version(endpoint, &seen, &declared);
        let comparison = match matched {
            Some(index) => {
                used[index] = true;
                let d = &declared[index];
                doc_hosts[d.doc_index].insert(endpoint.key.host.clone());
                let drift = drift(endpoint, d.op, d.doc);
                let (status, reason) = if d.op.deprecated {
                    let mut reason =
                        format!("declared deprecated in {} yet called {} times", d.doc.file, endpoint.calls);
                    if let Some(newer) = &superseded {
                        reason = format!("{reason}; {newer}");
                    }
                    (SpecStatus::Zombie, Some(reason))
                } else if let Some(newer) = superseded {
                    (SpecStatus::Zombie, Some(newer))
                } else {
                    (SpecStatus::Documented, None)
                };
                SpecComparison {
                    status,
                    spec_file: Some(d.doc.file.clone()),
                    deprecated: d.op.deprecated,
                    reason,
                    drift,
                }
            }
            None => SpecComparison {
                status: if superseded.is_some() { SpecStatus::Zombie } else { SpecStatus::Shadow },
                spec_file: None,
                deprecated: false,
                reason: superseded,
                drift: Vec::new(),
            },
        };
        endpoint.spec = Some(comparison);
    }

    let mut keys: BTreeSet<EndpointKey> = inventory.endpoints.iter().map(|e| e.key.clone()).collect();
    for (d, _) in declared.iter().zip(&used).filter(|(_, used)| !**used) {
        let hosts: Vec<String> = if !d.op.hosts.is_empty() {
            d.op.hosts.clone()
        } else if !doc_hosts[d.doc_index].is_empty() {
            doc_hosts[d.doc_index].iter().cloned().collect()
        } else {
            // Neither the spec nor the traffic says which host: leave it blank rather than guess.
            vec![String::new()]
        };
        for host in hosts {
            let key = EndpointKey { host, method: d.op.method.clone(), path_template: d.op.template.clone() };
            if !keys.insert(key.clone()) {
                continue;
            }
            let mut endpoint = Endpoint::new(key);
            endpoint.spec = Some(SpecComparison {
                status: SpecStatus::Unused,
                spec_file: Some(d.doc.file.clone()),
                deprecated: d.op.deprecated,
                reason: None,
                drift: Vec::new(),
            });
            inventory.endpoints.push(endpoint);
        }
    }
}

fn trim_trailing_slash(template: &str) -> &str {
    let trimmed = template.trim_end_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed }
}

/// Path segments with every `{name}` replaced by `{}`, so that parameter names do not matter.
fn shape(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|segment| {
            let mut out = String::with_capacity(segment.len());
            let mut in_param = false;
            for c in segment.chars() {
                match c {
                    '{' => {
                        in_param = true;
                        out.push('{');
                    }
                    '}' if in_param => {
                        in_param = false;
                        out.push('}');
                    }
                    _ if in_param => {}
                    _ => out.push(c),
                }
            }
            out
        })
        .collect()
}

/// Parameter names of a template, in path order.
pub(crate) fn template_params(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    out
}

fn host_applies(op: &SpecOperation, seen_host: &str) -> bool {
    if op.hosts.is_empty() {
        return true;
    }
    let Some(seen) = normalize_host(seen_host, None) else { return false };
    let seen_without_port = seen.rsplit_once(':').map_or(seen.as_str(), |(h, _)| h);
    op.hosts.iter().any(|h| *h == seen || (!h.contains(':') && h == seen_without_port))
}

/// The declared operation for a seen endpoint: an exact template first, host-scoped specs before
/// host-less ones, then the same template with other parameter names.
fn find_declared(endpoint: &Endpoint, declared: &[Declared<'_>]) -> Option<usize> {
    let method = endpoint.key.method.to_ascii_uppercase();
    let exact = trim_trailing_slash(&endpoint.key.path_template);
    let endpoint_shape = shape(&endpoint.key.path_template);
    let candidates = || {
        declared
            .iter()
            .enumerate()
            .filter(|(_, d)| d.op.method == method && host_applies(d.op, &endpoint.key.host))
    };
    let best = |is_match: &dyn Fn(&Declared<'_>) -> bool| {
        candidates()
            .filter(|(_, d)| is_match(d))
            .min_by_key(|(i, d)| (d.op.hosts.is_empty(), *i))
            .map(|(i, _)| i)
    };
    best(&|d| d.exact == exact).or_else(|| best(&|d| d.shape == endpoint_shape))
}

/// `v1`, `V2`, `v1.1` as comparable numbers.
fn version_of(segment: &str) -> Option<Vec<u64>> {
    let digits = segment.strip_prefix(['v', 'V'])?;
    let parts: Option<Vec<u64>> = digits.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Why this endpoint is superseded: the same method and rest of path under a newer version
/// segment, seen on the same host or declared for it.
fn newer_version(
    endpoint: &Endpoint,
    seen: &[(String, String, Vec<String>)],
    declared: &[Declared<'_>],
) -> Option<String> {
    if endpoint.calls == 0 {
        return None;
    }
    let method = endpoint.key.method.to_ascii_uppercase();
    let mine = shape(&endpoint.key.path_template);
    let (index, my_version) = mine.iter().enumerate().find_map(|(i, s)| version_of(s).map(|v| (i, v)))?;
    let newer_than_mine = |other: &[String]| -> Option<Vec<u64>> {
        if other.len() != mine.len() {
            return None;
        }
        let version = version_of(&other[index])?;
        let same_rest = other.iter().zip(&mine).enumerate().all(|(i, (a, b))| i == index || a == b);
        (same_rest && version > my_version).then_some(version)
    };
    let mut newest: Option<(Vec<u64>, String)> = None;
    let mut consider = |version: Vec<u64>, source: String| {
        if newest.as_ref().is_none_or(|(v, _)| version > *v) {
            newest = Some((version, source));
        }
    };
    for (host, seen_method, other) in seen {
        if *host == endpoint.key.host
            && *seen_method == method
            && let Some(version) = newer_than_mine(other)
        {
            consider(version, "seen in traffic".to_owned());
        }
    }
    for d in declared {
        if d.op.method == method
            && host_applies(d.op, &endpoint.key.host)
            && let Some(version) = newer_than_mine(&d.shape)
        {
            consider(version, format!("declared in {}", d.doc.file));
        }
    }
    let (version, source) = newest?;
    // Name the newer path with this endpoint's own parameter names, not the `{}` of its shape.
    let own: Vec<&str> = endpoint.key.path_template.split('/').filter(|s| !s.is_empty()).collect();
    let newer_path: Vec<String> = mine
        .iter()
        .enumerate()
        .map(|(i, s)| match (i == index, own.get(i)) {
            (true, _) => version_label(&version),
            (false, Some(segment)) if own.len() == mine.len() => (*segment).to_owned(),
            _ => s.clone(),
        })
        .collect();
    Some(format!(
        "{} still called while a newer version exists: {method} /{} ({source})",
        mine[index],
        newer_path.join("/")
    ))
}

fn version_label(version: &[u64]) -> String {
    let parts: Vec<String> = version.iter().map(u64::to_string).collect();
    format!("v{}", parts.join("."))
}

fn drift(endpoint: &Endpoint, op: &SpecOperation, doc: &SpecDocument) -> Vec<Drift> {
    let mut out = Vec::new();
    parameter_drift(endpoint, op, doc, &mut out);
    body_drift(endpoint, op, &mut out);
    out.truncate(MAX_DRIFT);
    out
}

/// API-key security schemes declare a header, query parameter or cookie without a parameter entry.
fn api_key_names(doc: &SpecDocument, location: &str) -> Vec<String> {
    doc.security_schemes
        .values()
        .filter(|s| s.get("type").and_then(Value::as_str) == Some("apiKey"))
        .filter(|s| s.get("in").and_then(Value::as_str) == Some(location))
        .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

fn parameter_drift(endpoint: &Endpoint, op: &SpecOperation, doc: &SpecDocument, out: &mut Vec<Drift>) {
    let declared = |location: ParamLocation, name: &str| {
        op.parameters.iter().find(|p| {
            p.location == location
                && if location == ParamLocation::Header {
                    p.name.eq_ignore_ascii_case(name)
                } else {
                    p.name == name
                }
        })
    };
    let query_keys = api_key_names(doc, "query");
    for (name, observed) in &endpoint.query_params {
        let location = format!("query.{name}");
        match declared(ParamLocation::Query, name) {
            Some(param) => param_type_drift(&observed.schema, &param.schema, &location, out),
            None if query_keys.contains(name) => {}
            None => out.push(undeclared_parameter(location, observed.seen, endpoint.calls)),
        }
    }
    let header_keys = api_key_names(doc, "header");
    for (name, observed) in &endpoint.header_params {
        let location = format!("header.{name}");
        if IMPLICIT_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
            || header_keys.iter().any(|h| h.eq_ignore_ascii_case(name))
        {
            continue;
        }
        match declared(ParamLocation::Header, name) {
            Some(param) => param_type_drift(&observed.schema, &param.schema, &location, out),
            None => out.push(undeclared_parameter(location, observed.seen, endpoint.calls)),
        }
    }
    // Path parameters line up by position: the endpoint may name them differently.
    let declared_names = template_params(&op.template);
    for (position, observed) in endpoint.path_params.iter().enumerate() {
        let Some(name) = declared_names.get(position) else { continue };
        if let Some(param) = declared(ParamLocation::Path, name) {
            param_type_drift(&observed.schema, &param.schema, &format!("path.{name}"), out);
        }
    }
}

fn undeclared_parameter(location: String, seen: u64, calls: u64) -> Drift {
    Drift {
        kind: DriftKind::UndeclaredParameter,
        location,
        detail: format!("sent in {seen} of {calls} calls but not declared"),
    }
}

/// Parameter values arrive as text: only digit-only strings may stand for a declared number, and a
/// declared string accepts anything that was read as a number or boolean.
fn param_type_drift(observed: &SchemaNode, schema: &Value, location: &str, out: &mut Vec<Drift>) {
    let view = View::of(schema, 0);
    let Some(types) = &view.types else { return };
    let numeric = types.contains("integer") || types.contains("number");
    if types.contains("string") || !numeric {
        return;
    }
    if let Some(strings) = &observed.string {
        let digits = strings.formats.get(&StringFormat::Digits).copied().unwrap_or(0);
        let non_numeric = strings.count.saturating_sub(digits);
        if non_numeric > 0 {
            out.push(Drift {
                kind: DriftKind::TypeMismatch,
                location: location.to_owned(),
                detail: format!(
                    "declared {}; {non_numeric} non-numeric string value(s) seen",
                    type_list(types)
                ),
            });
        }
    }
}

fn type_list(types: &BTreeSet<&'static str>) -> String {
    types.iter().copied().collect::<Vec<_>>().join(" or ")
}

/// The media type without parameters, lower-case.
fn essence(media_type: &str) -> String {
    media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

fn find_media<'a>(declared: &'a BTreeMap<String, Value>, seen: &str) -> Option<&'a Value> {
    let seen = essence(seen);
    let main_type = seen.split('/').next().unwrap_or_default();
    declared
        .iter()
        .find(|(k, _)| essence(k) == seen)
        .or_else(|| declared.iter().find(|(k, _)| essence(k) == format!("{main_type}/*")))
        .or_else(|| declared.iter().find(|(k, _)| essence(k) == "*/*"))
        .map(|(_, v)| v)
}

fn find_response(
    declared: &BTreeMap<String, BTreeMap<String, Value>>,
    status: u16,
) -> Option<&BTreeMap<String, Value>> {
    declared
        .get(&status.to_string())
        .or_else(|| declared.get(&format!("{}XX", status / 100)))
        .or_else(|| declared.get("default"))
}

fn body_drift(endpoint: &Endpoint, op: &SpecOperation, out: &mut Vec<Drift>) {
    let request_types: BTreeSet<&String> =
        endpoint.request_content_types.keys().chain(endpoint.request_bodies.keys()).collect();
    for media_type in request_types {
        match find_media(&op.request_body, media_type) {
            Some(schema) => {
                if let Some(node) = endpoint.request_bodies.get(media_type) {
                    let mut walker = Walker { kind: DriftKind::UndeclaredRequestField, out };
                    walker.check(node, schema, "request.body", 0);
                }
            }
            None => out.push(Drift {
                kind: DriftKind::UndeclaredContentType,
                location: format!("request.content.{media_type}"),
                detail: if op.request_body.is_empty() {
                    "request body sent but the operation declares none".to_owned()
                } else {
                    let declared: Vec<&str> = op.request_body.keys().map(String::as_str).collect();
                    format!("declared {}", declared.join(", "))
                },
            }),
        }
    }
    if op.responses.is_empty() {
        return;
    }
    for (&status, &count) in &endpoint.statuses {
        if status == rampart_core::inventory::NO_RESPONSE_STATUS {
            continue;
        }
        let Some(declared) = find_response(&op.responses, status) else {
            out.push(Drift {
                kind: DriftKind::UndeclaredStatus,
                location: format!("status.{status}"),
                detail: format!("returned {count} times but not declared"),
            });
            continue;
        };
        let Some(bodies) = endpoint.responses.get(&status) else { continue };
        for (media_type, node) in bodies {
            match find_media(declared, media_type) {
                Some(schema) => {
                    let mut walker = Walker { kind: DriftKind::UndeclaredResponseField, out };
                    walker.check(node, schema, &format!("response.{status}.body"), 0);
                }
                None => out.push(Drift {
                    kind: DriftKind::UndeclaredContentType,
                    location: format!("response.{status}.content.{media_type}"),
                    detail: if declared.is_empty() {
                        "response body returned but the response declares no content".to_owned()
                    } else {
                        let declared: Vec<&str> = declared.keys().map(String::as_str).collect();
                        format!("declared {}", declared.join(", "))
                    },
                }),
            }
        }
    }
}

/// Whether a schema constrains property names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// Says nothing about properties.
    Neutral,
    /// Allows any property (`additionalProperties: true` or a schema, `patternProperties`).
    Open,
    /// Only the listed properties.
    Closed,
}

/// What a declared schema, with its `allOf` / `anyOf` / `oneOf` folded in, says about a value.
#[derive(Debug, Clone)]
struct View {
    /// Allowed JSON types; `None` = any.
    types: Option<BTreeSet<&'static str>>,
    names: Names,
    properties: BTreeMap<String, Vec<Value>>,
    additional: Vec<Value>,
    items: Vec<Value>,
}

const JSON_TYPES: [&str; 7] = ["null", "boolean", "integer", "number", "string", "array", "object"];

impl View {
    fn anything() -> View {
        View {
            types: None,
            names: Names::Neutral,
            properties: BTreeMap::new(),
            additional: Vec::new(),
            items: Vec::new(),
        }
    }

    fn of(schema: &Value, depth: usize) -> View {
        let Value::Object(obj) = schema else { return View::anything() };
        if depth > MAX_WALK_DEPTH {
            return View::anything();
        }
        let mut view = View::anything();
        view.types = match obj.get("type") {
            Some(Value::String(t)) => Some(known_types([t.as_str()])),
            Some(Value::Array(list)) => Some(known_types(list.iter().filter_map(Value::as_str))),
            _ => None,
        };
        if obj.get("nullable").and_then(Value::as_bool) == Some(true)
            && let Some(types) = &mut view.types
        {
            types.insert("null");
        }
        if let Some(Value::Object(properties)) = obj.get("properties") {
            for (name, schema) in properties {
                view.properties.entry(name.clone()).or_default().push(schema.clone());
            }
            view.names = Names::Closed;
        }
        match obj.get("additionalProperties") {
            Some(Value::Bool(true)) => view.names = Names::Open,
            Some(Value::Bool(false)) => view.names = Names::Closed,
            Some(schema @ Value::Object(_)) => {
                view.names = Names::Open;
                view.additional.push(schema.clone());
            }
            _ => {}
        }
        if obj.contains_key("patternProperties")
            || obj.get("unevaluatedProperties") == Some(&Value::Bool(true))
        {
            view.names = Names::Open;
        }
        match obj.get("items") {
            Some(schema @ (Value::Object(_) | Value::Bool(_))) => view.items.push(schema.clone()),
            // Tuple forms: positions are not tracked in observations, so allow anything.
            Some(_) => view.items.push(Value::Bool(true)),
            None => {}
        }
        if let Some(Value::Array(all)) = obj.get("allOf") {
            for branch in all {
                view.conjoin(View::of(branch, depth + 1));
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alternatives)) = obj.get(keyword)
                && !alternatives.is_empty()
            {
                let views: Vec<View> = alternatives.iter().map(|a| View::of(a, depth + 1)).collect();
                view.conjoin(View::disjoin(views));
            }
        }
        view
    }

    /// Both must hold (`allOf`): types narrow, declared properties add up.
    fn conjoin(&mut self, other: View) {
        self.types = match (self.types.take(), other.types) {
            (Some(a), Some(b)) => Some(intersect_types(&a, &b)),
            (a, b) => a.or(b),
        };
        self.names = match (self.names, other.names) {
            (Names::Open, _) | (_, Names::Open) => Names::Open,
            (Names::Closed, _) | (_, Names::Closed) => Names::Closed,
            _ => Names::Neutral,
        };
        self.absorb(other.properties, other.additional, other.items);
    }

    /// One of them holds (`anyOf`/`oneOf`). Observations merge every variant seen, so the
    /// properties of all branches are allowed, and a branch that admits any object opens it all.
    fn disjoin(views: Vec<View>) -> View {
        let mut out = View::anything();
        let mut types = Some(BTreeSet::new());
        let mut names = Names::Closed;
        for view in views {
            let may_be_object = view.types.as_ref().is_none_or(|t| t.contains("object"));
            types = match (types, &view.types) {
                (Some(mut acc), Some(t)) => {
                    acc.extend(t.iter().copied());
                    Some(acc)
                }
                _ => None,
            };
            if may_be_object && view.names != Names::Closed {
                names = Names::Open;
            }
            out.absorb(view.properties, view.additional, view.items);
        }
        out.types = types;
        out.names = names;
        out
    }

    fn absorb(
        &mut self,
        properties: BTreeMap<String, Vec<Value>>,
        additional: Vec<Value>,
        items: Vec<Value>,
    ) {
        for (name, schemas) in properties {
            self.properties.entry(name).or_default().extend(schemas);
        }
        self.additional.extend(additional);
        self.items.extend(items);
    }
}

/// Equivalent integer forms: a declared integer accepts what is also a number.
fn intersect_types(a: &BTreeSet<&'static str>, b: &BTreeSet<&'static str>) -> BTreeSet<&'static str> {
    let mut out: BTreeSet<&'static str> = a.intersection(b).copied().collect();
    if (a.contains("number") && b.contains("integer")) || (a.contains("integer") && b.contains("number")) {
        out.insert("integer");
    }
    out
}

fn known_types<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
    names.into_iter().filter_map(|n| JSON_TYPES.iter().find(|t| **t == n).copied()).collect()
}

/// Several declared schemas for one location, read leniently as alternatives.
fn combined(schemas: &[Value]) -> Value {
    match schemas {
        [one] => one.clone(),
        many => serde_json::json!({ "anyOf": many }),
    }
}

struct Walker<'o> {
    kind: DriftKind,
    out: &'o mut Vec<Drift>,
}

impl Walker<'_> {
    fn check(&mut self, node: &SchemaNode, schema: &Value, location: &str, depth: usize) {
        if node.is_empty() || depth > MAX_WALK_DEPTH || self.out.len() >= MAX_DRIFT {
            return;
        }
        let view = View::of(schema, 0);
        if let Some(types) = &view.types {
            let wrong = observed_types(node)
                .into_iter()
                .filter(|(t, _)| !(types.contains(t) || (*t == "integer" && types.contains("number"))))
                .map(|(t, n)| format!("{t} ×{n}"))
                .collect::<Vec<_>>();
            if !wrong.is_empty() {
                self.out.push(Drift {
                    kind: DriftKind::TypeMismatch,
                    location: location.to_owned(),
                    detail: format!("declared {}; seen {}", type_list(types), wrong.join(", ")),
                });
            }
        }
        if let Some(object) = &node.object {
            for (name, property) in &object.properties {
                let child = format!("{location}/{}", escape_pointer(name));
                if let Some(schemas) = view.properties.get(name) {
                    self.check(property, &combined(schemas), &child, depth + 1);
                } else if view.names == Names::Closed {
                    self.out.push(Drift {
                        kind: self.kind,
                        location: child,
                        detail: format!(
                            "present in {} of {} objects but not declared",
                            property.seen, object.count
                        ),
                    });
                } else if !view.additional.is_empty() {
                    self.check(property, &combined(&view.additional), &child, depth + 1);
                }
            }
        }
        if let Some(array) = &node.array
            && !view.items.is_empty()
        {
            self.check(&array.items, &combined(&view.items), &format!("{location}/*"), depth + 1);
        }
    }
}

fn observed_types(node: &SchemaNode) -> Vec<(&'static str, u64)> {
    let mut out = Vec::new();
    let mut add = |name, count: u64| {
        if count > 0 {
            out.push((name, count));
        }
    };
    add("null", node.null);
    add("boolean", node.boolean);
    add("integer", node.integer.as_ref().map_or(0, |n| n.count));
    add("number", node.number.as_ref().map_or(0, |n| n.count));
    add("string", node.string.as_ref().map_or(0, |s| s.count));
    add("array", node.array.as_ref().map_or(0, |a| a.count));
    add("object", node.object.as_ref().map_or(0, |o| o.count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_ignore_parameter_names_and_trailing_slashes() {
        assert_eq!(shape("/v1/accounts/{accountId}/"), shape("/v1/accounts/{id}"));
        assert_eq!(shape("/files/{name}.json"), vec!["files".to_owned(), "{}.json".to_owned()]);
        assert_ne!(shape("/v1/accounts"), shape("/v1/accounts/{id}"));
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_of("v10").unwrap() > version_of("v9").unwrap());
        assert!(version_of("v1.1").unwrap() > version_of("V1").unwrap());
        assert_eq!(version_of("vault"), None);
        assert_eq!(version_of("v"), None);
    }

    #[test]
    fn unions_open_names_only_when_a_branch_admits_any_object() {
        let closed = serde_json::json!({"oneOf": [
            {"properties": {"iban": {}}, "additionalProperties": false},
            {"properties": {"pan": {}}}
        ]});
        let view = View::of(&closed, 0);
        assert_eq!(view.names, Names::Closed);
        assert!(view.properties.contains_key("iban") && view.properties.contains_key("pan"));
        let open = serde_json::json!({"anyOf": [{"properties": {"iban": {}}}, {"type": "object"}]});
        assert_eq!(View::of(&open, 0).names, Names::Open);
        let string_branch = serde_json::json!({"anyOf": [{"properties": {"iban": {}}}, {"type": "string"}]});
        assert_eq!(View::of(&string_branch, 0).names, Names::Closed);
    }

    #[test]
    fn all_of_narrows_types_and_adds_properties() {
        let schema = serde_json::json!({"allOf": [
            {"type": ["object", "null"], "properties": {"id": {}}},
            {"type": "object", "properties": {"name": {}}}
        ]});
        let view = View::of(&schema, 0);
        assert_eq!(view.types, Some(BTreeSet::from(["object"])));
        assert_eq!(view.properties.len(), 2);
        assert_eq!(view.names, Names::Closed);
    }
}
