//! Authentication: security schemes (Basic, API keys in URLs, OAuth 2.0 flows and URLs, JWT
//! practice), security requirements of operations, admin operations.

use std::collections::HashSet;

use rampart_core::Severity;

use super::{At, Ctx, METHODS};
use crate::doc::Value;

const WRITE_METHODS: [&str; 4] = ["post", "put", "patch", "delete"];

pub fn check(ctx: &mut Ctx<'_>) {
    schemes(ctx);
    requirements(ctx);
}

/// Does this path take credentials (login, token, OTP, password reset)? Brute force and
/// credential stuffing target these: they must be rate-limited.
pub fn credential_flow(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "login", "logon", "signin", "sign-in", "sign_in", "token", "otp", "password", "forgot", "reset",
        "register", "signup", "verify", "mfa", "2fa",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// Is this path an entry point that is public by design (login, token, key discovery)?
pub fn public_by_design(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "login",
        "logon",
        "signin",
        "sign-in",
        "sign_in",
        "token",
        "oauth",
        "openid",
        ".well-known",
        "jwks",
        "register",
        "signup",
        "sign-up",
        "password",
        "forgot",
        "reset",
        "otp",
        "health",
        "ping",
        "status",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

fn schemes(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    let root = ctx.root();
    let Some(schemes) = root.child(doc, "components").and_then(|c| c.child(doc, "securitySchemes")) else {
        return;
    };
    for (name, scheme) in schemes.children(doc) {
        let scheme = ctx.deref_or_self(&scheme);
        let kind = doc.get_str(scheme.node, "type").unwrap_or("");
        match kind {
            "http" => {
                if let Some(at) = scheme.child(doc, "scheme") {
                    let value = doc.as_str(at.node).unwrap_or("").to_ascii_lowercase();
                    if value == "basic" {
                        ctx.report(
                            "http-basic-auth",
                            None,
                            &at,
                            format!("security scheme `{name}` uses HTTP Basic authentication"),
                        );
                    } else if matches!(value.as_str(), "negotiate" | "oauth" | "digest" | "ntlm") {
                        ctx.report(
                            "insecure-auth-scheme",
                            None,
                            &at,
                            format!("security scheme `{name}` uses the outdated `{value}` HTTP scheme"),
                        );
                    }
                }
                let bearer_jwt =
                    doc.get_str(scheme.node, "bearerFormat").is_some_and(|f| f.eq_ignore_ascii_case("jwt"));
                if bearer_jwt {
                    jwt_practice(ctx, name, &scheme);
                }
            }
            "apiKey" => {
                if let Some(at) = scheme.child(doc, "in") {
                    let place = doc.as_str(at.node).unwrap_or("");
                    if place == "query" || place == "path" {
                        ctx.report(
                            "api-key-in-url",
                            None,
                            &at,
                            format!("API key `{name}` is sent in the {place}"),
                        );
                    }
                }
            }
            "oauth2" => {
                jwt_practice(ctx, name, &scheme);
                let Some(flows) = scheme.child(doc, "flows") else { continue };
                for (flow_name, flow) in flows.children(doc) {
                    if !doc.is_map(flow.node) {
                        continue;
                    }
                    match flow_name {
                        "implicit" => ctx.report(
                            "oauth-implicit-flow",
                            None,
                            &flow,
                            format!("OAuth 2.0 scheme `{name}` offers the implicit flow"),
                        ),
                        "password" => ctx.report(
                            "oauth-password-flow",
                            None,
                            &flow,
                            format!("OAuth 2.0 scheme `{name}` offers the resource owner password flow"),
                        ),
                        _ => {}
                    }
                    if !doc.get(flow.node, "refreshUrl").is_some_and(|v| doc.truthy(v)) {
                        // Client credentials get no refresh token by design (RFC 6749 §4.4.3).
                        let severity = (flow_name == "clientCredentials").then_some(Severity::Info);
                        ctx.report(
                            "oauth-no-refresh-url",
                            severity,
                            &flow,
                            format!("OAuth 2.0 flow `{flow_name}` of `{name}` declares no refreshUrl"),
                        );
                    }
                    for url_key in ["authorizationUrl", "tokenUrl", "refreshUrl"] {
                        insecure_url(ctx, name, &flow, url_key);
                    }
                }
            }
            "openIdConnect" => insecure_url(ctx, name, &scheme, "openIdConnectUrl"),
            _ => {}
        }
    }
}

fn insecure_url<'a>(ctx: &mut Ctx<'a>, name: &str, parent: &At<'a>, key: &str) {
    let Some(at) = parent.child(ctx.doc, key) else { return };
    let url = ctx.doc.as_str(at.node).unwrap_or("");
    if url.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://")) {
        ctx.report("insecure-oauth-url", None, &at, format!("`{key}` of `{name}` uses plain http: {url}"));
    }
}

fn jwt_practice<'a>(ctx: &mut Ctx<'a>, name: &str, scheme: &At<'a>) {
    let doc = ctx.doc;
    match scheme.child(doc, "description") {
        Some(description) => {
            let text = doc.as_str(description.node).unwrap_or("");
            let normalised: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            if !normalised.to_ascii_uppercase().contains("RFC8725") {
                ctx.report(
                    "jwt-without-rfc8725",
                    None,
                    &description,
                    format!("security scheme `{name}` does not state that its JWTs follow RFC 8725"),
                );
            }
        }
        None => ctx.report(
            "jwt-without-rfc8725",
            None,
            scheme,
            format!("security scheme `{name}` has no description stating that its JWTs follow RFC 8725"),
        ),
    }
}

/// Security requirements: operations without any, anonymous alternatives, unknown schemes,
/// admin operations sharing the requirement of ordinary ones.
fn requirements(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    let root = ctx.root();
    let defined: HashSet<&str> = root
        .child(doc, "components")
        .and_then(|c| c.child(doc, "securitySchemes"))
        .map(|s| doc.entries(s.node).iter().map(|e| &*e.key).collect())
        .unwrap_or_default();
    let global = root.child(doc, "security");
    if let Some(global) = &global {
        undefined_schemes(ctx, global, &defined);
    }

    let mut admin_entries = Vec::new();
    let mut other_hashes = HashSet::new();
    let Some(paths) = root.child(doc, "paths") else { return };
    for (path_name, item) in paths.children(doc) {
        let item = ctx.deref_or_self(&item);
        for (method, op) in item.children(doc) {
            if !METHODS.contains(&method) || !doc.is_map(op.node) {
                continue;
            }
            let own = op.child(doc, "security");
            if let Some(own) = &own {
                undefined_schemes(ctx, own, &defined);
                for requirement in own.items(doc) {
                    let hash = doc.canonical(requirement.node, 4096);
                    if path_name.contains("/admin") {
                        admin_entries.push((path_name, hash, requirement));
                    } else {
                        other_hashes.insert(hash);
                    }
                }
            }
            let effective = own.as_ref().or(global.as_ref());
            let write = WRITE_METHODS.contains(&method);
            let upper = method.to_ascii_uppercase();
            let public = public_by_design(path_name);
            let severity = if public {
                Severity::Info
            } else if write {
                Severity::High
            } else {
                Severity::Medium
            };
            let empty = effective.is_none_or(|e| doc.items(e.node).is_empty());
            if empty {
                let at = own.clone().unwrap_or_else(|| op.clone());
                let why = if own.is_some() {
                    "`security: []`"
                } else {
                    "no security requirement, here or at the root"
                };
                let title = if public {
                    format!(
                        "{upper} {path_name} has {why} (a public entry point? make sure it is rate-limited)"
                    )
                } else {
                    format!("{upper} {path_name} has {why}: anyone can call it")
                };
                ctx.report("operation-without-security", Some(severity), &at, title);
                continue;
            }
            // `- {}` among the alternatives: anonymous access allowed.
            if let Some(effective) = effective {
                for requirement in effective.items(doc) {
                    if matches!(doc.value(requirement.node), Value::Map(e) if e.is_empty()) {
                        let at = if own.is_some() { requirement.clone() } else { op.clone() };
                        ctx.report(
                            "operation-without-security",
                            Some(if public { Severity::Info } else { Severity::Medium }),
                            &at,
                            format!("{upper} {path_name} allows anonymous access (an empty security requirement `{{}}`)"),
                        );
                    }
                }
            }
        }
    }
    for (path_name, hash, requirement) in admin_entries {
        if other_hashes.contains(&hash) {
            ctx.report(
                "admin-security-not-unique",
                None,
                &requirement,
                format!(
                    "admin operation {path_name} has the same security requirement as non-admin operations"
                ),
            );
        }
    }
}

fn undefined_schemes<'a>(ctx: &mut Ctx<'a>, security: &At<'a>, defined: &HashSet<&str>) {
    let doc = ctx.doc;
    for requirement in security.items(doc) {
        for (name, at) in requirement.children(doc) {
            if !defined.contains(name) {
                ctx.report(
                    "undefined-security-scheme",
                    None,
                    &at,
                    format!("security requirement names `{name}`, which components.securitySchemes does not define"),
                );
            }
        }
    }
}
