//! API8 Security Misconfiguration: CORS that trusts any origin, missing security headers and
//! version banners, verbose errors and stack traces (watched on every response of the scan and
//! provoked with malformed input), TRACE, and the TLS of HTTPS targets.

use std::time::Duration;

use http::Method;
use rampart_core::{OwaspApi2023, Severity};
use serde_json::Value;

use crate::checks::{stack_trace, success_baseline};
use crate::client::{Request, Response};
use crate::context::{Context, NewFinding};
use crate::model::RecordedExchange;
use crate::plan::{self, encode_component};

const PROBE_ORIGIN: &str = "https://rampart-cors-probe.example";

/// Looks at every response the scan gets: a stack trace anywhere is a finding on the
/// operation being tested.
pub fn observe(ctx: &mut Context, request: &Request, response: &Response, exchange: &RecordedExchange) {
    // Named by the request itself: a test of one operation may read others (read-backs, probes).
    let requested = ctx.operation_of(&request.method, &request.path_and_query);
    if let Some(operation) = &requested {
        note_headers(ctx, operation, response, exchange);
    }
    let text = response.text();
    let Some(what) = stack_trace(&text) else { return };
    let Some(operation) = requested.or_else(|| ctx.current_operation()) else { return };
    let operation = operation.split(" as ").next().unwrap_or(&operation).to_string();
    ctx.report(
        NewFinding::new("verbose-error", OwaspApi2023::Api8, Severity::Medium, &operation, "Error responses disclose a stack trace")
            .description(format!(
                "A response of {operation} (status {}) carries {what}: internal paths, frameworks and code structure an attacker uses to aim further attacks.",
                response.status.as_u16()
            ))
            .evidence(format!("{what} in a {} response", response.status.as_u16()))
            .exchange(exchange.clone())
            .fix("Answer errors with a generic problem document (RFC 9457) and a correlation id; log the details server-side only.")
            .cwe(209),
    );
}

pub async fn run(ctx: &mut Context) {
    if ctx.wants("cors") {
        cors(ctx).await;
    }
    if ctx.wants("trace") {
        trace(ctx).await;
    }
    if ctx.wants("verbose-error") {
        provoke_errors(ctx).await;
    }
    if ctx.wants("tls") && ctx.client.target().https {
        tls(ctx).await;
    }
}

/// What a response lacks (security headers) and the version banner it carries.
fn header_facts(response: &Response, https: bool) -> (Vec<&'static str>, Option<String>) {
    let mut missing = Vec::new();
    let json = response.content_type().contains("json");
    if json && !response.header("x-content-type-options").is_some_and(|v| v.eq_ignore_ascii_case("nosniff")) {
        missing.push("X-Content-Type-Options: nosniff");
    }
    if https && response.header("strict-transport-security").is_none() {
        missing.push("Strict-Transport-Security");
    }
    if response.is_success()
        && json
        && !response.header("cache-control").is_some_and(|v| v.contains("no-store") || v.contains("private"))
    {
        missing.push("Cache-Control: no-store");
    }
    let banner = ["server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version"]
        .iter()
        .filter_map(|name| response.header(name).map(|v| (name, v)))
        .find(|(_, v)| v.chars().any(|c| c.is_ascii_digit()))
        .map(|(name, v)| format!("{name}: {v}"));
    (missing, banner)
}

/// Notes the headers of an answer to a spec operation (first telling answer per operation).
fn note_headers(ctx: &mut Context, operation: &str, response: &Response, exchange: &RecordedExchange) {
    if ctx.header_notes.contains_key(operation) {
        return;
    }
    let operation = operation.to_string();
    let (missing, banner) = header_facts(response, ctx.client.target().https);
    if !missing.is_empty() || banner.is_some() {
        ctx.header_notes.insert(operation, (missing, banner, exchange.clone()));
    }
}

/// Reports the headers noted over the whole scan: no requests of its own.
pub fn finish(ctx: &mut Context) {
    if !ctx.wants("security-headers") {
        return;
    }
    // Only the operations under test: a probe of a path that does not exist says nothing.
    let known: std::collections::BTreeSet<String> = ctx.operations.iter().map(|o| o.label()).collect();
    let mut notes = std::mem::take(&mut ctx.header_notes);
    notes.retain(|label, _| known.contains(label));
    if !ctx.begin("security-headers", OwaspApi2023::Api8, "*") {
        return;
    }
    for (label, (missing, banner, exchange)) in notes {
        if !missing.is_empty() {
            ctx.report(
                NewFinding::new("missing-security-headers", OwaspApi2023::Api8, Severity::Low, &label, "Security headers missing from responses")
                    .description(format!("{label} answers without {}.", missing.join(", ")))
                    .evidence(format!("missing: {}", missing.join(", ")))
                    .exchange(exchange.clone())
                    .fix("Send X-Content-Type-Options: nosniff and Cache-Control: no-store on API responses, and HSTS over HTTPS (at the gateway if the service cannot).")
                    .cwe(693),
            );
        }
        if let Some(banner) = banner {
            ctx.report(
                NewFinding::new("server-version-disclosed", OwaspApi2023::Api8, Severity::Low, &label, "Responses disclose server software and version")
                    .description(format!("{label} answers with `{banner}`: the exact version tells an attacker which known vulnerabilities to try."))
                    .evidence(banner)
                    .exchange(exchange)
                    .fix("Remove version banners (Server, X-Powered-By) at the server or the gateway.")
                    .cwe(200),
            );
        }
    }
    ctx.end();
}

async fn cors(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|op| op.method == Method::GET) {
        let identity = users.iter().find(|u| success_baseline(ctx, u, op).is_some()).cloned();
        let Some(identity) = identity else { continue };
        let Some(baseline) = success_baseline(ctx, &identity, op).cloned() else { continue };
        let label = op.label();
        if !ctx.begin("cors", OwaspApi2023::Api8, &label) {
            continue;
        }
        let request = baseline
            .instance
            .request(&op.method)
            .header("origin", PROBE_ORIGIN)
            .header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send_as(Some(&identity), request).await else { continue };
        let allowed = response.header("access-control-allow-origin").unwrap_or("").to_string();
        let credentials = response
            .header("access-control-allow-credentials")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if allowed == PROBE_ORIGIN {
            let severity = if credentials { Severity::High } else { Severity::Medium };
            ctx.report(
                NewFinding::new("cors-any-origin", OwaspApi2023::Api8, severity, &label, "CORS allows any origin to read the response")
                    .parameter("header.Origin")
                    .identities(&[&identity.name])
                    .description(format!(
                        "{label} echoed the untrusted Origin `{PROBE_ORIGIN}` in Access-Control-Allow-Origin{}: any web site a customer visits can call this API in their name and read the answer.",
                        if credentials { " with Access-Control-Allow-Credentials: true" } else { "" }
                    ))
                    .evidence(format!("Access-Control-Allow-Origin: {allowed}"))
                    .evidence(format!("Access-Control-Allow-Credentials: {credentials}"))
                    .exchange(exchange)
                    .fix("Allow only the bank's own web origins (an exact allowlist); never reflect the Origin header, and never combine a wildcard with credentials.")
                    .cwe(942),
            );
        }
    }
    ctx.end();
}

async fn trace(ctx: &mut Context) {
    if !ctx.begin("trace", OwaspApi2023::Api8, "TRACE /") {
        return;
    }
    let path =
        ctx.baselines.values().next().map(|b| b.instance.path.clone()).unwrap_or_else(|| "/".to_string());
    let request = Request::new(Method::TRACE, path).header("x-rampart-trace-probe", "rampart");
    if let Ok((response, exchange)) = ctx.send(&request).await
        && response.is_success()
        && (response.text().contains("x-rampart-trace-probe")
            || response.text().contains("X-Rampart-Trace-Probe"))
    {
        ctx.report(
            NewFinding::new("trace-enabled", OwaspApi2023::Api8, Severity::Medium, "TRACE /", "TRACE is enabled and echoes the request")
                .description("A TRACE request was answered 200 with the request echoed back, headers included: cross-site tracing can read credentials (Authorization, cookies) that scripts otherwise cannot.")
                .evidence(format!("TRACE answered {} and echoed a probe header", response.status.as_u16()))
                .exchange(exchange)
                .fix("Disable TRACE (and TRACK) at the server and the gateway; answer 405.")
                .cwe(693),
        );
    }
    ctx.end();
}

/// Malformed input on every operation: wrong types, broken JSON, unexpected characters.
async fn provoke_errors(ctx: &mut Context) {
    let users = ctx.users();
    let identity = users.first().cloned();
    let operations = ctx.operations.clone();
    for op in &operations {
        if !ctx.operation_alive(&op.label()) {
            continue;
        }
        let label = op.label();
        if !ctx.begin("verbose-error", OwaspApi2023::Api8, &label) {
            continue;
        }
        if op.method == Method::GET && !op.is_read() {
            ctx.skip("a GET that changes state (its path names the action) is not probed");
            continue;
        }
        let base = identity
            .as_ref()
            .and_then(|i| ctx.baselines.get(&(i.name.clone(), label.clone())))
            .map(|b| b.instance.clone())
            .unwrap_or_else(|| plan::instantiate(op, &Default::default(), &mut ctx.generator));
        let mut probes: Vec<Request> = Vec::new();
        // Each declared query parameter with a value of the wrong kind.
        for param in op.parameters.iter().filter(|p| p.location == rampart_core::ParamLocation::Query) {
            let wrong = match param.schema.get("type").and_then(Value::as_str) {
                Some("integer") | Some("number") => "rampart-not-a-number",
                _ if param.schema.get("enum").is_some() => "rampart_not_an_option",
                _ => "%%rampart%%",
            };
            let mut instance = base.clone();
            instance.query.retain(|(k, _)| k != &param.name);
            instance.query.push((param.name.clone(), wrong.to_string()));
            probes.push(instance.request(&op.method));
        }
        // A path parameter that is nothing like an id.
        if op.has_path_params()
            && let Some((name, value)) = base.path_values.iter().next()
        {
            let path = base.path.replacen(&encode_component(value), &encode_component("rampart%00'\"<>"), 1);
            let _ = name;
            probes.push(Request::new(op.method.clone(), path));
        }
        // A body that is not JSON: nothing can be created from it, so read-only scans send it too.
        if op.body.as_ref().is_some_and(|b| !b.form) {
            probes.push(
                Request::new(op.method.clone(), base.path_and_query())
                    .raw_body("application/json", "{\"rampart\": [1, 2,"),
            );
        }
        for probe in probes.into_iter().take(4) {
            let _ = ctx.send_as(identity.as_ref(), probe.header("accept", "application/json")).await;
        }
    }
    ctx.end();
}

async fn tls(ctx: &mut Context) {
    if !ctx.begin("tls", OwaspApi2023::Api8, "TLS") {
        return;
    }
    let (host, port) = (ctx.client.target().host.clone(), ctx.client.target().port);
    match crate::tls::inspect(&host, port, Duration::from_secs(10)).await {
        Ok(facts) => {
            if let Some(problem) = facts.certificate_problem {
                ctx.report(
                    NewFinding::new("tls-certificate-invalid", OwaspApi2023::Api8, Severity::High, "TLS", "The TLS certificate is not trusted for this host")
                        .description(format!("The certificate of {host}:{port} does not verify against the public roots: {problem}. Clients that accept it can be intercepted."))
                        .evidence(problem)
                        .fix("Serve a certificate from a trusted CA, valid for the host name and not expired, with its full chain.")
                        .cwe(295),
                );
            }
            if !facts.tls13 {
                ctx.report(
                    NewFinding::new("tls13-not-supported", OwaspApi2023::Api8, Severity::Low, "TLS", "TLS 1.3 is not offered")
                        .description(format!("{host}:{port} completed no TLS 1.3 handshake (TLS 1.2: {}).", facts.tls12))
                        .fix("Enable TLS 1.3 beside 1.2; disable 1.0 and 1.1 (not tested here: rustls does not speak them).")
                        .cwe(326),
                );
            }
        }
        Err(e) => ctx.skip(&format!("TLS handshake failed: {e}")),
    }
    ctx.end();
}
