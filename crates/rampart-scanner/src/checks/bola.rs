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

/// What identifies `identity` in documents: its login name and the ids its own profile
/// (`/me`, `/profile`, `/self`) returned, minus anything another identity shares.
pub fn markers(ctx: &Context, identity: &Identity) -> Vec<String> {
    let mine = |who: &Identity| -> Vec<String> {
        let mut out: Vec<String> = who.login_username.iter().cloned().collect();
        for ((name, label), baseline) in &ctx.baselines {
            let is_profile = label.rsplit('/').next().is_some_and(|last| {
                matches!(
                    last.to_ascii_lowercase().as_str(),
                    "me" | "profile" | "self" | "whoami" | "current" | "userinfo"
                )
            });
            if name != &who.name || !is_profile || !baseline.response.is_success() {
                continue;
            }
            if let Some(Value::Object(map)) = baseline.response.json() {
                for (key, value) in map {
                    let key = plan::normalise(&key);
                    let identifying = key.ends_with("id")
                        || key.contains("username")
                        || key.contains("email")
                        || key == "login";
                    match value {
                        Value::String(s) if identifying && s.len() >= 3 => out.push(s),
                        Value::Number(n) if identifying => out.push(n.to_string()),
                        _ => {}
                    }
                }
            }
        }
        out
    };
    let others: Vec<String> =
        ctx.identities.iter().filter(|i| i.name != identity.name).flat_map(&mine).collect();
    let mut own = mine(identity);
    own.retain(|m| !others.contains(m));
    own.sort();
    own.dedup();
    own
}

/// The ordinary identity whose markers a document carries (as whole JSON values), if exactly one's do.
fn owner_of(ctx: &Context, users: &[Identity], body: &[u8]) -> Option<Identity> {
    let text = String::from_utf8_lossy(body);
    let carries = |marker: &String| {
        text.contains(&format!("\"{marker}\""))
            || text.contains(&format!(":{marker},"))
            || text.contains(&format!(":{marker}}}"))
    };
    let owners: Vec<&Identity> = users.iter().filter(|u| markers(ctx, u).iter().any(carries)).collect();
    match owners.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

async fn read(ctx: &mut Context) {
    let users = ctx.users();
    let operations = ctx.operations.clone();
    for op in operations.iter().filter(|op| op.method == Method::GET && op.is_read()) {
        let label = op.label();
        let Some((reader, baseline)) =
            users.iter().find_map(|u| success_baseline(ctx, u, op).map(|b| (u.clone(), b.clone())))
        else {
            continue;
        };
        // Only operations that name an object (in the path or an id query parameter).
        if baseline.instance.object_values().is_empty() {
            continue;
        }
        if !ctx.begin("bola", OwaspApi2023::Api1, &label) {
            continue;
        }
        let values: Vec<String> = baseline.instance.object_values().values().cloned().collect();
        let proven_owner = owner_of(ctx, &users, &baseline.response.body);
        // The reader got an object that names another identity: that alone is the proof.
        if let Some(owner) = proven_owner.as_ref().filter(|o| o.name != reader.name) {
            let request = baseline.instance.request(&op.method).header("accept", "application/json");
            if let Ok((anonymous, _)) = ctx.send(&request).await
                && !anonymous.is_success()
            {
                ctx.report(
                    NewFinding::new("bola-read", OwaspApi2023::Api1, Severity::High, &label, "Another user's object can be read")
                        .parameter(object_parameter(&baseline.instance))
                        .identities(&[&owner.name, &reader.name])
                        .description(format!(
                            "{} asked for {} and got an object that belongs to {} (it carries {}'s identifiers): status {}.",
                            reader.name, baseline.instance.path, owner.name, owner.name, baseline.response.status.as_u16()
                        ))
                        .evidence(format!("{} → {} for {}'s object", reader.name, baseline.response.status.as_u16(), owner.name))
                        .evidence(format!("without credentials: {}", anonymous.status.as_u16()))
                        .exchange(baseline.exchange.clone())
                        .fix("Check on every request that the caller owns (or may see) the object named in the path, in the data layer (e.g. `WHERE owner_id = :caller`), not only that they are logged in.")
                        .cwe(639),
                );
                continue;
            }
        }
        let owner = reader;
        let mut found = false;
        for other in users.iter().filter(|u| u.name != owner.name) {
            // An object both can see (a shared reference, a currency code) proves nothing,
            // unless the document itself names its owner.
            let shared =
                ctx.pools.get(&other.name).is_some_and(|pool| values.iter().all(|v| pool.contains_value(v)));
            if shared && proven_owner.is_none() {
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
                    .parameter(object_parameter(&baseline.instance))
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
        let params = template_params(&op.template);
        let Some(param) = params.last().cloned() else { continue };
        let (id, created) = match creator(&operations, op).cloned() {
            Some(creator) => {
                let Some(made) = create_object(ctx, &creator, &owner, &param).await else {
                    ctx.skip("could not create an object to act on");
                    continue;
                };
                (made.0, Some(made.1))
            }
            // No way to create one: change (never delete) an object that is provably the
            // owner's own (its login name, its profile's id), as a real attacker would.
            None if op.method != Method::DELETE => {
                let own = markers(ctx, &owner);
                let candidate = ctx
                    .pools
                    .get(&owner.name)
                    .map(|pool| pool.values_for(op, &param))
                    .unwrap_or_default()
                    .into_iter()
                    .chain(own.iter().cloned())
                    .find(|v| own.contains(v));
                let Some(id) = candidate else {
                    ctx.skip("no object known to be the first identity's own");
                    continue;
                };
                (id, None)
            }
            None => {
                ctx.skip("no operation creates the object to delete (the scan deletes only what it created)");
                continue;
            }
        };
        let mut values = BTreeMap::new();
        values.insert(param.clone(), id.clone());
        let reader = reader_of(&operations, op);
        let before = match &reader {
            Some(reader) => read_as(ctx, &owner, reader, &values).await,
            None => None,
        };
        let instance = ctx.instance(Some(&other.name), op, &values);
        let request = instance.request(&op.method).header("accept", "application/json");
        let Ok((response, exchange)) = ctx.send_as(Some(&other), request.clone()).await else { continue };
        // A 2xx alone proves nothing (some APIs act on the caller's own object whatever the
        // path says): the owner must see the change.
        let confirmation = if response.is_success() {
            confirm_write(ctx, op, &owner, reader.as_ref(), before.as_ref(), &values, &instance, &id).await
        } else {
            None
        };
        if response.is_success() && confirmation.is_none() {
            ctx.skip("the write was answered 2xx but the owner's object did not change");
        }
        if let Some(confirmation) = confirmation {
            ctx.report(
                NewFinding::new("bola-write", OwaspApi2023::Api1, Severity::Critical, &label, "Another user's object can be changed or deleted")
                    .parameter(format!("path.{param}"))
                    .identities(&[&owner.name, &other.name])
                    .description(format!(
                        "{id} is {}'s ({}); {} sent {} {} and got {}.",
                        owner.name,
                        match creator(&operations, op) {
                            Some(made_by) => format!("created by the scan with {}", made_by.label()),
                            None => "its own login name or profile id".to_string(),
                        },
                        other.name,
                        op.method,
                        instance.path,
                        response.status.as_u16()
                    ))
                    .evidence(format!("{} {} as {} → {}", op.method, instance.path, other.name, response.status.as_u16()))
                    .evidence(confirmation)
                    .exchanges(created.into_iter().chain(std::iter::once(exchange)))
                    .fix("Check object ownership on every write and delete, in the same query that changes the row.")
                    .cwe(639),
            );
        }
        if op.method == Method::DELETE {
            // Leave the target as found: the owner removes the test object.
            let _ = ctx.send_as(Some(&owner), request).await;
        }
    }
    ctx.end();
}

/// The read operation that shows the object `op` acts on: the GET of the same template, or
/// of the longest template `op`'s path extends (`GET /users/{u}` for `PUT /users/{u}/email`).
fn reader_of(operations: &[Operation], op: &Operation) -> Option<Operation> {
    operations
        .iter()
        .filter(|o| o.method == Method::GET && o.is_read() && o.has_path_params())
        .filter(|o| o.template == op.template || op.template.starts_with(&format!("{}/", o.template)))
        .max_by_key(|o| o.template.len())
        .cloned()
}

async fn read_as(
    ctx: &mut Context,
    identity: &Identity,
    reader: &Operation,
    values: &BTreeMap<String, String>,
) -> Option<crate::client::Response> {
    let instance = plan::instantiate(reader, values, &mut ctx.generator);
    let request = instance.request(&reader.method).header("accept", "application/json");
    ctx.send_as(Some(identity), request).await.ok().map(|(r, _)| r)
}

/// How the owner sees another identity's write: its object gone (deletes), carrying a value
/// the other identity sent, or its password replaced (a login with the new one works, after
/// which the old one is put back).
#[allow(clippy::too_many_arguments)]
async fn confirm_write(
    ctx: &mut Context,
    op: &Operation,
    owner: &Identity,
    reader: Option<&Operation>,
    before: Option<&crate::client::Response>,
    values: &BTreeMap<String, String>,
    sent: &plan::Instance,
    id: &str,
) -> Option<String> {
    if op.method == Method::DELETE {
        if let Some(reader) = reader.filter(|r| r.template == op.template) {
            let after = read_as(ctx, owner, reader, values).await?;
            return matches!(after.status.as_u16(), 404 | 410)
                .then(|| format!("{} then answered {} to its owner", reader.label(), after.status.as_u16()));
        }
        // No item read: the owner's list no longer names it.
        let collection = op.template.rsplit_once('/').map(|(c, _)| c.to_string())?;
        let list =
            ctx.operations.iter().find(|o| o.method == Method::GET && o.template == collection).cloned()?;
        let after = read_as(ctx, owner, &list, values).await?;
        let gone = after.is_success() && !after.text().contains(id);
        return gone.then(|| format!("{} no longer lists {id} for its owner", list.label()));
    }
    let sent_values: Vec<String> = match &sent.body {
        Some(Value::Object(body)) => {
            body.values().filter_map(Value::as_str).filter(|s| s.len() >= 6).map(String::from).collect()
        }
        _ => Vec::new(),
    };
    if let (Some(reader), Some(before)) = (reader, before) {
        let after = read_as(ctx, owner, reader, values).await?;
        let before_text = before.text();
        let after_text = after.text();
        if let Some(value) =
            sent_values.iter().find(|v| after_text.contains(v.as_str()) && !before_text.contains(v.as_str()))
        {
            return Some(format!(
                "{} then showed the owner the value the other identity sent ({})",
                reader.label(),
                crate::evidence::mask_text(value)
            ));
        }
    }
    // A password set by someone else: the owner's login now takes it.
    let password_field = match &sent.body {
        Some(Value::Object(body)) => body
            .iter()
            .find(|(k, v)| k.to_ascii_lowercase().contains("pass") && v.is_string())
            .map(|(k, v)| (k.clone(), v.clone())),
        _ => None,
    };
    let (field, new_password) = password_field?;
    let login =
        ctx.login_targets.clone().into_iter().find(|t| Some(&t.username) == owner.login_username.as_ref())?;
    let (answer, _) = ctx.send(&login.request(&login.username, &new_password)).await.ok()?;
    if !crate::checks::auth::login_granted(&answer) {
        return None;
    }
    // Put the owner's password back, as the owner.
    if let Some(original) = &owner.login_password {
        let mut restore = sent.clone();
        if let Some(Value::Object(body)) = restore.body.as_mut() {
            body.insert(field, Value::String(original.clone()));
        }
        let _ = ctx.send_as(Some(owner), restore.request(&op.method)).await;
    }
    Some(format!("{} then let the owner in with the password the other identity set", login.label))
}

/// `path.accountId` or `query.accountId`: where the object was named.
fn object_parameter(instance: &plan::Instance) -> String {
    match (instance.path_values.keys().next(), instance.id_query.keys().next()) {
        (Some(name), _) => format!("path.{name}"),
        (None, Some(name)) => format!("query.{name}"),
        (None, None) => String::new(),
    }
}
