//! API4 Unrestricted Resource Consumption: page-size and batch parameters taken far beyond
//! their declared bound (or beyond any sane one), bodies of megabytes accepted, and a bounded
//! burst on an ordinary read answered without a single 429.

use std::time::Duration;

use http::Method;
use rampart_core::{OwaspApi2023, ParamLocation, Severity};
use serde_json::Value;

use crate::checks::success_baseline;
use crate::context::{Context, NewFinding};
use crate::plan;

/// Query parameters that size an answer.
const SIZE_NAMES: [&str; 14] = [
    "limit",
    "size",
    "pagesize",
    "perpage",
    "count",
    "max",
    "top",
    "take",
    "first",
    "pagelimit",
    "maxresults",
    "rows",
    "batchsize",
    "results",
];

/// The value asked for: far above any page size a bank API should serve.
const HUGE: u64 = 100_000;

/// Bytes of the oversized body.
const OVERSIZED: usize = 2 * 1024 * 1024 + 1;

pub async fn run(ctx: &mut Context) {
    if ctx.wants("page-size") {
        page_size(ctx).await;
    }
    if ctx.wants("regex-dos") {
        regex_dos(ctx).await;
    }
    if ctx.wants("oversized-body") {
        oversized(ctx).await;
    }
    if ctx.wants("rate-limit") {
        burst(ctx).await;
    }
}

fn items(value: &Value) -> usize {
    match value {
        Value::Array(a) => a.len(),
        Value::Object(map) => map.values().filter_map(|v| v.as_array()).map(Vec::len).max().unwrap_or(0),
        _ => 0,
    }
}

async fn page_size(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|o| o.method == Method::GET) {
        let Some((identity, baseline)) =
            users.iter().find_map(|u| success_baseline(ctx, u, op).map(|b| (u.clone(), b.clone())))
        else {
            continue;
        };
        let label = op.label();
        let sizes: Vec<_> = op
            .parameters
            .iter()
            .filter(|p| {
                p.location == ParamLocation::Query && SIZE_NAMES.contains(&plan::normalise(&p.name).as_str())
            })
            .cloned()
            .collect();
        for param in sizes {
            if !ctx.begin("page-size", OwaspApi2023::Api4, &label) {
                continue;
            }
            let declared_max = param.schema.get("maximum").and_then(Value::as_u64);
            let mut instance = baseline.instance.clone();
            instance.query.retain(|(k, _)| *k != param.name);
            instance.query.push((param.name.clone(), HUGE.to_string()));
            let Ok((response, exchange)) = ctx
                .send_as(Some(&identity), instance.request(&op.method).header("accept", "application/json"))
                .await
            else {
                continue;
            };
            if !response.is_success() {
                continue;
            }
            let base_items = baseline.response.json().map(|v| items(&v)).unwrap_or(0);
            let huge_items = response.json().map(|v| items(&v));
            let proof = match (declared_max, huge_items) {
                (Some(max), Some(n)) if n as u64 > max => {
                    Some(format!("{n} items where the spec allows at most {max}"))
                }
                (Some(max), _) => Some(format!(
                    "{}={HUGE} accepted (status {}) where the spec declares maximum {max}",
                    param.name,
                    response.status.as_u16()
                )),
                (None, Some(n)) if n > 1000 || (n > base_items && n > 200) => {
                    Some(format!("{n} items in one answer (default page: {base_items})"))
                }
                (None, None) if response.truncated => {
                    Some(format!("an answer larger than the read cap (default page: {base_items} items)"))
                }
                _ => None,
            };
            if let Some(proof) = proof {
                ctx.report(
                NewFinding::new("unbounded-page-size", OwaspApi2023::Api4, Severity::Medium, &label, "Page size is not bounded")
                    .parameter(format!("query.{}", param.name))
                    .identities(&[&identity.name])
                    .description(format!("{label} took {}={HUGE}: {proof}. One request can make the server read and serialise without limit.", param.name))
                    .evidence(proof)
                    .exchange(exchange)
                    .fix("Enforce a maximum page size on the server (reject or clamp above it, e.g. 100) and declare it in the spec (`maximum`).")
                    .cwe(770),
            );
            }
        }
    }
    ctx.end();
}

async fn oversized(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|o| {
        matches!(o.method, Method::POST | Method::PUT | Method::PATCH)
            && o.body.as_ref().is_some_and(|b| !b.form)
    }) {
        let label = op.label();
        if !ctx.begin("oversized-body", OwaspApi2023::Api4, &label) {
            continue;
        }
        if !ctx.allow_writes {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        let Some(user) = users.first().cloned() else { continue };
        let values = crate::checks::pool_values(ctx, &user.name, op);
        let mut instance = ctx.instance(Some(&user.name), op, &values);
        // The longest free-text string field carries the weight, so the body stays valid.
        let Some(Value::Object(body)) = instance.body.as_mut() else { continue };
        // Never a pattern- or format-checked field: a 2 MiB value there tests the regex engine
        // (see regex-dos), and can hang a server for minutes.
        let free_text = |k: &str| {
            body_schema_of(op, k).is_none_or(|s| s.get("pattern").is_none() && s.get("format").is_none())
                && !k.to_ascii_lowercase().contains("email")
        };
        let field = body
            .iter()
            .filter(|(k, v)| {
                v.is_string()
                    && free_text(k)
                    && !k.to_ascii_lowercase().contains("id")
                    && !k.to_ascii_lowercase().contains("currency")
            })
            .map(|(k, _)| k.clone())
            .find(|k| {
                ["reference", "description", "note", "memo", "name", "comment", "message"]
                    .iter()
                    .any(|w| k.to_ascii_lowercase().contains(w))
            })
            .or_else(|| body.iter().find(|(k, v)| v.is_string() && free_text(k)).map(|(k, _)| k.clone()));
        let Some(field) = field else {
            ctx.skip("no string field to enlarge");
            continue;
        };
        body.insert(field.clone(), Value::String("A".repeat(OVERSIZED)));
        let request = instance.request(&op.method).header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send_as(Some(&user), request).await else { continue };
        if response.is_success() {
            ctx.report(
                NewFinding::new("oversized-body-accepted", OwaspApi2023::Api4, Severity::Medium, &label, "Request bodies of megabytes are accepted")
                    .parameter(format!("body.{field}"))
                    .identities(&[&user.name])
                    .description(format!("{label} accepted a {} MiB body ({field} of {OVERSIZED} characters) with status {}.", OVERSIZED / (1024 * 1024), response.status.as_u16()))
                    .evidence(format!("{OVERSIZED}-byte {field} → {}", response.status.as_u16()))
                    .exchange(exchange)
                    .fix("Cap request bodies (e.g. 64 KiB for JSON APIs, 413 above) at the gateway and the service, and declare maxLength on strings.")
                    .cwe(770),
            );
        }
    }
    ctx.end();
}

/// The schema of top-level body property `name` of `op`.
fn body_schema_of<'a>(op: &'a crate::plan::Operation, name: &str) -> Option<&'a Value> {
    op.body.as_ref()?.schema.get("properties")?.get(name)
}

/// Characters of the catastrophic-backtracking probe: a run a nested quantifier can split in
/// exponentially many ways, then a character that makes the match fail.
const REDOS_RUN: usize = 27;

/// Fields checked by a regular expression (a `pattern`, an email format or name) given a value
/// that makes backtracking engines explode: a slow answer (or none) where the plain value is fast.
async fn regex_dos(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in &operations {
        let fields: Vec<String> = op
            .body
            .as_ref()
            .and_then(|b| b.schema.get("properties"))
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .filter(|(k, s)| {
                        s.get("type").and_then(Value::as_str).is_none_or(|t| t == "string")
                            && (s.get("pattern").is_some()
                                || s.get("format").and_then(Value::as_str) == Some("email")
                                || k.to_ascii_lowercase().contains("email"))
                    })
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        if fields.is_empty() {
            continue;
        }
        let label = op.label();
        if !ctx.begin("regex-dos", OwaspApi2023::Api4, &label) {
            continue;
        }
        if !op.is_read() && !ctx.allow_writes {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        let Some(user) = users.first().cloned() else { continue };
        let values = crate::checks::pool_values(ctx, &user.name, op);
        let instance = ctx.instance(Some(&user.name), op, &values);
        let Ok((plain, _)) = ctx.send_as(Some(&user), instance.request(&op.method)).await else { continue };
        let deadline = ctx.client.config().timeout;
        for field in fields {
            let mut evil = instance.clone();
            if let Some(Value::Object(body)) = evil.body.as_mut() {
                body.insert(field.clone(), Value::String(format!("{}!", "a".repeat(REDOS_RUN))));
            }
            let request = evil.request(&op.method).header("accept", "application/json");
            let (result, exchange) = ctx.client.exchange(&user.apply(request)).await;
            let slow = match &result {
                Ok(response) => response.elapsed >= plain.elapsed + Duration::from_millis(2500),
                Err(crate::client::SendError::Timeout(_)) => true,
                Err(_) => false,
            };
            if !slow {
                continue;
            }
            // Control: the plain value is still fast afterwards (the target is not just slow).
            let Ok((again, _)) = ctx.send_as(Some(&user), instance.request(&op.method)).await else {
                continue;
            };
            if again.elapsed >= plain.elapsed + Duration::from_millis(1000) {
                continue;
            }
            let took = match &result {
                Ok(response) => format!("{} ms", response.elapsed.as_millis()),
                Err(_) => format!("no answer within {} ms", deadline.as_millis()),
            };
            ctx.report(
                NewFinding::new("regex-dos", OwaspApi2023::Api4, Severity::Medium, &label, "A crafted value makes the server's regular expression backtrack for seconds")
                    .parameter(format!("body.{field}"))
                    .identities(&[&user.name])
                    .description(format!(
                        "{field} = {REDOS_RUN} × `a` then `!` took {took}; the plain value took {} ms before and {} ms after. A handful of such requests ties up every worker (ReDoS).",
                        plain.elapsed.as_millis(),
                        again.elapsed.as_millis()
                    ))
                    .evidence(format!("crafted value: {took}; plain: {} ms", plain.elapsed.as_millis()))
                    .exchange(exchange)
                    .fix("Validate with linear-time matchers (RE2, Rust's regex) or simple parsers, bound input length before matching, and avoid nested quantifiers.")
                    .cwe(1333),
            );
            break;
        }
    }
    ctx.end();
}

/// Requests in the burst on an ordinary read.
const BURST: usize = 30;

async fn burst(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    let Some((op, identity, baseline)) =
        operations.iter().filter(|o| o.method == Method::GET && o.secured != Some(false)).find_map(|op| {
            users
                .iter()
                .find_map(|u| success_baseline(ctx, u, op).map(|b| (op.clone(), u.clone(), b.clone())))
        })
    else {
        return;
    };
    let label = op.label();
    if !ctx.begin("rate-limit", OwaspApi2023::Api4, &label) {
        return;
    }
    let mut limited = false;
    let mut answered = 0;
    for _ in 0..BURST {
        let Ok((response, _)) = ctx.send_as(Some(&identity), baseline.instance.request(&op.method)).await
        else {
            break;
        };
        answered += 1;
        if response.status.as_u16() == 429
            || response.header("ratelimit-remaining").is_some()
            || response.header("x-ratelimit-remaining").is_some()
        {
            limited = true;
            break;
        }
    }
    if !limited && answered == BURST {
        ctx.report(
            NewFinding::new("no-rate-limit", OwaspApi2023::Api4, Severity::Low, &label, "No rate limit seen on a burst")
                .identities(&[&identity.name])
                .description(format!(
                    "{BURST} requests in a row from one identity (at the scan's rate cap of {} per second) were all answered, with no 429 and no rate-limit headers.",
                    ctx.client.config().rate
                ))
                .evidence(format!("{BURST} requests, no 429"))
                .fix("Rate-limit per identity and per client (at the gateway), answer 429 with Retry-After, and publish the limits (RateLimit headers).")
                .cwe(770),
        );
    }
    ctx.end();
}
