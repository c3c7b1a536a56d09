//! API5 Broken Function Level Authorization: ordinary identities calling administrative
//! operations (by path words, or because only the admin identity could call them in the
//! crawl), and methods the spec does not declare on a path answering (method swap).

use std::collections::{BTreeMap, BTreeSet};

use http::Method;
use rampart_core::{OwaspApi2023, Severity};

use crate::checks::bola::{create_object, creator};
use crate::checks::{has_content, refused};
use crate::context::{Context, NewFinding};
use crate::plan::{self, Operation};
use crate::scan::template_params;

pub async fn run(ctx: &mut Context) {
    if ctx.wants("bfla") {
        admin_operations(ctx).await;
    }
    if ctx.wants("method-swap") {
        method_swap(ctx).await;
    }
}

async fn admin_operations(ctx: &mut Context) {
    let users = ctx.users();
    let admin = ctx.admin();
    let operations = ctx.operations.clone();
    for op in &operations {
        let label = op.label();
        let admin_ok = admin
            .as_ref()
            .and_then(|a| ctx.baselines.get(&(a.name.clone(), label.clone())))
            .filter(|b| b.response.is_success())
            .cloned();
        let users_refused = users.iter().all(|u| {
            ctx.baselines.get(&(u.name.clone(), label.clone())).is_none_or(|b| refused(&b.response))
        });
        let is_admin = op.looks_admin() || (admin_ok.is_some() && users_refused && !users.is_empty());
        if !is_admin {
            continue;
        }
        if !ctx.begin("bfla", OwaspApi2023::Api5, &label) {
            continue;
        }
        if !op.is_read() && !ctx.allow_writes {
            ctx.skip("read-only scan: needs --allow-writes");
            continue;
        }
        // The admin's own request (its IDs) when there is one, else a generated one.
        let instance = match &admin_ok {
            Some(b) => b.instance.clone(),
            None => {
                let values: BTreeMap<String, String> = admin
                    .as_ref()
                    .and_then(|a| ctx.pools.get(&a.name))
                    .map(|pool| {
                        template_params(&op.template)
                            .into_iter()
                            .filter_map(|p| pool.values_for(op, &p).into_iter().next().map(|v| (p, v)))
                            .collect()
                    })
                    .unwrap_or_default();
                plan::instantiate(op, &values, &mut ctx.generator)
            }
        };
        for user in &users {
            let request = instance.request(&op.method).header("accept", "application/json");
            let Ok((response, exchange)) = ctx.send_as(Some(user), request.clone()).await else { continue };
            if !(response.is_success() && (has_content(&response) || !op.is_read())) {
                continue;
            }
            // Control: an operation anyone may call is not a function-level problem.
            let Ok((anonymous, _)) = ctx.send(&request).await else { continue };
            if anonymous.is_success() {
                continue;
            }
            ctx.report(
                NewFinding::new("bfla-admin-operation", OwaspApi2023::Api5, Severity::High, &label, "An ordinary user can call an administrative operation")
                    .identities(&[&user.name])
                    .description(format!(
                        "{label} is administrative ({}); the ordinary identity {} called it and got {}, while a call without credentials got {}.",
                        if admin_ok.is_some() { "only the admin identity could call it in the crawl" } else { "its path names an admin area" },
                        user.name,
                        response.status.as_u16(),
                        anonymous.status.as_u16()
                    ))
                    .evidence(format!("{} → {}", user.name, response.status.as_u16()))
                    .exchange(exchange)
                    .fix("Authorize functions by role on the server (deny by default): admin operations must check an admin role or scope, not just a valid login.")
                    .cwe(285),
            );
            break;
        }
    }
    ctx.end();
}

/// Undeclared DELETE / PUT / PATCH on item paths, against an object the scan created.
async fn method_swap(ctx: &mut Context) {
    let operations = ctx.operations.clone();
    let users = ctx.users();
    let declared: BTreeSet<(String, String)> =
        operations.iter().map(|o| (o.template.clone(), o.method.to_string())).collect();
    let mut templates: Vec<&Operation> =
        operations.iter().filter(|o| o.method == Method::GET && o.has_path_params()).collect();
    templates.dedup_by_key(|o| o.template.clone());
    for get in templates {
        for method in [Method::DELETE, Method::PUT, Method::PATCH] {
            if declared.contains(&(get.template.clone(), method.to_string())) {
                continue;
            }
            let label = format!("{method} {}", get.template);
            let Some(creator) = creator(&operations, get).cloned() else { continue };
            if !ctx.begin("method-swap", OwaspApi2023::Api5, &label) {
                continue;
            }
            if !ctx.allow_writes {
                ctx.skip("read-only scan: needs --allow-writes");
                continue;
            }
            let Some(user) = users.first().cloned() else {
                ctx.skip("needs an ordinary identity");
                continue;
            };
            let Some(param) = template_params(&get.template).last().cloned() else { continue };
            let Some((id, created)) = create_object(ctx, &creator, &user, &param).await else {
                ctx.skip("could not create an object to act on");
                continue;
            };
            let mut values = BTreeMap::new();
            values.insert(param.clone(), id.clone());
            let mut swapped = get.clone();
            swapped.method = method.clone();
            let instance = plan::instantiate(&swapped, &values, &mut ctx.generator);
            let mut request = instance.request(&method).header("accept", "application/json");
            if method != Method::DELETE {
                request = request.json(&serde_json::json!({}));
            }
            let Ok((response, exchange)) = ctx.send_as(Some(&user), request).await else { continue };
            if response.is_success() {
                ctx.report(
                    NewFinding::new("undeclared-method-accepted", OwaspApi2023::Api5, if method == Method::DELETE { Severity::High } else { Severity::Medium }, &label, "A method the spec does not declare is served")
                        .identities(&[&user.name])
                        .description(format!(
                            "The spec declares no {method} on {}; {} sent {method} {} for the object it had just created ({id}) and got {}: a hidden function nobody reviewed.",
                            get.template,
                            user.name,
                            instance.path,
                            response.status.as_u16()
                        ))
                        .evidence(format!("{method} {} → {}", instance.path, response.status.as_u16()))
                        .exchange(created)
                        .exchange(exchange)
                        .fix("Serve only declared methods (405 otherwise, at the gateway too) and authorize each function explicitly.")
                        .cwe(749),
                );
            }
        }
    }
    ctx.end();
}
