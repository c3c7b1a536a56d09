//! Operations: declared responses (errors, rate limiting, CORS), parameters (numeric IDs,
//! credentials and sensitive data in URLs, URL-taking parameters), servers, old versions.

use std::collections::HashMap;

use rampart_core::{SensitiveCategory, Severity};

use super::security::credential_flow;
use super::{At, Ctx, METHODS};

pub fn check(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    let root = ctx.root();
    servers(ctx, &root, true);
    let global_security = root.child(doc, "security").is_some_and(|s| !doc.items(s.node).is_empty());
    if let Some(components) = root.child(doc, "components")
        && let Some(parameters) = components.child(doc, "parameters")
    {
        for (_, parameter) in parameters.children(doc) {
            check_parameter(ctx, &parameter);
        }
    }
    let Some(paths) = root.child(doc, "paths") else { return };
    let mut path_names = Vec::new();
    for (path_name, item) in paths.children(doc) {
        path_names.push((path_name, item.clone()));
        let item = ctx.deref_or_self(&item);
        servers(ctx, &item, false);
        if let Some(parameters) = item.child(doc, "parameters") {
            for parameter in parameters.items(doc) {
                check_parameter(ctx, &parameter);
            }
        }
        for (method, op) in item.children(doc) {
            if !METHODS.contains(&method) || !doc.is_map(op.node) {
                continue;
            }
            servers(ctx, &op, false);
            if let Some(parameters) = op.child(doc, "parameters") {
                for parameter in parameters.items(doc) {
                    check_parameter(ctx, &parameter);
                }
            }
            let secured = match op.child(doc, "security") {
                Some(own) => !doc.items(own.node).is_empty(),
                None => global_security,
            };
            if let Some(responses) = op.child(doc, "responses") {
                check_responses(ctx, path_name, method, &responses, secured, false);
            }
            // Callbacks: requests the API makes to its clients. Spectral checks their
            // responses like any other; so do we, at `info`.
            if let Some(callbacks) = op.child(doc, "callbacks") {
                for (_, callback) in callbacks.children(doc) {
                    let callback = ctx.deref_or_self(&callback);
                    for (expression, cb_item) in callback.children(doc) {
                        for (cb_method, cb_op) in cb_item.children(doc) {
                            if METHODS.contains(&cb_method)
                                && let Some(responses) = cb_op.child(doc, "responses")
                            {
                                check_responses(ctx, expression, cb_method, &responses, false, true);
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(webhooks) = root.child(doc, "webhooks") {
        for (name, item) in webhooks.children(doc) {
            let item = ctx.deref_or_self(&item);
            for (method, op) in item.children(doc) {
                if METHODS.contains(&method)
                    && let Some(responses) = op.child(doc, "responses")
                {
                    check_responses(ctx, name, method, &responses, false, true);
                }
            }
        }
    }
    superseded_versions(ctx, &path_names);
}

fn servers<'a>(ctx: &mut Ctx<'a>, parent: &At<'a>, root: bool) {
    let doc = ctx.doc;
    let Some(servers) = parent.child(doc, "servers") else { return };
    for server in servers.items(doc) {
        if let Some(url_at) = server.child(doc, "url") {
            let url = doc.as_str(url_at.node).unwrap_or("");
            if url.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")) {
                let host = url.get(7..).unwrap_or("").split(['/', ':']).next().unwrap_or("");
                let local = matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0")
                    || host.ends_with(".localhost");
                ctx.report(
                    "server-plain-http",
                    local.then_some(Severity::Low),
                    &url_at,
                    format!("server {url} uses plain http"),
                );
            }
        }
        if !root {
            continue;
        }
        if server.child(doc, "x-internal").is_none() {
            ctx.report(
                "server-audience-undeclared",
                None,
                &server,
                "server does not declare `x-internal: true|false`".to_string(),
            );
        }
        // Spectral's words, matched anywhere (as it does), and a few more matched as words
        // (`live` must not match "Delivery").
        const ENVIRONMENTS: [&str; 9] =
            ["local", "sandbox", "alpha", "beta", "test", "stag", "prod", "next", "preprod"];
        const ENVIRONMENT_WORDS: [&str; 5] = ["dev", "development", "uat", "live", "qa"];
        match server.child(doc, "description") {
            Some(description) => {
                let text = doc.as_str(description.node).unwrap_or("").to_ascii_lowercase();
                let named = ENVIRONMENTS.iter().any(|env| text.contains(env))
                    || text
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| ENVIRONMENT_WORDS.contains(&w));
                if !named {
                    ctx.report(
                        "server-environment-undeclared",
                        None,
                        &description,
                        "server description does not name its environment".to_string(),
                    );
                }
            }
            None => ctx.report(
                "server-environment-undeclared",
                None,
                &server,
                "server has no description naming its environment".to_string(),
            ),
        }
    }
}

/// Names that hold credentials (the Spectral OWASP list, plus a few spellings it misses).
fn is_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "token",
        "password",
        "passwd",
        "secret",
        "apikey",
        "api-key",
        "api_key",
        "sessionid",
        "session_id",
        "credential",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

fn is_id_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || ["_id", "Id", "-id", "ID"].iter().any(|s| name.ends_with(s))
}

fn is_url_name(name: &str) -> bool {
    name.starts_with("callback")
        || name.starts_with("redirect")
        || ["_url", "Url", "-url", "URL", "_uri", "Uri", "webhook", "Webhook"]
            .iter()
            .any(|s| name.ends_with(s))
}

fn check_parameter<'a>(ctx: &mut Ctx<'a>, parameter: &At<'a>) {
    let doc = ctx.doc;
    // A `$ref` parameter is checked where it is defined (components.parameters).
    if doc.has(parameter.node, "$ref") {
        return;
    }
    let Some(name_at) = parameter.child(doc, "name") else { return };
    let Some(name) = doc.as_str(name_at.node) else { return };
    let place = doc.get_str(parameter.node, "in").unwrap_or("");
    let in_url = place == "query" || place == "path";

    if is_id_name(name)
        && let Some(schema) = parameter.child(doc, "schema")
        && let Some(schema) = ctx.deref(&schema)
        && has_type(ctx, schema.node, "integer")
    {
        let severity = if place == "path" { None } else { Some(Severity::Low) };
        ctx.report(
            "numeric-id-parameter",
            severity,
            &schema,
            format!("{place} parameter `{name}` is a sequential integer identifier"),
        );
    }
    if is_id_name(name)
        && let Some(schema) = parameter.child(doc, "schema")
        && let Some(schema) = ctx.deref(&schema)
        && has_type(ctx, schema.node, "string")
        && digits_only(ctx, parameter, &schema)
    {
        let severity = if place == "path" { None } else { Some(Severity::Low) };
        ctx.report(
            "numeric-id-parameter",
            severity,
            &schema,
            format!("{place} parameter `{name}` is a string of digits (pattern or example): enumerable like a sequential number"),
        );
    }
    if in_url && is_credential_name(name) {
        ctx.report(
            "credentials-in-url",
            None,
            &name_at,
            format!("credential `{name}` is sent in the {place}"),
        );
    } else if in_url
        && let Some((kind, label)) = super::sensitive_name(name)
        && kind.category() != SensitiveCategory::Secret
    {
        let severity = (kind.category() == SensitiveCategory::Personal).then_some(Severity::Low);
        ctx.report_with(
            "sensitive-data-in-url",
            severity,
            &name_at,
            format!("{place} parameter `{name}` carries {label} data"),
            vec![format!("name suggests {label}")],
        );
    }
    if is_url_name(name) {
        ctx.report("url-parameter-ssrf", None, &name_at, format!("{place} parameter `{name}` takes a URL"));
    }
}

/// An identifier made only of digits: its pattern says so (`^\\d{8}$`, `^[0-9]+$`), or
/// its example is all digits.
fn digits_only<'a>(ctx: &Ctx<'a>, parameter: &At<'a>, schema: &At<'a>) -> bool {
    let doc = ctx.doc;
    if doc.has(schema.node, "format") || doc.has(schema.node, "enum") {
        return false;
    }
    if let Some(pattern) = doc.get_str(schema.node, "pattern") {
        let mut rest = pattern.trim_start_matches('^').trim_end_matches('$');
        let mut saw_digit_class = false;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("\\d").or_else(|| rest.strip_prefix("[0-9]")) {
                saw_digit_class = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('+').or_else(|| rest.strip_prefix('*')) {
                rest = r;
            } else if rest.starts_with('{') {
                let Some(end) = rest.find('}') else { return false };
                if !rest[1..end].bytes().all(|b| b.is_ascii_digit() || b == b',') {
                    return false;
                }
                rest = &rest[end + 1..];
            } else {
                return false;
            }
        }
        return saw_digit_class;
    }
    let example = doc.get(parameter.node, "example").or_else(|| doc.get(schema.node, "example"));
    example
        .and_then(|e| doc.as_str(e))
        .is_some_and(|e| !e.is_empty() && e.len() <= 20 && e.bytes().all(|b| b.is_ascii_digit()))
}

/// Does the schema declare `type: T` (or `type: [T, …]` in 3.1)?
pub fn has_type(ctx: &Ctx<'_>, schema: crate::doc::NodeId, wanted: &str) -> bool {
    let doc = ctx.doc;
    match doc.get(schema, "type") {
        Some(t) => match doc.as_str(t) {
            Some(s) => s == wanted,
            None => doc.items(t).iter().any(|i| doc.as_str(*i) == Some(wanted)),
        },
        None => false,
    }
}

fn has_header(ctx: &Ctx<'_>, headers: &At<'_>, name: &str) -> bool {
    ctx.doc.entries(headers.node).iter().any(|e| e.key.eq_ignore_ascii_case(name))
}

/// A declared response code: where to report that it lacks content (the response itself,
/// where it is defined), or that it is missing (the `responses` map).
enum Declared<'a> {
    WithContent,
    WithoutContent(At<'a>),
    Missing,
}

fn declared<'a>(ctx: &mut Ctx<'a>, codes: &[(&'a str, At<'a>)], code: &str) -> Declared<'a> {
    let doc = ctx.doc;
    let Some((_, response)) = codes.iter().find(|(c, _)| *c == code) else { return Declared::Missing };
    let resolved = ctx.deref_or_self(response);
    if doc.get(resolved.node, "content").is_some_and(|c| doc.truthy(c)) {
        Declared::WithContent
    } else {
        Declared::WithoutContent(resolved)
    }
}

fn check_responses<'a>(
    ctx: &mut Ctx<'a>,
    path_name: &str,
    method: &str,
    responses: &At<'a>,
    secured: bool,
    callback: bool,
) {
    let doc = ctx.doc;
    if !doc.is_map(responses.node) {
        return;
    }
    let upper = method.to_ascii_uppercase();
    let codes: Vec<(&'a str, At<'a>)> = responses.children(doc);
    let has = |code: &str| codes.iter().any(|(c, _)| c.eq_ignore_ascii_case(code));
    let sensitive_flow = !callback && credential_flow(path_name);
    let sev = |default: Option<Severity>| if callback { Some(Severity::Info) } else { default };

    for (code, rule, default) in [
        ("401", "no-401-response", (!secured).then_some(Severity::Info)),
        ("500", "no-500-response", None),
        ("429", "no-429-response", sensitive_flow.then_some(Severity::Medium)),
    ] {
        let why = if code == "429" && sensitive_flow {
            " (an authentication flow: brute force and credential stuffing)"
        } else {
            ""
        };
        match declared(ctx, &codes, code) {
            Declared::WithContent => {}
            Declared::Missing => ctx.report(
                rule,
                sev(default),
                responses,
                format!("{upper} {path_name} declares no {code} response{why}"),
            ),
            Declared::WithoutContent(at) => ctx.report(
                rule,
                sev(default),
                &at,
                format!("the {code} response of {upper} {path_name} has no content{why}"),
            ),
        }
    }
    if !(has("400") || has("422") || has("4XX")) {
        ctx.report(
            "no-validation-error-response",
            sev(None),
            responses,
            format!("{upper} {path_name} declares no 400, 422 or 4XX response"),
        );
    }
    if !codes.iter().any(|(c, _)| c.starts_with('4') || c.eq_ignore_ascii_case("default")) {
        ctx.report(
            "no-error-responses",
            sev(None),
            responses,
            format!("{upper} {path_name} declares no error response (no 4xx, no default)"),
        );
    } else if secured && !(has("403") || has("4XX") || has("default")) {
        ctx.report(
            "no-403-response",
            None,
            responses,
            format!("{upper} {path_name} is secured but declares no 403 response"),
        );
    }

    for (code, response) in &codes {
        let Some(response) = ctx.deref(response) else { continue };
        let headers = response.child(doc, "headers").filter(|h| doc.is_map(h.node));
        if code.starts_with('2') || code.starts_with('4') {
            let limited = headers.as_ref().is_some_and(|h| {
                has_header(ctx, h, "RateLimit")
                    || (has_header(ctx, h, "RateLimit-Limit") && has_header(ctx, h, "RateLimit-Reset"))
                    || has_header(ctx, h, "X-RateLimit-Limit")
                    || has_header(ctx, h, "X-Rate-Limit-Limit")
            });
            if !limited {
                let at = headers.clone().unwrap_or_else(|| response.clone());
                ctx.report(
                    "rate-limit-headers-missing",
                    sev(None),
                    &at,
                    format!("{code} response declares no rate-limit headers"),
                );
            }
        }
        if *code == "429" && !headers.as_ref().is_some_and(|h| has_header(ctx, h, "Retry-After")) {
            let at = headers.clone().unwrap_or_else(|| response.clone());
            ctx.report(
                "retry-after-missing",
                sev(None),
                &at,
                "429 response declares no Retry-After header".to_string(),
            );
        }
        if let Some(headers) = &headers
            && !has_header(ctx, headers, "Access-Control-Allow-Origin")
        {
            ctx.report(
                "cors-origin-undefined",
                sev(None),
                headers,
                format!("{code} response headers do not declare Access-Control-Allow-Origin"),
            );
        }
    }
}

/// `/v1/accounts` declared beside `/v2/accounts`.
fn superseded_versions<'a>(ctx: &mut Ctx<'a>, paths: &[(&'a str, At<'a>)]) {
    fn split_version(path: &str) -> Option<(u32, String)> {
        let mut segments = path.split('/');
        let mut before = Vec::new();
        for segment in segments.by_ref() {
            if let Some(digits) = segment.strip_prefix('v').or_else(|| segment.strip_prefix('V'))
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
            {
                let version: u32 = digits.parse().ok()?;
                let rest: Vec<String> = segments
                    .map(|s| if s.starts_with('{') { "{}".to_string() } else { s.to_string() })
                    .collect();
                return Some((version, format!("{}/*/{}", before.join("/"), rest.join("/"))));
            }
            before.push(segment.to_string());
        }
        None
    }
    let mut newest: HashMap<String, u32> = HashMap::new();
    let versioned: Vec<(u32, String, &At<'a>, &str)> = paths
        .iter()
        .filter_map(|(name, at)| split_version(name).map(|(v, key)| (v, key, at, *name)))
        .collect();
    for (version, key, _, _) in &versioned {
        let entry = newest.entry(key.clone()).or_insert(*version);
        *entry = (*entry).max(*version);
    }
    for (version, key, at, name) in versioned {
        let Some(&latest) = newest.get(&key) else { continue };
        if version >= latest {
            continue;
        }
        // Operations all marked deprecated: already announced.
        let doc = ctx.doc;
        let ops: Vec<_> = doc.entries(at.node).iter().filter(|e| METHODS.contains(&&*e.key)).collect();
        let all_deprecated = !ops.is_empty()
            && ops.iter().all(|e| doc.get(e.value, "deprecated").is_some_and(|d| doc.truthy(d)));
        if !all_deprecated {
            ctx.report(
                "superseded-version-path",
                None,
                at,
                format!("{name} (v{version}) is still declared beside v{latest} and not marked deprecated"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_words_are_words() {
        let doc = crate::load::parse(
            "openapi: 3.0.0\nservers:\n- {url: 'https://a', description: Delivery (gated), x-internal: false}\n- {url: 'https://b', description: Live API, x-internal: false}\n",
        )
        .expect("yaml");
        let (findings, _, _) =
            super::super::run(&doc, crate::Version::V30, "s.yaml", &crate::AuditConfig::default());
        let lines: Vec<u32> = findings
            .iter()
            .filter(|f| f.rule == "server-environment-undeclared")
            .filter_map(|f| f.location.as_ref().map(|l| l.line))
            .collect();
        assert_eq!(lines, vec![3]);
    }

    #[test]
    fn names() {
        assert!(is_id_name("userId") && is_id_name("id") && is_id_name("account_id") && !is_id_name("valid"));
        assert!(
            is_credential_name("access_token") && is_credential_name("apiKey") && !is_credential_name("page")
        );
        assert!(is_url_name("callbackUrl") && is_url_name("redirect_uri") && is_url_name("image_url"));
        assert!(!is_url_name("curl") && !is_url_name("name"));
    }
}
