//! API7 Server Side Request Forgery: every parameter that takes a URL (by format or name) is
//! pointed at the scanner's own callback listener with a token naming the operation and
//! parameter; a hit proves the target fetched it. Query parameters are tested in read-only
//! scans; body fields need `--allow-writes`.

use std::time::Duration;

use rampart_core::{OwaspApi2023, ParamLocation, Severity};
use serde_json::Value;

use crate::callback::CallbackServer;
use crate::context::{Context, NewFinding, finding_id};
use crate::plan::Operation;

/// How long a planted URL may take to be fetched after the answer.
const CALLBACK_PATIENCE: Duration = Duration::from_secs(2);

const URL_WORDS: [&str; 12] = [
    "url", "uri", "callback", "webhook", "redirect", "link", "endpoint", "image", "avatar", "feed", "target",
    "dest",
];

fn takes_url(name: &str, schema: &Value) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(schema.get("format").and_then(Value::as_str), Some("uri" | "url" | "uri-reference"))
        || URL_WORDS.iter().any(|w| n.contains(w))
}

pub async fn run(ctx: &mut Context, callback: Option<&CallbackServer>) {
    if !ctx.wants("ssrf") {
        return;
    }
    let operations = ctx.operations.clone();
    let users = ctx.users();
    let identity = users.first().cloned();
    for op in &operations {
        let query: Vec<String> = op
            .parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Query && takes_url(&p.name, &p.schema))
            .map(|p| p.name.clone())
            .collect();
        let body_fields: Vec<String> = op
            .body
            .as_ref()
            .and_then(|b| b.schema.get("properties"))
            .and_then(Value::as_object)
            .map(|props| props.iter().filter(|(k, s)| takes_url(k, s)).map(|(k, _)| k.clone()).collect())
            .unwrap_or_default();
        if query.is_empty() && body_fields.is_empty() {
            continue;
        }
        let label = op.label();
        if !ctx.begin("ssrf", OwaspApi2023::Api7, &label) {
            continue;
        }
        let Some(callback) = callback else {
            ctx.skip(if ctx.client.is_dry_run() { "dry run" } else { "no callback listener" });
            continue;
        };
        for (location, name) in
            query.iter().map(|q| ("query", q)).chain(body_fields.iter().map(|b| ("body", b)))
        {
            if location == "body" && !op.is_read() && !ctx.allow_writes {
                ctx.skip("read-only scan: body fields need --allow-writes");
                continue;
            }
            probe(ctx, op, identity.as_ref(), callback, location, name).await;
        }
    }
    ctx.end();
}

async fn probe(
    ctx: &mut Context,
    op: &Operation,
    identity: Option<&crate::identities::Identity>,
    callback: &CallbackServer,
    location: &str,
    name: &str,
) {
    let label = op.label();
    let token = finding_id("ssrf", &label, Some(name));
    let url = callback.url(&token);
    let values = identity.map(|i| crate::checks::pool_values(ctx, &i.name, op)).unwrap_or_default();
    let mut instance = ctx.instance(identity.map(|i| i.name.as_str()), op, &values);
    if location == "query" {
        instance.query.retain(|(k, _)| k != name);
        instance.query.push((name.to_string(), url.clone()));
    } else if let Some(Value::Object(body)) = instance.body.as_mut() {
        body.insert(name.to_string(), Value::String(url.clone()));
    }
    let request = instance.request(&op.method).header("accept", "application/json");
    let Ok((response, exchange)) = ctx.send_as(identity, request).await else { return };
    let hits = callback.wait_for(&token, CALLBACK_PATIENCE).await;
    if let Some(hit) = hits.first() {
        ctx.report(
            NewFinding::new("ssrf", OwaspApi2023::Api7, Severity::High, &label, "The server fetches URLs the client supplies")
                .parameter(format!("{location}.{name}"))
                .identities(&identity.map(|i| vec![i.name.as_str()]).unwrap_or_default())
                .description(format!(
                    "{label} was given {location} parameter `{name}` = {url}; the target then requested {} {} from the scanner's listener (from {}). It will as readily fetch internal addresses and cloud metadata.",
                    hit.method, hit.path, hit.from
                ))
                .evidence(format!("callback hit: {} {} (answer {})", hit.method, hit.path, response.status.as_u16()))
                .exchange(exchange)
                .fix("Fetch only allowlisted hosts over https; resolve the name and refuse private, loopback, link-local and metadata addresses (after redirects too); send outbound calls through an egress proxy.")
                .cwe(918),
        );
    }
}
