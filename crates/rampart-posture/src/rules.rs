//! The rules: inventory + observations → findings. Each rule is a small function; `docs/posture.md`
//! lists them with their OWASP category, severity and what triggers them.

use std::collections::BTreeMap;

use rampart_core::{
    AuthKind, Endpoint, EndpointKey, Finding, Inventory, OwaspApi2023, SchemaNode, SensitiveCategory,
    SensitiveType, Severity, SpecStatus,
};

use crate::PostureConfig;
use crate::jwt::{mask_secret, weak_secrets};
use crate::observe::{Observations, PathFacts};
use crate::path::TemplateIndex;

/// Every rule id with its category, for documentation, configuration and tests.
pub const RULES: &[(&str, OwaspApi2023, &str)] = &[
    ("bola-candidate", OwaspApi2023::Api1, "objects of an authenticated endpoint read by several identities"),
    (
        "sensitive-data-unauthenticated",
        OwaspApi2023::Api2,
        "sensitive data returned to callers without credentials",
    ),
    ("jwt-alg-none", OwaspApi2023::Api2, "unsigned JWTs (alg none) accepted"),
    ("jwt-weak-secret", OwaspApi2023::Api2, "HMAC JWTs signed with a well-known weak secret"),
    ("jwt-without-expiry", OwaspApi2023::Api2, "JWTs without exp issued or accepted"),
    ("jwt-long-lifetime", OwaspApi2023::Api2, "JWT lifetimes over the configured limit"),
    ("sensitive-data-in-bulk", OwaspApi2023::Api3, "many records of personal data in one response"),
    ("full-card-number-returned", OwaspApi2023::Api3, "full card numbers (PAN) in responses"),
    ("mass-assignment-candidate", OwaspApi2023::Api3, "privileged request fields echoed by the response"),
    ("auth-no-rate-limit", OwaspApi2023::Api4, "login/token/OTP endpoint never answers 429 to bursts"),
    (
        "admin-endpoint-unauthenticated",
        OwaspApi2023::Api5,
        "admin/internal endpoint answers 2xx without credentials",
    ),
    (
        "admin-endpoint-ordinary-identity",
        OwaspApi2023::Api5,
        "admin/internal endpoint answers 2xx to ordinary identities",
    ),
    ("ssrf-candidate", OwaspApi2023::Api7, "inputs that take URLs"),
    ("token-in-url", OwaspApi2023::Api8, "credentials in the query string"),
    ("sensitive-data-in-url", OwaspApi2023::Api8, "sensitive data in paths or query strings"),
    ("verbose-error", OwaspApi2023::Api8, "stack traces or framework errors in responses"),
    ("missing-security-headers", OwaspApi2023::Api8, "HSTS, X-Content-Type-Options or CSP missing"),
    (
        "sensitive-response-cacheable",
        OwaspApi2023::Api8,
        "sensitive responses without Cache-Control: no-store",
    ),
    ("cors-credentials-any-origin", OwaspApi2023::Api8, "CORS with credentials for any origin"),
    ("plain-http", OwaspApi2023::Api8, "API called over plain HTTP"),
    ("server-banner", OwaspApi2023::Api8, "server software and version disclosed"),
    ("shadow-endpoint", OwaspApi2023::Api9, "endpoint in traffic, in no declared spec"),
    ("zombie-endpoint", OwaspApi2023::Api9, "deprecated or superseded endpoint still called"),
    ("old-api-version-in-use", OwaspApi2023::Api9, "older API version still called beside a newer one"),
];

fn owasp_of(rule: &str) -> OwaspApi2023 {
    RULES.iter().find(|(r, _, _)| *r == rule).map_or(OwaspApi2023::Api8, |(_, o, _)| *o)
}

fn finding(
    rule: &str,
    severity: Severity,
    key: &EndpointKey,
    title: String,
    evidence: Vec<String>,
    fix: &str,
) -> Finding {
    Finding {
        rule: rule.to_owned(),
        owasp: owasp_of(rule),
        severity,
        title,
        endpoint: Some(key.clone()),
        location: None,
        evidence,
        fix: fix.to_owned(),
    }
}

/// Whether a template names a login, token, OTP or password endpoint.
pub fn is_auth_like(template: &str) -> bool {
    const WORDS: &[&str] = &[
        "login",
        "logon",
        "signin",
        "sign-in",
        "token",
        "otp",
        "mfa",
        "2fa",
        "password",
        "passwd",
        "reset",
        "authenticate",
    ];
    template.split('/').filter(|s| !s.starts_with('{')).any(|s| {
        let s = s.to_ascii_lowercase();
        WORDS.iter().any(|w| s.contains(w))
    })
}

/// Kinds that describe a person or their money, for exposure rules (names alone and IP
/// addresses are too common in ordinary responses to matter on their own).
fn is_personal(kind: SensitiveType) -> bool {
    !matches!(kind, SensitiveType::PersonName | SensitiveType::IpAddress)
}

fn is_grave(kind: SensitiveType) -> bool {
    matches!(kind.category(), SensitiveCategory::NationalId | SensitiveCategory::Secret)
        || kind == SensitiveType::CardNumber
}

/// Kinds whose many records in one response make a bulk exposure.
fn is_bulk_kind(kind: SensitiveType) -> bool {
    kind.category() == SensitiveCategory::NationalId
        || matches!(
            kind,
            SensitiveType::Email
                | SensitiveType::Phone
                | SensitiveType::DateOfBirth
                | SensitiveType::Address
                | SensitiveType::CardNumber
        )
}

fn kinds_list<'a>(kinds: impl Iterator<Item = (&'a SensitiveType, &'a u64)>) -> String {
    kinds.map(|(k, n)| format!("{} ({n} calls)", k.name())).collect::<Vec<_>>().join(", ")
}

/// Pointers of schema nodes that carried `kind` (`/data/*/pan`), at most `max`.
fn pointers_with(node: &SchemaNode, kind: SensitiveType, max: usize) -> Vec<String> {
    fn walk(
        node: &SchemaNode,
        kind: SensitiveType,
        at: &mut String,
        out: &mut Vec<String>,
        max: usize,
        depth: usize,
    ) {
        if out.len() >= max || depth > 12 {
            return;
        }
        if node.sensitive.contains_key(&kind) {
            out.push(if at.is_empty() { "/".to_owned() } else { at.clone() });
        }
        if let Some(object) = &node.object {
            for (name, child) in &object.properties {
                let len = at.len();
                at.push('/');
                at.push_str(name);
                walk(child, kind, at, out, max, depth + 1);
                at.truncate(len);
            }
        }
        if let Some(array) = &node.array {
            let len = at.len();
            at.push_str("/*");
            walk(&array.items, kind, at, out, max, depth + 1);
            at.truncate(len);
        }
    }
    let mut out = Vec::new();
    walk(node, kind, &mut String::new(), &mut out, max, 0);
    out
}

fn response_pointers(e: &Endpoint, kind: SensitiveType) -> Vec<String> {
    let mut out = Vec::new();
    for (status, bodies) in &e.responses {
        for node in bodies.values() {
            for p in pointers_with(node, kind, 4) {
                let p = format!("response.{status}.body{p}");
                if !out.contains(&p) && out.len() < 4 {
                    out.push(p);
                }
            }
        }
    }
    out
}

pub fn run(
    inventory: &Inventory,
    facts: &BTreeMap<EndpointKey, PathFacts>,
    observations: &Observations,
    config: &PostureConfig,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &inventory.endpoints {
        // Never called, or only ever answered 404/405 without a spec declaring it: not an
        // endpoint (probes, typos, removed routes).
        let declared =
            e.spec.as_ref().is_some_and(|s| matches!(s.status, SpecStatus::Documented | SpecStatus::Zombie));
        if e.calls == 0 || (e.answered_only_not_found() && !declared) {
            continue;
        }
        inventory_rules(e, inventory, config, &mut out);
        if let Some(f) = facts.get(&e.key) {
            traffic_rules(e, f, observations, config, &mut out);
        }
    }
    jwt_rules(inventory, observations, config, &mut out);
    out
}

fn inventory_rules(e: &Endpoint, inventory: &Inventory, config: &PostureConfig, out: &mut Vec<Finding>) {
    let key = &e.key;
    let auth_like = is_auth_like(&key.path_template);
    // Sensitive data to callers without credentials.
    let unauth: Vec<(&SensitiveType, &u64)> = e
        .sensitive
        .returned_unauthenticated
        .iter()
        .filter(|(k, _)| is_personal(**k))
        .filter(|(k, _)| !(auth_like && k.category() == SensitiveCategory::Secret))
        .collect();
    if !unauth.is_empty() {
        let grave = unauth.iter().any(|(k, _)| is_grave(**k));
        out.push(finding(
            "sensitive-data-unauthenticated",
            if grave { Severity::Critical } else { Severity::High },
            key,
            format!("{} {} returns sensitive data to callers without credentials", key.method, key.path_template),
            vec![
                format!("returned without any credential: {}", kinds_list(unauth.iter().copied())),
                format!("{} of {} calls carried no credential and got a 2xx", e.auth.unauthenticated_success, e.calls),
            ],
            "Require authentication on this endpoint (and check the caller owns the record); if it must stay public, remove the personal fields from the response.",
        ));
    }
    // Many records of personal data per call.
    let bulk: Vec<(&SensitiveType, &u64)> = e
        .sensitive
        .returned_max_records
        .iter()
        .filter(|(k, n)| is_bulk_kind(**k) && **n >= config.bulk_records)
        .collect();
    if !bulk.is_empty() {
        out.push(finding(
            "sensitive-data-in-bulk",
            Severity::Medium,
            key,
            format!("{} {} returns personal data of many records per call", key.method, key.path_template),
            vec![
                format!(
                    "most records in one response: {}",
                    bulk.iter().map(|(k, n)| format!("{} ×{n}", k.name())).collect::<Vec<_>>().join(", ")
                ),
                format!("{} calls returned such data in bulk", e.sensitive.returned_in_bulk.values().max().copied().unwrap_or(0)),
            ],
            "Return only the fields the client displays, page with a small maximum page size, and restrict bulk exports to a dedicated, audited flow.",
        ));
    }
    // Full card numbers.
    if let Some(n) = e.sensitive.returned.get(&SensitiveType::CardNumber) {
        let mut evidence = vec![format!("{n} responses carried a full, Luhn-valid card number")];
        let fields = response_pointers(e, SensitiveType::CardNumber);
        if !fields.is_empty() {
            evidence.push(format!("fields: {}", fields.join(", ")));
        }
        out.push(finding(
            "full-card-number-returned",
            Severity::High,
            key,
            format!("{} {} returns full card numbers (PAN)", key.method, key.path_template),
            evidence,
            "Return the masked PAN (first 6 / last 4 at most, PCI DSS 3.4); keep the full PAN in the card vault and reveal it only through a step-up-authenticated flow.",
        ));
    }
    // Credentials and sensitive data in URLs.
    let in_query: Vec<String> = e
        .auth
        .schemes
        .iter()
        .filter(|s| s.kind == AuthKind::ApiKeyQuery && s.calls > 0)
        .map(|s| format!("query parameter `{}` ({} calls)", s.name.as_deref().unwrap_or("?"), s.calls))
        .collect();
    if !in_query.is_empty() {
        out.push(finding(
            "token-in-url",
            Severity::High,
            key,
            format!("{} {} takes credentials in the query string", key.method, key.path_template),
            vec![format!("credentials sent in the URL: {}", in_query.join(", "))],
            "Accept tokens and keys only in the Authorization header: URLs end up in proxy and server logs, browser history and Referer headers.",
        ));
    }
    let mut url_kinds: Vec<String> = Vec::new();
    let mut grave = false;
    let params =
        e.path_params.iter().map(|p| ("path", p)).chain(e.query_params.values().map(|p| ("query", p)));
    for (place, p) in params {
        let kinds: Vec<&SensitiveType> = p
            .schema
            .sensitive
            .keys()
            .filter(|k| is_personal(**k) || k.category() == SensitiveCategory::Secret)
            .collect();
        if kinds.is_empty() {
            continue;
        }
        grave |= kinds.iter().any(|k| is_grave(**k));
        let example = p
            .schema
            .string
            .as_ref()
            .and_then(|s| s.examples.first())
            .map(|x| format!(", e.g. {x}"))
            .unwrap_or_default();
        url_kinds.push(format!(
            "{place}.{}: {}{example}",
            p.name,
            kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
        ));
    }
    if !url_kinds.is_empty() {
        out.push(finding(
            "sensitive-data-in-url",
            if grave { Severity::High } else { Severity::Medium },
            key,
            format!("{} {} carries sensitive data in the URL", key.method, key.path_template),
            url_kinds,
            "Move sensitive values into the request body (POST a search) or replace them with opaque identifiers: URLs are logged everywhere.",
        ));
    }
    // Inventory management.
    if let Some(spec) = &e.spec {
        match spec.status {
            SpecStatus::Shadow => out.push(finding(
                "shadow-endpoint",
                Severity::Medium,
                key,
                format!("{} {} is called but declared in no spec", key.method, key.path_template),
                vec![format!("{} calls, none of them covered by a declared spec", e.calls)],
                "Declare the endpoint in the API's OpenAPI spec (and put it behind the gateway's positive model), or remove it if it should not exist.",
            )),
            SpecStatus::Zombie => out.push(finding(
                "zombie-endpoint",
                if e.sensitive.returned.is_empty() { Severity::Medium } else { Severity::High },
                key,
                format!("{} {} is deprecated or superseded yet still called", key.method, key.path_template),
                vec![
                    format!("{} calls", e.calls),
                    spec.reason.clone().unwrap_or_else(|| "declared deprecated".to_owned()),
                ],
                "Move the remaining clients to the current version, announce a sunset date (Sunset header), then switch the old version off.",
            )),
            _ => {}
        }
    } else if let Some(newer) = newer_version(e, inventory) {
        out.push(finding(
            "old-api-version-in-use",
            Severity::Low,
            key,
            format!("{} {} is an older API version still in use", key.method, key.path_template),
            vec![format!(
                "{} calls; newer version in traffic: {} {}",
                e.calls, newer.method, newer.path_template
            )],
            "Move the remaining clients to the newer version and retire this one.",
        ));
    }
}

/// `/v1/accounts` when `/v2/accounts` (same method and host) is also called.
fn newer_version<'a>(e: &Endpoint, inventory: &'a Inventory) -> Option<&'a EndpointKey> {
    let version_of = |t: &str| -> Option<(usize, u32)> {
        t.split('/').enumerate().find_map(|(i, s)| {
            let n = s.strip_prefix(['v', 'V'])?;
            n.parse::<u32>().ok().map(|n| (i, n))
        })
    };
    let (at, mine) = version_of(&e.key.path_template)?;
    let rest = |t: &str| -> Vec<String> {
        t.split('/').enumerate().filter(|(i, _)| *i != at).map(|(_, s)| normalise_param(s)).collect()
    };
    let my_rest = rest(&e.key.path_template);
    inventory.endpoints.iter().filter(|o| o.calls > 0).map(|o| &o.key).find(|o| {
        o.host == e.key.host
            && o.method == e.key.method
            && version_of(&o.path_template).is_some_and(|(i, v)| i == at && v > mine)
            && rest(&o.path_template) == my_rest
    })
}

fn normalise_param(segment: &str) -> String {
    if segment.starts_with('{') { "{}".to_owned() } else { segment.to_owned() }
}

fn traffic_rules(
    e: &Endpoint,
    f: &PathFacts,
    observations: &Observations,
    config: &PostureConfig,
    out: &mut Vec<Finding>,
) {
    let key = &e.key;
    bola(e, f, observations, out);
    if f.internal {
        if f.ok_unauthenticated > 0 {
            out.push(finding(
                "admin-endpoint-unauthenticated",
                Severity::Critical,
                key,
                format!("{} {} is an internal/admin endpoint that answers without credentials", key.method, key.path_template),
                vec![format!("{} 2xx answers to calls without any credential", f.ok_unauthenticated)],
                "Require an admin credential on the whole internal area (deny by default at the gateway) and do not expose it on the public host.",
            ));
        }
        let ordinary: Vec<(&u64, u64)> = f
            .identities
            .iter()
            .filter_map(|(id, n)| {
                observations.identities.get(id).filter(|i| i.ok_outside_internal > 0).map(|_| (id, *n))
            })
            .collect();
        if !ordinary.is_empty() {
            let calls: u64 = ordinary.iter().map(|(_, n)| n).sum();
            let labels: Vec<String> = ordinary
                .iter()
                .take(3)
                .filter_map(|(id, _)| observations.identities.get(id).map(|i| i.label.clone()))
                .collect();
            out.push(finding(
                "admin-endpoint-ordinary-identity",
                Severity::High,
                key,
                format!("{} {} is an internal/admin endpoint reached by ordinary identities", key.method, key.path_template),
                vec![
                    format!(
                        "{} identities that also use the public API got {calls} 2xx answers here",
                        ordinary.len()
                    ),
                    format!("e.g. {}", labels.join(", ")),
                ],
                "Check the caller's role (not only that it is authenticated) on every admin function; keep admin functions on a separate, internal-only route with its own credentials.",
            ));
        }
    }
    if is_auth_like(&key.path_template) && f.max_burst >= config.auth_burst_calls && f.too_many_requests == 0
    {
        out.push(finding(
            "auth-no-rate-limit",
            Severity::Medium,
            key,
            format!("{} {} never answered 429 to repeated calls from one client", key.method, key.path_template),
            vec![
                format!("one client made {} calls within {} s", f.max_burst, crate::observe::BURST_WINDOW_SECS),
                format!("{} calls in all, none answered 429", f.calls),
            ],
            "Rate-limit this endpoint per client and per account (e.g. 5 attempts per minute, then 429 with Retry-After), and lock or step up after repeated failures.",
        ));
    }
    if f.error_traces > 0 {
        out.push(finding(
            "verbose-error",
            Severity::Medium,
            key,
            format!("{} {} returns stack traces or framework errors", key.method, key.path_template),
            vec![
                format!("{} error responses held: {}", f.error_traces, f.trace_markers.iter().cloned().collect::<Vec<_>>().join(", ")),
                format!("statuses: {}", f.trace_statuses.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")),
            ],
            "Return a generic problem+json error with a correlation id; log the exception server-side only, and turn off debug error pages in production.",
        ));
    }
    let mut missing = Vec::new();
    if f.https_responses > 0 && f.missing_hsts == f.https_responses {
        missing
            .push(format!("Strict-Transport-Security absent from all {} HTTPS responses", f.https_responses));
    }
    if f.missing_nosniff > 0 && f.missing_nosniff * 2 > f.responses {
        missing.push(format!(
            "X-Content-Type-Options: nosniff absent from {} of {} responses",
            f.missing_nosniff, f.responses
        ));
    }
    if f.html_without_csp > 0 {
        missing.push(format!("Content-Security-Policy absent from {} HTML responses", f.html_without_csp));
    }
    if !missing.is_empty() {
        out.push(finding(
            "missing-security-headers",
            Severity::Low,
            key,
            format!("{} {} responds without standard security headers", key.method, key.path_template),
            missing,
            "Send Strict-Transport-Security (max-age ≥ 1 year), X-Content-Type-Options: nosniff and, for HTML, a Content-Security-Policy — best set once at the gateway or load balancer.",
        ));
    }
    let sensitive_out = e.sensitive.returned.keys().any(|k| is_personal(*k));
    if sensitive_out && f.ok_without_no_store > 0 {
        out.push(finding(
            "sensitive-response-cacheable",
            Severity::Medium,
            key,
            format!("{} {} returns sensitive data without Cache-Control: no-store", key.method, key.path_template),
            vec![format!("{} 2xx responses without no-store; the endpoint returns {}", f.ok_without_no_store,
                e.sensitive.returned.keys().map(|k| k.name()).collect::<Vec<_>>().join(", "))],
            "Send Cache-Control: no-store on every response carrying personal or account data, so that browsers and shared caches keep no copy.",
        ));
    }
    if f.cors_wildcard_credentials + f.cors_reflected_credentials > 0 {
        let mut evidence = Vec::new();
        if f.cors_wildcard_credentials > 0 {
            evidence.push(format!(
                "{} responses with Access-Control-Allow-Origin: * and Allow-Credentials: true",
                f.cors_wildcard_credentials
            ));
        }
        if f.cors_reflected_credentials > 0 {
            evidence.push(format!(
                "{} responses reflected a foreign Origin with Allow-Credentials: true ({})",
                f.cors_reflected_credentials,
                f.cors_origins.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        out.push(finding(
            "cors-credentials-any-origin",
            Severity::High,
            key,
            format!("{} {} allows credentialed cross-origin reads from any site", key.method, key.path_template),
            evidence,
            "Answer CORS only for an explicit allowlist of the bank's own origins; never reflect the Origin header or combine * with credentials.",
        ));
    }
    if f.plain_http > 0 {
        out.push(finding(
            "plain-http",
            Severity::High,
            key,
            format!("{} {} is called over plain HTTP", key.method, key.path_template),
            vec![format!("{} of {} calls over http://", f.plain_http, f.calls)],
            "Serve the API over HTTPS only: redirect or refuse plain HTTP and send HSTS.",
        ));
    }
    if !f.banners.is_empty() {
        out.push(finding(
            "server-banner",
            Severity::Low,
            key,
            format!("{} {} discloses its server software", key.method, key.path_template),
            f.banners.iter().cloned().collect(),
            "Remove version details from Server and drop X-Powered-By (nginx: server_tokens off; PHP: expose_php = Off; Express: app.disable('x-powered-by')).",
        ));
    }
    if !f.url_inputs.is_empty() {
        out.push(finding(
            "ssrf-candidate",
            Severity::Medium,
            key,
            format!("{} {} takes URLs as input", key.method, key.path_template),
            f.url_inputs.iter().map(|(k, n)| format!("{k}: a URL in {n} calls")).collect(),
            "If the server fetches or calls these URLs, allow only https to an allowlist of hosts, resolve and refuse private, loopback and link-local addresses, and do not follow redirects.",
        ));
    }
    let echoed: Vec<String> = f
        .echoed
        .iter()
        .filter(|(_, e)| e.echoed > 0)
        .map(|(k, e)| format!("{k}: sent in {} calls, echoed in the response in {}", e.sent, e.echoed))
        .collect();
    if !echoed.is_empty() {
        out.push(finding(
            "mass-assignment-candidate",
            Severity::High,
            key,
            format!("{} {} accepts privileged fields that the response echoes", key.method, key.path_template),
            echoed,
            "Bind request bodies to an explicit allowlist of client-settable fields (a DTO); set status, role, limits and balances server-side only.",
        ));
    }
}

/// BOLA candidates: objects of one template read (2xx) by several stable identities, on an
/// endpoint where most objects are read by one identity only (private objects); or one identity
/// reading many objects, several of them other identities' too.
fn bola(e: &Endpoint, f: &PathFacts, observations: &Observations, out: &mut Vec<Finding>) {
    if e.path_params.is_empty() || !e.key.path_template.contains('{') {
        return;
    }
    let shared = f.objects.values().filter(|o| o.identities() >= 2).count();
    let private = f.objects.values().filter(|o| o.identities() == 1).count();
    let mut per_identity: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
    for o in f.objects.values() {
        let many = o.identities() >= 2;
        for id in &o.ids {
            let entry = per_identity.entry(*id).or_default();
            entry.0 += 1;
            entry.1 += usize::from(many);
        }
    }
    let cross_identity = shared >= 2 && private >= 2 * shared;
    let mut counts: Vec<usize> = per_identity.values().map(|(n, _)| *n).collect();
    counts.sort_unstable();
    let top = per_identity.iter().max_by_key(|(_, (n, _))| *n).map(|(id, v)| (*id, *v));
    let enumerating = match top {
        Some((_, (n, with_others))) if counts.len() >= 4 => {
            let median = counts[(counts.len() - 1) / 2].max(1);
            n >= 10 && n >= 5 * median && with_others >= 2
        }
        _ => false,
    };
    if !(cross_identity || enumerating) {
        return;
    }
    let mut evidence = vec![format!(
        "{} objects read with a 2xx by {} stable identities: {shared} by two or more identities, {private} by one only",
        f.objects.len(),
        per_identity.len()
    )];
    if let Some((id, (n, with_others))) = top {
        let median = if counts.is_empty() { 0 } else { counts[(counts.len() - 1) / 2] };
        let label = observations.identities.get(&id).map_or("an identity".to_owned(), |i| i.label.clone());
        evidence.push(format!(
            "{label} read {n} distinct objects ({with_others} also read by other identities); the median identity read {median}"
        ));
    }
    out.push(finding(
        "bola-candidate",
        Severity::High,
        &e.key,
        format!("{} {}: identities read each other's objects (BOLA candidate)", e.key.method, e.key.path_template),
        evidence,
        "Check on every call that the object belongs to (or is shared with) the caller — from the token's subject, never from an id the client sends — and answer 404 otherwise.",
    ));
}

fn jwt_rules(
    inventory: &Inventory,
    observations: &Observations,
    config: &PostureConfig,
    out: &mut Vec<Finding>,
) {
    let index = TemplateIndex::new(inventory);
    let calls: BTreeMap<&EndpointKey, u64> = inventory.endpoints.iter().map(|e| (&e.key, e.calls)).collect();
    for family in observations.jwt.values() {
        let issuers: Vec<&EndpointKey> =
            family.issued_by.keys().filter_map(|l| observations.endpoint_of(&index, l)).collect();
        let acceptors: Vec<&EndpointKey> =
            family.accepted_by.keys().filter_map(|l| observations.endpoint_of(&index, l)).collect();
        let mut acceptors_sorted = acceptors.clone();
        acceptors_sorted.sort_by_key(|k| std::cmp::Reverse(calls.get(k).copied().unwrap_or(0)));
        acceptors_sorted.dedup();
        // Where the fix belongs: the issuer when traffic shows it, else the busiest acceptor.
        let mut targets: Vec<&EndpointKey> = issuers.clone();
        targets.sort();
        targets.dedup();
        if targets.is_empty() {
            targets.extend(acceptors_sorted.first());
        }
        if targets.is_empty() {
            continue;
        }
        let iss = if family.iss.is_empty() { "(no iss)".to_owned() } else { family.iss.clone() };
        let context = format!(
            "tokens alg {} iss {iss}: issued by {} endpoint(s), accepted by {} endpoint(s)",
            family.alg,
            issuers.len(),
            acceptors_sorted.len()
        );
        let mut push = |rule: &str, severity: Severity, title: String, extra: String, fix: &str| {
            for key in &targets {
                out.push(finding(
                    rule,
                    severity,
                    key,
                    title.clone(),
                    vec![context.clone(), extra.clone()],
                    fix,
                ));
            }
        };
        if family.alg.eq_ignore_ascii_case("none") && !acceptors_sorted.is_empty() {
            push(
                "jwt-alg-none",
                Severity::Critical,
                "Unsigned JWTs (alg: none) are accepted".to_owned(),
                format!("accepted with a 2xx by {} endpoint(s)", acceptors_sorted.len()),
                "Verify every token's signature with an allowlist of algorithms (RS256/ES256) and refuse alg none.",
            );
        }
        if let Some(i) = family.weak_secret {
            let secret = weak_secrets().get(i).copied().unwrap_or("");
            push(
                "jwt-weak-secret",
                Severity::Critical,
                format!("{} JWTs are signed with a well-known weak secret", family.alg),
                format!(
                    "the HMAC verified with entry #{} of the weak-secret list: {}",
                    i + 1,
                    mask_secret(secret)
                ),
                "Rotate the key now: sign with an asymmetric key (RS256/ES256) from a KMS/HSM, or at least a random 256-bit secret; invalidate tokens signed with the old one.",
            );
        }
        if family.without_exp > 0 {
            push(
                "jwt-without-expiry",
                Severity::High,
                format!("{} JWTs are issued or accepted without an expiry (exp)", family.alg),
                format!("{} tokens without exp, {} with", family.without_exp, family.with_exp),
                "Put exp in every token (minutes for access tokens) and refuse tokens without it.",
            );
        }
        if let Some(lifetime) = family.max_lifetime_secs.filter(|l| *l > config.max_jwt_lifetime_secs) {
            push(
                "jwt-long-lifetime",
                Severity::Medium,
                format!("{} JWTs live longer than {} s", family.alg, config.max_jwt_lifetime_secs),
                format!("longest lifetime seen: {lifetime} s (exp - iat)"),
                "Shorten access-token lifetimes (5–60 minutes) and use refresh tokens with rotation for long sessions.",
            );
        }
    }
}
