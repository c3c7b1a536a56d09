//! Attackers for the live demo (`rampart demo`): four scripted attacks, each from its own
//! documented address, to run through Rampart's gateway beside the ordinary customers of
//! [`crate::traffic::run_until`], so that the behavioural detectors have something to catch.
//!
//! | attacker | address (`X-Forwarded-For`) | user agent | what it does | detectors that catch it |
//! |---|---|---|---|---|
//! | [`Attacker::CredentialStuffer`] | [`CREDENTIAL_STUFFER_ADDRESS`] | [`CREDENTIAL_STUFFER_AGENT`] | `POST /oauth/token` password grants with the mobile app's client credentials and username/password pairs from a leaked-list style generator (e-mail addresses and handles no customer of the bank has), 5 a second | `credential-stuffing` |
//! | [`Attacker::Enumerator`] | [`ENUMERATOR_ADDRESS`] | [`ENUMERATOR_AGENT`] | `GET /v1/customers/{customerId}` without any credential, walking the ids one by one from `10000000` (one in seven is a customer: the legacy lookup hands out name, national ID, phone, e-mail), 10 a second | `bola-enumeration` |
//! | [`Attacker::Injector`] | [`INJECTOR_ADDRESS`] | [`INJECTOR_AGENT`] | logs in as a customer with a browser ([`INJECTOR_LOGIN_AGENT`]), then sqlmap's payloads ([`SQL_INJECTION_PAYLOADS`]) in `q` of `GET /v2/accounts/{accountId}/transactions` with that bearer token, 4 a second | `scanner` (its user agent), `injection` |
//! | [`Attacker::Scraper`] | [`SCRAPER_ADDRESS`] | [`SCRAPER_AGENT`] | logs in as a customer and pulls the full transaction history of each account (`page_size=100`, following `links.next`) and the card list, over and over, 33 a second | `scraping` (records), `volumetric` |
//!
//! The injector and the scraper log in as the last two customers of the book
//! ([`injector_customer`], [`scraper_customer`]): accounts the ordinary traffic leaves alone when
//! [`TrafficConfig::benign_only`](crate::traffic::TrafficConfig::benign_only) is set, so that a
//! decision against those identities never touches an ordinary customer. Every address is in
//! `198.18.0.0/15` (benchmarking), each in its own /24, away from the simulated customers'
//! `192.0.2.0/24`, `198.51.100.0/24` and `203.0.113.0/24`: a detector keyed on a network never
//! lumps an attacker with customers.
//!
//! Each attacker plays rounds ([`AttackerConfig::round_pause`] apart) until stopped. A request
//! that Rampart's gateway refuses itself (`x-rampart-refusal`, or a problem of type
//! `https://rampart.dev/problems/…`: a block, a rate limit, an injection signature) is counted as
//! refused, and the attacker slows down to one request every 1–2 s, so that the refusals keep
//! growing on the dashboard without flooding it; after five answers from the bank in a row (a
//! decision expired) it goes back to full speed. A request that gets no answer is counted as an
//! error and followed by a 2 s pause. No attacker ever sends more than 34 requests a second.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::data::{Dataset, DemoRng};
use crate::traffic::{DEMO_HOST, TrafficError, authority_of, encode, gateway_refusal, stop_signal};

/// The credential stuffer's address.
pub const CREDENTIAL_STUFFER_ADDRESS: &str = "198.18.5.66";
/// The BOLA enumerator's address.
pub const ENUMERATOR_ADDRESS: &str = "198.18.7.20";
/// The SQL injector's address.
pub const INJECTOR_ADDRESS: &str = "198.18.9.30";
/// The scraper's address.
pub const SCRAPER_ADDRESS: &str = "198.18.11.40";

/// The credential stuffer's user agent: a script.
pub const CREDENTIAL_STUFFER_AGENT: &str = "python-requests/2.31.0";
/// The enumerator's user agent: a script.
pub const ENUMERATOR_AGENT: &str = "Go-http-client/1.1";
/// The injector's user agent on its injection requests: sqlmap's default.
pub const INJECTOR_AGENT: &str = "sqlmap/1.7.2#stable (https://sqlmap.org)";
/// The browser the injector logs in with before handing the token to sqlmap.
pub const INJECTOR_LOGIN_AGENT: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
/// The scraper's user agent.
pub const SCRAPER_AGENT: &str = "Scrapy/2.11.2 (+https://scrapy.org)";

/// How many customers at the end of the book the attackers log in as.
pub const RESERVED_CUSTOMERS: usize = 2;

/// The customer (index in the book of `customers`) the injector logs in as: the second to last.
pub fn injector_customer(customers: usize) -> usize {
    customers.max(1).saturating_sub(2)
}

/// The customer (index in the book of `customers`) the scraper logs in as: the last.
pub fn scraper_customer(customers: usize) -> usize {
    customers.max(1) - 1
}

/// What the injector sends in `q`, in order: sqlmap's baseline, its heuristic check, then
/// boolean, error, UNION and stacked-query payloads for SQLite. Nothing that is expensive for
/// the bank (no `RANDOMBLOB` delays).
pub const SQL_INJECTION_PAYLOADS: [&str; 22] = [
    "1",
    "1'\"(,.)(.",
    "1'",
    "1' AND 1=1-- -",
    "1' AND 1=2-- -",
    "1' OR '1'='1",
    "x' OR '1'='1",
    "x') OR 1=1 --",
    "1') AND 5371=5371 AND ('xQkz'='xQkz",
    "1' ORDER BY 1-- -",
    "1' ORDER BY 10-- -",
    "1') UNION ALL SELECT NULL-- -",
    "1') UNION ALL SELECT NULL,NULL-- -",
    "1') UNION ALL SELECT NULL,NULL,NULL-- -",
    "1') UNION ALL SELECT sqlite_version(),NULL-- -",
    "1') UNION ALL SELECT tbl_name,sql FROM sqlite_master-- -",
    "1' AND 4386=CAST((SELECT 4386) AS INTEGER)-- -",
    "1' AND SUBSTR((SELECT name FROM sqlite_master LIMIT 1),1,1)>'a'-- -",
    "1\" AND 1=1-- -",
    "1';SELECT sqlite_version()-- -",
    "-1' OR 1=1 LIMIT 1-- -",
    "1' AND (SELECT 7231 FROM (SELECT(SLEEP(5)))qXbN)-- -",
];

/// One of the demo's attackers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attacker {
    CredentialStuffer,
    Enumerator,
    Injector,
    Scraper,
}

impl Attacker {
    /// Every attacker, in the order they start.
    pub const ALL: [Attacker; 4] =
        [Attacker::CredentialStuffer, Attacker::Enumerator, Attacker::Injector, Attacker::Scraper];

    /// `credential-stuffer`, `enumerator`, `injector`, `scraper`.
    pub fn name(self) -> &'static str {
        match self {
            Attacker::CredentialStuffer => "credential-stuffer",
            Attacker::Enumerator => "enumerator",
            Attacker::Injector => "injector",
            Attacker::Scraper => "scraper",
        }
    }

    /// The address it sends in `X-Forwarded-For`.
    pub fn address(self) -> &'static str {
        match self {
            Attacker::CredentialStuffer => CREDENTIAL_STUFFER_ADDRESS,
            Attacker::Enumerator => ENUMERATOR_ADDRESS,
            Attacker::Injector => INJECTOR_ADDRESS,
            Attacker::Scraper => SCRAPER_ADDRESS,
        }
    }

    /// [`address`](Attacker::address) as an IP address.
    pub fn ip(self) -> IpAddr {
        IpAddr::V4(match self {
            Attacker::CredentialStuffer => Ipv4Addr::new(198, 18, 5, 66),
            Attacker::Enumerator => Ipv4Addr::new(198, 18, 7, 20),
            Attacker::Injector => Ipv4Addr::new(198, 18, 9, 30),
            Attacker::Scraper => Ipv4Addr::new(198, 18, 11, 40),
        })
    }

    /// The user agent of its attack requests.
    pub fn user_agent(self) -> &'static str {
        match self {
            Attacker::CredentialStuffer => CREDENTIAL_STUFFER_AGENT,
            Attacker::Enumerator => ENUMERATOR_AGENT,
            Attacker::Injector => INJECTOR_AGENT,
            Attacker::Scraper => SCRAPER_AGENT,
        }
    }

    /// The `rampart-detect` detectors (docs/detect.md) expected to alert on it with the default
    /// thresholds; any one of them blocks or rate-limits it.
    pub fn detectors(self) -> &'static [&'static str] {
        match self {
            Attacker::CredentialStuffer => &["credential-stuffing"],
            Attacker::Enumerator => &["bola-enumeration"],
            Attacker::Injector => &["scanner", "injection"],
            Attacker::Scraper => &["scraping", "volumetric"],
        }
    }

    /// Time between two requests at full speed.
    fn interval(self) -> Duration {
        Duration::from_millis(match self {
            Attacker::CredentialStuffer => 200,
            Attacker::Enumerator => 100,
            Attacker::Injector => 250,
            Attacker::Scraper => 30,
        })
    }
}

impl fmt::Display for Attacker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Attacker {
    type Err = String;

    fn from_str(text: &str) -> Result<Attacker, String> {
        Attacker::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(text.trim())).ok_or_else(|| {
            let names: Vec<&str> = Attacker::ALL.iter().map(|a| a.name()).collect();
            format!("unknown attacker {text:?}: expected one of {}", names.join(", "))
        })
    }
}

/// What [`run_attackers`] runs.
#[derive(Debug, Clone)]
pub struct AttackerConfig {
    /// Base URL of the gateway in front of the bank (`http://127.0.0.1:PORT`), or of the bank.
    pub target: String,
    /// The seed the bank's book was generated with (the attackers log in as two of its
    /// customers with the mobile app's client credentials); also seeds the attackers' choices.
    pub seed: u64,
    /// The customer count the bank's book was generated with.
    pub customers: usize,
    /// Wait before the first attacker starts.
    pub start_delay: Duration,
    /// Wait between one attacker's start and the next's (in [`Attacker::ALL`] order), so that
    /// the alerts come one after the other.
    pub stagger: Duration,
    /// Pause between two rounds of one attacker.
    pub round_pause: Duration,
    /// Which attackers run (duplicates are ignored).
    pub attackers: Vec<Attacker>,
    /// Each attacker stops after this many requests (answered, refused or failed); `None`: only
    /// the stop signal ends them.
    pub max_requests: Option<u64>,
}

impl Default for AttackerConfig {
    /// All four against `http://127.0.0.1:8080` with the default book (seed 42, 300 customers),
    /// starting at once, 5 s apart, 15 s between rounds, until stopped.
    fn default() -> AttackerConfig {
        AttackerConfig {
            target: "http://127.0.0.1:8080".into(),
            seed: 42,
            customers: 300,
            start_delay: Duration::ZERO,
            stagger: Duration::from_secs(5),
            round_pause: Duration::from_secs(15),
            attackers: Attacker::ALL.to_vec(),
            max_requests: None,
        }
    }
}

/// What one attacker sent and how it was answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AttackerStats {
    /// Requests completed: `answered + refused + errors`.
    pub sent: u64,
    /// Answered by the bank (whatever the status).
    pub answered: u64,
    /// Refused by Rampart's gateway.
    pub refused: u64,
    /// No answer (connection refused or reset, timed out).
    pub errors: u64,
    /// Rounds started.
    pub rounds: u64,
    /// The bank's answers by status.
    pub statuses: BTreeMap<u16, u64>,
    /// The gateway's refusals by reason (`blocked-ip`, `rate-limited-by-decision`, `sqli`, …).
    pub refusals: BTreeMap<String, u64>,
}

impl AttackerStats {
    /// How many of the bank's answers had `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }
}

/// What [`run_attackers`] did, per attacker that ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AttackSummary {
    pub attackers: BTreeMap<Attacker, AttackerStats>,
}

impl AttackSummary {
    pub fn get(&self, attacker: Attacker) -> Option<&AttackerStats> {
        self.attackers.get(&attacker)
    }
}

/// Runs the configured attackers concurrently against `config.target` until `stop` holds `true`
/// (or its sender is dropped), or until each has sent [`AttackerConfig::max_requests`], and
/// returns what each did. Only a malformed `target` is an error: refusals and unanswered
/// requests are counted, and the attackers carry on.
pub async fn run_attackers(
    config: &AttackerConfig,
    stop: watch::Receiver<bool>,
) -> Result<AttackSummary, TrafficError> {
    let authority = authority_of(&config.target)?;
    let data = Arc::new(Dataset::generate(config.seed, config.customers));
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let http: HttpClient<HttpConnector, Full<Bytes>> =
        HttpClient::builder(TokioExecutor::new()).build(connector);
    let mut tasks = tokio::task::JoinSet::new();
    let mut started = BTreeSet::new();
    let chosen = config.attackers.iter().copied().filter(|a| started.insert(*a));
    for (index, attacker) in chosen.enumerate() {
        let mut agent = Agent {
            attacker,
            http: http.clone(),
            authority: authority.clone(),
            stop: stop.clone(),
            rng: DemoRng::new(config.seed ^ 0x0A77_AC4E_u64.wrapping_mul(attacker as u64 + 1)),
            slowed: false,
            answers_since_refusal: 0,
            failing: false,
            next_at: None,
            max_requests: config.max_requests,
            stats: AttackerStats::default(),
        };
        let delay = config.start_delay + config.stagger.saturating_mul(index as u32);
        let round_pause = config.round_pause;
        let data = data.clone();
        tasks.spawn(async move {
            agent.run(&data, delay, round_pause).await;
            (attacker, agent.stats)
        });
    }
    let mut summary = AttackSummary::default();
    while let Some(joined) = tasks.join_next().await {
        let (attacker, stats) = joined.map_err(|e| {
            TrafficError::Io(std::io::Error::other(format!("an attacker's task failed: {e}")))
        })?;
        summary.attackers.insert(attacker, stats);
    }
    Ok(summary)
}

/// How long one request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after a request that got no answer.
const ERROR_PAUSE: Duration = Duration::from_secs(2);
/// Bank answers in a row after which a refused attacker goes back to full speed.
const RESUME_AFTER_ANSWERS: u32 = 5;
/// How long the injector and the scraper keep a token (the bank's last 15 minutes).
const TOKEN_REUSE: Duration = Duration::from_secs(600);
/// Requests per round.
const STUFFER_ROUND: usize = 40;
const ENUMERATOR_ROUND: usize = 60;
const SCRAPER_ROUND: usize = 600;
/// The scope the mobile app asks for.
const APP_SCOPE: &str = "accounts payments cards profile";
/// The lowest customer id the bank hands out.
const FIRST_CUSTOMER_ID: u64 = 10_000_000;

/// One request of an attacker.
struct Attempt {
    method: &'static str,
    /// Path and query, encoded.
    target: String,
    user_agent: &'static str,
    bearer: Option<String>,
    form: Option<String>,
}

impl Attempt {
    fn get(target: String, user_agent: &'static str, bearer: Option<&str>) -> Attempt {
        Attempt { method: "GET", target, user_agent, bearer: bearer.map(str::to_owned), form: None }
    }

    fn post_form(target: &str, user_agent: &'static str, fields: &[(&str, &str)]) -> Attempt {
        let form: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        Attempt {
            method: "POST",
            target: target.to_owned(),
            user_agent,
            bearer: None,
            form: Some(form.join("&")),
        }
    }
}

/// How a request ended.
enum Outcome {
    /// The bank answered.
    Answered { status: u16, json: Value },
    /// The gateway refused it.
    Refused,
    /// No answer.
    Failed,
    /// Stopped, or the request budget is spent: the attacker ends.
    Finished,
}

/// A login's result.
enum Login {
    Token(String),
    /// The gateway refused the login: attack on without a token, the requests will be refused
    /// too.
    Refused,
    /// The bank said no, or no answer: try again next round.
    Failed,
    Finished,
}

struct Agent {
    attacker: Attacker,
    http: HttpClient<HttpConnector, Full<Bytes>>,
    authority: String,
    stop: watch::Receiver<bool>,
    rng: DemoRng,
    /// Refused lately: one request every 1–2 s.
    slowed: bool,
    answers_since_refusal: u32,
    /// The last request got no answer (logged once).
    failing: bool,
    next_at: Option<Instant>,
    max_requests: Option<u64>,
    stats: AttackerStats,
}

impl Agent {
    fn finished(&self) -> bool {
        *self.stop.borrow()
            || self.stop.has_changed().is_err()
            || self.max_requests.is_some_and(|max| self.stats.sent >= max)
    }

    /// Waits until `until`; `false` when stopped first.
    async fn sleep_until(&mut self, until: Instant) -> bool {
        tokio::select! {
            () = tokio::time::sleep_until(until) => true,
            () = stop_signal(&mut self.stop) => false,
        }
    }

    async fn run(&mut self, data: &Dataset, delay: Duration, round_pause: Duration) {
        if !self.sleep_until(Instant::now() + delay).await {
            return;
        }
        tracing::info!(attacker = %self.attacker, address = self.attacker.address(), user_agent = self.attacker.user_agent(), "demo attacker starting");
        let mut state = RoundState::new(self.rng.next_u64());
        while !self.finished() {
            self.stats.rounds += 1;
            match self.attacker {
                Attacker::CredentialStuffer => self.stuff(data, &mut state).await,
                Attacker::Enumerator => self.enumerate(data, &mut state).await,
                Attacker::Injector => self.inject(data, &mut state).await,
                Attacker::Scraper => self.scrape(data, &mut state).await,
            }
            tracing::debug!(attacker = %self.attacker, round = self.stats.rounds, sent = self.stats.sent, refused = self.stats.refused, "demo attacker round done");
            if self.finished() || !self.sleep_until(Instant::now() + round_pause).await {
                break;
            }
        }
        tracing::info!(attacker = %self.attacker, sent = self.stats.sent, answered = self.stats.answered, refused = self.stats.refused, errors = self.stats.errors, "demo attacker stopped");
    }

    /// The pause after a refusal: 1 to 2 s.
    fn slow_interval(&mut self) -> Duration {
        Duration::from_millis(1_000 + self.rng.below(1_001))
    }

    /// Sends one request at the attacker's pace and counts how it was answered.
    async fn send(&mut self, attempt: Attempt) -> Outcome {
        if self.finished() {
            return Outcome::Finished;
        }
        if let Some(at) = self.next_at
            && !self.sleep_until(at).await
        {
            return Outcome::Finished;
        }
        let mut builder = hyper::Request::builder()
            .method(attempt.method)
            .uri(format!("http://{}{}", self.authority, attempt.target))
            .header("Host", DEMO_HOST)
            .header("User-Agent", attempt.user_agent)
            .header("Accept", "application/json")
            .header("X-Forwarded-For", self.attacker.address());
        if let Some(token) = &attempt.bearer {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        let body = match attempt.form {
            Some(form) => {
                builder = builder.header("Content-Type", "application/x-www-form-urlencoded");
                Bytes::from(form)
            }
            None => Bytes::new(),
        };
        let exchange = match builder.body(Full::new(body)) {
            Ok(request) => {
                let http = &self.http;
                let fetch = async move {
                    let response = http.request(request).await.map_err(|e| e.to_string())?;
                    let (parts, body) = response.into_parts();
                    let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
                    Ok::<_, String>((parts, bytes))
                };
                tokio::select! {
                    result = tokio::time::timeout(REQUEST_TIMEOUT, fetch) => match result {
                        Ok(result) => result,
                        Err(_) => Err(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())),
                    },
                    () = stop_signal(&mut self.stop) => return Outcome::Finished,
                }
            }
            Err(e) => Err(format!("bad request {}: {e}", attempt.target)),
        };
        let now = Instant::now();
        self.stats.sent += 1;
        let (parts, bytes) = match exchange {
            Ok(exchange) => exchange,
            Err(message) => {
                self.stats.errors += 1;
                if !self.failing {
                    tracing::warn!(attacker = %self.attacker, method = attempt.method, %message, "demo attacker: no answer");
                }
                self.failing = true;
                self.next_at = Some(now + ERROR_PAUSE);
                return Outcome::Failed;
            }
        };
        self.failing = false;
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let status = parts.status.as_u16();
        if let Some(reason) = gateway_refusal(&parts.headers, &json) {
            self.stats.refused += 1;
            if self.stats.refused == 1 {
                tracing::info!(attacker = %self.attacker, status, %reason, "demo attacker refused by the gateway: one request every 1-2 s from now on");
            } else if !self.slowed {
                tracing::debug!(attacker = %self.attacker, status, %reason, "demo attacker refused again: slowing down");
            }
            *self.stats.refusals.entry(reason).or_default() += 1;
            self.slowed = true;
            self.answers_since_refusal = 0;
            let pause = self.slow_interval();
            self.next_at = Some(now + pause);
            return Outcome::Refused;
        }
        self.stats.answered += 1;
        *self.stats.statuses.entry(status).or_default() += 1;
        if self.slowed {
            self.answers_since_refusal += 1;
            if self.answers_since_refusal >= RESUME_AFTER_ANSWERS {
                self.slowed = false;
                tracing::debug!(attacker = %self.attacker, "demo attacker answered by the bank again: full speed");
            }
        }
        let pause = if self.slowed { self.slow_interval() } else { self.attacker.interval() };
        self.next_at = Some(now + pause);
        Outcome::Answered { status, json }
    }

    /// Logs in as `customer` through the token endpoint, as the mobile app does.
    async fn login(&mut self, data: &Dataset, customer: usize, user_agent: &'static str) -> Login {
        let Some(c) = data.customers.get(customer) else { return Login::Failed };
        let Some((client_id, secret, _)) = data.clients.first() else { return Login::Failed };
        let attempt = Attempt::post_form(
            "/oauth/token",
            user_agent,
            &[
                ("grant_type", "password"),
                ("username", &c.username),
                ("password", &c.password),
                ("client_id", client_id),
                ("client_secret", secret),
                ("scope", APP_SCOPE),
            ],
        );
        match self.send(attempt).await {
            Outcome::Answered { json, .. } => match json.get("access_token").and_then(Value::as_str) {
                Some(token) => Login::Token(token.to_owned()),
                None => Login::Failed,
            },
            Outcome::Refused => Login::Refused,
            Outcome::Failed => Login::Failed,
            Outcome::Finished => Login::Finished,
        }
    }

    /// The token to attack with: the one kept, or a new login. `Err(())` ends the round.
    async fn token(
        &mut self,
        data: &Dataset,
        state: &mut RoundState,
        customer: usize,
        user_agent: &'static str,
    ) -> Result<Option<String>, ()> {
        if let Some((token, at)) = &state.token
            && at.elapsed() < TOKEN_REUSE
        {
            return Ok(Some(token.clone()));
        }
        state.token = None;
        match self.login(data, customer, user_agent).await {
            Login::Token(token) => {
                state.token = Some((token.clone(), Instant::now()));
                Ok(Some(token))
            }
            Login::Refused => Ok(None),
            Login::Failed | Login::Finished => Err(()),
        }
    }

    async fn stuff(&mut self, data: &Dataset, state: &mut RoundState) {
        let Some((client_id, secret, _)) = data.clients.first() else { return };
        for _ in 0..STUFFER_ROUND {
            let (username, password) = state.leaked.next_pair();
            let attempt = Attempt::post_form(
                "/oauth/token",
                CREDENTIAL_STUFFER_AGENT,
                &[
                    ("grant_type", "password"),
                    ("username", &username),
                    ("password", &password),
                    ("client_id", client_id),
                    ("client_secret", secret),
                    ("scope", APP_SCOPE),
                ],
            );
            if let Outcome::Finished = self.send(attempt).await {
                return;
            }
        }
    }

    async fn enumerate(&mut self, data: &Dataset, state: &mut RoundState) {
        // Customer ids are `10000000 + 7 × index + (0..7)`: past the last, start again.
        let end = FIRST_CUSTOMER_ID + 7 * data.customers.len() as u64;
        for _ in 0..ENUMERATOR_ROUND {
            let id = state.next_id;
            state.next_id = if id + 1 >= end { FIRST_CUSTOMER_ID } else { id + 1 };
            let attempt = Attempt::get(format!("/v1/customers/{id}"), ENUMERATOR_AGENT, None);
            if let Outcome::Finished = self.send(attempt).await {
                return;
            }
        }
    }

    async fn inject(&mut self, data: &Dataset, state: &mut RoundState) {
        let customer = injector_customer(data.customers.len());
        let Some((_, account)) = data.accounts_of(customer).next() else { return };
        let path = format!("/v2/accounts/{}/transactions", account.account_id);
        let Ok(token) = self.token(data, state, customer, INJECTOR_LOGIN_AGENT).await else { return };
        for payload in SQL_INJECTION_PAYLOADS {
            let target = format!("{path}?q={}", encode(payload));
            match self.send(Attempt::get(target, INJECTOR_AGENT, token.as_deref())).await {
                Outcome::Finished => return,
                // The token expired or was revoked: log in again next round.
                Outcome::Answered { status: 401, .. } => state.token = None,
                _ => {}
            }
        }
    }

    async fn scrape(&mut self, data: &Dataset, state: &mut RoundState) {
        let customer = scraper_customer(data.customers.len());
        let accounts: Vec<String> = data.accounts_of(customer).map(|(_, a)| a.account_id.clone()).collect();
        let Ok(mut token) = self.token(data, state, customer, SCRAPER_AGENT).await else { return };
        let mut sent = 0;
        while sent < SCRAPER_ROUND {
            for account in &accounts {
                let mut page = 1;
                // Every page of the account's history, as long as the bank says there is a next.
                while sent < SCRAPER_ROUND {
                    let target = format!("/v2/accounts/{account}/transactions?page={page}&page_size=100");
                    sent += 1;
                    match self.send(Attempt::get(target, SCRAPER_AGENT, token.as_deref())).await {
                        Outcome::Finished => return,
                        Outcome::Answered { status: 200, json } if json["links"].get("next").is_some() => {
                            page += 1;
                        }
                        Outcome::Answered { status: 401, .. } => {
                            state.token = None;
                            token = None;
                            break;
                        }
                        _ => break,
                    }
                }
            }
            sent += 1;
            match self.send(Attempt::get("/v2/cards".into(), SCRAPER_AGENT, token.as_deref())).await {
                Outcome::Finished => return,
                // Without a token (expired, or none), the round ends: log in again next round.
                Outcome::Answered { status: 401, .. } => {
                    state.token = None;
                    return;
                }
                _ => {}
            }
        }
    }
}

/// What an attacker carries from one round to the next.
struct RoundState {
    leaked: LeakedList,
    /// The enumerator's next customer id.
    next_id: u64,
    /// The injector's or scraper's bearer token, and when it was issued.
    token: Option<(String, Instant)>,
}

impl RoundState {
    fn new(seed: u64) -> RoundState {
        RoundState { leaked: LeakedList::new(seed), next_id: FIRST_CUSTOMER_ID, token: None }
    }
}

/// Username/password pairs as a leaked combo list has them: e-mail addresses and handles from
/// other sites' breaches. None is a customer of the bank: its usernames are `first.last` and two
/// digits, without `@`, and the handles here have no dot.
struct LeakedList {
    rng: DemoRng,
}

const LEAKED_FIRST: &[&str] = &[
    "james", "mary", "john", "linda", "michael", "sarah", "david", "jennifer", "kevin", "jessica", "daniel",
    "ashley", "ryan", "emily", "jason", "amanda", "wei", "mei", "raj", "priya", "ahmad", "siti", "hiroshi",
    "yuki", "minh", "thanh", "budi", "dewi", "carlos", "ana",
];
const LEAKED_LAST: &[&str] = &[
    "smith", "johnson", "brown", "tan", "lim", "ng", "wong", "chen", "kumar", "singh", "nguyen", "tran",
    "santos", "reyes", "garcia", "kim", "park", "lee", "sato", "suzuki", "hassan", "rahman",
];
const LEAKED_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "aol.com",
    "icloud.com",
    "live.com",
    "qq.com",
    "yahoo.com.sg",
    "rediffmail.com",
];
const LEAKED_PASSWORDS: &[&str] = &[
    "123456",
    "password",
    "123456789",
    "qwerty",
    "12345678",
    "111111",
    "iloveyou",
    "abc123",
    "password1",
    "Qwerty123!",
    "Summer2024!",
    "Welcome1",
    "letmein",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "P@ssw0rd",
    "changeme",
];

impl LeakedList {
    fn new(seed: u64) -> LeakedList {
        LeakedList { rng: DemoRng::new(seed) }
    }

    fn next_pair(&mut self) -> (String, String) {
        let first = *self.rng.pick(LEAKED_FIRST);
        let last = *self.rng.pick(LEAKED_LAST);
        let number = self.rng.range(1, 9999);
        let username = match self.rng.below(4) {
            0 => format!("{first}.{last}{number}@{}", self.rng.pick(LEAKED_DOMAINS)),
            1 => format!("{first}{last}{number}@{}", self.rng.pick(LEAKED_DOMAINS)),
            2 => format!("{}{last}{number}", first.get(..1).unwrap_or(first)),
            _ => format!("{first}_{last}{number}"),
        };
        let password = match self.rng.below(3) {
            0 => format!("{first}{}", self.rng.range(1960, 2010)),
            _ => self.rng.pick(LEAKED_PASSWORDS).to_string(),
        };
        (username, password)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_addresses_and_names_agree() {
        for attacker in Attacker::ALL {
            assert_eq!(attacker.ip().to_string(), attacker.address());
            assert_eq!(attacker.name().parse::<Attacker>(), Ok(attacker));
            assert!(attacker.interval() >= Duration::from_millis(20), "at most 50 requests a second");
            // Away from the simulated customers' networks.
            assert!(attacker.address().starts_with("198.18."));
        }
        let networks: BTreeSet<String> =
            Attacker::ALL.iter().map(|a| a.address().rsplit_once('.').unwrap().0.to_owned()).collect();
        assert_eq!(networks.len(), 4, "each attacker in its own /24");
        assert!("nobody".parse::<Attacker>().is_err());
    }

    #[test]
    fn leaked_usernames_are_never_the_banks() {
        let data = Dataset::generate(42, 300);
        let usernames: BTreeSet<&str> = data.customers.iter().map(|c| c.username.as_str()).collect();
        let mut leaked = LeakedList::new(7);
        let pairs: Vec<(String, String)> = (0..2_000).map(|_| leaked.next_pair()).collect();
        assert!(pairs.iter().all(|(u, _)| !usernames.contains(u.as_str())));
        let distinct: BTreeSet<&str> = pairs.iter().map(|(u, _)| u.as_str()).collect();
        assert!(distinct.len() > 1_900, "a stuffing list rarely repeats: {}", distinct.len());
    }

    #[test]
    fn reserved_customers_are_the_last_two() {
        assert_eq!((injector_customer(300), scraper_customer(300)), (298, 299));
        assert_eq!((injector_customer(1), scraper_customer(1)), (0, 0));
        assert_eq!((injector_customer(0), scraper_customer(0)), (0, 0));
    }
}
