//! The closed loop through the whole gateway: the tap feeds the detectors in process and their
//! decisions reach the blocklist. A credential-stuffing client and an attack tool are blocked
//! (403 `blocked-ip`, naming the decision) after their first requests while another client
//! carries on; in monitor mode the same attack is only alerted on; an allowlisted address is
//! neither blocked nor alerted on; decisions expire.
//!
//! Clients are told apart by the loopback address their connection comes from (127.0.0.N), so
//! the gateway sees distinct peers without trusting any forwarding header. Every wait polls for
//! a condition under a generous deadline; nothing asserts how long anything took.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_detect::{Action, Alert, AlertState, DetectorKind};
use rampart_gateway::config::GatewayConfig;
use rampart_gateway::{Checks, RunningGateway, TapTarget, start};
use tokio::net::TcpListener;

const PASSWORD: &str = "correct horse battery staple";
const SCANNER: &str = "sqlmap/1.8#stable (https://sqlmap.org)";
const BROWSER: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) BankApp/7.2";
/// A bank with a login that answers 401 to a wrong password and a token to the right one.
async fn bank() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service_fn(answer))
                    .await;
            });
        }
    });
    addr
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let (status, text) = match (parts.method.as_str(), parts.uri.path()) {
        ("POST", "/v2/login") => {
            let login: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            if login["password"] == PASSWORD {
                (StatusCode::OK, r#"{"access_token":"eyJhbGciOiJub25lIn0.e30.","token_type":"Bearer"}"#)
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    r#"{"error":"invalid_credentials","message":"invalid username or password"}"#,
                )
            }
        }
        ("GET", "/v2/accounts") => (StatusCode::OK, r#"[{"accountId":"ACC-000123","currency":"SGD"}]"#),
        _ => (StatusCode::NOT_FOUND, r#"{"error":"not found"}"#),
    };
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(text.as_bytes())))
        .unwrap())
}

/// A client whose connections come from `ip` (any 127.0.0.0/8 address).
struct Peer {
    client: Client<HttpConnector, Full<Bytes>>,
    gateway: SocketAddr,
    user_agent: &'static str,
}

struct Reply {
    status: StatusCode,
    body: String,
}

impl Reply {
    fn problem(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

impl Peer {
    fn new(gateway: SocketAddr, ip: &str, user_agent: &'static str) -> Peer {
        let mut connector = HttpConnector::new();
        connector.set_local_address(Some(ip.parse().unwrap()));
        Peer { client: Client::builder(TokioExecutor::new()).build(connector), gateway, user_agent }
    }

    async fn send(&self, method: &str, path: &str, body: Option<String>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.gateway))
            .header("user-agent", self.user_agent);
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Full::new(Bytes::from(body.unwrap_or_default()))).unwrap();
        let response = self.client.request(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, body: String::from_utf8_lossy(&body).into_owned() }
    }

    async fn login(&self, username: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "username": username, "password": password }).to_string();
        self.send("POST", "/v2/login", Some(body)).await
    }

    async fn read(&self) -> Reply {
        self.send("GET", "/v2/accounts", None).await
    }
}

fn gateway_config(upstream: SocketAddr, dir: &Path) -> GatewayConfig {
    let mut config = common::config(upstream);
    // The built-in login rate limit (5 POSTs a minute per IP) would answer the attack with 429
    // before detection has seen enough of it: these tests are about detection.
    config.rate_limits.enabled = false;
    config.alerts.file = Some(dir.join("alerts.jsonl"));
    config.tap.file = Some(dir.join("exchanges.jsonl"));
    config
}

async fn start_gateway(config: GatewayConfig) -> RunningGateway {
    let checks = Checks::from_config(&config).await.unwrap();
    start(config, checks, TapTarget::FromConfig).await.unwrap()
}

fn alerts(dir: &Path) -> Vec<Alert> {
    let text = std::fs::read_to_string(dir.join("alerts.jsonl")).unwrap_or_default();
    text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

fn analysed(gateway: &RunningGateway) -> u64 {
    gateway.metrics().detection().map_or(0, |stats| stats.analysed.load(Ordering::Relaxed))
}

fn allowlisted(gateway: &RunningGateway) -> u64 {
    gateway.metrics().detection().map_or(0, |stats| stats.allowlisted.load(Ordering::Relaxed))
}

/// Runs a stuffing attack (a different username each time, always the wrong password) until
/// the first 403, for at most `max` attempts; returns the attempts that were answered by the
/// bank and the refusal, if any.
async fn stuff(gateway: &RunningGateway, attacker: &Peer, max: usize) -> (usize, Option<Reply>) {
    for attempt in 0..max {
        let seen = seen_by_detection(gateway);
        let reply = attacker.login(&format!("customer{attempt}@example.com"), "Winter2026!").await;
        match reply.status {
            StatusCode::UNAUTHORIZED => caught_up(gateway, seen).await,
            StatusCode::FORBIDDEN => return (attempt, Some(reply)),
            other => panic!("attempt {attempt}: {other} {}", reply.body),
        }
    }
    (max, None)
}

/// Exchanges the detection thread has taken from the tap so far.
fn seen_by_detection(gateway: &RunningGateway) -> u64 {
    analysed(gateway) + allowlisted(gateway)
}

/// Waits until detection has taken the request sent after `seen` was read, and has applied the
/// decisions its alerts call for: the attacker then moves in lockstep with detection, so the
/// requests let through count what the detectors need, not how this machine schedules threads.
async fn caught_up(gateway: &RunningGateway, seen: u64) {
    let Some(stats) = gateway.metrics().detection() else { return };
    common::eventually("detection to take the request", || seen_by_detection(gateway) > seen).await;
    if !stats.monitor {
        common::eventually("the decisions of open alerts applied", || {
            stats.alerts_opened_total() == 0 || stats.decisions_applied.load(Ordering::Relaxed) > 0
        })
        .await;
    }
}

/// Polls `done` (which sends a request) until it holds; the deadline only turns a hang into a
/// failure, it times nothing.
async fn until<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn metrics_text(gateway: &RunningGateway) -> String {
    common::get(gateway.admin_addr, "/metrics").await.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_stuffing_is_blocked_while_other_clients_carry_on() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_gateway(gateway_config(bank().await, dir.path())).await;
    let attacker = Peer::new(gateway.addr, "127.0.0.10", BROWSER);
    let customer = Peer::new(gateway.addr, "127.0.0.11", BROWSER);

    assert_eq!(customer.login("wei.ming@example.sg", PASSWORD).await.status, StatusCode::OK);
    let (answered, refusal) = stuff(&gateway, &attacker, 200).await;
    let refusal = refusal.expect("the attacker was never blocked");
    // Five usernames make it stuffing; the rest got through while the decision travelled.
    eprintln!("credential stuffing: {answered} attempts answered before the block");
    assert!((5..20).contains(&answered), "{answered} attempts answered before the block");
    let problem = refusal.problem();
    assert_eq!(problem["reason"], "blocked-ip", "{problem}");
    assert_eq!(problem["status"], 403);
    let decision = problem["decision"].as_str().unwrap();
    assert!(decision.starts_with("credential-stuffing/ip:127.0.0.10/"), "{decision}");

    // Blocked on everything, not just the login; the other client is not.
    assert_eq!(attacker.read().await.status, StatusCode::FORBIDDEN);
    for _ in 0..5 {
        assert_eq!(customer.read().await.status, StatusCode::OK);
        assert_eq!(customer.login("wei.ming@example.sg", PASSWORD).await.status, StatusCode::OK);
    }
    // A typo is not an attack.
    assert_eq!(customer.login("wei.ming@example.sg", "typo").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(customer.read().await.status, StatusCode::OK);

    let text = metrics_text(&gateway).await;
    assert!(text.contains("rampart_detect_info{mode=\"enforce\"} 1"), "{text}");
    assert!(text.contains("rampart_detect_alerts_total{detector=\"credential-stuffing\"} 1"), "{text}");
    assert!(text.contains("rampart_detect_decisions_applied_total 1"), "{text}");
    assert!(text.contains("rampart_decisions_total{reason=\"blocked-ip\"}"), "{text}");

    // Everything answered reached the tap file and the engine once the gateway is shut down.
    let requests = 1 + answered + 1 + 1 + 10 + 2;
    gateway.shutdown().await;
    let exchanges = std::fs::read_to_string(dir.path().join("exchanges.jsonl")).unwrap();
    assert_eq!(exchanges.lines().count(), requests, "the tap file keeps working with detection on");
    let alerts = alerts(dir.path());
    let opened: Vec<&Alert> = alerts.iter().filter(|a| a.state == AlertState::Open).collect();
    assert_eq!(opened.len(), 1, "{alerts:?}");
    assert_eq!(opened[0].detector, DetectorKind::CredentialStuffing);
    assert_eq!(opened[0].id, decision);
    assert_eq!(opened[0].action, Action::Block);
    assert!(!opened[0].monitor_only);
    let line = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    assert!(!line.contains("customer1@example.com") && !line.contains("Winter2026"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_monitor_mode_the_attack_is_alerted_on_and_never_blocked() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = gateway_config(bank().await, dir.path());
    config.detect.monitor = true;
    let gateway = start_gateway(config).await;
    let attacker = Peer::new(gateway.addr, "127.0.0.12", SCANNER);

    let (answered, refusal) = stuff(&gateway, &attacker, 40).await;
    assert!(refusal.is_none(), "blocked after {answered} attempts in monitor mode");
    common::eventually("the alert in the alerts file", || {
        alerts(dir.path()).iter().any(|a| a.detector == DetectorKind::CredentialStuffing)
    })
    .await;
    common::eventually("every attempt analysed", || analysed(&gateway) >= 40).await;
    assert_eq!(attacker.read().await.status, StatusCode::OK);
    let alerts = alerts(dir.path());
    for detector in [DetectorKind::CredentialStuffing, DetectorKind::Scanner] {
        let alert = alerts.iter().find(|a| a.detector == detector && a.state == AlertState::Open);
        let alert = alert.unwrap_or_else(|| panic!("no {detector} alert in {alerts:?}"));
        assert_eq!(alert.action, Action::Report);
        assert!(alert.monitor_only, "{alert:?}");
    }
    let text = metrics_text(&gateway).await;
    assert!(text.contains("rampart_detect_info{mode=\"monitor\"} 1"), "{text}");
    assert!(text.contains("rampart_detect_decisions_applied_total 0"), "{text}");
    gateway.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowlisted_address_is_neither_blocked_nor_alerted_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = gateway_config(bank().await, dir.path());
    config.blocklist.allow = vec!["127.0.0.20".to_owned()];
    let gateway = start_gateway(config).await;
    let partner = Peer::new(gateway.addr, "127.0.0.20", SCANNER);

    let (answered, refusal) = stuff(&gateway, &partner, 40).await;
    assert!(refusal.is_none(), "the allowlisted address was blocked after {answered} attempts");
    common::eventually("every attempt seen by detection", || allowlisted(&gateway) >= 40).await;
    assert_eq!(partner.read().await.status, StatusCode::OK);
    assert_eq!(analysed(&gateway), 0);
    gateway.shutdown().await;
    assert_eq!(alerts(dir.path()), Vec::<Alert>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attack_tool_is_blocked_after_its_first_requests() {
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_gateway(gateway_config(bank().await, dir.path())).await;
    let scanner = Peer::new(gateway.addr, "127.0.0.30", SCANNER);
    let customer = Peer::new(gateway.addr, "127.0.0.31", BROWSER);

    let mut answered = 0;
    let refusal = loop {
        let seen = seen_by_detection(&gateway);
        let reply = scanner.read().await;
        if reply.status == StatusCode::FORBIDDEN {
            break reply;
        }
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        answered += 1;
        assert!(answered < 20, "the scanner was never blocked");
        caught_up(&gateway, seen).await;
    };
    eprintln!("scanner: {answered} requests answered before the block");
    assert!(answered >= 1, "the first request is let through: it is what gives the tool away");
    let problem = refusal.problem();
    assert_eq!(problem["reason"], "blocked-ip", "{problem}");
    assert!(problem["decision"].as_str().unwrap().starts_with("scanner/ip:127.0.0.30/"), "{problem}");
    assert_eq!(customer.read().await.status, StatusCode::OK);
    gateway.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_expire() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = gateway_config(bank().await, dir.path());
    config.detect.decision_ttl_secs = 2;
    let gateway = start_gateway(config).await;
    let scanner = Peer::new(gateway.addr, "127.0.0.40", SCANNER);
    // The same address once the tool is put away: blocked by IP while the decision holds.
    let same_address = Peer::new(gateway.addr, "127.0.0.40", BROWSER);

    until("the scanner blocked", || async { scanner.read().await.status == StatusCode::FORBIDDEN }).await;
    let blocked = same_address.read().await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN, "an IP decision blocks the address, whatever it sends");
    assert!(blocked.problem()["decision"].as_str().unwrap().starts_with("scanner/ip:127.0.0.40/"));
    // Requests without the tool's user agent do not renew the decision: it runs out.
    until("the decision expired", || async { same_address.read().await.status == StatusCode::OK }).await;
    gateway.shutdown().await;
}
