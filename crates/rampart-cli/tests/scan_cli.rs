//! `rampart scan` end to end, as a bank's pipeline runs it: discovery of the recorded traffic
//! into a database, then the scan of the demo bank (served in-process) with the declared spec
//! and the inventory, two customers and the ops admin. In flawed mode every planted flaw must
//! be found; in fixed mode nothing of medium severity or more.

mod common;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use common::{bank_spec, rampart, sample_har};
use rampart_demo::data::Dataset;
use rampart_demo::jwt::SigningKeys;
use rampart_demo::state::Mode;
use rampart_demo::{AppState, Clock};
use serde_json::Value;

const SEED: u64 = 42;
const CUSTOMERS: usize = 300;

/// Serves the demo bank on an ephemeral port from its own thread; returns its base URL.
fn serve(mode: Mode) -> (String, Dataset) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let keys = Arc::new(SigningKeys::from_demo_seed(SEED, SigningKeys::DEFAULT_BITS).expect("keys"));
            let data = Dataset::generate(SEED, CUSTOMERS);
            let state = AppState::with_mode(data.clone(), keys, Clock::System, mode);
            let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
                .await
                .expect("bind");
            let base = format!("http://{}", listener.local_addr().expect("address"));
            tx.send((base, data)).expect("send");
            let _ = rampart_demo::serve(listener, state).await;
        });
    });
    rx.recv().expect("demo started")
}

fn identities(data: &Dataset) -> String {
    let (client_id, client_secret, _) = &data.clients[0];
    let mut out = String::new();
    for (name, customer) in ["alice", "bob"].iter().zip(&data.customers) {
        out.push_str(&format!(
            "[[identity]]\nname = \"{name}\"\nrole = \"user\"\n[identity.login]\npath = \"/oauth/token\"\n\
             form = {{ grant_type = \"password\", client_id = \"{client_id}\", client_secret = \"{client_secret}\", username = \"{u}\", password = \"{p}\" }}\n\
             token = \"/access_token\"\nusername = \"{u}\"\npassword = \"{p}\"\n\n",
            u = customer.username,
            p = customer.password
        ));
    }
    out.push_str(&format!("[[identity]]\nname = \"ops\"\nrole = \"admin\"\napi_key = {{ header = \"X-API-Key\", value = \"{}\" }}\n", data.ops_api_key));
    out
}

fn scan(mode: Mode, dir: &std::path::Path) -> (Value, i32) {
    let db = dir.join("rampart.db");
    if !db.exists() {
        let out = rampart(&["discover", &sample_har(), "--db", &db.display().to_string(), "--quiet"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (base, data) = serve(mode);
    let ids = dir.join(format!("identities-{mode:?}.toml"));
    std::fs::write(&ids, identities(&data)).expect("write identities");
    let sarif = dir.join(format!("scan-{mode:?}.sarif"));
    let out = rampart(&[
        "scan",
        "--target",
        &base,
        "--spec",
        &bank_spec(),
        "--from-inventory",
        "--db",
        &db.display().to_string(),
        "--identities",
        &ids.display().to_string(),
        "--allow-writes",
        "--rate",
        "0",
        "--seed",
        "7",
        "--format",
        "json",
        "--output",
        &sarif.display().to_string(),
        "--fail-on",
        "medium",
        "--quiet",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert!(sarif.exists());
    (report, out.status.code().unwrap_or(-1))
}

/// Which scanner rules prove a planted class.
fn rules_for(class: &str) -> &'static [&'static str] {
    match class {
        "bola-read" => &["bola-read", "bola-enumeration"],
        "bola-write" => &["bola-write"],
        "no-auth-sensitive-data" => &["sensitive-data-without-auth", "auth-not-enforced"],
        "jwt-weak-secret" => &["jwt-weak-secret"],
        "jwt-alg-none" => &["jwt-alg-none-accepted"],
        "jwt-no-expiry" => &["jwt-without-expiry"],
        "login-no-rate-limit" => &["login-no-rate-limit"],
        "user-enumeration" => &["user-enumeration"],
        "mass-assignment" => &["mass-assignment"],
        "excessive-data-exposure" => &["excessive-data-exposure", "full-card-number-exposed"],
        "unbounded-page-size" => &["unbounded-page-size"],
        "oversized-body" => &["oversized-body-accepted"],
        "bfla-admin" => &["bfla-admin-operation"],
        "method-swap" => &["undeclared-method-accepted"],
        "ssrf" => &["ssrf"],
        "cors" => &["cors-any-origin"],
        "security-headers" => &["missing-security-headers", "server-version-disclosed"],
        "verbose-error" => &["verbose-error"],
        "trace-method" => &["trace-enabled"],
        "old-api-version" => &["old-api-version"],
        "undocumented-endpoint" => &["undocumented-endpoint"],
        "sql-injection" => &["sql-injection"],
        "nosql-injection" => &["nosql-injection"],
        "command-injection" => &["command-injection"],
        _ => &[],
    }
}

/// Classes whose findings name something other than the planted operation (a token, the
/// target as a whole, a path the scanner found by itself).
fn matched_by_rule_only(class: &str) -> bool {
    matches!(
        class,
        "jwt-weak-secret"
            | "jwt-alg-none"
            | "jwt-no-expiry"
            | "trace-method"
            | "undocumented-endpoint"
            | "old-api-version"
    )
}

#[test]
fn the_scan_finds_every_planted_flaw_and_nothing_in_the_fixed_bank() {
    let dir = tempfile::tempdir().expect("tempdir");

    let (flawed, code) = scan(Mode::Flawed, dir.path());
    assert_eq!(code, 1, "findings at medium or more fail the run");
    let findings = flawed["findings"].as_array().cloned().unwrap_or_default();
    let mut missing = Vec::new();
    for (owasp, class, method, template) in rampart_demo::scan_planted_flaws() {
        let operation = format!("{method} {template}");
        let rules = rules_for(class);
        assert!(!rules.is_empty(), "no scanner rule for planted class {class}");
        let found = findings.iter().any(|f| {
            rules.contains(&f["rule"].as_str().unwrap_or(""))
                && (matched_by_rule_only(class) || f["operation"].as_str() == Some(operation.as_str()))
        });
        if !found {
            missing.push(format!("{owasp} {class} {operation}"));
        }
    }
    let summary: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}",
                f["severity"].as_str().unwrap_or(""),
                f["rule"].as_str().unwrap_or(""),
                f["operation"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "planted flaws not found:\n{}\n\nfound:\n{}",
        missing.join("\n"),
        summary.join("\n")
    );
    // Evidence is masked: the demo customers' passwords never appear in the report.
    let text = flawed.to_string();
    let data = Dataset::generate(SEED, CUSTOMERS);
    for customer in data.customers.iter().take(2) {
        assert!(!text.contains(&customer.password), "a password leaked into the report");
    }

    let (fixed, code) = scan(Mode::Fixed, dir.path());
    let serious: Vec<String> = fixed["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|f| matches!(f["severity"].as_str(), Some("medium" | "high" | "critical")))
        .map(|f| format!("{} {} {}: {}", f["severity"], f["rule"], f["operation"], f["description"]))
        .collect();
    assert!(serious.is_empty(), "findings in fixed mode:\n{}", serious.join("\n"));
    assert_eq!(code, 0);
    let tests: BTreeMap<String, usize> =
        fixed["tests"].as_array().cloned().unwrap_or_default().iter().fold(BTreeMap::new(), |mut acc, t| {
            *acc.entry(t["outcome"].as_str().unwrap_or("").to_string()).or_default() += 1;
            acc
        });
    assert!(tests.get("passed").copied().unwrap_or(0) > 20, "{tests:?}");
}
