//! `rampart discover` as a user runs it: the binary, real files, exit codes and outputs.

use std::collections::BTreeSet;
use std::process::{Command, Output};

mod common;
use common::{bank_spec, rampart, sample_har};

fn json_of(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "rampart failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// `{accountId}` → `{}` so that route sets compare independent of parameter names.
fn normalise(template: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

fn endpoints(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["endpoints"].as_array().expect("endpoints array").iter().collect()
}

fn find<'a>(report: &'a serde_json::Value, method: &str, template: &str) -> &'a serde_json::Value {
    endpoints(report)
        .into_iter()
        .find(|e| e["key"]["method"] == method && e["key"]["path_template"] == template)
        .unwrap_or_else(|| panic!("no endpoint {method} {template}"))
}

#[test]
fn the_sample_har_gives_exactly_the_demo_banks_routes() {
    let report = json_of(&rampart(&["discover", "--no-db", "--quiet", "--format", "json", &sample_har()]));
    let found: BTreeSet<(String, String)> = endpoints(&report)
        .iter()
        .map(|e| {
            (
                e["key"]["method"].as_str().unwrap().to_owned(),
                normalise(e["key"]["path_template"].as_str().unwrap()),
            )
        })
        .collect();
    let truth: BTreeSet<(String, String)> =
        rampart_demo::routes().into_iter().map(|(m, t)| (m.to_owned(), normalise(t))).collect();
    let missing: Vec<_> = truth.difference(&found).collect();
    let extra: Vec<_> = found.difference(&truth).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}\nextra {extra:?}");

    // Parameters are named after the segment before them.
    let account = find(&report, "GET", "/v2/accounts/{accountId}/transactions");
    assert_eq!(account["path_params"][0]["name"], "accountId");
    assert!(account["query_params"]["page"].is_object(), "query params recorded: {account}");
    assert_eq!(account["key"]["host"], "api.demo-bank.example");
    let schemes: Vec<&str> =
        account["auth"]["schemes"].as_array().unwrap().iter().filter_map(|s| s["kind"].as_str()).collect();
    assert!(schemes.contains(&"bearer-jwt"), "{schemes:?}");
    assert!(account["auth"]["jwt"]["algs"]["RS256"].as_u64().unwrap() > 0);
}

#[test]
fn declared_spec_marks_shadow_zombie_and_drift() {
    let report = json_of(&rampart(&[
        "discover",
        "--no-db",
        "--quiet",
        "--format",
        "json",
        "--spec",
        &bank_spec(),
        &sample_har(),
    ]));
    let status =
        |m: &str, t: &str| find(&report, m, t)["spec"]["status"].as_str().unwrap_or("none").to_owned();
    assert_eq!(status("GET", "/v2/accounts"), "documented");
    assert_eq!(status("GET", "/internal/admin/users"), "shadow");
    assert_eq!(status("POST", "/v2/webhooks"), "shadow");
    assert_eq!(status("GET", "/v1/accounts"), "zombie");
    let summary = &report["summary"];
    assert!(summary["shadow"].as_u64().unwrap() >= 3, "{summary}");
    assert!(summary["with_drift"].as_u64().unwrap() >= 1, "{summary}");
}

#[test]
fn the_inventory_is_merged_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rampart.db").display().to_string();
    let first = json_of(&rampart(&["discover", "--db", &db, "--quiet", "--format", "json", &sample_har()]));
    let second = json_of(&rampart(&["discover", "--db", &db, "--quiet", "--format", "json", &sample_har()]));
    let calls = |r: &serde_json::Value| find(r, "GET", "/v2/accounts")["calls"].as_u64().unwrap();
    assert_eq!(calls(&second), 2 * calls(&first));
    assert_eq!(endpoints(&first).len(), endpoints(&second).len(), "templates stay stable across runs");
}

#[test]
fn malformed_entries_are_reported_counted_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("broken.har");
    std::fs::write(
        &har,
        r#"{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[
          {"startedDateTime":"2026-11-29T10:00:00Z","time":5,"request":{"method":"GET","url":"https://api.x.example/v1/items/1","headers":[]},"response":{"status":200,"headers":[],"content":{"size":0,"mimeType":"application/json","text":"{}"}}},
          {"startedDateTime":"2026-11-29T10:00:01Z","time":5,"request":{"method":"GET","headers":[]}},
          {"startedDateTime":"2026-11-29T10:00:02Z","time":5,"request":{"method":"GET","url":"https://api.x.example/v1/items/2","headers":[]},"response":{"status":200,"headers":[],"content":{"size":0,"mimeType":"application/json","text":"{}"}}}
        ]}}"#,
    )
    .unwrap();
    let out = rampart(&["discover", "--no-db", "--format", "json", &har.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("broken.har") && stderr.contains("entry 1"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["exchanges"], 2);
    assert_eq!(report["summary"]["skipped"], 1);
}

#[test]
fn nothing_readable_fails_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.har");
    std::fs::write(&junk, b"\x00\x01 this is not a HAR file \xff\xfe").unwrap();
    let out = rampart(&["discover", "--no-db", &junk.display().to_string()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("junk.har"), "{stderr}");

    let out = rampart(&["discover", "--no-db", "/nonexistent/traffic.har"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/traffic.har"));
}

#[test]
fn a_broken_spec_is_an_error_but_the_traffic_is_still_processed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("broken.yaml");
    std::fs::write(&spec, "openapi: 3.0.3\npaths:\n  /a: [unclosed\n").unwrap();
    let out = rampart(&[
        "discover",
        "--no-db",
        "--format",
        "json",
        "--spec",
        &spec.display().to_string(),
        &sample_har(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.yaml"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["summary"]["endpoints"].as_u64().unwrap() > 10);
}

#[test]
fn exchange_jsonl_is_read_like_har() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("tap.jsonl");
    let mut lines = String::new();
    for (i, id) in [1001, 1002, 1003, 1004, 1005].iter().enumerate() {
        lines.push_str(&format!(
            r#"{{"v":1,"started_at":"2026-11-29T10:00:0{i}Z","duration_ms":3.5,"client":{{"ip":"198.51.100.{i}"}},"source":{{"kind":"gateway"}},"request":{{"method":"GET","scheme":"https","host":"pay.example","path":"/v1/invoices/{id}","headers":[["X-API-Key","k-{i}"]]}},"response":{{"status":200,"headers":[["Content-Type","application/json"]],"body":{{"text":"{{\"invoiceId\":{id},\"amount\":12.5,\"email\":\"a{i}@pay.example\"}}"}}}}}}"#
        ));
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();
    let report = json_of(&rampart(&[
        "discover",
        "--no-db",
        "--quiet",
        "--format",
        "json",
        &jsonl.display().to_string(),
    ]));
    let invoice = find(&report, "GET", "/v1/invoices/{invoiceId}");
    assert_eq!(invoice["calls"], 5);
    assert_eq!(invoice["auth"]["schemes"][0]["kind"], "api-key-header");
    let schema = &invoice["json_schemas"]["responses"]["200"]["application/json"];
    assert_eq!(schema["properties"]["invoiceId"]["type"], "integer");
    assert_eq!(schema["properties"]["email"]["format"], "email");
    let example = schema["properties"]["email"]["examples"][0].as_str().unwrap_or("");
    assert!(!example.contains("a0@") && !example.contains("a1@"), "examples are masked: {example}");
}

#[test]
fn the_reconstructed_openapi_is_written_per_host() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("reconstructed.json");
    let out = rampart(&[
        "discover",
        "--no-db",
        "--quiet",
        "--openapi",
        &out_file.display().to_string(),
        &sample_har(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v2/accounts/{accountId}"]["get"].is_object(), "{}", doc["paths"]);
    if std::env::var("RAMPART_TEST_OPENAPI_VALIDATOR").as_deref() == Ok("1") {
        let status = Command::new("python3")
            .args(["-m", "openapi_spec_validator", &out_file.display().to_string()])
            .status()
            .expect("python3 runs");
        assert!(status.success(), "openapi-spec-validator rejected the reconstructed spec");
    } else {
        eprintln!("note: RAMPART_TEST_OPENAPI_VALIDATOR is not 1; the independent validator was not run");
    }
}

/// Hostile bodies inside otherwise valid entries: every entry is still counted, the command
/// succeeds, and what could not be described is counted on its endpoint.
#[test]
fn hostile_bodies_are_bounded_and_counted_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("hostile.har");
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let wide = format!("[{}]", vec!["{\"a\":1}"; 200_000].join(","));
    let many_keys =
        format!("{{{}}}", (0..50_000).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(","));
    let entry = |i: usize, mime: &str, text: &str, encoding: Option<&str>| {
        serde_json::json!({
            "startedDateTime": "2026-11-29T10:00:00Z", "time": 3,
            "request": {"method": "GET", "url": format!("https://api.x.example/v1/blobs/{i}"), "headers": []},
            "response": {"status": 200, "headers": [{"name": "Content-Type", "value": mime}],
                "content": {"size": text.len(), "mimeType": mime, "text": text, "encoding": encoding}}
        })
    };
    let entries = vec![
        entry(1, "application/json", &deep, None),
        entry(2, "application/json", &wide, None),
        entry(3, "application/json", &many_keys, None),
        entry(
            4,
            "application/json",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            Some("base64"),
        ),
        entry(5, "application/json", "{\"cut\": \"sho", None),
        entry(6, "application/json", "{\"id\": 6, \"name\": \"fine\"}", None),
    ];
    let doc = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}});
    std::fs::write(&har, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = rampart(&["discover", "--no-db", "--quiet", "--format", "json", &har.display().to_string()]);
    let report = json_of(&out);
    assert_eq!(report["summary"]["exchanges"], 6);
    let blob = find(&report, "GET", "/v1/blobs/{blobId}");
    assert_eq!(blob["calls"], 6);
    assert!(
        blob["unparsed_bodies"].as_u64().unwrap() >= 2,
        "binary and cut bodies are counted: {}",
        blob["unparsed_bodies"]
    );
    let schema = &blob["json_schemas"]["responses"]["200"]["application/json"];
    assert!(schema.is_object(), "{schema}");
}

#[test]
fn standard_input_is_read_when_the_file_is_a_dash() {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["discover", "--no-db", "--quiet", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rampart");
    let har = std::fs::read(sample_har()).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&har));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let report = json_of(&out);
    assert_eq!(report["summary"]["exchanges"], 3000);
    assert_eq!(report["inputs"][0]["file"], "<stdin>");
}

/// A browser recording holds the page's scripts, styles, images and fonts beside its API calls:
/// only the API is catalogued, the rest is counted.
#[test]
fn static_assets_of_browser_recordings_are_counted_not_catalogued() {
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("browser.har");
    let entry = |url: &str, mime: &str, text: &str| {
        serde_json::json!({
            "startedDateTime": "2026-11-29T10:00:00Z", "time": 3,
            "request": {"method": "GET", "url": url, "headers": []},
            "response": {"status": 200, "headers": [{"name": "Content-Type", "value": mime}],
                "content": {"size": text.len(), "mimeType": mime, "text": text}}
        })
    };
    let mut entries = vec![
        entry("https://ib.bank.example/", "text/html", "<html></html>"),
        entry("https://ib.bank.example/static/js/main.4f3a2b91.js", "application/javascript", "x"),
        entry("https://ib.bank.example/static/css/app.9c1d.css", "text/css", "x"),
        entry("https://ib.bank.example/assets/logo.svg", "image/svg+xml", "<svg/>"),
        entry("https://ib.bank.example/fonts/inter.woff2", "font/woff2", "x"),
        entry("https://ib.bank.example/bundle", "application/javascript", "x"),
    ];
    for id in [100234, 100987, 102345] {
        entries.push(entry(
            &format!("https://ib.bank.example/api/accounts/{id}"),
            "application/json",
            &format!("{{\"id\":{id}}}"),
        ));
    }
    let doc = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "Chrome", "version": "1"}, "entries": entries}});
    std::fs::write(&har, serde_json::to_vec(&doc).unwrap()).unwrap();
    let har = har.display().to_string();

    let report = json_of(&rampart(&["discover", "--no-db", "--quiet", "--format", "json", &har]));
    let templates: Vec<&str> =
        endpoints(&report).iter().map(|e| e["key"]["path_template"].as_str().unwrap()).collect();
    assert_eq!(templates, ["/", "/api/accounts/{accountId}"], "the page and the API only");
    assert_eq!(report["summary"]["static_assets_skipped"], 5);
    assert_eq!(report["summary"]["exchanges"], 9, "every entry was read");

    let all =
        json_of(&rampart(&["discover", "--no-db", "--quiet", "--format", "json", "--include-static", &har]));
    assert_eq!(all["summary"]["static_assets_skipped"], 0);
    assert!(endpoints(&all).len() > 2);
}

/// The demo bank returns full card numbers on one endpoint and national IDs on its customer
/// endpoints: discover says so per endpoint and per field, with masked examples only.
#[test]
fn sensitive_data_is_reported_per_endpoint_and_field_and_masked() {
    let report = json_of(&rampart(&["discover", "--no-db", "--quiet", "--format", "json", &sample_har()]));
    let card = find(&report, "GET", "/v2/cards/{cardId}");
    assert!(card["sensitive"]["returned"]["card-number"].as_u64().unwrap() > 0, "{}", card["sensitive"]);
    let customer = find(&report, "GET", "/v2/customers/{customerId}");
    let returned = customer["sensitive"]["returned"].as_object().unwrap();
    for kind in ["email", "phone"] {
        assert!(returned.contains_key(kind), "{kind} missing from {returned:?}");
    }
    assert!(
        returned.keys().any(|k| ["sg-nric", "in-aadhaar", "cn-resident-id", "hk-hkid", "my-mykad"].contains(&k.as_str())),
        "a national ID: {returned:?}"
    );
    let accounts = find(&report, "GET", "/v2/accounts");
    assert!(
        accounts["sensitive"]["returned_in_bulk"].as_object().is_some_and(|m| !m.is_empty()),
        "{}",
        accounts["sensitive"]
    );
    assert!(report["summary"]["sensitive_endpoints"].as_u64().unwrap() >= 5);

    // Field level, and nothing raw kept: the sample's emails never appear unmasked.
    let email = &customer["responses"]["200"]["application/json"]["object"]["properties"]["email"];
    assert!(email["sensitive"]["email"].as_u64().unwrap() > 0, "{email}");
    for example in email["string"]["examples"].as_array().unwrap() {
        let example = example.as_str().unwrap();
        assert!(example.contains('*'), "masked: {example}");
    }

    let plain = json_of(&rampart(&[
        "discover",
        "--no-db",
        "--quiet",
        "--format",
        "json",
        "--no-sensitive",
        &sample_har(),
    ]));
    assert_eq!(plain["summary"]["sensitive_endpoints"], 0);
}

#[test]
fn classify_finds_and_masks_sensitive_values_in_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("customer.json");
    std::fs::write(
        &doc,
        r#"{"customer":{"name":"Tan Mei Ling","nric":"S1234567D","email":"mei.tan@example.com",
            "cards":[{"pan":"4111 1111 1111 1111"}],"orderId":"20261129123456"}}"#,
    )
    .unwrap();
    let doc = doc.display().to_string();
    let out = rampart(&["classify", "--format", "json", &doc]);
    let report = json_of(&out);
    let findings = report["findings"].as_array().unwrap();
    let kinds: Vec<&str> = findings.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    for kind in ["sg-nric", "email", "card-number"] {
        assert!(kinds.contains(&kind), "{kind} not in {kinds:?}");
    }
    assert!(!kinds.contains(&"card-number") || kinds.iter().filter(|k| **k == "card-number").count() == 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("S1234567D") && !text.contains("4111 1111 1111 1111"), "no raw values: {text}");
    assert!(text.contains("/customer/cards/*/pan"), "pointer templates: {text}");

    let gate = rampart(&["classify", "--quiet", "--fail-if-found", &doc]);
    assert_eq!(gate.status.code(), Some(3));
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, "order 20261129 shipped on 2026-11-29, amount 1234.50 SGD").unwrap();
    let gate = rampart(&["classify", "--quiet", "--fail-if-found", &clean.display().to_string()]);
    assert_eq!(gate.status.code(), Some(0), "{}", String::from_utf8_lossy(&gate.stdout));
}
