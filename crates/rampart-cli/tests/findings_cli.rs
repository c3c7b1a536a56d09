//! `rampart findings` and the risk columns of `rampart discover`, as a user runs them.

use std::collections::BTreeSet;
use std::process::Output;

mod common;
use common::{bank_spec, rampart, sample_har};

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn triples(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["endpoint"]["method"].as_str().unwrap().to_owned(),
                f["endpoint"]["path_template"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn findings_of_the_demo_bank_are_its_planted_flaws_and_filters_narrow_them() {
    let all = rampart(&["findings", "--no-db", "--format", "json", "--spec", &bank_spec(), &sample_har()]);
    assert_eq!(all.status.code(), Some(0), "{}", String::from_utf8_lossy(&all.stderr));
    let report = json_of(&all);
    assert_eq!(report["format"], "rampart.findings");
    let planted: BTreeSet<(String, String, String)> = rampart_demo::planted_flaws()
        .into_iter()
        .map(|(r, m, t)| (r.to_owned(), m.to_owned(), t.to_owned()))
        .collect();
    assert_eq!(triples(&report), planted);
    assert_eq!(report["summary"]["total"].as_u64().unwrap() as usize, planted.len());

    let high = json_of(&rampart(&[
        "findings",
        "--no-db",
        "--format",
        "json",
        "--severity",
        "high",
        "--owasp",
        "API1,API2",
        &sample_har(),
    ]));
    let rules: BTreeSet<String> = triples(&high).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(
        rules,
        ["bola-candidate", "jwt-weak-secret", "jwt-without-expiry", "sensitive-data-unauthenticated"]
            .map(str::to_owned)
            .into(),
    );
    let webhooks = json_of(&rampart(&[
        "findings",
        "--no-db",
        "--format",
        "json",
        "--endpoint",
        "POST api.demo-bank.example/v2/webhooks",
        &sample_har(),
    ]));
    assert_eq!(triples(&webhooks).into_iter().map(|(r, _, _)| r).collect::<Vec<_>>(), ["ssrf-candidate"]);
}

#[test]
fn exit_codes_follow_fail_on_and_bad_input() {
    let fail = rampart(&["findings", "--no-db", "--quiet", "--fail-on", "critical", &sample_har()]);
    assert_eq!(fail.status.code(), Some(1), "a critical finding fails the build");
    let text = String::from_utf8_lossy(&fail.stdout);
    assert!(text.contains("CRITICAL  API2   jwt-weak-secret"), "{text}");
    assert!(!text.contains("s3cr3t") && !text.contains("eyJ"), "no secret or token printed");
    let pass = rampart(&[
        "findings",
        "--no-db",
        "--quiet",
        "--fail-on",
        "critical",
        "--owasp",
        "API7",
        &sample_har(),
    ]);
    assert_eq!(pass.status.code(), Some(0), "only listed findings count");
    assert_eq!(
        rampart(&["findings", "--no-db", "--severity", "severe", &sample_har()]).status.code(),
        Some(2)
    );
    assert_eq!(rampart(&["findings", "--no-db"]).status.code(), Some(2), "nothing to list");
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.har");
    std::fs::write(&junk, b"not a har").unwrap();
    assert_eq!(rampart(&["findings", "--no-db", &junk.display().to_string()]).status.code(), Some(2));
}

#[test]
fn findings_are_stored_by_discover_and_listed_from_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rampart.db").display().to_string();
    let missing = rampart(&["findings", "--db", &db]);
    assert_eq!(missing.status.code(), Some(2), "no database yet");
    let out = rampart(&["discover", "--db", &db, "--quiet", "--spec", &bank_spec(), &sample_har()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stored = json_of(&rampart(&["findings", "--db", &db, "--format", "json"]));
    assert_eq!(stored["summary"]["total"].as_u64().unwrap() as usize, rampart_demo::planted_flaws().len());
    // A second run merges its observations with the stored ones: the same findings come back.
    let again = json_of(&rampart(&[
        "findings",
        "--db",
        &db,
        "--format",
        "json",
        "--spec",
        &bank_spec(),
        &sample_har(),
    ]));
    assert_eq!(triples(&again), triples(&stored));
}

#[test]
fn discover_shows_risk_and_finding_counts_and_sorts_by_risk() {
    let table = rampart(&["discover", "--no-db", "--quiet", "--sort", "risk", &sample_har()]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    let header = text.lines().nth(1).unwrap();
    assert!(header.contains("RISK") && header.contains("FINDINGS"), "{header}");
    let first = text.lines().nth(2).unwrap();
    assert!(first.contains("/v1/customers/{customerId}"), "highest risk first: {first}");

    let report = json_of(&rampart(&["discover", "--no-db", "--quiet", "--format", "json", &sample_har()]));
    let endpoints = report["endpoints"].as_array().unwrap();
    let login = endpoints
        .iter()
        .find(|e| e["key"]["method"] == "POST" && e["key"]["path_template"] == "/v1/auth/login")
        .unwrap();
    assert!(login["risk"]["score"].as_u64().unwrap() > 40, "{}", login["risk"]);
    assert!(login["risk"]["parts"].as_array().unwrap().iter().any(|p| p["factor"] == "findings"));
    assert_eq!(login["findings"]["critical"], 1);
    assert!(login["findings"]["total"].as_u64().unwrap() >= 3);
    assert!(report["summary"]["findings"].as_u64().unwrap() > 0);
}
