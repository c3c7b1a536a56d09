//! API3 Broken Object Property Level Authorization: responses carrying sensitive fields the
//! spec does not declare, or full card numbers at all (excessive data exposure, no requests of
//! its own); and privileged properties (`role`, `isAdmin`, `status`, `balance` …) added to a
//! write and read back (mass assignment, with `--allow-writes`).

use std::collections::BTreeMap;

use rampart_core::{OwaspApi2023, SensitiveType, Severity};
use serde_json::{Value, json};

use crate::context::{Context, NewFinding};
use crate::evidence;
use crate::plan::Operation;

pub async fn run(ctx: &mut Context) {
    if ctx.wants("data-exposure") {
        exposure(ctx);
    }
    if ctx.wants("mass-assignment") {
        mass_assignment(ctx).await;
    }
}

/// Whether `pointer` (`/data/*/pan`) is declared by `schema`.
pub fn declared(schema: &Value, pointer: &str) -> bool {
    let mut current = vec![schema];
    for segment in pointer.split('/').filter(|s| !s.is_empty()) {
        let mut next = Vec::new();
        while let Some(s) = current.pop() {
            for combinator in ["allOf", "oneOf", "anyOf"] {
                if let Some(Value::Array(parts)) = s.get(combinator) {
                    current.extend(parts.iter());
                }
            }
            if segment == "*" {
                if let Some(items) = s.get("items") {
                    next.push(items);
                }
            } else if let Some(prop) = s.get("properties").and_then(|p| p.get(segment)) {
                next.push(prop);
            } else if let Some(extra) = s.get("additionalProperties").filter(|v| v.is_object()) {
                next.push(extra);
            }
        }
        if next.is_empty() {
            return false;
        }
        current = next;
    }
    true
}

fn exposure(ctx: &mut Context) {
    let mut found = Vec::new();
    let operations = ctx.operations.clone();
    let users = ctx.users();
    for op in &operations {
        let label = op.label();
        let Some((identity, baseline)) = users.iter().find_map(|u| {
            ctx.baselines
                .get(&(u.name.clone(), label.clone()))
                .filter(|b| b.response.is_success())
                .map(|b| (u.name.clone(), b))
        }) else {
            continue;
        };
        let Ok(detections) = evidence::classifier().scan_json(&baseline.response.body) else { continue };
        let mut undeclared = BTreeMap::new();
        let mut full_pans = Vec::new();
        let mut secrets = BTreeMap::new();
        for d in &detections {
            let rampart_sensitive::Location::Body { pointer } = &d.location else { continue };
            if d.kind == SensitiveType::CardNumber && !d.masked.is_empty() {
                full_pans.push(pointer.clone());
            }
            // Secrets no client needs back: passwords (hashes too) and private keys. Tokens
            // and API keys are left out, a login or key-management answer returns them by design.
            if matches!(
                d.kind,
                SensitiveType::Password
                    | SensitiveType::PrivateKey
                    | SensitiveType::AwsSecretKey
                    | SensitiveType::AzureSecret
                    | SensitiveType::GcpServiceAccount
            ) {
                secrets.entry(pointer.clone()).or_insert(d.kind.name());
            }
            let worth = matches!(
                d.kind.category(),
                rampart_core::SensitiveCategory::NationalId
                    | rampart_core::SensitiveCategory::Secret
                    | rampart_core::SensitiveCategory::Payment
            );
            if worth
                && let Some(schema) = &op.success_schema
                && !declared(schema, pointer)
            {
                undeclared.entry(pointer.clone()).or_insert(d.kind.name());
            }
        }
        if !secrets.is_empty() {
            let list: Vec<String> = secrets.iter().map(|(p, k)| format!("{p} ({k})")).collect();
            found.push(
                NewFinding::new("secret-in-response", OwaspApi2023::Api3, Severity::High, &label, "Responses carry passwords or private keys")
                    .identities(&[&identity])
                    .description(format!("{label} returns secrets no client needs: {}.", list.join(", ")))
                    .evidence(list.join(", "))
                    .exchange(baseline.exchange.clone())
                    .fix("Never serialise credentials: drop password (and hash) and key fields from every response model.")
                    .cwe(200),
            );
        }
        if !full_pans.is_empty() {
            found.push(
                NewFinding::new("full-card-number-exposed", OwaspApi2023::Api3, Severity::High, &label, "Full card numbers in responses")
                    .parameter(format!("body{}", full_pans[0]))
                    .identities(&[&identity])
                    .description(format!("{label} returns complete, Luhn-valid card numbers at {}: PCI DSS allows at most the first six and last four digits to be shown.", full_pans.join(", ")))
                    .evidence(format!("card numbers at {}", full_pans.join(", ")))
                    .exchange(baseline.exchange.clone())
                    .fix("Return a masked PAN (first 6 / last 4) or a token; fetch the full number only through a dedicated, audited operation if at all.")
                    .cwe(359),
            );
        }
        if !undeclared.is_empty() {
            let list: Vec<String> = undeclared.iter().map(|(p, k)| format!("{p} ({k})")).collect();
            found.push(
                NewFinding::new("excessive-data-exposure", OwaspApi2023::Api3, Severity::Medium, &label, "Responses carry sensitive fields the spec does not declare")
                    .identities(&[&identity])
                    .description(format!("{label} returns sensitive data the response schema does not declare: {}. Clients were not meant to get it.", list.join(", ")))
                    .evidence(list.join(", "))
                    .exchange(baseline.exchange.clone())
                    .fix("Serialise responses from an explicit allowlist of fields (a response DTO), not from the storage object; declare and review what is sent.")
                    .cwe(213),
            );
        }
    }
    if ctx.begin("data-exposure", OwaspApi2023::Api3, "*") {
        for finding in found {
            ctx.report(finding);
        }
    }
    ctx.end();
}

/// Properties a client should never set, with a value to try.
fn privileged_candidates() -> Vec<(&'static str, Value)> {
    vec![
        ("role", json!("admin")),
        ("isAdmin", json!(true)),
        ("admin", json!(true)),
        ("verified", json!(true)),
        ("isVerified", json!(true)),
        ("balance", json!(999999)),
        ("creditLimit", json!(999999)),
        ("status", json!("VERIFIED")),
        ("approved", json!(true)),
        ("kycStatus", json!("VERIFIED")),
        ("is_admin", json!(true)),
        ("is_verified", json!(true)),
        ("user_type", json!("admin")),
        ("userType", json!("admin")),
        ("account_balance", json!(999999)),
        ("credit", json!(999999)),
    ]
}

/// The objects in `json` that carry one of `markers` as a value (the top-level object too when
/// `top` — a write's own answer describes the written object).
fn objects_with<'a>(
    json: &'a Value,
    markers: &[String],
    top: bool,
) -> Vec<&'a serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    if top && let Value::Object(map) = json {
        out.push(map);
    }
    let mut stack = vec![(json, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > 8 {
            continue;
        }
        match value {
            Value::Object(map) => {
                if map.values().any(|v| v.as_str().is_some_and(|s| markers.iter().any(|m| m == s))) {
                    out.push(map);
                }
                stack.extend(map.values().map(|v| (v, depth + 1)));
            }
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    out
}

/// A value different from what the server chose, for a property the response declares.
fn other_value(schema: Option<&Value>, server: Option<&Value>) -> Option<Value> {
    if let Some(Value::Array(options)) = schema.and_then(|s| s.get("enum")) {
        return options.iter().find(|o| Some(*o) != server && !o.is_null()).cloned();
    }
    match server {
        Some(Value::Bool(b)) => Some(json!(!b)),
        Some(Value::Number(n)) => Some(json!(n.as_f64().unwrap_or(0.0) + 1000.0)),
        Some(Value::String(s)) if s.chars().all(|c| c.is_ascii_uppercase() || c == '_') => {
            Some(json!(if s == "VERIFIED" { "APPROVED" } else { "VERIFIED" }))
        }
        _ => None,
    }
}

async fn mass_assignment(ctx: &mut Context) {
    let operations = ctx.operations.clone();
    let Some(user) = ctx.users().first().cloned() else { return };
    for op in operations
        .iter()
        .filter(|o| matches!(o.method, http::Method::POST | http::Method::PUT | http::Method::PATCH))
    {
        let Some(body) = op.body.as_ref().filter(|b| !b.form) else { continue };
        let label = op.label();
        if !ctx.begin("mass-assignment", OwaspApi2023::Api3, &label) {
            continue;
        }
        if !ctx.allow_writes {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        let values = crate::checks::pool_values(ctx, &user.name, op);
        let instance = ctx.instance(Some(&user.name), op, &values);
        let Some(Value::Object(base_body)) = instance.body.clone() else { continue };
        let request_props: Vec<String> = body
            .schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        // First an ordinary write: what does the server set by itself?
        let request = instance.request(&op.method).header("accept", "application/json");
        let Ok((plain, _)) = ctx.send_as(Some(&user), request).await else { continue };
        if !plain.is_success() {
            ctx.skip(&format!("an ordinary write was refused ({})", plain.status.as_u16()));
            continue;
        }
        let plain_json = plain.json().unwrap_or(Value::Null);
        let response_props = op
            .success_schema
            .as_ref()
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut injected = serde_json::Map::new();
        // Properties the server answers with but the request does not declare.
        for (name, schema) in &response_props {
            if request_props.contains(name)
                || name.to_ascii_lowercase().ends_with("id")
                || name.to_ascii_lowercase().contains("date")
                || name.ends_with("At")
            {
                continue;
            }
            if let Some(value) = other_value(Some(schema), plain_json.get(name)) {
                injected.insert(name.clone(), value);
            }
        }
        for (name, value) in privileged_candidates() {
            if !request_props.iter().any(|p| p == name) && !injected.contains_key(name) {
                let value = other_value(None, plain_json.get(name)).unwrap_or(value);
                injected.insert(name.to_string(), value);
            }
        }
        // A fresh body (new generated names), so the second write is not a duplicate of the first.
        let mut with = ctx.instance(Some(&user.name), op, &values);
        let mut body_with = match with.body.take() {
            Some(Value::Object(fresh)) => fresh,
            _ => base_body.clone(),
        };
        for (k, v) in &injected {
            body_with.insert(k.clone(), v.clone());
        }
        // What identifies the stored object when it is read back elsewhere: the unique strings sent.
        let sent_markers: Vec<String> = body_with
            .values()
            .filter_map(Value::as_str)
            .filter(|s| s.len() >= 8 && (s.to_ascii_lowercase().contains("rampart") || s.contains("rmp")))
            .map(String::from)
            .collect();
        with.body = Some(Value::Object(body_with));
        let Ok((answer, exchange)) =
            ctx.send_as(Some(&user), with.request(&op.method).header("accept", "application/json")).await
        else {
            continue;
        };
        if !answer.is_success() {
            continue;
        }
        // Read back: the write's own answer, then the collections that list such objects.
        let mut read_backs: Vec<(Value, Option<crate::model::RecordedExchange>)> = Vec::new();
        if let Some(json) = answer.json() {
            read_backs.push((json, None));
        }
        let lists: Vec<Operation> = operations
            .iter()
            .filter(|o| o.method == http::Method::GET && o.is_read() && !o.has_path_params())
            .take(8)
            .cloned()
            .collect();
        let mut taken: Vec<String> = Vec::new();
        let mut proof = None;
        for source in 0.. {
            if source > 0 {
                let Some(list) = lists.get(source - 1) else { break };
                if sent_markers.is_empty() {
                    break;
                }
                let request = crate::client::Request::new(list.method.clone(), list.template.clone())
                    .header("accept", "application/json");
                let Ok((response, list_exchange)) = ctx.send_as(Some(&user), request).await else { continue };
                let Some(json) = response.json().filter(|_| response.is_success()) else { continue };
                read_backs.push((json, Some(list_exchange)));
            }
            let Some((json, list_exchange)) = read_backs.last() else { continue };
            for object in objects_with(json, &sent_markers, source == 0) {
                let here: Vec<String> = injected
                    .iter()
                    .filter(|(k, v)| {
                        object.get(k.as_str()) == Some(v) && plain_json.get(k.as_str()) != Some(v)
                    })
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                if !here.is_empty() {
                    taken = here;
                    proof = list_exchange.clone();
                    break;
                }
            }
            if !taken.is_empty() {
                break;
            }
        }
        if !taken.is_empty() {
            ctx.report(
                NewFinding::new("mass-assignment", OwaspApi2023::Api3, Severity::High, &label, "Privileged properties can be set by the client")
                    .parameter(format!("body.{}", taken[0].split('=').next().unwrap_or("")))
                    .identities(&[&user.name])
                    .description(format!(
                        "{} added {} to an ordinary {label} body and the stored object came back with them, where a plain write got the server's own values.",
                        user.name,
                        taken.join(", ")
                    ))
                    .evidence(format!("read back: {}", taken.join(", ")))
                    .exchanges(std::iter::once(exchange).chain(proof))
                    .fix("Bind request bodies to an explicit allowlist of client-writable fields (and reject unknown ones: additionalProperties: false); set status, roles and balances only on the server.")
                    .cwe(915),
            );
        }
    }
    ctx.end();
}
