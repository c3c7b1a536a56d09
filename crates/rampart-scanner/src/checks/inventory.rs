//! API9 Improper Inventory Management: other versions of documented paths (`/v1` beside
//! `/v2`) and undocumented paths (admin consoles, debug and health endpoints, API docs) that
//! still answer. A control request to a path that cannot exist tells what "not here" looks
//! like on this target (some gateways answer 200 or 401 for everything).

use std::collections::{BTreeMap, BTreeSet};

use http::Method;
use rampart_core::{OwaspApi2023, Severity};

use crate::checks::{has_content, same_document, success_baseline};
use crate::client::{Request, Response};
use crate::context::{Context, NewFinding};

/// Undocumented paths worth asking for, with how bad an answer is.
const PROBES: [(&str, Severity); 24] = [
    ("/admin", Severity::Medium),
    ("/internal", Severity::Medium),
    ("/internal/health", Severity::Low),
    ("/internal/status", Severity::Low),
    ("/internal/metrics", Severity::Medium),
    ("/internal/config", Severity::High),
    ("/debug", Severity::Medium),
    ("/debug/vars", Severity::Medium),
    ("/debug/pprof/", Severity::Medium),
    ("/actuator", Severity::Medium),
    ("/actuator/env", Severity::High),
    ("/actuator/heapdump", Severity::High),
    ("/metrics", Severity::Low),
    ("/health", Severity::Info),
    ("/status", Severity::Info),
    ("/server-status", Severity::Medium),
    ("/.env", Severity::High),
    ("/config.json", Severity::Medium),
    ("/swagger.json", Severity::Low),
    ("/openapi.json", Severity::Low),
    ("/v3/api-docs", Severity::Low),
    ("/api-docs", Severity::Low),
    ("/graphql", Severity::Low),
    ("/console", Severity::Medium),
];

pub async fn run(ctx: &mut Context) {
    if ctx.wants("old-versions") {
        superseded(ctx);
        versions(ctx).await;
    }
    if ctx.wants("undocumented") {
        shadow_operations(ctx).await;
        undocumented(ctx).await;
    }
}

/// Declared operations of an older version (a `/v2` twin exists, or the spec marks them
/// deprecated) that still answer: from the crawl, no requests of its own.
fn superseded(ctx: &mut Context) {
    let operations = ctx.operations.clone();
    let mut found = Vec::new();
    for op in operations.iter().filter(|o| !o.undocumented) {
        let segments: Vec<&str> = op.template.split('/').collect();
        let version = segments.iter().enumerate().find_map(|(i, s)| version_of(s).map(|v| (i, v)));
        let newer = version.and_then(|(position, current)| {
            operations.iter().find(|other| {
                let theirs: Vec<&str> = other.template.split('/').collect();
                theirs.len() == segments.len()
                    && other.method == op.method
                    && version_of(theirs[position]).is_some_and(|v| v > current)
                    && theirs.iter().zip(&segments).enumerate().all(|(i, (a, b))| {
                        i == position || a == b || (a.starts_with('{') && b.starts_with('{'))
                    })
            })
        });
        if newer.is_none() && !op.deprecated {
            continue;
        }
        let label = op.label();
        let answered = ctx
            .baselines
            .iter()
            .find(|((_, l), b)| *l == label && b.response.is_success())
            .map(|((who, _), b)| (who.clone(), b.clone()));
        let Some((who, baseline)) = answered else { continue };
        let why = match newer {
            Some(newer) => format!("superseded by {}", newer.template),
            None => "marked deprecated in the spec".to_string(),
        };
        found.push(
            NewFinding::new("old-api-version", OwaspApi2023::Api9, Severity::Medium, &label, "An old API version is still served")
                .identities(&[&who])
                .description(format!("{label} is {why}, yet it still answered {} to {who}. Old versions keep old weaknesses and escape review.", baseline.response.status.as_u16()))
                .evidence(format!("{why}; {who} got {}", baseline.response.status.as_u16()))
                .exchange(baseline.exchange.clone())
                .fix("Retire superseded versions (410 Gone at the gateway after a published sunset), or keep them to the current version's standard.")
                .cwe(1059),
        );
    }
    if ctx.begin("old-versions", OwaspApi2023::Api9, "declared") {
        for finding in found {
            ctx.report(finding);
        }
    }
    ctx.end();
}

/// Operations seen in traffic that no spec declares (shadow endpoints): proven to answer here.
async fn shadow_operations(ctx: &mut Context) {
    let operations: Vec<_> = ctx.operations.iter().filter(|o| o.undocumented).cloned().collect();
    if operations.is_empty() {
        return;
    }
    let users = ctx.users();
    let user = users.first().cloned();
    let control = not_found_control(ctx, user.as_ref()).await;
    for op in operations {
        let label = op.label();
        if !ctx.begin("undocumented", OwaspApi2023::Api9, &label) {
            continue;
        }
        // An answer from the crawl, or (writes only with --allow-writes) an empty body.
        let mut answer = ctx
            .baselines
            .iter()
            .find(|((_, l), b)| *l == label && b.response.is_success())
            .map(|((who, _), b)| (who.clone(), b.response.clone(), b.exchange.clone()));
        if answer.is_none() && !op.is_read() {
            if !ctx.allow_writes {
                ctx.skip("read-only scan: needs --allow-writes");
                continue;
            }
            let values =
                user.as_ref().map(|u| crate::checks::pool_values(ctx, &u.name, &op)).unwrap_or_default();
            let instance = ctx.instance(user.as_ref().map(|u| u.name.as_str()), &op, &values);
            let request = Request::new(op.method.clone(), instance.path_and_query())
                .json(&serde_json::json!({}))
                .header("accept", "application/json");
            if let Ok((response, exchange)) = ctx.send_as(user.as_ref(), request).await
                && !matches!(response.status.as_u16(), 404 | 405 | 501)
                && control.as_ref().is_none_or(|c| c.status != response.status)
            {
                answer =
                    Some((user.as_ref().map(|u| u.name.clone()).unwrap_or_default(), response, exchange));
            }
        }
        let Some((who, response, exchange)) = answer else { continue };
        let ordinary = users.iter().any(|u| u.name == who);
        let severity = if ordinary && response.is_success() && op.looks_admin() {
            Severity::Medium
        } else {
            Severity::Low
        };
        ctx.report(
            NewFinding::new("undocumented-endpoint", OwaspApi2023::Api9, severity, &label, "An endpoint outside the spec answers")
                .identities(&[&who])
                .description(format!(
                    "{label} was seen in traffic but no spec declares it; it answered {} to {who} here. Undocumented endpoints escape review, testing and gateway policy.",
                    response.status.as_u16()
                ))
                .evidence(format!("{label} → {} for {who}", response.status.as_u16()))
                .exchange(exchange)
                .fix("Add the endpoint to the spec (and so to review, tests and gateway validation), or remove it.")
                .cwe(1059),
        );
    }
    ctx.end();
}

/// `v2` → 2 for a path segment that names a version.
fn version_of(segment: &str) -> Option<u32> {
    let digits = segment.strip_prefix('v').or_else(|| segment.strip_prefix('V'))?;
    digits.parse().ok()
}

async fn not_found_control(
    ctx: &mut Context,
    identity: Option<&crate::identities::Identity>,
) -> Option<Response> {
    let path = format!("/rampart-no-such-path-{}", ctx.seed % 1_000_000);
    ctx.send_as(identity, Request::new(Method::GET, path).header("accept", "application/json"))
        .await
        .ok()
        .map(|(r, _)| r)
}

async fn versions(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    let declared: BTreeSet<String> = operations.iter().map(|o| o.template.clone()).collect();
    // Templates by their version-free form: `/accounts/{accountId}` → [(2, op)].
    let mut tried = BTreeSet::new();
    for op in operations.iter().filter(|o| o.method == Method::GET) {
        let segments: Vec<&str> = op.template.split('/').collect();
        let Some(position) = segments.iter().position(|s| version_of(s).is_some()) else { continue };
        let Some(current) = version_of(segments[position]) else { continue };
        let Some((identity, baseline)) =
            users.iter().find_map(|u| success_baseline(ctx, u, op).map(|b| (u.clone(), b.clone())))
        else {
            continue;
        };
        for other in (0..=current + 1).filter(|v| *v != current) {
            let mut alt = segments.clone();
            let name = format!("v{other}");
            alt[position] = &name;
            let template = alt.join("/");
            if declared.contains(&template) || !tried.insert(template.clone()) {
                continue;
            }
            let label = format!("GET {template}");
            if !ctx.begin("old-versions", OwaspApi2023::Api9, &label) {
                continue;
            }
            // The same concrete path with only the version segment changed.
            let mut concrete: Vec<String> = baseline.instance.path.split('/').map(String::from).collect();
            if concrete.get(position).and_then(|s| version_of(s)) != Some(current) {
                ctx.skip("the concrete path does not carry the version where the template does");
                continue;
            }
            concrete[position] = name.clone();
            let path = concrete.join("/");
            let mut request = Request::new(
                Method::GET,
                baseline.instance.path_and_query().replacen(&baseline.instance.path, &path, 1),
            );
            request = request.header("accept", "application/json");
            let Ok((response, exchange)) = ctx.send_as(Some(&identity), request).await else { continue };
            if response.is_success() && has_content(&response) {
                let like_current = same_document(&response, &baseline.response);
                ctx.report(
                    NewFinding::new("old-api-version", OwaspApi2023::Api9, Severity::Medium, &label, "An undocumented API version still answers")
                        .identities(&[&identity.name])
                        .description(format!(
                            "The spec documents {} but not {template}; {} asked {path} and got {}{}. Old versions keep old weaknesses and escape review.",
                            op.template,
                            identity.name,
                            response.status.as_u16(),
                            if like_current { ", the same kind of document" } else { "" }
                        ))
                        .evidence(format!("GET {path} → {}", response.status.as_u16()))
                        .exchange(exchange)
                        .fix("Retire superseded versions (410 Gone at the gateway after a published sunset), or document and secure them like the current one.")
                        .cwe(1059),
                );
            }
        }
    }
    ctx.end();
}

async fn undocumented(ctx: &mut Context) {
    let users = ctx.users();
    let identity = users.first().cloned();
    if !ctx.begin("undocumented", OwaspApi2023::Api9, "*") {
        return;
    }
    let Some(control) = not_found_control(ctx, identity.as_ref()).await else { return };
    let declared: BTreeSet<String> = ctx.operations.iter().map(|o| o.template.clone()).collect();
    // Under each documented prefix too (`/v2/admin`, `/api/internal`).
    let mut prefixes: BTreeSet<String> = BTreeSet::from([String::new()]);
    for template in &declared {
        if let Some(first) = template.split('/').nth(1).filter(|s| !s.starts_with('{') && !s.is_empty())
            && (version_of(first).is_some() || first == "api")
        {
            prefixes.insert(format!("/{first}"));
        }
    }
    let mut results: BTreeMap<String, (Severity, Response, crate::model::RecordedExchange)> = BTreeMap::new();
    for prefix in &prefixes {
        for (probe, severity) in PROBES {
            let path = format!("{prefix}{probe}");
            if declared.contains(&path) {
                continue;
            }
            ctx.focus = Some(format!("GET {path}"));
            let Ok((response, exchange)) =
                ctx.send_as(identity.as_ref(), Request::new(Method::GET, path.clone())).await
            else {
                continue;
            };
            let like_control = response.status == control.status
                && (response.body == control.body || same_document(&response, &control));
            if response.is_success() && has_content(&response) && !like_control {
                results.insert(path, (severity, response, exchange));
            }
        }
    }
    ctx.focus = None;
    for (path, (severity, response, exchange)) in results {
        let label = format!("GET {path}");
        ctx.report(
            NewFinding::new("undocumented-endpoint", OwaspApi2023::Api9, severity, &label, "An undocumented endpoint answers")
                .description(format!(
                    "{path} is not in the spec but answers {} with content ({} bytes), where a path that cannot exist answers {}.",
                    response.status.as_u16(),
                    response.body.len(),
                    control.status.as_u16()
                ))
                .evidence(format!("GET {path} → {}", response.status.as_u16()))
                .exchange(exchange)
                .fix("Inventory every route the service exposes; remove debug and internal endpoints from the public listener, or document and protect them.")
                .cwe(1059),
        );
    }
    ctx.end();
}
