//! `rampart serve` as an operator runs it, and killed as a machine can be: `kill -9` in the
//! middle of heavy traffic, then started again on the same database. What was committed before
//! the kill — what the API had shown, a finding's status, a decision, the audit log — is there
//! after it, the decision is enforced again, and the gateway answers.
//! Also `rampart config check` and `rampart token`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{http, http_from};

const SEED: u64 = 42;
const CUSTOMERS: usize = 80;

fn api(addr: SocketAddr, token: &str, path: &str) -> Value {
    let (status, body) = http(addr, "GET", path, Some(token), None);
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

struct Serve {
    child: Child,
    gateway: SocketAddr,
    control: SocketAddr,
}

/// Starts `rampart serve --config`, reads the addresses it prints, and the token when it
/// prints one.
fn serve(config: &Path) -> (Serve, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["serve", "--config", &config.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rampart serve");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (mut gateway, mut control) = (None, None);
    let mut announced_token = false;
    let mut lines = stderr.lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        announced_token |= line.contains("first admin token");
        let address =
            || line.rsplit("http://").next().unwrap().trim_end_matches('/').parse::<SocketAddr>().ok();
        if line.trim_start().starts_with("gateway") {
            gateway = address();
        } else if line.trim_start().starts_with("dashboard/API") {
            control = address();
        } else if line.starts_with("ready") {
            break;
        }
    }
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut token = String::new();
    let first_start = announced_token && stdout.read_line(&mut token).is_ok() && token.starts_with("rmp_");
    std::thread::spawn(move || for _ in stdout.lines() {});
    let serve = Serve {
        child,
        gateway: gateway.expect("gateway address"),
        control: control.expect("control address"),
    };
    (serve, first_start.then(|| token.trim().to_owned()))
}

fn wait_until(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < Duration::from_secs(60), "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

#[test]
fn kill_9_under_traffic_loses_nothing_committed_and_the_gateway_answers_again() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let bank = runtime.block_on(async {
        let keys = tokio::task::spawn_blocking(|| {
            rampart_demo::jwt::SigningKeys::from_demo_seed(SEED, rampart_demo::jwt::SigningKeys::DEFAULT_BITS)
        })
        .await
        .unwrap()
        .unwrap();
        let state = rampart_demo::state::AppState::new(
            rampart_demo::data::Dataset::generate(SEED, CUSTOMERS),
            Arc::new(keys),
            rampart_demo::state::Clock::System,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(rampart_demo::serve(listener, state));
        addr
    });
    let config = dir.path().join("rampart.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
workers = 2

[[routes]]
upstream = "http://{bank}"

[forwarding]
trusted_proxies = ["127.0.0.1/32"]

[access_log]
enabled = false

[server]
listen = "127.0.0.1:0"

[store]
path = "{db}"

[pipeline]
interval_ms = 300
specs = ["{spec}"]
"#,
            db = dir.path().join("rampart.db").display(),
            spec = common::bank_spec(),
        ),
    )
    .unwrap();
    let check = common::rampart(&["config", "check", "--config", &config.display().to_string()]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));

    let (mut first, token) = serve(&config);
    let token = token.expect("a first admin token on a new database");

    // Heavy traffic: the generator unpaced, on two tasks, until the kill.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let target = format!("http://{}", first.gateway);
    let traffic: Vec<_> = (0..2u64)
        .map(|n| {
            let config = rampart_demo::traffic::TrafficConfig {
                target: target.clone(),
                seed: SEED,
                customers: CUSTOMERS,
                requests: 500,
                simulated_clock: None,
                forwarded_for: true,
                pace: None,
                keep_exchanges: false,
                benign_only: n == 0,
            };
            let stopped = stopped.clone();
            runtime.spawn(async move { rampart_demo::traffic::run_until(&config, stopped).await })
        })
        .collect();

    wait_until("the inventory has the card endpoint", || {
        api(first.control, &token, "/api/v1/endpoints?q=cards")["total"].as_u64().unwrap_or(0) > 0
    });
    // Changes people make, each committed before its answer.
    let findings = api(first.control, &token, "/api/v1/findings?owasp=API3&limit=1");
    let finding_id = findings["items"][0]["id"].as_str().expect("an API3 finding").to_owned();
    let (status, body) = http(
        first.control,
        "PATCH",
        &format!("/api/v1/findings/{finding_id}"),
        Some(&token),
        Some(&json!({"status": "fixed", "note": "card service release 4.2"})),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(
        first.control,
        "POST",
        "/api/v1/decisions",
        Some(&token),
        Some(
            &json!({"kind": "ip", "value": "192.0.2.44", "action": "block", "reason": "fraud team request", "expires_in_seconds": 3600}),
        ),
    );
    assert_eq!(status, 201, "{body}");
    // More traffic after the changes, so the kill lands in the middle of analysis and writes.
    let analysed = api(first.control, &token, "/api/v1/metrics")["pipeline"]["exchanges"].as_u64().unwrap();
    wait_until("more traffic was analysed", || {
        api(first.control, &token, "/api/v1/metrics")["pipeline"]["exchanges"].as_u64().unwrap()
            > analysed + 500
    });
    let before_endpoints =
        api(first.control, &token, "/api/v1/endpoints?limit=500")["total"].as_u64().unwrap();
    let before_alerts = api(first.control, &token, "/api/v1/alerts?limit=500")["total"].as_u64().unwrap();
    let before_audit = api(first.control, &token, "/api/v1/audit-log")["total"].as_u64().unwrap();

    // SIGKILL: no shutdown, no flush.
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let _ = stop.send(true);
    for task in traffic {
        let _ = runtime.block_on(task);
    }

    let restarted_at = Instant::now();
    let (mut second, new_token) = serve(&config);
    assert!(new_token.is_none(), "a token was created again on a database that has some");
    let blocked = ("x-forwarded-for", "192.0.2.44");
    let to_answer = wait_until("the gateway answers again", || {
        http_from(second.gateway, "GET", "/.well-known/jwks.json", None, None, &[]).0 == 200
    });
    eprintln!(
        "gateway answered {:?} after the restart began ({:?} after its listener was announced)",
        restarted_at.elapsed(),
        to_answer
    );
    // The decision is enforced again.
    let (status, _) = http_from(second.gateway, "GET", "/.well-known/jwks.json", None, None, &[blocked]);
    assert_eq!(status, 403, "the decision made before the kill is not enforced after it");

    wait_until("the stored inventory is loaded", || {
        api(second.control, &token, "/api/v1/endpoints?limit=500")["total"].as_u64().unwrap()
            >= before_endpoints
    });
    let finding = api(second.control, &token, &format!("/api/v1/findings/{finding_id}"));
    assert_eq!(finding["status"], "fixed");
    assert_eq!(finding["note"], "card service release 4.2");
    assert!(
        api(second.control, &token, "/api/v1/alerts?limit=500")["total"].as_u64().unwrap() >= before_alerts
    );
    assert!(api(second.control, &token, "/api/v1/audit-log")["total"].as_u64().unwrap() >= before_audit);
    let decisions = api(second.control, &token, "/api/v1/decisions");
    assert!(
        decisions["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["target"]["value"] == "192.0.2.44" && d["active"] == true),
        "{decisions}"
    );
    let _ = second.child.kill();
    let _ = second.child.wait();
}

#[test]
fn tokens_are_created_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rampart.db").display().to_string();
    let created =
        common::rampart(&["token", "create", "--name", "siem-export", "--role", "viewer", "--db", &db]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let secret = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    assert!(secret.starts_with("rmp_") && secret.len() > 40, "{secret}");
    let listed = common::rampart(&["token", "list", "--db", &db]);
    let listing = String::from_utf8(listed.stdout).unwrap();
    assert!(listing.contains("siem-export") && listing.contains("viewer"), "{listing}");
    assert!(!listing.contains(&secret));
    // Only the hash is stored.
    let bytes = std::fs::read(dir.path().join("rampart.db")).unwrap();
    let wal = std::fs::read(dir.path().join("rampart.db-wal")).unwrap_or_default();
    let needle = secret.as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle) && !wal.windows(needle.len()).any(|w| w == needle)
    );
    let id = listing
        .lines()
        .find(|l| l.contains("siem-export"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let revoked = common::rampart(&["token", "revoke", &id, "--db", &db]);
    assert!(revoked.status.success());
    let again = common::rampart(&["token", "revoke", &id, "--db", &db]);
    assert_eq!(again.status.code(), Some(2));
    let bad = common::rampart(&["token", "create", "--name", "x", "--role", "root", "--db", &db]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("viewer"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn config_check_names_the_line_of_a_mistake() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rampart.toml");
    std::fs::write(
        &config,
        "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n\n[pipeline]\ninterval_ms = \"soon\"\n",
    )
    .unwrap();
    let out = common::rampart(&["config", "check", "--config", &config.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rampart.toml:5:"), "{stderr}");
    std::fs::write(&config, "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n").unwrap();
    let out = common::rampart(&["config", "check", "--config", &config.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("valid") && stdout.contains("127.0.0.1:9090") && stdout.contains("rampart.db"),
        "{stdout}"
    );
}

#[test]
fn the_control_planes_own_api_passes_rampart_audit_with_nothing_medium_or_higher() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rampart-server/api/openapi.yaml");
    let out =
        common::rampart(&["audit", &spec.display().to_string(), "--format", "json", "--fail-on", "medium"]);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let findings = report["files"][0]["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "the audit found nothing at all: is it reading the document?");
    let serious: Vec<&Value> = findings
        .iter()
        .filter(|f| ["medium", "high", "critical"].contains(&f["severity"].as_str().unwrap_or("")))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
