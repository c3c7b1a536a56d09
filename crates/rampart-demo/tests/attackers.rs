//! The live demo's traffic: the attackers against the bank itself (what the bank answers them),
//! how they count a gateway's refusals, and the endless benign customers of `run_until`.
//!
//! The bank runs in-process behind a small recording layer, so that the tests see every request
//! as the bank got it (with its `X-Forwarded-For` and user agent) and what it answered. Tests
//! wait on conditions, never on fixed delays, and assert nothing about wall-clock times.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use rampart_demo::attackers::{self, AttackSummary, Attacker, AttackerConfig};
use rampart_demo::data::Dataset;
use rampart_demo::jwt::SigningKeys;
use rampart_demo::traffic::{self, TrafficConfig, TrafficError};
use rampart_demo::{AppState, Clock};
use serde_json::Value;
use tokio::sync::watch;

const SEED: u64 = 4_242;
const CUSTOMERS: usize = 60;

/// A small key: these tests are about traffic, not signatures.
fn keys() -> Arc<SigningKeys> {
    static KEYS: OnceLock<Arc<SigningKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SigningKeys::from_demo_seed(SEED, 1024).unwrap())).clone()
}

/// A request as the bank got it, and its answer.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    forwarded_for: Option<String>,
    user_agent: Option<String>,
    authorization: bool,
    body: String,
    status: u16,
    answer: String,
}

impl Seen {
    fn answer_json(&self) -> Value {
        serde_json::from_str(&self.answer).unwrap_or(Value::Null)
    }

    /// A form field of the request body.
    fn form(&self, name: &str) -> Option<String> {
        self.body.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
        })
    }

    fn is_login(&self) -> bool {
        self.method == "POST" && (self.path == "/oauth/token" || self.path == "/v1/auth/login")
    }
}

struct Bank {
    base: String,
    data: Dataset,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Bank {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    fn from(&self, address: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.forwarded_for.as_deref() == Some(address)).collect()
    }
}

/// The flawed bank on an ephemeral port, recording every request it answers.
async fn start_bank() -> Bank {
    let data = Dataset::generate(SEED, CUSTOMERS);
    let state = AppState::new(data.clone(), keys(), Clock::System);
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    let app =
        rampart_demo::router(state).layer(axum::middleware::from_fn(move |request: Request, next: Next| {
            let log = log.clone();
            async move {
                let (parts, body) = request.into_parts();
                let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap();
                let header =
                    |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                let mut entry = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_owned(),
                    query: parts.uri.query().unwrap_or("").to_owned(),
                    forwarded_for: header("x-forwarded-for"),
                    user_agent: header("user-agent"),
                    authorization: parts.headers.contains_key("authorization"),
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                    status: 0,
                    answer: String::new(),
                };
                let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
                let (parts, body) = response.into_parts();
                let bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap();
                entry.status = parts.status.as_u16();
                entry.answer = String::from_utf8_lossy(&bytes).into_owned();
                log.lock().unwrap().push(entry);
                axum::response::Response::from_parts(parts, Body::from(bytes))
            }
        }));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    Bank { base, data, seen }
}

/// Waits until `condition` holds; the deadline only keeps a broken test from hanging.
async fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Awaits a run that was told to stop; the deadline only keeps a broken test from hanging.
async fn stopped<T>(handle: tokio::task::JoinHandle<T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), handle).await.expect("the run did not stop").unwrap()
}

fn attack_config(target: &str, attackers: &[Attacker], max_requests: Option<u64>) -> AttackerConfig {
    AttackerConfig {
        target: target.to_owned(),
        seed: SEED,
        customers: CUSTOMERS,
        start_delay: Duration::ZERO,
        stagger: Duration::ZERO,
        round_pause: Duration::from_millis(200),
        attackers: attackers.to_vec(),
        max_requests,
    }
}

/// Runs `attacker` alone for `requests` requests.
async fn attack(target: &str, attacker: Attacker, requests: u64) -> AttackSummary {
    // The sender stays alive: only the request budget ends the run.
    let (_stop, stop_rx) = watch::channel(false);
    attackers::run_attackers(&attack_config(target, &[attacker], Some(requests)), stop_rx).await.unwrap()
}

#[tokio::test]
async fn the_credential_stuffer_tries_leaked_usernames_and_every_login_fails() {
    let bank = start_bank().await;
    let summary = attack(&bank.base, Attacker::CredentialStuffer, 15).await;
    let stats = summary.get(Attacker::CredentialStuffer).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused, stats.errors), (15, 15, 0, 0), "{stats:?}");
    assert_eq!(summary.attackers.len(), 1);

    let seen = bank.seen();
    assert_eq!(seen.len(), 15);
    let bank_usernames: BTreeSet<&str> = bank.data.customers.iter().map(|c| c.username.as_str()).collect();
    let mut usernames = BTreeSet::new();
    for s in &seen {
        assert_eq!((s.method.as_str(), s.path.as_str()), ("POST", "/oauth/token"));
        assert_eq!(s.forwarded_for.as_deref(), Some(attackers::CREDENTIAL_STUFFER_ADDRESS));
        assert_eq!(s.user_agent.as_deref(), Some(attackers::CREDENTIAL_STUFFER_AGENT));
        assert_eq!(s.form("grant_type").as_deref(), Some("password"));
        let username = s.form("username").unwrap();
        assert!(!bank_usernames.contains(username.as_str()), "{username} is a real customer");
        usernames.insert(username);
        // The mobile app's client is accepted; the password grant is refused, as for a wrong
        // password (OAuth 2.0: 400 invalid_grant; the token endpoint answers 401 only for a bad
        // client).
        assert_eq!(s.status, 400, "{}", s.answer);
        assert_eq!(s.answer_json()["error"], "invalid_grant");
    }
    assert!(usernames.len() >= 14, "a different username almost every time: {usernames:?}");
    assert_eq!(stats.statuses, BTreeMap::from([(400, 15)]));
}

#[tokio::test]
async fn the_enumerator_walks_sequential_customer_ids_without_credentials_and_finds_customers() {
    let bank = start_bank().await;
    let summary = attack(&bank.base, Attacker::Enumerator, 70).await;
    let stats = summary.get(Attacker::Enumerator).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused), (70, 70, 0), "{stats:?}");

    let seen = bank.seen();
    let ids: Vec<u64> = seen
        .iter()
        .map(|s| {
            assert_eq!(s.method, "GET");
            assert_eq!(s.forwarded_for.as_deref(), Some(attackers::ENUMERATOR_ADDRESS));
            assert_eq!(s.user_agent.as_deref(), Some(attackers::ENUMERATOR_AGENT));
            assert!(!s.authorization, "the legacy lookup needs no credential");
            s.path.strip_prefix("/v1/customers/").unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(ids, (10_000_000..10_000_070).collect::<Vec<u64>>(), "one id after the other");
    let mut found = 0;
    for s in &seen {
        let id = s.path.rsplit('/').next().unwrap();
        match bank.data.customer_by_id(id) {
            Some(index) => {
                found += 1;
                assert_eq!(s.status, 200);
                // Personal data, handed out without any credential.
                assert_eq!(s.answer_json()["ic_number"], bank.data.customers[index].national_id.as_str());
            }
            None => assert_eq!(s.status, 404),
        }
    }
    assert!(found >= 5, "70 ids cover about ten customers: {found}");
    assert_eq!(stats.status(200), found);
    assert_eq!(stats.status(404), 70 - found);
}

#[tokio::test]
async fn the_injectors_payloads_reach_the_transaction_search_with_a_customers_token() {
    let bank = start_bank().await;
    let requests = 1 + attackers::SQL_INJECTION_PAYLOADS.len() as u64;
    let summary = attack(&bank.base, Attacker::Injector, requests).await;
    let stats = summary.get(Attacker::Injector).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused), (requests, requests, 0), "{stats:?}");

    let seen = bank.seen();
    let (login, searches) = seen.split_first().unwrap();
    assert!(login.is_login());
    assert_eq!(login.status, 200, "{}", login.answer);
    assert_eq!(login.user_agent.as_deref(), Some(attackers::INJECTOR_LOGIN_AGENT));
    let customer = attackers::injector_customer(CUSTOMERS);
    assert_eq!(login.form("username").as_deref(), Some(bank.data.customers[customer].username.as_str()));

    let account = &bank.data.accounts_of(customer).next().unwrap().1.account_id;
    let own = bank.data.transactions[bank.data.account_by_id(account).unwrap()].len() as u64;
    let mut payloads = Vec::new();
    for s in searches {
        assert_eq!(s.path, format!("/v2/accounts/{account}/transactions"));
        assert_eq!(s.forwarded_for.as_deref(), Some(attackers::INJECTOR_ADDRESS));
        assert_eq!(s.user_agent.as_deref(), Some(attackers::INJECTOR_AGENT));
        assert!(s.authorization);
        let q = s.query.strip_prefix("q=").unwrap();
        payloads.push(percent_encoding::percent_decode_str(q).decode_utf8_lossy().into_owned());
        assert!(s.status == 200 || s.status == 500, "{} {}", s.status, s.answer);
    }
    assert_eq!(payloads, attackers::SQL_INJECTION_PAYLOADS);
    // A lone quote breaks the statement: the database's own error comes back.
    let quote = &searches[2];
    assert_eq!(quote.status, 500);
    assert!(quote.answer.contains("unrecognized token"), "{}", quote.answer);
    // `x') OR 1=1 --` returns every customer's transactions.
    let everything =
        &searches[attackers::SQL_INJECTION_PAYLOADS.iter().position(|p| *p == "x') OR 1=1 --").unwrap()];
    assert_eq!(everything.status, 200);
    let total = everything.answer_json()["meta"]["totalItems"].as_u64().unwrap();
    assert!(total > own, "the injection reached the SQL: {total} transactions, {own} of the account");
    assert!(stats.status(500) >= 3 && stats.status(200) >= 3, "{stats:?}");
}

#[tokio::test]
async fn the_scraper_pulls_whole_transaction_histories_with_a_customers_token() {
    let bank = start_bank().await;
    let summary = attack(&bank.base, Attacker::Scraper, 30).await;
    let stats = summary.get(Attacker::Scraper).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused), (30, 30, 0), "{stats:?}");
    assert_eq!(stats.statuses, BTreeMap::from([(200, 30)]), "every request answered");

    let seen = bank.seen();
    let customer = attackers::scraper_customer(CUSTOMERS);
    assert!(seen[0].is_login());
    assert_eq!(seen[0].form("username").as_deref(), Some(bank.data.customers[customer].username.as_str()));
    let mut records = 0;
    for s in &seen[1..] {
        assert_eq!(s.forwarded_for.as_deref(), Some(attackers::SCRAPER_ADDRESS));
        assert_eq!(s.user_agent.as_deref(), Some(attackers::SCRAPER_AGENT));
        assert!(s.authorization);
        if s.path.ends_with("/transactions") {
            assert!(s.query.contains("page_size=100"), "{}", s.query);
            records += s.answer_json()["data"].as_array().unwrap().len();
        } else {
            assert_eq!(s.path, "/v2/cards");
        }
    }
    let history: usize = bank.data.accounts_of(customer).map(|(i, _)| bank.data.transactions[i].len()).sum();
    assert!(records >= 2 * history, "the whole history, again and again: {records} records of {history}");
}

/// A stand-in for Rampart's gateway that refuses everything, the way `answer` says.
async fn refusing_gateway(answer: fn() -> axum::response::Response) -> String {
    let app = axum::Router::new().fallback(move || async move { answer() });
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn a_gateways_refusals_are_counted_by_reason() {
    // A block: 403 with the refusal header.
    let blocking = refusing_gateway(|| {
        axum::response::Response::builder()
            .status(403)
            .header("x-rampart-refusal", "blocked-ip")
            .header("content-type", "application/problem+json")
            .body(Body::from(
                r#"{"type":"https://rampart.dev/problems/blocked-ip","status":403,"reason":"blocked-ip"}"#,
            ))
            .unwrap()
    })
    .await;
    let summary = attack(&blocking, Attacker::Enumerator, 3).await;
    let stats = summary.get(Attacker::Enumerator).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused, stats.errors), (3, 0, 3, 0), "{stats:?}");
    assert_eq!(stats.refusals, BTreeMap::from([("blocked-ip".to_owned(), 3)]));
    assert!(stats.statuses.is_empty());

    // A rate limit told by the problem document alone.
    let limiting = refusing_gateway(|| {
        axum::response::Response::builder()
            .status(429)
            .header("content-type", "application/problem+json")
            .body(Body::from(r#"{"type":"https://rampart.dev/problems/rate-limited-by-decision","status":429,"reason":"rate-limited-by-decision"}"#))
            .unwrap()
    })
    .await;
    let summary = attack(&limiting, Attacker::CredentialStuffer, 2).await;
    let stats = summary.get(Attacker::CredentialStuffer).unwrap();
    assert_eq!((stats.sent, stats.refused), (2, 2), "{stats:?}");
    assert_eq!(stats.refusals, BTreeMap::from([("rate-limited-by-decision".to_owned(), 2)]));

    // The injector and the scraper carry on without a token when their login is refused.
    let summary = attack(&blocking, Attacker::Scraper, 3).await;
    let stats = summary.get(Attacker::Scraper).unwrap();
    assert_eq!((stats.sent, stats.refused), (3, 3), "{stats:?}");
}

#[tokio::test]
async fn an_unreachable_target_counts_errors_and_a_malformed_one_is_refused() {
    let port = {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        listener.local_addr().unwrap().port()
    };
    let summary = attack(&format!("http://127.0.0.1:{port}"), Attacker::Enumerator, 2).await;
    let stats = summary.get(Attacker::Enumerator).unwrap();
    assert_eq!((stats.sent, stats.answered, stats.refused, stats.errors), (2, 0, 0, 2), "{stats:?}");

    let (_stop, stop_rx) = watch::channel(false);
    let bad = attack_config("127.0.0.1:8080", &Attacker::ALL, Some(1));
    assert!(matches!(attackers::run_attackers(&bad, stop_rx.clone()).await, Err(TrafficError::BadTarget(_))));
    let bad = TrafficConfig { target: "https://127.0.0.1:8080".into(), ..TrafficConfig::default() };
    assert!(matches!(traffic::run_until(&bad, stop_rx).await, Err(TrafficError::BadTarget(_))));
}

#[tokio::test]
async fn all_attackers_run_side_by_side_until_stopped() {
    let bank = start_bank().await;
    let (stop, stop_rx) = watch::channel(false);
    let config = attack_config(&bank.base, &Attacker::ALL, None);
    let run = tokio::spawn(async move { attackers::run_attackers(&config, stop_rx).await });
    // Two requests each: an attacker's requests are sequential, so its first has been answered
    // and counted (a stop can land while a request is in flight, which is then not counted).
    wait_for("every attacker at the bank twice", || {
        let seen = bank.seen();
        Attacker::ALL
            .iter()
            .all(|a| seen.iter().filter(|s| s.forwarded_for.as_deref() == Some(a.address())).count() >= 2)
    })
    .await;
    stop.send(true).unwrap();
    let summary = stopped(run).await.unwrap();
    assert_eq!(summary.attackers.keys().copied().collect::<Vec<_>>(), Attacker::ALL);
    for (attacker, stats) in &summary.attackers {
        assert!(stats.sent > 0 && stats.answered == stats.sent, "{attacker}: {stats:?}");
        assert!(stats.rounds >= 1);
        // Every request the attacker counted reached the bank, from its own address.
        assert!(bank.from(attacker.address()).len() as u64 >= stats.sent);
    }
    // Addresses and user agents go together.
    for s in bank.seen() {
        let attacker =
            Attacker::ALL.iter().find(|a| s.forwarded_for.as_deref() == Some(a.address())).unwrap();
        let agent = s.user_agent.as_deref().unwrap();
        assert!(
            agent == attacker.user_agent() || (s.is_login() && *attacker == Attacker::Injector),
            "{agent}"
        );
    }
    let json = serde_json::to_value(&summary).unwrap();
    assert!(json["attackers"]["credential-stuffer"]["sent"].as_u64().unwrap() > 0, "{json}");
}

fn bounded(bank: &Bank, requests: usize, benign_only: bool) -> TrafficConfig {
    TrafficConfig {
        target: bank.base.clone(),
        seed: SEED,
        customers: CUSTOMERS,
        requests,
        simulated_clock: None,
        forwarded_for: true,
        pace: None,
        keep_exchanges: true,
        benign_only,
    }
}

/// The most failed logins any one address had, and the logins of the attackers' accounts.
fn login_failures_and_reserved_logins(bank: &Bank, seen: &[Seen]) -> (usize, usize) {
    let reserved: BTreeSet<&str> =
        [attackers::injector_customer(CUSTOMERS), attackers::scraper_customer(CUSTOMERS)]
            .iter()
            .map(|i| bank.data.customers[*i].username.as_str())
            .collect();
    let mut failures: BTreeMap<&str, usize> = BTreeMap::new();
    let mut reserved_logins = 0;
    for s in seen.iter().filter(|s| s.is_login()) {
        let username = s
            .form("username")
            .or_else(|| serde_json::from_str::<Value>(&s.body).ok()?["username"].as_str().map(str::to_owned));
        if username.is_some_and(|u| reserved.contains(u.as_str())) {
            reserved_logins += 1;
        }
        if s.status >= 400 {
            *failures.entry(s.forwarded_for.as_deref().unwrap_or("")).or_default() += 1;
        }
    }
    (failures.values().copied().max().unwrap_or(0), reserved_logins)
}

#[tokio::test]
async fn benign_only_leaves_out_the_password_guessing_and_the_snooping() {
    // The ordinary generator plays both episodes in a run of this size.
    let bank = start_bank().await;
    let exchanges = traffic::run(&bounded(&bank, 300, false)).await.unwrap();
    assert_eq!(exchanges.len(), 300);
    let guesses = bank.from("203.0.113.250");
    assert_eq!(guesses.iter().filter(|s| s.is_login() && s.status == 401).count(), 12);
    assert!(bank.seen().iter().any(|s| s.path.starts_with("/internal/admin/users/") && s.authorization));

    let bank = start_bank().await;
    let exchanges = traffic::run(&bounded(&bank, 300, true)).await.unwrap();
    assert_eq!(exchanges.len(), 300);
    let seen = bank.seen();
    assert_eq!(seen.len(), 300);
    assert!(bank.from("203.0.113.250").is_empty());
    assert!(!seen.iter().any(|s| s.path.starts_with("/internal/admin/users/") && s.authorization));
    let (most_failures, reserved_logins) = login_failures_and_reserved_logins(&bank, &seen);
    assert!(most_failures <= 2, "no burst of failed logins: {most_failures} from one address");
    assert_eq!(reserved_logins, 0, "the attackers' accounts are left alone");
    // Without keeping exchanges, the same run returns none.
    let bank = start_bank().await;
    let config = TrafficConfig { keep_exchanges: false, ..bounded(&bank, 50, true) };
    assert!(traffic::run(&config).await.unwrap().is_empty());
    assert_eq!(bank.count(), 50);
}

#[tokio::test]
async fn run_until_plays_benign_customers_until_stopped_and_keeps_only_counts() {
    let bank = start_bank().await;
    // Small budgets, so that the run goes through several of them.
    let config = TrafficConfig { requests: 40, ..TrafficConfig::demo(&bank.base, SEED, CUSTOMERS, 2_000.0) };
    assert!(config.benign_only && config.forwarded_for && !config.keep_exchanges);
    let (stop, stopped_rx) = watch::channel(false);
    let run = tokio::spawn(async move { traffic::run_until(&config, stopped_rx).await });
    wait_for("four budgets of requests", || bank.count() >= 160).await;
    stop.send(true).unwrap();
    let summary = stopped(run).await.unwrap();

    let seen = bank.seen();
    assert!(summary.sent >= 160, "{summary:?}");
    assert!(seen.len() as u64 >= summary.sent, "{} seen, {} counted", seen.len(), summary.sent);
    assert_eq!(
        summary.success + summary.redirection + summary.client_error + summary.server_error,
        summary.sent
    );
    assert!(summary.success > summary.sent / 2, "{summary:?}");
    assert!(summary.refused.is_empty() && summary.refused_callers.is_empty(), "no gateway here");
    assert_eq!(summary.failed, 0);
    assert!(summary.journeys > 0);
    assert!(seen.iter().all(|s| s.forwarded_for.is_some()));
    assert!(bank.from("203.0.113.250").is_empty(), "no password-guessing burst");
    let (most_failures, reserved_logins) = login_failures_and_reserved_logins(&bank, &seen);
    assert!(most_failures <= 2, "no burst of failed logins: {most_failures} from one address");
    assert_eq!(reserved_logins, 0);
    let json = serde_json::to_value(&summary).unwrap();
    assert_eq!(json["sent"].as_u64(), Some(summary.sent));
}

#[tokio::test]
async fn run_until_replays_the_episodes_in_each_budget() {
    let bank = start_bank().await;
    let config = TrafficConfig { keep_exchanges: false, ..bounded(&bank, 40, false) };
    let (stop, stopped_rx) = watch::channel(false);
    let run = tokio::spawn(async move { traffic::run_until(&config, stopped_rx).await });
    // Two budgets, two bursts of twelve guesses.
    wait_for("two password-guessing bursts", || bank.from("203.0.113.250").len() >= 24).await;
    // Dropping the sender stops the run too.
    drop(stop);
    let summary = stopped(run).await.unwrap();
    assert!(summary.sent >= 24);
}
