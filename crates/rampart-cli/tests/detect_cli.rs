//! `rampart detect` as a user runs it: recorded traffic in, alerts and would-be decisions out,
//! with the exit codes CI relies on.
//!
//! The traffic is generated here: a morning of an online bank's API (customers logging in,
//! reading accounts and transactions, paying payees), a credential-stuffing run from one address
//! and a Nikto scan — so each assertion can say which client must and must not be alerted on.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

mod common;
use common::{rampart, sample_har};

const STUFFER: &str = "203.0.113.66";
const SCANNER: &str = "192.0.2.99";
/// Benign customers' addresses are `198.51.100.10` to `198.51.100.21`.
const BENIGN_PREFIX: &str = "198.51.100.";
const CUSTOMERS: u32 = 12;

/// `2026-03-02T09:00:00Z` plus `secs`, in RFC 3339.
fn at(secs: u32) -> String {
    format!(
        "2026-03-02T{:02}:{:02}:{:02}.{:03}Z",
        9 + secs / 3600,
        secs / 60 % 60,
        secs % 60,
        secs * 37 % 1000
    )
}

/// One recorded request; [`Call::answered`] adds the response and makes the Exchange JSONL line.
struct Call<'a> {
    secs: u32,
    ip: &'a str,
    identity: Option<&'a str>,
    agent: &'a str,
    method: &'a str,
    path: &'a str,
    query: &'a [(&'a str, &'a str)],
    body: Option<Value>,
}

impl Call<'_> {
    fn answered(self, status: u16, answer: Value) -> Value {
        let mut client = json!({ "ip": self.ip });
        if let Some(identity) = self.identity {
            client["identity"] = json!(identity);
            // A per-customer token fingerprint, as the gateway tap writes it.
            let fingerprint = identity.bytes().map(u128::from).sum::<u128>() * 7919;
            client["credential"] = json!(format!("{fingerprint:032x}"));
        }
        let mut request = json!({
            "method": self.method,
            "host": "api.bank.example",
            "path": self.path,
            "query": self.query.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
            "headers": [["user-agent", self.agent], ["accept", "application/json"]],
        });
        if let Some(body) = self.body {
            request["headers"]
                .as_array_mut()
                .expect("headers")
                .push(json!(["content-type", "application/json"]));
            request["body"] = json!({ "text": body.to_string() });
        }
        json!({
            "v": 1,
            "started_at": at(self.secs),
            "duration_ms": 42.0,
            "client": client,
            "source": { "kind": "gateway", "name": "edge-1" },
            "request": request,
            "response": {
                "status": status,
                "headers": [["content-type", "application/json"]],
                "body": { "text": answer.to_string() },
            },
        })
    }
}

/// Customers going about their banking over twenty minutes; one mistypes a password once.
fn benign() -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..CUSTOMERS {
        let ip = format!("{BENIGN_PREFIX}{}", 10 + n);
        let identity = format!("cust-{:04}", 1000 + n);
        let user = format!("customer{n}@example.com");
        let agent =
            if n % 2 == 0 { "BankApp/7.3.1 (iPhone; iOS 18.2)" } else { "BankApp/7.3.0 (Android 15)" };
        let account = format!("{}", 40_000_100 + n * 7);
        let transactions = format!("/api/v1/accounts/{account}/transactions");
        for visit in 0..3u32 {
            let mut t = n * 13 + visit * 600;
            let login = |secs: u32, password: &str, ok: bool| {
                let call = Call {
                    secs,
                    ip: &ip,
                    identity: None,
                    agent,
                    method: "POST",
                    path: "/api/v1/auth/login",
                    query: &[],
                    body: Some(json!({ "username": user, "password": password })),
                };
                if ok {
                    let token = json!({ "access_token": "eyJhbGciOiJSUzI1NiJ9.x.y", "token_type": "Bearer" });
                    call.answered(200, token)
                } else {
                    call.answered(401, json!({ "error": "invalid_credentials" }))
                }
            };
            if n == 4 && visit == 1 {
                out.push(login(t, "Summer2025", false));
                t += 9;
            }
            out.push(login(t, "correct horse battery", true));
            let call = |secs: u32, method: &'static str, path: &'static str| Call {
                secs,
                ip: &ip,
                identity: Some(identity.as_str()),
                agent,
                method,
                path,
                query: &[],
                body: None,
            };
            let accounts = json!([{ "id": account, "type": "current", "balance": { "amount": "1520.33" } }]);
            out.push(call(t + 2, "GET", "/api/v1/accounts").answered(200, accounts));
            let page = json!({ "data": [{ "id": "tx-1", "amount": "-12.50", "merchant": "Kopi Corner" }] });
            out.push(
                Call { path: &transactions, query: &[("page", "1")], ..call(t + 6, "GET", "") }
                    .answered(200, page),
            );
            if visit == 2 {
                let payees = json!([{ "id": "payee-77", "name": "Landlord" }]);
                out.push(call(t + 15, "GET", "/api/v1/payees").answered(200, payees));
                let transfer = json!({ "from": account, "payee": "payee-77", "amount": "1200.00" });
                out.push(
                    Call { body: Some(transfer), ..call(t + 31, "POST", "/api/v1/transfers") }
                        .answered(201, json!({ "id": format!("tr-{n}"), "status": "accepted" })),
                );
            }
        }
    }
    out
}

/// 30 usernames tried once each from one address, two seconds apart: every one refused.
fn stuffing() -> Vec<Value> {
    (0..30u32)
        .map(|i| {
            Call {
                secs: 600 + i * 2,
                ip: STUFFER,
                identity: None,
                agent: "python-requests/2.31.0",
                method: "POST",
                path: "/api/v1/auth/login",
                query: &[],
                body: Some(
                    json!({ "username": format!("victim{i}@example.com"), "password": "Spring2024!" }),
                ),
            }
            .answered(401, json!({ "error": "invalid_credentials" }))
        })
        .collect()
}

/// Nikto asking for files no bank API serves. More than the three that make path probing
/// certain: distinct paths are estimated, and two may share a bit.
fn scan() -> Vec<Value> {
    ["/", "/.env", "/.git/config", "/actuator/env", "/.aws/credentials", "/server-status", "/phpinfo.php"]
        .iter()
        .zip(1200..)
        .map(|(path, secs)| {
            Call {
                secs,
                ip: SCANNER,
                identity: None,
                agent: "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)",
                method: "GET",
                path,
                query: &[],
                body: None,
            }
            .answered(404, json!({ "error": "not_found" }))
        })
        .collect()
}

/// Every exchange, in time order.
fn all_sorted() -> Vec<Value> {
    let mut all: Vec<Value> = benign().into_iter().chain(stuffing()).chain(scan()).collect();
    all.sort_by_key(|e| e["started_at"].as_str().unwrap_or_default().to_owned());
    all
}

fn write_jsonl(path: &Path, exchanges: &[Value]) {
    let mut text = String::new();
    for exchange in exchanges {
        text.push_str(&exchange.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).expect("write traffic");
}

/// One tap file of the whole morning, sorted.
fn tap_file(dir: &Path) -> String {
    let path = dir.join("tap.jsonl");
    write_jsonl(&path, &all_sorted());
    path.display().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\n{}", stderr(out), stdout(out)))
}

fn alerts(report: &Value) -> &Vec<Value> {
    report["alerts"].as_array().expect("alerts array")
}

/// `ip:203.0.113.66`, as the text report shows keys.
fn key_of(value: &Value) -> String {
    format!("{}:{}", value["kind"].as_str().unwrap_or("?"), value["value"].as_str().unwrap_or(""))
}

fn detectors_on(report: &Value, key: &str) -> Vec<String> {
    alerts(report)
        .iter()
        .filter(|a| key_of(&a["key"]) == key)
        .map(|a| a["detector"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn stuffing_and_scanning_are_alerted_on_their_source_and_customers_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());

    let out = rampart(&["detect", &tap]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |detector: &str, key: &str| {
        text.lines().any(|l| l.split_whitespace().next() == Some(detector) && l.contains(key))
    };
    assert!(row("credential-stuffing", &format!("ip:{STUFFER}")), "{text}");
    assert!(row("scanner", &format!("ip:{SCANNER}")), "{text}");
    assert!(!text.contains(BENIGN_PREFIX), "a customer was alerted on:\n{text}");
    assert!(text.contains("Decisions the gateway would have made"), "{text}");
    let summary = stderr(&out);
    assert!(summary.contains(&format!("analysed {} exchanges", all_sorted().len())), "{summary}");
    assert!(summary.contains("over 22m 54s"), "the time span is summarised: {summary}");
    assert!(summary.contains("credential-stuffing 1") && summary.contains("scanner 1"), "{summary}");
    assert!(summary.contains("would have decided:"), "{summary}");

    let report = json_of(&rampart(&["detect", "--quiet", "--format", "json", &tap]));
    assert_eq!(report["format"], "rampart.detect");
    assert_eq!(detectors_on(&report, &format!("ip:{STUFFER}")), ["credential-stuffing"]);
    let on_scanner = detectors_on(&report, &format!("ip:{SCANNER}"));
    assert!(on_scanner.contains(&"scanner".to_owned()), "{on_scanner:?}");
    for alert in alerts(&report) {
        let keys: Vec<String> = std::iter::once(&alert["key"])
            .chain(alert["related"].as_array().into_iter().flatten())
            .map(key_of)
            .collect();
        assert!(!keys.iter().any(|k| k.contains(BENIGN_PREFIX)), "customer in an alert: {alert:#}");
        // One row per alert: the final state of its events.
        assert_eq!(alert["state"], "closed", "{alert:#}");
        for field in
            ["id", "severity", "confidence", "endpoints", "first_seen", "last_seen", "count", "summary"]
        {
            assert!(!alert[field].is_null(), "alert without {field}: {alert:#}");
        }
    }
    let stuffing_alert = alerts(&report)
        .iter()
        .find(|a| a["detector"] == "credential-stuffing")
        .expect("credential-stuffing alert");
    assert_eq!(stuffing_alert["severity"], "high");
    assert_eq!(stuffing_alert["endpoints"][0], "POST /api/v1/auth/login");
    assert!(stuffing_alert["count"].as_u64().is_some_and(|n| n >= 20), "{stuffing_alert:#}");
    // Evidence is masked: no username in the clear.
    assert!(!stuffing_alert.to_string().contains("victim1@example.com"), "{stuffing_alert:#}");

    let decisions = report["decisions"].as_array().expect("decisions array");
    assert!(
        decisions
            .iter()
            .any(|d| key_of(&d["key"]) == format!("ip:{STUFFER}") && d["action"]["action"] == "block"),
        "{decisions:#?}"
    );
    let stats = &report["stats"];
    assert_eq!(stats["exchanges"].as_u64(), Some(all_sorted().len() as u64));
    assert_eq!(stats["alerts_by_detector"]["credential-stuffing"], 1);
    assert_eq!(stats["span_secs"].as_i64(), Some(1374), "{stats:#}");
    assert!(stats["engine"]["state_bytes"].is_u64(), "{stats:#}");
    let inputs = &report["inputs"];
    assert_eq!(inputs["exchanges"].as_u64(), stats["exchanges"].as_u64());
    assert_eq!(inputs["skipped"], 0);
    assert_eq!(inputs["files"][0]["file"], tap.as_str());
}

#[test]
fn fail_on_sets_the_exit_code_and_filters_narrow_the_list() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    assert_eq!(rampart(&["detect", "--quiet", "--fail-on", "high", &tap]).status.code(), Some(1));
    assert_eq!(rampart(&["detect", "--quiet", "--fail-on", "critical", &tap]).status.code(), Some(0));

    let only_scanner =
        json_of(&rampart(&["detect", "-q", "--format", "json", "--detector", "scanner", &tap]));
    let detectors: Vec<&str> = alerts(&only_scanner).iter().filter_map(|a| a["detector"].as_str()).collect();
    assert_eq!(detectors, ["scanner"]);
    assert!(
        only_scanner["decisions"].as_array().expect("decisions").iter().all(|d| d["detector"] == "scanner"),
        "{only_scanner:#}"
    );
    // --fail-on counts only the detectors chosen.
    let code =
        rampart(&["detect", "-q", "--detector", "path-probing", "--fail-on", "high", &tap]).status.code();
    assert_eq!(code, Some(0));

    let high = json_of(&rampart(&["detect", "-q", "--format", "json", "--min-severity", "high", &tap]));
    assert!(alerts(&high).iter().all(|a| a["severity"] == "high" || a["severity"] == "critical"), "{high:#}");
    assert!(!alerts(&high).is_empty());

    let unknown = rampart(&["detect", "--detector", "stuffing", &tap]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("credential-stuffing"),
        "the known names are listed: {}",
        stderr(&unknown)
    );
}

#[test]
fn jsonl_has_every_event_of_an_alert_under_one_id_and_o_writes_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    let out_path = dir.path().join("alerts.jsonl");
    let out = rampart(&["detect", "-q", "--format", "jsonl", "-o", out_path.to_str().expect("path"), &tap]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "-o replaces standard output");
    let text = std::fs::read_to_string(&out_path).expect("report written");
    let events: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let id = events
        .iter()
        .find(|e| e["detector"] == "credential-stuffing")
        .and_then(|e| e["id"].as_str())
        .expect("a credential-stuffing event")
        .to_owned();
    let states: Vec<&str> =
        events.iter().filter(|e| e["id"] == id.as_str()).filter_map(|e| e["state"].as_str()).collect();
    assert_eq!(states.first(), Some(&"open"), "{states:?}");
    assert_eq!(states.last(), Some(&"closed"), "{states:?}");
    assert!(states.contains(&"update"), "a minute-long run is updated while it goes on: {states:?}");
}

#[test]
fn unordered_and_interleaved_files_are_replayed_in_time_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    // Two taps of one morning, each with the other's gaps; the second written backwards.
    let (mut a, mut b): (Vec<Value>, Vec<Value>) = (Vec::new(), Vec::new());
    for (index, exchange) in all_sorted().into_iter().enumerate() {
        if index % 3 == 0 { b.push(exchange) } else { a.push(exchange) }
    }
    b.reverse();
    let (file_a, file_b) = (dir.path().join("edge-1.jsonl"), dir.path().join("edge-2.jsonl"));
    write_jsonl(&file_a, &a);
    write_jsonl(&file_b, &b);
    // Distinct counts are estimated with per-process hash seeds: an alert may open one request
    // later in one run than in another. Out of order it would open tens of seconds late.
    let essentials = |report: &Value| -> Vec<(String, String, i64)> {
        alerts(report)
            .iter()
            .map(|a| {
                let first =
                    a["first_seen"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
                (
                    a["detector"].as_str().unwrap_or("").to_owned(),
                    key_of(&a["key"]),
                    first.map_or(0, |t| t.timestamp()),
                )
            })
            .collect()
    };
    let sorted = essentials(&json_of(&rampart(&["detect", "-q", "--format", "json", &tap])));
    let split_report = json_of(&rampart(&[
        "detect",
        "-q",
        "--format",
        "json",
        file_b.to_str().expect("path"),
        file_a.to_str().expect("path"),
    ]));
    let split = essentials(&split_report);
    let names = |alerts: &[(String, String, i64)]| -> Vec<(String, String)> {
        alerts.iter().map(|(d, k, _)| (d.clone(), k.clone())).collect()
    };
    assert_eq!(names(&split), names(&sorted));
    for ((detector, key, first), (_, _, expected)) in split.iter().zip(&sorted) {
        assert!((first - expected).abs() <= 4, "{detector} {key} opened at {first}, in order at {expected}");
    }
    let split = split_report;
    assert_eq!(split["inputs"]["files"].as_array().map(Vec::len), Some(2));
}

#[test]
fn a_malformed_line_is_skipped_and_reported_and_the_rest_analysed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tap.jsonl");
    let mut lines: Vec<String> = all_sorted().iter().map(Value::to_string).collect();
    lines.insert(2, r#"{"started_at": "2026-03-02T09:00:01Z", "request": {"method": "GET""#.to_owned());
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let file = path.to_str().expect("path");

    let out = rampart(&["detect", "--format", "json", file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("{file}: line 3")), "the line is named: {err}");
    assert!(err.contains("1 malformed entry skipped") && err.contains(&format!("{file} 1")), "{err}");
    let report = json_of(&out);
    assert_eq!(report["inputs"]["skipped"], 1);
    let errors = report["inputs"]["files"][0]["errors"].as_array().expect("errors");
    assert!(errors[0].as_str().is_some_and(|e| e.contains("line 3")), "{errors:?}");
    assert_eq!(report["stats"]["exchanges"].as_u64(), Some(all_sorted().len() as u64));
    assert_eq!(detectors_on(&report, &format!("ip:{STUFFER}")), ["credential-stuffing"]);
}

#[test]
fn unreadable_inputs_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    let missing = dir.path().join("no-such-tap.jsonl");
    let out = rampart(&["detect", &tap, missing.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-tap.jsonl"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing is reported from part of the inputs");

    let out = rampart(&["detect", dir.path().to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));

    let garbage = dir.path().join("notes.txt");
    std::fs::write(&garbage, "not traffic at all\n").expect("write");
    let out = rampart(&["detect", garbage.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("notes.txt"), "{}", stderr(&out));
}

fn config_file(dir: &Path, detect: &str) -> PathBuf {
    let path = dir.join("rampart.toml");
    // The gateway's sections around ours: detect reads only `[detect]`.
    let text = format!(
        "listen = \"127.0.0.1:8080\"\n\n[[routes]]\npath_prefix = \"/\"\nupstream = \"http://127.0.0.1:3000\"\n\n[tap]\nfile = \"exchanges.jsonl\"\n\n{detect}"
    );
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn the_detect_section_of_rampart_toml_tunes_the_detectors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    // More usernames than the run tried: what remains is a brute force (30 failures ≥ 10), and
    // the gateway's monitor switch does not hide what would have been decided.
    let config = config_file(
        dir.path(),
        "[detect]\nmonitor = true\n\n[detect.credential]\nusernames_per_ip = 100\n\n[detect.probing]\naction = \"rate_limit\"\n",
    );
    let out = rampart(&["detect", "--format", "json", "--config", config.to_str().expect("path"), &tap]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("monitor = true is ignored"), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(detectors_on(&report, &format!("ip:{STUFFER}")), ["brute-force"]);
    let scanner_decisions: Vec<&Value> = report["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .filter(|d| key_of(&d["key"]) == format!("ip:{SCANNER}"))
        .collect();
    assert!(!scanner_decisions.is_empty(), "{report:#}");
    assert!(
        scanner_decisions.iter().all(|d| d["action"]["action"] == "rate_limit"),
        "{scanner_decisions:#?}"
    );
}

#[test]
fn a_bad_detect_section_exits_2_naming_the_file_and_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tap = tap_file(dir.path());
    let config = config_file(dir.path(), "[detect.credential]\nfailures_per_ip = 10\nusername_per_ip = 5\n");
    let out = rampart(&["detect", "--config", config.to_str().expect("path"), &tap]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("rampart.toml:") && err.contains("username_per_ip"), "{err}");
    assert!(err.contains("[detect.credential]"), "the section is named: {err}");

    let config = config_file(dir.path(), "[detect.probing]\nwindow_secs = 0\n");
    let out = rampart(&["detect", "--config", config.to_str().expect("path"), &tap]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("rampart.toml") && err.contains("detect.probing.window_secs"), "{err}");
}

/// The demo bank's recorded traffic. It is a HAR, so it has no client addresses and the
/// detectors keyed on them stay quiet; what is left must not cry wolf.
#[test]
fn the_demo_banks_sample_raises_no_high_severity_alert() {
    let out = rampart(&["detect", "-q", "--format", "json", &sample_har()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert!(report["stats"]["exchanges"].as_u64().is_some_and(|n| n > 1000), "{:#}", report["stats"]);
    let loud: Vec<String> = alerts(&report)
        .iter()
        .filter(|a| a["severity"] == "high" || a["severity"] == "critical")
        .map(|a| format!("{} {} {}: {}", a["severity"], a["detector"], key_of(&a["key"]), a["summary"]))
        .collect();
    assert!(loud.is_empty(), "high-severity alerts on the demo sample:\n{}", loud.join("\n"));
}
