//! What to test: the operations of a spec, and the requests that exercise them. Values come,
//! in order of preference, from what the target itself returned (object IDs harvested from an
//! identity's responses, so that a BOLA test asks for an object that exists), the spec's
//! examples, defaults and enums, then values generated from the schema and the field name with
//! a seeded generator, so that the same `--seed` sends the same requests.

use std::collections::BTreeMap;

use http::Method;
use rampart_core::ParamLocation;
use rampart_openapi::{SpecDocument, SpecOperation};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

/// One operation to test.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub method: Method,
    /// Path template under the target's base path (`/v2/accounts/{accountId}`).
    pub template: String,
    pub parameters: Vec<Parameter>,
    /// The JSON (or form) request body schema, when the operation takes one.
    pub body: Option<BodySpec>,
    /// Whether the spec requires credentials: `Some(false)` for `security: []` (or an empty
    /// alternative), `None` when the spec does not say.
    pub secured: Option<bool>,
    pub deprecated: bool,
    /// The schema of the first 2xx JSON response, when declared.
    pub success_schema: Option<Value>,
    /// Declared response keys (`200`, `4XX`, `default`).
    pub statuses: Vec<String>,
    /// Seen in traffic (the inventory) but declared by no spec given: a shadow endpoint.
    pub undocumented: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    pub schema: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BodySpec {
    pub form: bool,
    pub schema: Value,
}

impl Operation {
    /// An operation known only by its label (`GET /accounts/{id}`): no parameters, no body;
    /// for tests and fuzzing.
    pub fn parse_label(label: &str) -> Operation {
        let (method, template) = label.split_once(' ').unwrap_or(("GET", label));
        Operation {
            method: Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET),
            template: template.to_string(),
            parameters: Vec::new(),
            body: None,
            secured: None,
            deprecated: false,
            success_schema: None,
            statuses: Vec::new(),
            undocumented: false,
        }
    }

    /// `GET /v2/accounts/{accountId}`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    /// Whether calling it only reads: a safe method, and no path segment naming an action that
    /// changes state (`GET /createdb`, `GET /reset`, `GET /logout` exist in the wild).
    pub fn is_read(&self) -> bool {
        const ACTIONS: [&str; 18] = [
            "create", "delete", "remove", "reset", "drop", "flush", "purge", "clear", "init", "setup",
            "install", "seed", "logout", "signout", "revoke", "destroy", "truncate", "wipe",
        ];
        matches!(self.method, Method::GET | Method::HEAD | Method::OPTIONS)
            && !self.static_segments().iter().any(|s| ACTIONS.iter().any(|a| s.starts_with(a)))
    }

    pub fn path_params(&self) -> impl Iterator<Item = &Parameter> {
        self.parameters.iter().filter(|p| p.location == ParamLocation::Path)
    }

    pub fn has_path_params(&self) -> bool {
        self.template.contains('{')
    }

    /// The static segments of the template, lower-case (`["v2", "accounts"]`).
    pub fn static_segments(&self) -> Vec<String> {
        self.template
            .split('/')
            .filter(|s| !s.is_empty() && !s.starts_with('{'))
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// The template with parameter names dropped (`/accounts/{}`): two templates with the same
    /// shape are one route.
    pub fn shape(&self) -> String {
        rampart_openapi::path_shape(&self.template)
    }

    /// Whether the path names an administrative function (`/admin`, `/internal`, `/ops` …).
    pub fn looks_admin(&self) -> bool {
        const WORDS: [&str; 9] =
            ["admin", "internal", "ops", "manage", "management", "staff", "backoffice", "superuser", "sudo"];
        self.static_segments().iter().any(|s| {
            WORDS.iter().any(|w| s == w || s.starts_with(&format!("{w}-")) || s.starts_with(&format!("{w}_")))
        })
    }
}

/// The operations of `spec`, one per method and template, in spec order. Operations of other
/// servers' base paths are kept: the target decides which answer.
pub fn operations(spec: &SpecDocument, base_path: &str) -> Vec<Operation> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for op in &spec.operations {
        let Ok(method) = Method::from_bytes(op.method.as_bytes()) else { continue };
        // The target URL already carries the base path; a spec whose servers say the same
        // must not double it.
        let template = match op.template.strip_prefix(base_path) {
            Some(rest) if !base_path.is_empty() && rest.starts_with('/') => rest.to_string(),
            _ => op.template.clone(),
        };
        if !seen.insert((method.clone(), template.clone())) {
            continue;
        }
        out.push(from_spec(op, method, template));
    }
    out
}

fn from_spec(op: &SpecOperation, method: Method, template: String) -> Operation {
    let body = op
        .request_body
        .iter()
        .find(|(media, _)| media.contains("json"))
        .map(|(_, schema)| BodySpec { form: false, schema: schema.clone() })
        .or_else(|| {
            op.request_body
                .iter()
                .find(|(media, _)| media.contains("x-www-form-urlencoded"))
                .map(|(_, schema)| BodySpec { form: true, schema: schema.clone() })
        });
    let secured = op
        .security
        .as_ref()
        .map(|alternatives| !alternatives.is_empty() && !alternatives.iter().any(BTreeMap::is_empty));
    let success_schema = op
        .responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .flat_map(|(_, media)| media.iter())
        .find(|(media, _)| media.contains("json"))
        .map(|(_, schema)| schema.clone());
    Operation {
        method,
        template,
        parameters: op
            .parameters
            .iter()
            .map(|p| Parameter {
                name: p.name.clone(),
                location: p.location,
                required: p.required,
                schema: p.schema.clone(),
            })
            .collect(),
        body,
        secured,
        deprecated: op.deprecated,
        success_schema,
        statuses: op.responses.keys().cloned().collect(),
        undocumented: false,
    }
}

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
pub const NOT_UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes a path segment or query component (RFC 3986 unreserved kept).
pub fn encode_component(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, NOT_UNRESERVED).to_string()
}

/// Field or parameter name normalised for matching: lower-case letters and digits only
/// (`account_id`, `accountId` and `AccountID` all become `accountid`).
pub fn normalise(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Values seen in one identity's responses, by normalised field name, in first-seen order:
/// where path parameters are filled from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValuePool {
    by_name: BTreeMap<String, Vec<String>>,
    /// Values seen under `id` in a response of a collection named by a static segment
    /// (`accounts` → ids), so `{id}` after `/accounts/` can be filled.
    by_collection: BTreeMap<String, Vec<String>>,
}

const MAX_VALUES_PER_NAME: usize = 16;

impl ValuePool {
    /// Harvests scalar values from a JSON response of `op` (called with a concrete path).
    pub fn harvest(&mut self, op: &Operation, body: &Value) {
        let collection = op.static_segments().last().cloned();
        let mut stack = vec![(body, 0usize)];
        while let Some((value, depth)) = stack.pop() {
            if depth > 8 {
                continue;
            }
            match value {
                Value::Object(map) => {
                    for (key, v) in map {
                        match v {
                            Value::String(s) if !s.is_empty() && s.len() <= 128 => {
                                self.add(key, s, collection.as_deref())
                            }
                            Value::Number(n) => self.add(key, &n.to_string(), collection.as_deref()),
                            Value::Object(_) | Value::Array(_) => stack.push((v, depth + 1)),
                            _ => {}
                        }
                    }
                }
                Value::Array(items) => {
                    // Reversed onto the stack, so values come out in document order.
                    for item in items.iter().take(32).rev() {
                        stack.push((item, depth + 1));
                    }
                }
                _ => {}
            }
        }
    }

    fn add(&mut self, key: &str, value: &str, collection: Option<&str>) {
        let name = normalise(key);
        push_unique(self.by_name.entry(name.clone()).or_default(), value);
        if name == "id"
            && let Some(collection) = collection
        {
            push_unique(self.by_collection.entry(collection.to_string()).or_default(), value);
        }
    }

    /// Values for path parameter `param` of `op`: by name (`accountId`), or for a bare `{id}`
    /// the ids of the collection the parameter follows.
    pub fn values_for(&self, op: &Operation, param: &str) -> Vec<String> {
        let name = normalise(param);
        if let Some(values) = self.by_name.get(&name).filter(|v| !v.is_empty()) {
            return values.clone();
        }
        // `{id}` / `{uuid}` after a collection: `/accounts/{id}` takes the ids of `accounts`.
        let before = op.template.split(&format!("{{{param}}}")).next().unwrap_or("");
        let collection = before.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        if let Some(values) = self.by_collection.get(&collection) {
            return values.clone();
        }
        // `{accountNumber}` vs `accountNo`, `{customer_id}` vs `customerId`: a name that
        // starts with the same resource word and ends in an id-ish suffix.
        let stem = name.trim_end_matches("id").trim_end_matches("number").trim_end_matches("no");
        if stem.len() >= 4 {
            for (key, values) in &self.by_name {
                if key.starts_with(stem)
                    && (key.ends_with("id") || key.ends_with("number") || key.ends_with("no"))
                    && !values.is_empty()
                {
                    return values.clone();
                }
            }
        }
        Vec::new()
    }

    /// Whether this pool holds `value` anywhere.
    pub fn contains_value(&self, value: &str) -> bool {
        self.by_name.values().any(|values| values.iter().any(|v| v == value))
    }
}

fn push_unique(values: &mut Vec<String>, value: &str) {
    if values.len() < MAX_VALUES_PER_NAME && !values.iter().any(|v| v == value) {
        values.push(value.to_string());
    }
}

/// Deterministic value generation from schemas.
pub struct Generator {
    rng: StdRng,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator { rng: StdRng::seed_from_u64(seed) }
    }

    /// A value valid for `schema`, shaped by the field `name`.
    pub fn value(&mut self, name: &str, schema: &Value) -> Value {
        self.value_at(name, schema, 0)
    }

    fn value_at(&mut self, name: &str, schema: &Value, depth: usize) -> Value {
        // Examples a reconstructed spec took from traffic are masked (`***6-09`): useless as values.
        let usable = |v: &&Value| !v.as_str().is_some_and(|s| s.contains("**") || s.contains('•'));
        if let Some(example) = schema
            .get("example")
            .or_else(|| schema.get("default"))
            .or_else(|| schema.get("const"))
            .filter(usable)
        {
            return example.clone();
        }
        if let Some(Value::Array(examples)) = schema.get("examples")
            && let Some(first) = examples.first().filter(usable)
        {
            return first.clone();
        }
        if let Some(Value::Array(options)) = schema.get("enum")
            && let Some(first) = options.iter().find(|v| !v.is_null())
        {
            return first.clone();
        }
        for combinator in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = schema.get(combinator) {
                if combinator == "allOf" {
                    let mut merged = Map::new();
                    for part in parts {
                        if let Value::Object(obj) = self.value_at(name, part, depth + 1) {
                            merged.extend(obj);
                        }
                    }
                    return Value::Object(merged);
                }
                if let Some(first) =
                    parts.iter().find(|p| p.get("type").and_then(Value::as_str) != Some("null"))
                {
                    return self.value_at(name, first, depth + 1);
                }
            }
        }
        let kind = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(types)) => {
                types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("string")
            }
            _ if schema.get("properties").is_some() => "object",
            _ if schema.get("items").is_some() => "array",
            _ => "string",
        };
        match kind {
            "object" => {
                if depth > 6 {
                    return json!({});
                }
                let mut obj = Map::new();
                if let Some(Value::Object(props)) = schema.get("properties") {
                    for (key, prop) in props {
                        if prop.get("readOnly").and_then(Value::as_bool) == Some(true) {
                            continue;
                        }
                        obj.insert(key.clone(), self.value_at(key, prop, depth + 1));
                    }
                }
                Value::Object(obj)
            }
            "array" => {
                if depth > 6 {
                    return json!([]);
                }
                let item = schema.get("items").cloned().unwrap_or(json!({}));
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(1).clamp(1, 3);
                Value::Array((0..min).map(|_| self.value_at(name, &item, depth + 1)).collect())
            }
            "integer" => {
                let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
                let max =
                    schema.get("maximum").and_then(Value::as_i64).unwrap_or(min.saturating_add(99)).max(min);
                let n = if lower(name).contains("limit") || lower(name).contains("size") {
                    min.max(1).min(max).max(min)
                } else {
                    self.rng.random_range(min..=max)
                };
                json!(n)
            }
            "number" => {
                let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(1.0);
                let max = schema.get("maximum").and_then(Value::as_f64).unwrap_or(min + 99.0).max(min);
                let n = min + (max - min) * self.rng.random_range(0.0..1.0);
                json!((n * 100.0).round() / 100.0)
            }
            "boolean" => json!(false),
            _ => Value::String(self.string(name, schema)),
        }
    }

    fn string(&mut self, name: &str, schema: &Value) -> String {
        let n = lower(name);
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        let digits = |rng: &mut StdRng, count: usize| -> String {
            (0..count).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
        };
        let text = match format {
            "date" => "2024-03-15".to_string(),
            "date-time" => "2024-03-15T09:30:00Z".to_string(),
            "email" => format!("rampart.scan{}@example.com", digits(&mut self.rng, 4)),
            "uuid" => {
                let hex: String = (0..32)
                    .map(|_| char::from_digit(self.rng.random_range(0..16u32), 16).unwrap_or('0'))
                    .collect();
                format!("{}-{}-4{}-a{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32])
            }
            "uri" | "url" | "uri-reference" => "https://example.com/rampart".to_string(),
            "ipv4" => "192.0.2.10".to_string(),
            "ipv6" => "2001:db8::10".to_string(),
            "byte" => "cmFtcGFydA==".to_string(),
            "password" => format!("Rampart-{}!", digits(&mut self.rng, 6)),
            _ if n.contains("email") => format!("rampart.scan{}@example.com", digits(&mut self.rng, 4)),
            _ if n.contains("currency") => "SGD".to_string(),
            _ if n.contains("country") => "SG".to_string(),
            _ if n.contains("iban") => "GB82WEST12345698765432".to_string(),
            _ if n.contains("phone") || n.contains("mobile") => format!("+6591{}", digits(&mut self.rng, 6)),
            _ if n.contains("url")
                || n.contains("uri")
                || n.contains("callback")
                || n.contains("webhook") =>
            {
                "https://example.com/rampart".to_string()
            }
            _ if n.contains("amount") || n.contains("price") => "10.00".to_string(),
            _ if n.contains("date") => "2024-03-15".to_string(),
            _ if n.ends_with("id") || n.contains("number") || n.contains("account") => {
                digits(&mut self.rng, 8)
            }
            _ if n.contains("user") || n == "login" || n == "nickname" => {
                format!("rampart_user{}", digits(&mut self.rng, 5))
            }
            _ if n.contains("name") => format!("Rampart Scan {}", digits(&mut self.rng, 4)),
            _ => format!("rampart{}", digits(&mut self.rng, 4)),
        };
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema.get("maxLength").and_then(Value::as_u64).map(|m| m as usize);
        let mut text = text;
        while text.chars().count() < min {
            text.push('x');
        }
        if let Some(max) = max
            && text.chars().count() > max
        {
            text = text.chars().take(max.max(1)).collect();
        }
        text
    }
}

fn lower(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// A concrete request for `op`: path parameters from `path_values` (else generated), required
/// query and header parameters generated, and a body for operations that take one.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub path: String,
    /// Query parameters, in spec order (name, value).
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub form: bool,
    /// The path parameter values used, by name.
    pub path_values: BTreeMap<String, String>,
    /// Query parameters filled with known object ids, by name.
    pub id_query: BTreeMap<String, String>,
}

impl Instance {
    /// Every value that names an object: path parameters and id query parameters, by name.
    pub fn object_values(&self) -> BTreeMap<String, String> {
        let mut all = self.path_values.clone();
        all.extend(self.id_query.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }
}

impl Instance {
    /// `path?query`, encoded.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let query: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    /// The request (without credentials).
    pub fn request(&self, method: &Method) -> crate::client::Request {
        let mut request = crate::client::Request::new(method.clone(), self.path_and_query());
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        match (&self.body, self.form) {
            (Some(body), false) => request.json(body),
            (Some(Value::Object(fields)), true) => {
                let pairs: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(&scalar_text(v))))
                    .collect();
                request.form(pairs.join("&"))
            }
            _ => request,
        }
    }
}

/// A JSON scalar as text (`"abc"` → `abc`, `12` → `12`).
pub fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces generated body values with what the target returned to the identity, by field
/// name (`currency` → `MYR`) or, for reference fields, by the resource they name
/// (`fromAccountId` → an `accountId`): a payment from the caller's own account, in its currency.
pub fn fill_from_pool(body: &mut Value, pool: &ValuePool) {
    let Value::Object(fields) = body else { return };
    for (key, value) in fields.iter_mut() {
        match value {
            Value::Object(_) => fill_from_pool(value, pool),
            Value::String(_) | Value::Number(_) => {
                let name = normalise(key);
                // Only identifying fields: a `value` or `name` seen elsewhere means something else.
                let identifying = ["id", "number", "code", "no"].iter().any(|s| name.ends_with(s))
                    || ["currency", "country", "iban", "bic"].contains(&name.as_str());
                if !identifying {
                    continue;
                }
                let found = pool.by_name.get(&name).and_then(|v| v.first()).or_else(|| {
                    if !(name.ends_with("id") || name.ends_with("number")) {
                        return None;
                    }
                    pool.by_name
                        .iter()
                        .filter(|(k, _)| {
                            k.len() >= 5
                                && name.ends_with(k.as_str())
                                && (k.ends_with("id") || k.ends_with("number"))
                        })
                        .max_by_key(|(k, _)| k.len())
                        .and_then(|(_, v)| v.first())
                });
                if let Some(found) = found {
                    *value = if value.is_number() {
                        found
                            .parse::<f64>()
                            .ok()
                            .map(|n| serde_json::json!(n))
                            .unwrap_or(Value::String(found.clone()))
                    } else {
                        Value::String(found.clone())
                    };
                }
            }
            _ => {}
        }
    }
}

/// Makes the naming fields of a write body unique (`name1` → `name1-rmp4821`, an email's local
/// part prefixed): examples in a spec name objects that already exist, and a second write of the
/// same user or title is refused as a duplicate rather than tested.
pub fn uniquify(body: &mut Value, generator: &mut Generator) {
    let Value::Object(fields) = body else { return };
    for (key, value) in fields.iter_mut() {
        let name = key.to_ascii_lowercase();
        let naming = ["user", "name", "title", "email", "login", "nick", "handle", "slug"]
            .iter()
            .any(|w| name.contains(w));
        let Value::String(text) = value else { continue };
        if !naming || text.to_ascii_lowercase().contains("rampart") || text.contains("rmp") {
            continue;
        }
        let tag = format!("rmp{}", generator.rng.random_range(1000..10000u32));
        *text = match text.split_once('@') {
            Some((local, domain)) => format!("{tag}.{local}@{domain}"),
            None => format!("{text}-{tag}"),
        };
    }
}

/// Drops optional reference fields (`beneficiaryId`) the pool could not fill: a made-up id
/// names no object, and APIs refuse the whole write for it ("either beneficiaryId or creditor").
pub fn prune_unknown_references(body: &mut Value, schema: &Value, pool: &ValuePool) {
    let Value::Object(fields) = body else { return };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = schema.get("properties").and_then(Value::as_object);
    fields.retain(|key, value| {
        let name = normalise(key);
        let reference = name.len() > 2 && name.ends_with("id");
        let known = value.as_str().is_some_and(|v| pool.contains_value(v));
        required.contains(&key.as_str()) || !reference || known
    });
    if let Some(properties) = properties {
        for (key, value) in fields.iter_mut() {
            if let Some(sub) = properties.get(key) {
                prune_unknown_references(value, sub, pool);
            }
        }
    }
}

/// Builds an instance of `op`, filling path parameters from `values` where given.
pub fn instantiate(op: &Operation, values: &BTreeMap<String, String>, generator: &mut Generator) -> Instance {
    let mut path = op.template.clone();
    let mut path_values = BTreeMap::new();
    // Parameters the template names but the spec does not declare still need a value.
    let mut names: Vec<String> = Vec::new();
    let mut rest = op.template.as_str();
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else { break };
        names.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    for name in names {
        let value = values.get(&name).cloned().unwrap_or_else(|| {
            let schema = op
                .path_params()
                .find(|p| p.name == name)
                .map(|p| p.schema.clone())
                .unwrap_or(json!({"type": "string"}));
            scalar_text(&generator.value(&name, &schema))
        });
        path = path.replace(&format!("{{{name}}}"), &encode_component(&value));
        path_values.insert(name, value);
    }
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut id_query = BTreeMap::new();
    for param in &op.parameters {
        // A query parameter the caller has a value for (an object id from the pool) is sent
        // even when optional: `GET /statements?accountId=` names an object as a path would.
        if param.location == ParamLocation::Query
            && let Some(value) = values.get(&param.name)
        {
            query.push((param.name.clone(), value.clone()));
            id_query.insert(param.name.clone(), value.clone());
            continue;
        }
        if !param.required {
            continue;
        }
        let value = scalar_text(&generator.value(&param.name, &param.schema));
        match param.location {
            ParamLocation::Query => query.push((param.name.clone(), value)),
            ParamLocation::Header => headers.push((param.name.clone(), value)),
            ParamLocation::Cookie => headers.push(("cookie".into(), format!("{}={value}", param.name))),
            ParamLocation::Path => {}
        }
    }
    let body = op.body.as_ref().map(|b| generator.value("body", &b.schema));
    Instance {
        path,
        query,
        headers,
        body,
        form: op.body.as_ref().is_some_and(|b| b.form),
        path_values,
        id_query,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: Method, template: &str) -> Operation {
        Operation {
            method,
            template: template.into(),
            parameters: Vec::new(),
            body: None,
            secured: Some(true),
            deprecated: false,
            success_schema: None,
            statuses: vec!["200".into()],
            undocumented: false,
        }
    }

    #[test]
    fn pools_fill_named_and_bare_id_parameters() {
        let list = op(Method::GET, "/v2/accounts");
        let mut pool = ValuePool::default();
        pool.harvest(&list, &json!({"data": [{"accountId": "10000231", "id": 7, "currency": "SGD"}, {"accountId": "10000232", "id": 8}]}));
        assert_eq!(
            pool.values_for(&op(Method::GET, "/v2/accounts/{accountId}"), "accountId"),
            vec!["10000231", "10000232"]
        );
        assert_eq!(pool.values_for(&op(Method::GET, "/v2/accounts/{id}"), "id"), vec!["7", "8"]);
        assert_eq!(pool.values_for(&op(Method::GET, "/v2/accounts/{account_id}"), "account_id").len(), 2);
        assert!(pool.values_for(&op(Method::GET, "/v2/cards/{cardId}"), "cardId").is_empty());
    }

    #[test]
    fn generation_is_deterministic_and_follows_the_schema() {
        let schema = json!({"type": "object", "required": ["amount"], "properties": {
            "amount": {"type": "string"}, "currency": {"type": "string", "enum": ["SGD", "USD"]},
            "count": {"type": "integer", "minimum": 3, "maximum": 5}, "id": {"type": "string", "readOnly": true},
            "email": {"type": "string", "format": "email"}, "ref": {"type": "string", "maxLength": 4}}});
        let a = Generator::new(7).value("body", &schema);
        let b = Generator::new(7).value("body", &schema);
        assert_eq!(a, b);
        assert_eq!(a["currency"], "SGD");
        assert!(a.get("id").is_none());
        let count = a["count"].as_i64().unwrap_or(0);
        assert!((3..=5).contains(&count));
        assert!(a["ref"].as_str().is_some_and(|s| s.len() <= 4));
        assert!(a["email"].as_str().is_some_and(|s| s.contains('@')));
    }

    #[test]
    fn instances_encode_path_values_and_required_query() {
        let mut o = op(Method::GET, "/v2/statements/{yearMonth}");
        o.parameters.push(Parameter {
            name: "format".into(),
            location: ParamLocation::Query,
            required: true,
            schema: json!({"enum": ["pdf"]}),
        });
        let values = BTreeMap::from([("yearMonth".to_string(), "2024/03".to_string())]);
        let instance = instantiate(&o, &values, &mut Generator::new(1));
        assert_eq!(instance.path_and_query(), "/v2/statements/2024%2F03?format=pdf");
        assert!(!o.looks_admin() && op(Method::GET, "/internal/admin/users").looks_admin());
    }
}
