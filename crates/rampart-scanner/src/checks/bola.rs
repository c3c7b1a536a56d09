//! API1 Broken Object Level Authorization: identity B asks for identity A's objects, by the IDs
//! A's own answers carried; B changes or deletes an object A just created (with
//! `--allow-writes`); and IDs next to known ones are tried (enumeration), which also works
//! with a single identity.

use std::collections::BTreeMap;

use http::Method;
use rampart_core::{OwaspApi2023, Severity};
use serde_json::Value;

use crate::checks::auth::sensitive_kinds;
use crate::checks::{has_content, same_document, success_baseline};
use crate::context::{Context, NewFinding};
use crate::identities::Identity;
use crate::plan::{self, Operation};
use crate::scan::template_params;

pub async fn run(ctx: &mut Context) {
    if ctx.wants("bola") {
        read(ctx).await;
    }
    if ctx.wants("bola-write") {
        write(ctx).await;
    }
}

async fn read(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|op| op.method == Method::GET && op.has_path_params()) {
        let label = op.label();
        let Some((owner, baseline)) =
            users.iter().find_map(|u| success_baseline(ctx, u, op).map(|b| (u.clone(), b.clone())))
        else {
            continue;
        };
        if !ctx.begin("bola", OwaspApi2023::Api1, &label) {
            continue;
        }
        let values: Vec<String> = baseline.instance.path_values.values().cloned().collect();
        let mut found = false;
        for other in users.iter().filter(|u| u.name != owner.name) {
            // An object both can see (a shared reference, a currency code) proves nothing.
            let shared =
                ctx.pools.get(&other.name).is_some_and(|pool| values.iter().all(|v| pool.contains_value(v)));
            if shared {
                continue;
            }
            let request = baseline.instance.request(&op.method).header("accept", "application/json");
            let Ok((response, exchange)) = ctx.send_as(Some(other), request.clone()).await else { continue };
            if !(response.is_success()
                && has_content(&response)
                && same_document(&response, &baseline.response))
            {
                continue;
            }
            // Control: a public object (or an operation with no auth at all) is not BOLA.
            let Ok((anonymous, _)) = ctx.send(&request).await else { continue };
            if anonymous.is_success() {
                continue;
            }
            let sensitive = sensitive_kinds(&response.body);
            ctx.report(
                NewFinding::new("bola-read", OwaspApi2023::Api1, if sensitive.is_empty() { Severity::High } else { Severity::Critical }, &label, "Another user's object can be read")
                    .parameter(format!("path.{}", baseline.instance.path_values.keys().next().cloned().unwrap_or_default()))
                    .identities(&[&owner.name, &other.name])
                    .description(format!(
                        "{} asked for {}'s object ({}) and got it: status {}, the same document {} gets{}.",
                        other.name,
                        owner.name,
                        baseline.instance.path,
                        response.status.as_u16(),
                        owner.name,
                        if sensitive.is_empty() { String::new() } else { format!(", with {}", sensitive.join(", ")) }
                    ))
                    .evidence(format!("{} → {} for {}'s {}", other.name, response.status.as_u16(), owner.name, baseline.instance.path))
                    .evidence(format!("without credentials: {}", anonymous.status.as_u16()))
                    .exchange(baseline.exchange.clone())
                    .exchange(exchange)
                    .fix("Check on every request that the caller owns (or may see) the object named in the path, in the data layer (e.g. `WHERE owner_id = :caller`), not only that they are logged in.")
                    .cwe(639),
            );
            found = true;
            break;
        }
        if !found {
            enumerate(ctx, op, &owner, &baseline.instance).await;
        }
    }
    ctx.end();
}

/// Numeric IDs one either side of the owner's: an answer with the same kind of document is
/// someone else's object.
async fn enumerate(ctx: &mut Context, op: &Operation, owner: &Identity, instance: &plan::Instance) {
    let Some((param, value)) =
        instance.path_values.iter().find(|(_, v)| v.len() <= 18 && v.parse::<u64>().is_ok())
    else {
        return;
    };
    let Ok(number) = value.parse::<u64>() else { return };
    let Some(baseline) = success_baseline(ctx, owner, op).cloned() else { return };
    let width = value.len();
    for delta in [1i64, -1, 2, -2] {
        let Some(candidate) = number.checked_add_signed(delta) else { continue };
        let candidate = format!("{candidate:0width$}");
        if ctx.pools.values().any(|pool| pool.contains_value(&candidate)) {
            continue;
        }
        let mut values: BTreeMap<String, String> = instance.path_values.clone();
        values.insert(param.clone(), candidate.clone());
        let probe = plan::instantiate(op, &values, &mut ctx.generator);
        let request = probe.request(&op.method).header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send_as(Some(owner), request.clone()).await else { continue };
        if !(response.is_success() && has_content(&response) && same_document(&response, &baseline.response))
        {
            continue;
        }
        if response.body == baseline.response.body {
            // The same answer for any id: the parameter is ignored, not an object of someone else.
            continue;
        }
        let Ok((anonymous, _)) = ctx.send(&request).await else { continue };
        if anonymous.is_success() {
            continue;
        }
        ctx.report(
            NewFinding::new("bola-enumeration", OwaspApi2023::Api1, Severity::High, &op.label(), "Objects of other users can be reached by guessing IDs")
                .parameter(format!("path.{param}"))
                .identities(&[&owner.name])
                .description(format!(
                    "{} owns {param} {value}; {param} {candidate}, which none of the scan's identities owns, answered {} with the same kind of document.",
                    owner.name,
                    response.status.as_u16()
                ))
                .evidence(format!("{param} {candidate} → {}", response.status.as_u16()))
                .exchange(exchange)
                .fix("Authorize every object access against the caller; use unguessable identifiers (UUIDv4) as a second line, not the first.")
                .cwe(639),
        );
        return;
    }
}

/// The operation that creates objects of the collection `op` acts on (`POST /beneficiaries`
/// for `DELETE /beneficiaries/{id}`).
pub fn creator<'a>(operations: &'a [Operation], op: &Operation) -> Option<&'a Operation> {
    let collection = op.template.rsplit_once('/').map(|(c, _)| c)?;
    operations.iter().find(|o| o.method == Method::POST && o.template == collection && o.body.is_some())
}

/// Creates an object as `identity` and returns the id the answer gave it (by the item
/// parameter's name, or `id`).
pub async fn create_object(
    ctx: &mut Context,
    creator: &Operation,
    identity: &Identity,
    param: &str,
) -> Option<(String, crate::model::RecordedExchange)> {
    let instance = ctx.instance(Some(&identity.name), creator, &BTreeMap::new());
    let request = instance.request(&creator.method).header("accept", "application/json");
    let (response, exchange) = ctx.send_as(Some(identity), request).await.ok()?;
    if !response.is_success() {
        return None;
    }
    let json = response.json()?;
    let mut pool = plan::ValuePool::default();
    pool.harvest(creator, &json);
    let wanted = plan::normalise(param);
    let by_name = json
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| plan::normalise(k) == wanted).map(|(_, v)| v.clone()));
    let id = by_name.or_else(|| json.get("id").cloned())?;
    match id {
        Value::String(s) => Some((s, exchange)),
        Value::Number(n) => Some((n.to_string(), exchange)),
        _ => None,
    }
}

async fn write(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|op| {
        matches!(op.method, Method::DELETE | Method::PUT | Method::PATCH) && op.has_path_params()
    }) {
        let label = op.label();
        if !ctx.begin("bola-write", OwaspApi2023::Api1, &label) {
            continue;
        }
        if !ctx.allow_writes {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        let (Some(owner), Some(other)) = (users.first().cloned(), users.get(1).cloned()) else {
            ctx.skip("needs two ordinary identities");
            continue;
        };
        let Some(creator) = creator(&operations, op).cloned() else {
            ctx.skip("no operation creates the object to act on");
            continue;
        };
        let params = template_params(&op.template);
        let Some(param) = params.last().cloned() else { continue };
        let Some((id, created)) = create_object(ctx, &creator, &owner, &param).await else {
            ctx.skip("could not create an object to act on");
            continue;
        };
        let mut values = BTreeMap::new();
        values.insert(param.clone(), id.clone());
        let instance = plan::instantiate(op, &values, &mut ctx.generator);
        let request = instance.request(&op.method).header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send_as(Some(&other), request.clone()).await else { continue };
        if response.is_success() {
            ctx.report(
                NewFinding::new("bola-write", OwaspApi2023::Api1, Severity::Critical, &label, "Another user's object can be changed or deleted")
                    .parameter(format!("path.{param}"))
                    .identities(&[&owner.name, &other.name])
                    .description(format!(
                        "{} created object {id} with {}; {} sent {} {} and got {}.",
                        owner.name,
                        creator.label(),
                        other.name,
                        op.method,
                        instance.path,
                        response.status.as_u16()
                    ))
                    .evidence(format!("{} {} as {} → {}", op.method, instance.path, other.name, response.status.as_u16()))
                    .exchange(created)
                    .exchange(exchange)
                    .fix("Check object ownership on every write and delete, in the same query that changes the row.")
                    .cwe(639),
            );
        } else if op.method == Method::DELETE {
            // Leave the target as found: the owner removes the test object.
            let _ = ctx.send_as(Some(&owner), request).await;
        }
    }
    ctx.end();
}
