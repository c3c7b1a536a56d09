//! Each rule on small, realistic exchanges: what raises it, and what does not.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use rampart_core::{Exchange, Finding, Inventory};
use rampart_discovery::{Discovery, DiscoveryConfig, SensitiveEngine};
use rampart_posture::{Assessment, Observations, PostureConfig, PostureObserver};
use serde_json::json;

fn exchange(
    method: &str,
    url_path: &str,
    req_headers: &[(&str, &str)],
    status: u16,
    resp_headers: &[(&str, &str)],
    body: &str,
) -> Exchange {
    let (path, query) = url_path.split_once('?').unwrap_or((url_path, ""));
    let query: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let mut resp: Vec<(&str, &str)> = vec![("Content-Type", "application/json")];
    resp.extend_from_slice(resp_headers);
    serde_json::from_value(json!({
        "started_at": "2026-11-29T10:00:00Z",
        "request": {"method": method, "scheme": "https", "host": "api.bank.example", "path": path, "query": query,
            "headers": req_headers.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>()},
        "response": {"status": status, "headers": resp.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(), "body": {"text": body}}
    }))
    .unwrap()
}

fn jwt(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

fn run(exchanges: &[Exchange]) -> (Inventory, Assessment) {
    let mut config = DiscoveryConfig::default();
    config.record.classifier = Some(Arc::new(SensitiveEngine::default()));
    let mut discovery = Discovery::new(config);
    let mut observer = PostureObserver::new();
    for e in exchanges {
        discovery.observe(e);
        observer.observe(e);
    }
    let inventory = discovery.finish();
    let assessment = rampart_posture::assess(&inventory, &observer.finish(), &PostureConfig::default());
    (inventory, assessment)
}

fn rules(a: &Assessment) -> Vec<(String, String)> {
    a.findings
        .iter()
        .map(|f: &Finding| (f.rule.clone(), f.endpoint.as_ref().unwrap().path_template.clone()))
        .collect()
}

fn has(a: &Assessment, rule: &str) -> bool {
    a.findings.iter().any(|f| f.rule == rule)
}

const SECURE: &[(&str, &str)] = &[
    ("Strict-Transport-Security", "max-age=31536000"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
];

#[test]
fn unsigned_and_long_lived_tokens_that_get_a_2xx_are_reported_rejected_ones_are_not() {
    let none = jwt(&json!({"alg": "none"}), &json!({"sub": "c1", "iat": 0, "exp": 7_776_000}));
    let auth = format!("Bearer {none}");
    let ok = exchange("GET", "/v2/profile", &[("Authorization", &auth)], 200, SECURE, "{\"ok\":true}");
    let (_, a) = run(&[ok]);
    assert!(has(&a, "jwt-alg-none"), "{:?}", rules(&a));
    assert!(has(&a, "jwt-long-lifetime"), "90 days: {:?}", rules(&a));
    let f = a.findings.iter().find(|f| f.rule == "jwt-alg-none").unwrap();
    assert!(!f.evidence.join(" ").contains("eyJ"), "no token in evidence");

    let refused = exchange("GET", "/v2/profile", &[("Authorization", &auth)], 401, SECURE, "{}");
    let (_, a) = run(&[refused]);
    assert!(a.findings.is_empty(), "a refused token is an attempt, not a weakness: {:?}", rules(&a));
}

#[test]
fn headers_cors_banners_and_plain_http() {
    let mut plain = exchange(
        "GET",
        "/api/profile",
        &[("Origin", "https://evil.example"), ("X-API-Key", "k1")],
        200,
        &[
            ("Server", "Apache/2.4.41 (Ubuntu)"),
            ("Access-Control-Allow-Origin", "https://evil.example"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
        "{\"email\":\"jane.tan@example.com\"}",
    );
    plain.request.scheme = "http".into();
    let (_, a) = run(&[plain]);
    for rule in [
        "cors-credentials-any-origin",
        "server-banner",
        "plain-http",
        "missing-security-headers",
        "sensitive-response-cacheable",
    ] {
        assert!(has(&a, rule), "{rule} missing from {:?}", rules(&a));
    }
    // Same-site origin reflected, a banner without a version, all headers: clean.
    let clean = exchange(
        "GET",
        "/api/profile",
        &[("Origin", "https://ib.bank.example"), ("X-API-Key", "k1")],
        200,
        &[
            ("Server", "nginx"),
            ("Access-Control-Allow-Origin", "https://ib.bank.example"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Strict-Transport-Security", "max-age=31536000"),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "no-store"),
        ],
        "{\"email\":\"jane.tan@example.com\"}",
    );
    let (_, a) = run(&[clean]);
    assert!(a.findings.is_empty(), "{:?}", rules(&a));
}

#[test]
fn internal_endpoints_reached_without_credentials_and_sensitive_data_in_urls() {
    let debug = exchange("GET", "/actuator/env", &[], 200, SECURE, "{\"activeProfiles\":[\"prod\"]}");
    let health = exchange("GET", "/internal/health", &[], 200, SECURE, "{\"status\":\"ok\"}");
    let by_nric = exchange(
        "GET",
        "/v1/customers/search?nric=S1234567D",
        &[("X-API-Key", "k1")],
        200,
        SECURE,
        "{\"found\":true}",
    );
    let (_, a) = run(&[debug, health, by_nric]);
    let found = rules(&a);
    assert!(found.contains(&("admin-endpoint-unauthenticated".into(), "/actuator/env".into())), "{found:?}");
    assert!(
        !found.iter().any(|(_, t)| t == "/internal/health"),
        "liveness is meant to be reachable: {found:?}"
    );
    let url = a.findings.iter().find(|f| f.rule == "sensitive-data-in-url").expect("nric in query");
    let evidence = url.evidence.join(" ");
    assert!(evidence.contains("query.nric") && evidence.contains("sg-nric"), "{evidence}");
    assert!(!evidence.contains("S1234567D"), "masked: {evidence}");
}

#[test]
fn old_versions_without_a_spec_and_mass_assignment_echoes() {
    let v1 = exchange("GET", "/v1/orders", &[("X-API-Key", "k1")], 200, SECURE, "[]");
    let v2 = exchange("GET", "/v2/orders", &[("X-API-Key", "k1")], 200, SECURE, "[]");
    let mut signup = exchange(
        "POST",
        "/v2/users",
        &[("Content-Type", "application/json"), ("X-API-Key", "k1")],
        201,
        SECURE,
        "{\"id\":7,\"name\":\"Jane\",\"role\":\"admin\"}",
    );
    signup.request.body = Some(rampart_core::Body::from_text(
        "{\"name\":\"Jane\",\"role\":\"admin\",\"avatarUrl\":\"http://169.254.169.254/latest\"}",
    ));
    let (_, a) = run(&[v1, v2, signup]);
    let found = rules(&a);
    assert!(found.contains(&("old-api-version-in-use".into(), "/v1/orders".into())), "{found:?}");
    assert!(!found.contains(&("old-api-version-in-use".into(), "/v2/orders".into())));
    assert!(found.contains(&("mass-assignment-candidate".into(), "/v2/users".into())), "{found:?}");
    assert!(found.contains(&("ssrf-candidate".into(), "/v2/users".into())), "{found:?}");
}

#[test]
fn stack_traces_in_errors_are_reported() {
    let trace = exchange(
        "GET",
        "/api/items/12",
        &[("X-API-Key", "k1")],
        500,
        SECURE,
        "{\"error\":\"java.lang.NullPointerException\\n\\tat com.bank.ItemService.get(ItemService.java:42)\"}",
    );
    let (_, a) = run(&[trace]);
    let f = a.findings.iter().find(|f| f.rule == "verbose-error").expect("trace found");
    assert!(f.evidence.join(" ").contains("java"), "{:?}", f.evidence);
}

fn owned(n: usize, reader: &str, path: &str) -> Vec<Exchange> {
    let token = jwt(&json!({"alg": "RS256"}), &json!({"sub": reader, "exp": 4_000_000_000u64}));
    let auth = format!("Bearer {token}");
    (0..n)
        .map(|_| exchange("GET", path, &[("Authorization", &auth)], 200, SECURE, "{\"balance\":\"10.00\"}"))
        .collect()
}

#[test]
fn bola_needs_private_objects_shared_across_identities() {
    let mut traffic = Vec::new();
    for i in 0..20 {
        traffic.extend(owned(2, &format!("cust-{i}"), &format!("/api/accounts/{}", 880_000 + i)));
    }
    let (_, clean) = run(&traffic);
    assert!(!has(&clean, "bola-candidate"), "each reads their own: {:?}", rules(&clean));
    // Everyone reads the same public objects: not BOLA either.
    let mut shared = Vec::new();
    for i in 0..20 {
        for p in 0..3 {
            shared.extend(owned(1, &format!("cust-{i}"), &format!("/api/products/{}", 100 + p)));
        }
    }
    let (_, catalogue) = run(&shared);
    assert!(!has(&catalogue, "bola-candidate"), "{:?}", rules(&catalogue));
    // One customer walks others' accounts.
    for i in 0..12 {
        traffic.extend(owned(1, "cust-snoop", &format!("/api/accounts/{}", 880_000 + i)));
    }
    let (_, bola) = run(&traffic);
    let f = bola.findings.iter().find(|f| f.rule == "bola-candidate").expect("bola");
    let evidence = f.evidence.join(" ");
    assert!(evidence.contains("read 12 distinct objects") && !evidence.contains("cust-snoop"), "{evidence}");
}

#[test]
fn observations_merge_like_one_pass() {
    let mut traffic = Vec::new();
    for i in 0..10 {
        traffic.extend(owned(1, &format!("cust-{i}"), &format!("/api/accounts/{}", 880_000 + i)));
        traffic.extend(owned(1, "cust-snoop", &format!("/api/accounts/{}", 880_000 + i)));
    }
    let mut whole = PostureObserver::new();
    traffic.iter().for_each(|e| whole.observe(e));
    let (first, second) = traffic.split_at(7);
    let mut a = PostureObserver::new();
    first.iter().for_each(|e| a.observe(e));
    let mut b = PostureObserver::new();
    second.iter().for_each(|e| b.observe(e));
    // Through JSON, as the store keeps them.
    let stored: Observations = serde_json::from_str(&serde_json::to_string(&a.finish()).unwrap()).unwrap();
    let mut merged = PostureObserver::new();
    merged.seed(stored);
    merged.seed(b.finish());
    let merged = merged.finish();
    let whole = whole.finish();
    assert_eq!(merged.exchanges, whole.exchanges);
    let (_, inv_whole) = run(&traffic);
    let mut discovery = Discovery::new(DiscoveryConfig::default());
    traffic.iter().for_each(|e| discovery.observe(e));
    let inventory = discovery.finish();
    let x = rampart_posture::assess(&inventory, &merged, &PostureConfig::default());
    let y = rampart_posture::assess(&inventory, &whole, &PostureConfig::default());
    assert_eq!(rules(&x), rules(&y));
    assert!(has(&inv_whole, "bola-candidate"));
}

proptest! {
    #[test]
    fn skeletons_keep_the_segment_count_and_never_panic(path in "(/[a-zA-Z0-9._~%@-]{0,12}){0,8}") {
        let skeleton = rampart_posture::path::skeleton(&path);
        if !path.is_empty() {
            prop_assert_eq!(skeleton.split('/').count(), path.split('/').count());
        }
    }

    #[test]
    fn token_scanning_never_panics_and_finds_only_three_part_tokens(text in "\\PC{0,200}") {
        for token in rampart_posture::jwt::tokens_in(&text, 4) {
            prop_assert!(token.starts_with("eyJ"));
            prop_assert_eq!(token.matches('.').count(), 2);
        }
    }

    #[test]
    fn hostile_exchanges_never_panic(path in "\\PC{0,60}", header in "\\PC{0,60}", body in "\\PC{0,120}", status in 100u16..600) {
        let e = exchange("POST", &format!("/{path}"), &[("Authorization", &format!("Bearer eyJ{header}")), ("Origin", &header)], status,
            &[("Access-Control-Allow-Origin", &header), ("Access-Control-Allow-Credentials", "true"), ("Server", &header)], &body);
        let mut observer = PostureObserver::new();
        observer.observe(&e);
        let _ = rampart_posture::assess(&Inventory::default(), &observer.finish(), &PostureConfig::default());
    }
}
