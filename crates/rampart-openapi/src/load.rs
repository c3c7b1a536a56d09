//! Loading declared specs: text (JSON or YAML) → `serde_json::Value` → [`SpecDocument`].
//!
//! Every `$ref` that matters for comparison (parameters, request bodies, responses, path items,
//! schemas) is resolved against the document itself, so that the rest of the crate works on
//! self-contained values. Schemas are inlined with two bounds: a reference may appear at most
//! [`MAX_REF_REPEAT`] times on the current expansion path (recursive schemas are cut to `{}`, which
//! allows anything and so never produces false drift), and a whole document may inline at most
//! [`INLINE_BUDGET`] schema nodes (shared references can otherwise grow exponentially).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rampart_core::ParamLocation;
use serde_json::{Map, Value};

use crate::error::SpecError;
use crate::model::{SpecDocument, SpecOperation, SpecParameter};

/// How many times one `$ref` may be open on the current expansion path.
const MAX_REF_REPEAT: usize = 2;
/// Schema nodes a document may inline in total before further references become `{}`.
const INLINE_BUDGET: usize = 200_000;
/// Nesting depth past which a schema is cut to `{}`.
const MAX_SCHEMA_DEPTH: usize = 64;
/// Hops allowed when following a chain of `$ref`s to a non-schema object.
const MAX_REF_HOPS: usize = 32;
/// Nesting allowed when converting YAML (the parser has its own, lower, limit).
const MAX_YAML_DEPTH: usize = 256;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

use crate::keywords::{SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUED};
/// Keywords beside a `$ref` that only annotate and need no `allOf` wrapping.
const ANNOTATIONS: [&str; 6] = ["description", "summary", "title", "example", "examples", "deprecated"];

/// Read and parse a spec file.
pub fn load_spec(path: &Path) -> Result<SpecDocument, SpecError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| SpecError::Io { file: path.to_owned(), source })?;
    parse_spec(&path.display().to_string(), &text)
}

/// Parse a spec from text; JSON or YAML is detected from the content.
pub fn parse_spec(file_name: &str, text: &str) -> Result<SpecDocument, SpecError> {
    let root = parse_text(file_name, text)?;
    let Some(top) = root.as_object() else {
        return Err(SpecError::invalid(file_name, "", "the document is not an object"));
    };
    if top.contains_key("swagger") {
        return Err(SpecError::Swagger2 { file: file_name.to_owned() });
    }
    let version = match top.get("openapi") {
        Some(Value::String(s)) => s.clone(),
        // An unquoted `openapi: 3.1` in YAML reads as a number.
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(SpecError::invalid(file_name, "/openapi", "must be a string such as \"3.1.0\""));
        }
        None => return Err(SpecError::invalid(file_name, "/openapi", "missing: not an OpenAPI 3 document")),
    };
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(SpecError::invalid(
            file_name,
            "/openapi",
            format!("unsupported version {version:?} (OpenAPI 3.0.x and 3.1.x are supported)"),
        ));
    }
    let title = top.get("info").and_then(|i| i.get("title")).and_then(Value::as_str).map(str::to_owned);

    let mut loader = Loader { file: file_name, root: &root, budget: INLINE_BUDGET, warnings: Vec::new() };
    let root_servers = loader.servers(top.get("servers"), "/servers")?;
    let root_security = loader.security(top.get("security"), "/security");
    let security_schemes = loader.security_schemes()?;

    let mut operations = Vec::new();
    match top.get("paths") {
        None | Some(Value::Null) => {}
        Some(Value::Object(paths)) => {
            for (path, item) in paths {
                let at = format!("/paths/{}", escape_pointer(path));
                loader.path_item(path, item, &at, &root_servers, &root_security, &mut operations)?;
            }
        }
        Some(_) => return Err(SpecError::invalid(file_name, "/paths", "must be an object")),
    }

    let mut hosts = BTreeSet::new();
    for server in &root_servers {
        hosts.extend(server.host.clone());
    }
    for op in &operations {
        hosts.extend(op.hosts.iter().cloned());
    }
    for warning in &loader.warnings {
        tracing::warn!(file = file_name, "{warning}");
    }
    Ok(SpecDocument {
        file: file_name.to_owned(),
        openapi_version: version,
        title,
        hosts: hosts.into_iter().collect(),
        operations,
        security_schemes,
        warnings: loader.warnings,
    })
}

fn parse_text(file: &str, text: &str) -> Result<Value, SpecError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(SpecError::Syntax {
            file: file.to_owned(),
            format: "YAML or JSON",
            message: "empty file".into(),
        });
    }
    let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
    if looks_json {
        match serde_json::from_str::<Value>(trimmed) {
            Ok(v) => return Ok(v),
            // YAML flow style (`{openapi: 3.1.0}`) also starts with a brace: give YAML a chance
            // but report the JSON error, which is what the author most likely meant.
            Err(json_err) => {
                return parse_yaml(file, trimmed).map_err(|_| SpecError::Syntax {
                    file: file.to_owned(),
                    format: "JSON",
                    message: json_err.to_string(),
                });
            }
        }
    }
    parse_yaml(file, trimmed)
}

fn parse_yaml(file: &str, text: &str) -> Result<Value, SpecError> {
    let yaml: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| SpecError::Syntax {
        file: file.to_owned(),
        format: "YAML",
        message: e.to_string(),
    })?;
    yaml_to_json(file, yaml, "", 0)
}

/// YAML allows non-string keys (`200:` is an integer); OpenAPI means them as strings.
fn yaml_to_json(file: &str, yaml: yaml_serde::Value, at: &str, depth: usize) -> Result<Value, SpecError> {
    if depth > MAX_YAML_DEPTH {
        return Err(SpecError::invalid(file, at, "nested too deeply"));
    }
    Ok(match yaml {
        yaml_serde::Value::Null => Value::Null,
        yaml_serde::Value::Bool(b) => Value::Bool(b),
        yaml_serde::Value::Number(n) => yaml_number(&n),
        yaml_serde::Value::String(s) => Value::String(s),
        yaml_serde::Value::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(yaml_to_json(file, item, &format!("{at}/{i}"), depth + 1)?);
            }
            Value::Array(out)
        }
        yaml_serde::Value::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    yaml_serde::Value::String(s) => s,
                    yaml_serde::Value::Number(n) => n.to_string(),
                    yaml_serde::Value::Bool(b) => b.to_string(),
                    yaml_serde::Value::Null => "null".to_owned(),
                    _ => return Err(SpecError::invalid(file, at, "a mapping key is not a scalar")),
                };
                let child = format!("{at}/{}", escape_pointer(&key));
                let value = yaml_to_json(file, value, &child, depth + 1)?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        yaml_serde::Value::Tagged(tagged) => yaml_to_json(file, tagged.value, at, depth + 1)?,
    })
}

fn yaml_number(n: &yaml_serde::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
    }
}

/// A server URL reduced to what scopes operations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ServerBase {
    host: Option<String>,
    base_path: String,
}

struct Loader<'a> {
    file: &'a str,
    root: &'a Value,
    budget: usize,
    warnings: Vec<String>,
}

impl<'a> Loader<'a> {
    fn err(&self, at: &str, message: impl Into<String>) -> SpecError {
        SpecError::invalid(self.file, at, message)
    }

    /// The target of a `$ref`, with its pointer; `None` for references outside this document.
    fn lookup(&mut self, reference: &str, at: &str) -> Result<Option<(&'a Value, String)>, SpecError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            self.warnings.push(format!("#{at}: external $ref {reference:?} is not followed"));
            return Ok(None);
        };
        let pointer = percent_decode(fragment);
        match self.root.pointer(&pointer) {
            Some(target) => Ok(Some((target, pointer))),
            None => Err(self.err(at, format!("$ref {reference:?} points to nothing in this document"))),
        }
    }

    /// Follow `$ref`s on a non-schema object (parameter, body, response, path item).
    fn deref(&mut self, value: &'a Value, at: &str) -> Result<Option<(&'a Value, String)>, SpecError> {
        let mut current = value;
        let mut pointer = at.to_owned();
        for _ in 0..MAX_REF_HOPS {
            match current.get("$ref") {
                Some(Value::String(reference)) => match self.lookup(reference, &pointer)? {
                    Some((target, target_pointer)) => {
                        current = target;
                        pointer = target_pointer;
                    }
                    None => return Ok(None),
                },
                Some(_) => return Err(self.err(&format!("{pointer}/$ref"), "must be a string")),
                None => return Ok(Some((current, pointer))),
            }
        }
        Err(self.err(at, "$ref chain is cyclic or too long"))
    }

    fn schema(&mut self, value: &Value, at: &str) -> Result<Value, SpecError> {
        let mut open_refs = Vec::new();
        self.inline(value, at, &mut open_refs, 0)
    }

    fn inline(
        &mut self,
        value: &Value,
        at: &str,
        open_refs: &mut Vec<String>,
        depth: usize,
    ) -> Result<Value, SpecError> {
        let Value::Object(obj) = value else {
            // Boolean schemas (3.1) and anything malformed are kept as they are.
            return Ok(value.clone());
        };
        if depth > MAX_SCHEMA_DEPTH || self.budget == 0 {
            if self.budget == 0 && !self.warnings.iter().any(|w| w.contains("inline budget")) {
                self.warnings
                    .push(format!("#{at}: schema inline budget exhausted; deeper schemas allow anything"));
            }
            return Ok(Value::Object(Map::new()));
        }
        self.budget -= 1;
        if let Some(reference) = obj.get("$ref") {
            let Value::String(reference) = reference else {
                return Err(self.err(&format!("{at}/$ref"), "must be a string"));
            };
            if open_refs.iter().filter(|r| *r == reference).count() >= MAX_REF_REPEAT {
                return Ok(Value::Object(Map::new()));
            }
            let Some((target, target_pointer)) = self.lookup(reference, at)? else {
                return Ok(Value::Object(Map::new()));
            };
            open_refs.push(reference.clone());
            let resolved = self.inline(target, &target_pointer, open_refs, depth + 1);
            open_refs.pop();
            let resolved = resolved?;
            // OpenAPI 3.1 lets a $ref have sibling keywords; they constrain in addition.
            let siblings: Map<String, Value> = obj
                .iter()
                .filter(|(k, _)| *k != "$ref" && !ANNOTATIONS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if siblings.is_empty() {
                return Ok(resolved);
            }
            let siblings = self.inline_keywords(&siblings, at, open_refs, depth + 1)?;
            return Ok(serde_json::json!({ "allOf": [resolved, siblings] }));
        }
        self.inline_keywords(obj, at, open_refs, depth)
    }

    fn inline_keywords(
        &mut self,
        obj: &Map<String, Value>,
        at: &str,
        open_refs: &mut Vec<String>,
        depth: usize,
    ) -> Result<Value, SpecError> {
        let mut out = Map::new();
        for (key, value) in obj {
            let child = format!("{at}/{}", escape_pointer(key));
            let inlined = if SCHEMA_VALUED.contains(&key.as_str()) && value.is_object() {
                self.inline(value, &child, open_refs, depth + 1)?
            } else if SCHEMA_VALUED.contains(&key.as_str()) || SCHEMA_ARRAYS.contains(&key.as_str()) {
                // `items` was an array of schemas before 2020-12.
                match value {
                    Value::Array(items) => {
                        let mut list = Vec::with_capacity(items.len());
                        for (i, item) in items.iter().enumerate() {
                            list.push(self.inline(item, &format!("{child}/{i}"), open_refs, depth + 1)?);
                        }
                        Value::Array(list)
                    }
                    other => other.clone(),
                }
            } else if SCHEMA_MAPS.contains(&key.as_str()) {
                match value {
                    Value::Object(map) => {
                        let mut inlined = Map::new();
                        for (name, schema) in map {
                            let at = format!("{child}/{}", escape_pointer(name));
                            inlined.insert(name.clone(), self.inline(schema, &at, open_refs, depth + 1)?);
                        }
                        Value::Object(inlined)
                    }
                    other => other.clone(),
                }
            } else {
                value.clone()
            };
            out.insert(key.clone(), inlined);
        }
        Ok(Value::Object(out))
    }

    fn servers(&mut self, value: Option<&'a Value>, at: &str) -> Result<Vec<ServerBase>, SpecError> {
        let Some(value) = value else { return Ok(Vec::new()) };
        let Value::Array(list) = value else { return Err(self.err(at, "must be an array")) };
        let mut out = Vec::new();
        for (i, server) in list.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some(url) = server.get("url").and_then(Value::as_str) else {
                return Err(self.err(&format!("{at}/url"), "missing or not a string"));
            };
            match expand_server_url(url, server.get("variables")) {
                Ok(expanded) => out.push(split_server_url(&expanded)),
                Err(missing) => self
                    .warnings
                    .push(format!("#{at}/url: variable {missing:?} has no default; server ignored")),
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn security(&mut self, value: Option<&Value>, at: &str) -> Option<Vec<BTreeMap<String, Vec<String>>>> {
        let value = value?;
        match serde_json::from_value(value.clone()) {
            Ok(security) => Some(security),
            Err(e) => {
                self.warnings.push(format!("#{at}: not a list of security requirements ({e}); ignored"));
                None
            }
        }
    }

    fn security_schemes(&mut self) -> Result<BTreeMap<String, Value>, SpecError> {
        let mut out = BTreeMap::new();
        let root = self.root;
        let Some(Value::Object(schemes)) = root.pointer("/components/securitySchemes") else {
            return Ok(out);
        };
        for (name, scheme) in schemes {
            let at = format!("/components/securitySchemes/{}", escape_pointer(name));
            if let Some((scheme, _)) = self.deref(scheme, &at)? {
                out.insert(name.clone(), scheme.clone());
            }
        }
        Ok(out)
    }

    fn parameters(&mut self, value: Option<&'a Value>, at: &str) -> Result<Vec<SpecParameter>, SpecError> {
        let Some(value) = value else { return Ok(Vec::new()) };
        let Value::Array(list) = value else { return Err(self.err(at, "must be an array")) };
        let mut out = Vec::new();
        for (i, param) in list.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some((param, at)) = self.deref(param, &at)? else { continue };
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                return Err(self.err(&format!("{at}/name"), "missing or not a string"));
            };
            let location = match param.get("in").and_then(Value::as_str) {
                Some("path") => ParamLocation::Path,
                Some("query") => ParamLocation::Query,
                Some("header") => ParamLocation::Header,
                Some("cookie") => ParamLocation::Cookie,
                _ => return Err(self.err(&format!("{at}/in"), "must be one of path, query, header, cookie")),
            };
            let required = location == ParamLocation::Path
                || param.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = if let Some(schema) = param.get("schema") {
                self.schema(schema, &format!("{at}/schema"))?
            } else if let Some(Value::Object(content)) = param.get("content") {
                match content.iter().next() {
                    Some((media, media_obj)) => match media_obj.get("schema") {
                        Some(schema) => {
                            self.schema(schema, &format!("{at}/content/{}/schema", escape_pointer(media)))?
                        }
                        None => Value::Object(Map::new()),
                    },
                    None => Value::Object(Map::new()),
                }
            } else {
                Value::Object(Map::new())
            };
            out.push(SpecParameter { name: name.to_owned(), location, required, schema });
        }
        Ok(out)
    }

    /// Schema per media type of a `content` map; a media type without a schema allows anything.
    fn content(&mut self, value: Option<&'a Value>, at: &str) -> Result<BTreeMap<String, Value>, SpecError> {
        let mut out = BTreeMap::new();
        match value {
            None | Some(Value::Null) => {}
            Some(Value::Object(content)) => {
                for (media, media_obj) in content {
                    let at = format!("{at}/{}", escape_pointer(media));
                    let schema = match media_obj.get("schema") {
                        Some(schema) => self.schema(schema, &format!("{at}/schema"))?,
                        None => Value::Object(Map::new()),
                    };
                    out.insert(media.to_ascii_lowercase(), schema);
                }
            }
            Some(_) => return Err(self.err(at, "must be an object")),
        }
        Ok(out)
    }

    fn path_item(
        &mut self,
        path: &str,
        item: &'a Value,
        at: &str,
        root_servers: &[ServerBase],
        root_security: &Option<Vec<BTreeMap<String, Vec<String>>>>,
        operations: &mut Vec<SpecOperation>,
    ) -> Result<(), SpecError> {
        let Some((item, at)) = self.deref(item, at)? else { return Ok(()) };
        let Value::Object(item_obj) = item else {
            return Err(self.err(&at, "a path item must be an object"));
        };
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            self.warnings.push(format!("#{at}: path does not start with '/'; read as /{path}"));
            format!("/{path}")
        };
        let item_servers = self.servers(item_obj.get("servers"), &format!("{at}/servers"))?;
        let item_params = self.parameters(item_obj.get("parameters"), &format!("{at}/parameters"))?;
        for method in METHODS {
            let Some(op) = item_obj.get(method) else { continue };
            let op_at = format!("{at}/{method}");
            let Value::Object(op_obj) = op else {
                return Err(self.err(&op_at, "an operation must be an object"));
            };
            let mut parameters = item_params.clone();
            for param in self.parameters(op_obj.get("parameters"), &format!("{op_at}/parameters"))? {
                parameters.retain(|p| !(p.location == param.location && same_param_name(p, &param.name)));
                parameters.push(param);
            }
            let request_body = match op_obj.get("requestBody") {
                Some(body) => {
                    let body_at = format!("{op_at}/requestBody");
                    match self.deref(body, &body_at)? {
                        Some((body, body_at)) => {
                            self.content(body.get("content"), &format!("{body_at}/content"))?
                        }
                        None => BTreeMap::new(),
                    }
                }
                None => BTreeMap::new(),
            };
            let mut responses = BTreeMap::new();
            match op_obj.get("responses") {
                None => {}
                Some(Value::Object(map)) => {
                    for (code, response) in map {
                        let response_at = format!("{op_at}/responses/{}", escape_pointer(code));
                        let content = match self.deref(response, &response_at)? {
                            Some((response, response_at)) => {
                                self.content(response.get("content"), &format!("{response_at}/content"))?
                            }
                            // An external response: unknown content, so allow anything.
                            None => BTreeMap::from([("*/*".to_owned(), Value::Object(Map::new()))]),
                        };
                        // `2xx` and `2XX` mean the same range; `default` stays as written.
                        let key = if code.eq_ignore_ascii_case("default") {
                            "default".to_owned()
                        } else {
                            code.to_ascii_uppercase()
                        };
                        responses.insert(key, content);
                    }
                }
                Some(_) => return Err(self.err(&format!("{op_at}/responses"), "must be an object")),
            }
            let op_servers = self.servers(op_obj.get("servers"), &format!("{op_at}/servers"))?;
            let servers: &[ServerBase] = if !op_servers.is_empty() {
                &op_servers
            } else if !item_servers.is_empty() {
                &item_servers
            } else {
                root_servers
            };
            let security = self
                .security(op_obj.get("security"), &format!("{op_at}/security"))
                .or_else(|| root_security.clone());
            for (base_path, hosts) in group_servers(servers) {
                operations.push(SpecOperation {
                    method: method.to_ascii_uppercase(),
                    template: format!("{base_path}{path}"),
                    hosts,
                    deprecated: op_obj.get("deprecated").and_then(Value::as_bool).unwrap_or(false),
                    operation_id: op_obj.get("operationId").and_then(Value::as_str).map(str::to_owned),
                    parameters: parameters.clone(),
                    request_body: request_body.clone(),
                    responses: responses.clone(),
                    security: security.clone(),
                });
            }
        }
        Ok(())
    }
}

fn same_param_name(param: &SpecParameter, name: &str) -> bool {
    if param.location == ParamLocation::Header {
        param.name.eq_ignore_ascii_case(name)
    } else {
        param.name == name
    }
}

/// Base paths with the hosts they serve; an empty host list means any host.
fn group_servers(servers: &[ServerBase]) -> Vec<(String, Vec<String>)> {
    if servers.is_empty() {
        return vec![(String::new(), Vec::new())];
    }
    let mut groups: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new();
    for server in servers {
        let entry = groups.entry(server.base_path.clone()).or_insert_with(|| Some(BTreeSet::new()));
        match (&server.host, entry.as_mut()) {
            (Some(host), Some(hosts)) => {
                hosts.insert(host.clone());
            }
            // A relative server URL serves whichever host the spec is served from: any host.
            (None, _) => *entry = None,
            (Some(_), None) => {}
        }
    }
    groups
        .into_iter()
        .map(|(base, hosts)| (base, hosts.map(|h| h.into_iter().collect()).unwrap_or_default()))
        .collect()
}

/// Replace `{name}` with the variable's default; `Err(name)` when a variable has none.
fn expand_server_url(url: &str, variables: Option<&Value>) -> Result<String, String> {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        match variables.and_then(|v| v.get(name)).and_then(|v| v.get("default")).and_then(Value::as_str) {
            Some(default) => out.push_str(default),
            None => return Err(name.to_owned()),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn split_server_url(url: &str) -> ServerBase {
    let url = url.trim();
    let (scheme, authority_and_path) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), Some(rest)),
        None => match url.strip_prefix("//") {
            Some(rest) => (None, Some(rest)),
            None => (None, None),
        },
    };
    let (host, path) = match authority_and_path {
        Some(rest) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            (normalize_host(authority, scheme.as_deref()), &rest[end..])
        }
        None => (None, url),
    };
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let trimmed = path.trim_matches('/');
    let base_path = if trimmed.is_empty() { String::new() } else { format!("/{trimmed}") };
    ServerBase { host, base_path }
}

/// Lower-case, without a default port; `None` when empty.
pub(crate) fn normalize_host(host: &str, scheme: Option<&str>) -> Option<String> {
    let host = host.trim().to_ascii_lowercase();
    let host = match (host.rsplit_once(':'), scheme) {
        (Some((name, "443")), Some("https") | None) | (Some((name, "80")), Some("http") | None) => {
            name.to_owned()
        }
        _ => host,
    };
    (!host.is_empty()).then_some(host)
}

pub(crate) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `$ref` fragments are URI fragments: `%7B` must become `{` before the pointer is followed.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Every declared template with the host it is scoped to (`None` = any host), without duplicates.
pub fn declared_templates(specs: &[SpecDocument]) -> Vec<(Option<String>, String)> {
    let mut out = BTreeSet::new();
    for op in specs.iter().flat_map(|s| &s.operations) {
        if op.hosts.is_empty() {
            out.insert((None, op.template.clone()));
        } else {
            for host in &op.hosts {
                out.insert((Some(host.clone()), op.template.clone()));
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_split_into_host_and_base_path() {
        let s = split_server_url("https://API.bank.example:443/v1/");
        assert_eq!(s, ServerBase { host: Some("api.bank.example".into()), base_path: "/v1".into() });
        let s = split_server_url("/open-banking/v3.1?x=1");
        assert_eq!(s, ServerBase { host: None, base_path: "/open-banking/v3.1".into() });
        let s = split_server_url("http://sandbox.bank.example:8080");
        assert_eq!(
            s,
            ServerBase { host: Some("sandbox.bank.example:8080".into()), base_path: String::new() }
        );
    }

    #[test]
    fn templated_server_urls_use_variable_defaults() {
        let vars =
            serde_json::json!({"scheme": {"default": "https"}, "host": {"default": "api.bank.example"}});
        assert_eq!(
            expand_server_url("{scheme}://{host}/v2", Some(&vars)).unwrap(),
            "https://api.bank.example/v2"
        );
        assert_eq!(expand_server_url("https://{region}.bank.example", Some(&vars)), Err("region".into()));
    }

    #[test]
    fn relative_servers_make_a_base_path_apply_to_any_host() {
        let servers = vec![
            ServerBase { host: Some("a.example".into()), base_path: "/v1".into() },
            ServerBase { host: None, base_path: "/v1".into() },
            ServerBase { host: Some("b.example".into()), base_path: "/v2".into() },
        ];
        assert_eq!(
            group_servers(&servers),
            vec![("/v1".to_owned(), vec![]), ("/v2".to_owned(), vec!["b.example".to_owned()])]
        );
    }

    #[test]
    fn percent_encoded_refs_decode() {
        assert_eq!(percent_decode("/paths/~1a~1%7Bid%7D"), "/paths/~1a~1{id}");
        assert_eq!(percent_decode("/bad%zz%"), "/bad%zz%");
        assert_eq!(percent_decode("/signed%+1"), "/signed%+1");
    }
}
