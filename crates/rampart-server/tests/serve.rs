//! `rampart serve` end to end, in process: the demo bank behind the gateway, the demo's
//! customers through it, and what a bank's team then finds through the API — the shadow and
//! zombie endpoints against the declared spec, the endpoint that returns full card numbers and
//! its finding, decisions that take effect at the gateway at once — and that a restart keeps all
//! of it.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

const SEED: u64 = 42;
const CUSTOMERS: usize = 60;

fn bank_spec() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/bank-api.openapi.yaml")
}

fn items(reply: &common::Reply) -> Vec<Value> {
    reply.json()["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_finds_shadow_apis_card_numbers_and_attacks_and_a_restart_keeps_them() {
    let bank = common::demo_bank(SEED, CUSTOMERS).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::config(&format!("http://{bank}"), dir.path());
    config.pipeline.specs = vec![bank_spec()];
    // The traffic generator tells its customers apart by X-Forwarded-For.
    config.gateway.forwarding.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let tokens = common::tokens(&config.store.path);
    let server = rampart_server::start(config.clone()).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    let http = common::Http::new();

    let traffic = rampart_demo::traffic::TrafficConfig {
        target: format!("http://{}", server.gateway_addr),
        seed: SEED,
        customers: CUSTOMERS,
        requests: 900,
        simulated_clock: None,
        forwarded_for: true,
        pace: None,
        keep_exchanges: false,
        benign_only: false,
    };
    rampart_demo::traffic::run(&traffic).await.unwrap();
    assert!(server.pipeline().flush(Duration::from_secs(60)), "the pipeline did not flush");

    // The card endpoint, found by a search, carries card numbers; its detail shows where, masked.
    let found = http.get(&format!("{base}/api/v1/endpoints?q=cards"), &tokens.viewer).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let card = items(&found)
        .into_iter()
        .find(|e| e["path"] == "/v2/cards/{cardId}" && e["method"] == "GET")
        .unwrap_or_else(|| panic!("no GET /v2/cards/{{cardId}} in {}", found.body));
    assert!(card["sensitive_types"].as_array().unwrap().contains(&json!("card-number")), "{card}");
    let detail =
        http.get(&format!("{base}/api/v1/endpoints/{}", card["id"].as_str().unwrap()), &tokens.viewer).await;
    assert_eq!(detail.status, 200);
    let detail = detail.json();
    let pan = detail["sensitive_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "card-number" && f["location"] == "response")
        .unwrap_or_else(|| panic!("no card-number field in {}", detail["sensitive_fields"]))
        .clone();
    let sample = pan["sample"].as_str().unwrap_or_default();
    assert!(sample.chars().filter(char::is_ascii_digit).count() < 12, "unmasked sample {sample}");
    assert!(!detail["traffic"].as_array().unwrap().is_empty(), "no traffic series for the endpoint");

    // Against the declared spec: the internal admin area is shadow, the legacy /v1 zombie.
    let diff = http.get(&format!("{base}/api/v1/spec-diff"), &tokens.viewer).await.json();
    let paths = |section: &str| -> Vec<String> {
        diff[section].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_owned()).collect()
    };
    assert!(paths("shadow").iter().any(|p| p.starts_with("/internal/")), "shadow: {:?}", paths("shadow"));
    assert!(paths("zombie").iter().any(|p| p.starts_with("/v1/")), "zombie: {:?}", paths("zombie"));
    assert!(!paths("documented").is_empty());
    assert_eq!(diff["specs"].as_array().unwrap().len(), 1);
    let overview = http.get(&format!("{base}/api/v1/overview"), &tokens.viewer).await.json();
    assert!(overview["endpoints"]["shadow"].as_u64().unwrap() > 0, "{overview}");
    assert!(overview["endpoints"]["sensitive"].as_u64().unwrap() > 0);
    assert!(
        overview["traffic"].as_array().unwrap().iter().map(|m| m["requests"].as_u64().unwrap()).sum::<u64>()
            >= 900
    );

    // The over-sharing finding, accepted by an operator (a viewer may not).
    let findings = http
        .get(
            &format!("{base}/api/v1/findings?owasp=API3&endpoint={}", card["id"].as_str().unwrap()),
            &tokens.viewer,
        )
        .await;
    let finding =
        items(&findings).into_iter().next().unwrap_or_else(|| panic!("no API3 finding: {}", findings.body));
    let url = format!("{base}/api/v1/findings/{}", finding["id"].as_str().unwrap());
    let change =
        json!({"status": "accepted", "note": "masked at the gateway until the card service is fixed"});
    assert_eq!(http.json("PATCH", &url, &tokens.viewer, change.clone()).await.status, 403);
    let changed = http.json("PATCH", &url, &tokens.operator, change).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(http.get(&url, &tokens.viewer).await.json()["status"], "accepted");
    let bad = http.json("PATCH", &url, &tokens.operator, json!({"status": "ignored"})).await;
    assert_eq!(bad.status, 422);

    // A decision added through the API refuses the client at the gateway at once; lifting it
    // lets the client through again.
    let client = common::Http::from(Some("127.0.0.77"));
    let probe = format!("http://{}/.well-known/jwks.json", server.gateway_addr);
    assert_eq!(client.send("GET", &probe, None, None).await.status, 200);
    let added = http
        .json(
            "POST",
            &format!("{base}/api/v1/decisions"),
            &tokens.operator,
            json!({"kind": "ip", "value": "127.0.0.77", "action": "block", "reason": "test: suspicious client", "expires_in_seconds": 600}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let decision_id = added.json()["id"].as_str().unwrap().to_owned();
    let refused = client.send("GET", &probe, None, None).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let active = items(&http.get(&format!("{base}/api/v1/decisions"), &tokens.viewer).await);
    assert!(active.iter().any(|d| d["id"] == decision_id.as_str() && d["active"] == true));
    let lifted = http
        .send("DELETE", &format!("{base}/api/v1/decisions/{decision_id}"), Some(&tokens.operator), None)
        .await;
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(lifted.json()["active"], false);
    assert_eq!(client.send("GET", &probe, None, None).await.status, 200);

    // A decision still in force at shutdown is in force after the restart.
    let kept = http
        .json(
            "POST",
            &format!("{base}/api/v1/decisions"),
            &tokens.operator,
            json!({"kind": "ip", "value": "127.0.0.78", "action": "rate-limit", "per_minute": 1, "reason": "test: slow down", "expires_in_seconds": 3600}),
        )
        .await;
    assert_eq!(kept.status, 201, "{}", kept.body);

    // The probes above are traffic too: analysed before the counts are taken.
    assert!(server.pipeline().flush(Duration::from_secs(60)));
    let before = (
        http.get(&format!("{base}/api/v1/endpoints?limit=500"), &tokens.viewer).await.json()["total"].clone(),
        http.get(&format!("{base}/api/v1/findings?limit=500"), &tokens.viewer).await.json()["total"].clone(),
        http.get(&format!("{base}/api/v1/alerts?limit=500"), &tokens.viewer).await.json()["total"].clone(),
        http.get(&format!("{base}/api/v1/decisions?active=false"), &tokens.viewer).await.json()["total"]
            .clone(),
    );
    let audit = http.get(&format!("{base}/api/v1/audit-log"), &tokens.admin).await.json();
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["decision.add", "decision.lift", "decision.add", "finding.status"]);
    server.shutdown().await;

    let server = rampart_server::start(config).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    common::eventually("the restarted server shows the stored inventory", || {
        let http = &http;
        let url = format!("{base}/api/v1/endpoints?limit=500");
        let token = tokens.viewer.clone();
        let expected = before.0.clone();
        async move { http.get(&url, &token).await.json()["total"] == expected }
    })
    .await;
    let after = (
        before.0.clone(),
        http.get(&format!("{base}/api/v1/findings?limit=500"), &tokens.viewer).await.json()["total"].clone(),
        http.get(&format!("{base}/api/v1/alerts?limit=500"), &tokens.viewer).await.json()["total"].clone(),
        http.get(&format!("{base}/api/v1/decisions?active=false"), &tokens.viewer).await.json()["total"]
            .clone(),
    );
    assert_eq!(before, after);
    assert_eq!(
        http.get(&url.replace(&url[..url.find("/api").unwrap()], &base), &tokens.viewer).await.json()["status"],
        "accepted"
    );
    let slow = common::Http::from(Some("127.0.0.78"));
    let probe = format!("http://{}/.well-known/jwks.json", server.gateway_addr);
    let statuses = [
        slow.send("GET", &probe, None, None).await.status,
        slow.send("GET", &probe, None, None).await.status,
    ];
    assert_eq!(statuses, [200, 429], "the restored rate limit (1/min) did not hold");
    server.shutdown().await;
}

fn sample_exchanges() -> Vec<rampart_core::Exchange> {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/sample.har");
    let mut exchanges = Vec::new();
    let report = rampart_ingest::read_path(&sample, &Default::default(), &mut |e| exchanges.push(e));
    assert!(report.fatal.is_none() && exchanges.len() > 100, "{report:?}");
    exchanges
}

async fn analysed(http: &common::Http, base: &str, token: &str) -> u64 {
    http.get(&format!("{base}/api/v1/metrics"), token).await.json()["pipeline"]["exchanges"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_files_are_read_once_and_a_growing_tap_file_is_followed_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let watched = dir.path().join("incoming");
    std::fs::create_dir(&watched).unwrap();
    let mut config = common::config("http://127.0.0.1:9", dir.path());
    config.pipeline.watch = vec![watched.clone()];
    config.pipeline.watch_interval_ms = 100;
    let tokens = common::tokens(&config.store.path);
    let server = rampart_server::start(config.clone()).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    let http = common::Http::new();
    let exchanges = sample_exchanges();

    // A HAR recording dropped into the directory.
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/sample.har");
    std::fs::copy(&sample, watched.join("capture.har")).unwrap();
    let har = exchanges.len() as u64;
    common::eventually("the HAR file is analysed", || {
        let (http, base, token) = (&http, base.clone(), tokens.viewer.clone());
        async move { analysed(http, &base, &token).await == har }
    })
    .await;
    let endpoints = http.get(&format!("{base}/api/v1/endpoints?q=cards"), &tokens.viewer).await.json();
    assert!(endpoints["total"].as_u64().unwrap() > 0, "{endpoints}");

    // An Exchange JSONL tap file another gateway appends to: complete lines only, as they come.
    let lines: Vec<String> = exchanges.iter().take(3).map(|e| serde_json::to_string(e).unwrap()).collect();
    let tap = watched.join("tap.jsonl");
    std::fs::write(&tap, format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..lines[2].len() / 2])).unwrap();
    common::eventually("the two complete lines are analysed", || {
        let (http, base, token) = (&http, base.clone(), tokens.viewer.clone());
        async move { analysed(http, &base, &token).await == har + 2 }
    })
    .await;
    {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().append(true).open(&tap).unwrap();
        writeln!(file, "{}", &lines[2][lines[2].len() / 2..]).unwrap();
        writeln!(file, "{{\"v\": 1, \"this line\": \"is not an exchange\"}}").unwrap();
    }
    common::eventually("the completed line is analysed and the bad one counted", || {
        let (http, base, token) = (&http, base.clone(), tokens.viewer.clone());
        async move {
            let metrics = http.get(&format!("{base}/api/v1/metrics"), &token).await.json();
            metrics["pipeline"]["exchanges"] == har + 3 && metrics["pipeline"]["ingest_errors"] == 1
        }
    })
    .await;
    server.shutdown().await;

    // After a restart nothing is read twice.
    let server = rampart_server::start(config).await.unwrap();
    let base = format!("http://{}", server.control_addr);
    std::fs::write(watched.join("later.jsonl"), format!("{}\n", lines[0])).unwrap();
    common::eventually("only the new file is read", || {
        let (http, base, token) = (&http, base.clone(), tokens.viewer.clone());
        async move { analysed(http, &base, &token).await == 1 }
    })
    .await;
    assert!(server.pipeline().flush(Duration::from_secs(30)));
    assert_eq!(analysed(&http, &base, &tokens.viewer).await, 1, "a file was read again after the restart");
    server.shutdown().await;
}
