//! The traffic generator: simulated customers, a legacy mobile client, a partner, an ops user,
//! a monitoring probe and a little noise (bad tokens, unknown ids, invalid parameters), driving
//! the demo API over real HTTP and recording every exchange.
//!
//! It is sequential on purpose: one request at a time, every choice drawn from one seeded stream,
//! so the same seed against the same API gives the same requests. With a simulated clock
//! ([`record`]) it also moves the API's clock and makes up timings, so that the recording itself
//! is reproducible byte for byte.
//!
//! The generator knows each customer's password because it regenerates the same book
//! ([`Dataset::generate`]) from the seed and customer count the API was started with; account,
//! card and payment ids it learns from responses like any client.
//!
//! For a live demo, [`run_until`] plays journeys without end at a real-time pace
//! ([`TrafficConfig::pace`]) until told to stop, keeping nothing but counts
//! ([`TrafficSummary`]); [`TrafficConfig::demo`] sets it up as `rampart demo` uses it: ordinary
//! customers only ([`TrafficConfig::benign_only`]), each named by `X-Forwarded-For`, at
//! [`DEMO_REQUESTS_PER_SECOND`]. The attacks of that demo are in [`crate::attackers`].

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rampart_core::{Body, Client, Exchange, Request, Response, Source, SourceKind};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::data::{Dataset, DemoRng};
use crate::jwt::{JwtError, SigningKeys};
use crate::state::{AppState, Clock};

/// The host every request is addressed to and recorded under.
pub const DEMO_HOST: &str = "api.demo-bank.example";
/// The `creator` written into HAR files.
pub const HAR_CREATOR: &str = "rampart-demo traffic generator";

#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error("target {0:?} is not an http://host:port URL")]
    BadTarget(String),
    #[error("HTTP request {method} {path} failed: {message}")]
    Http { method: String, path: String, message: String },
    #[error("could not start the in-process API: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not create the signing key: {0}")]
    Key(#[from] JwtError),
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct TrafficConfig {
    /// Base URL of the API, `http://127.0.0.1:8080`.
    pub target: String,
    /// Seed of the generator's choices; also the seed the API's book was generated with.
    pub seed: u64,
    /// Customer count the API's book was generated with.
    pub customers: usize,
    /// How many requests to send.
    pub requests: usize,
    /// When set, the generator simulates time from this clock's start: it moves the clock before
    /// each request (the API must share it) and records simulated timings.
    pub simulated_clock: Option<Clock>,
    /// Send `X-Forwarded-For: <the simulated caller's address>` with every request, so that a
    /// gateway trusting the generator's own address as a proxy sees each simulated customer as
    /// its own client. Off by default: recorded samples do not carry it.
    pub forwarded_for: bool,
    /// Real time between two requests (sent one after the other, so this caps the rate of the
    /// whole simulated population: 50 ms is 20 requests a second). `None`: as fast as the target
    /// answers. Ignored with a simulated clock. [`pace_for_rate`] converts a rate.
    pub pace: Option<StdDuration>,
    /// Keep every exchange in memory to return it ([`run`]). `false` for endless runs: [`run`]
    /// then returns no exchanges, and only counts are kept.
    pub keep_exchanges: bool,
    /// Ordinary customers only: leaves out the two attack episodes the generator otherwise
    /// plays inside its traffic (a password-guessing burst on one customer from
    /// `203.0.113.250`, and a customer walking other customers' accounts on `/v1`), and never
    /// plays the last [`crate::attackers::RESERVED_CUSTOMERS`] customers of the book, whose
    /// accounts the attackers of [`crate::attackers`] log in as. The partner also keeps its
    /// client-credentials token while it is valid instead of asking for one at each visit.
    /// Everything else (including the everyday noise: a mistyped password, an expired token, an
    /// unknown id) stays.
    pub benign_only: bool,
}

/// The demo's default rate of ordinary traffic, all simulated customers together.
pub const DEMO_REQUESTS_PER_SECOND: f64 = 20.0;

/// The [`TrafficConfig::pace`] for `per_second` requests a second; `None` (no pacing) when the
/// rate is not a positive number.
pub fn pace_for_rate(per_second: f64) -> Option<StdDuration> {
    (per_second.is_finite() && per_second > 0.0)
        .then(|| StdDuration::from_secs_f64(1.0 / per_second.max(1e-3)))
}

impl Default for TrafficConfig {
    /// The CLI's defaults: the API on `127.0.0.1:8080` with the default book, 1000 requests as
    /// fast as it answers, every exchange kept.
    fn default() -> TrafficConfig {
        TrafficConfig {
            target: "http://127.0.0.1:8080".into(),
            seed: 42,
            customers: 300,
            requests: 1000,
            simulated_clock: None,
            forwarded_for: false,
            pace: None,
            keep_exchanges: true,
            benign_only: false,
        }
    }
}

impl TrafficConfig {
    /// Ordinary customers for a live demo behind a gateway, for [`run_until`]: each simulated
    /// caller named by `X-Forwarded-For`, [`benign_only`](TrafficConfig::benign_only),
    /// `requests_per_second` all together (see [`DEMO_REQUESTS_PER_SECOND`]), nothing kept in
    /// memory. `seed` and `customers` must be those the API was started with.
    pub fn demo(
        target: impl Into<String>,
        seed: u64,
        customers: usize,
        requests_per_second: f64,
    ) -> TrafficConfig {
        TrafficConfig {
            target: target.into(),
            seed,
            customers,
            requests: 1000,
            simulated_clock: None,
            forwarded_for: true,
            pace: pace_for_rate(requests_per_second),
            keep_exchanges: false,
            benign_only: true,
        }
    }
}

/// What [`run_until`] sent, by how it was answered. Bounded whatever the run's length.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TrafficSummary {
    /// Requests answered (by the API, or by a gateway in front of it).
    pub sent: u64,
    /// Answers by status class.
    pub success: u64,
    pub redirection: u64,
    pub client_error: u64,
    pub server_error: u64,
    /// Answers a Rampart gateway gave itself (`x-rampart-refusal`, or a
    /// `https://rampart.dev/problems/…` problem), by reason (`blocked-ip`, `rate-limited`, …).
    /// Also counted in their status class.
    pub refused: BTreeMap<String, u64>,
    /// Each simulated caller's address the gateway refused, with how many of its requests.
    /// Against a gateway with behavioural detection, an address here is an ordinary customer
    /// caught by mistake.
    pub refused_callers: BTreeMap<IpAddr, u64>,
    /// Requests that got no answer (connection refused or reset, timed out): the journey is
    /// abandoned and the generator waits a little before the next one.
    pub failed: u64,
    /// Journeys started.
    pub journeys: u64,
}

impl TrafficSummary {
    /// Requests the gateway refused, all reasons together.
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    fn count(&mut self, status: u16, refusal: Option<&str>, caller: IpAddr) {
        self.sent += 1;
        match status {
            200..=299 => self.success += 1,
            300..=399 => self.redirection += 1,
            400..=499 => self.client_error += 1,
            500..=599 => self.server_error += 1,
            _ => {}
        }
        if let Some(reason) = refusal {
            *self.refused.entry(reason.to_owned()).or_default() += 1;
            *self.refused_callers.entry(caller).or_default() += 1;
        }
    }
}

/// The reason a Rampart gateway refused a request itself, from its `x-rampart-refusal` header or
/// its problem document (`type` under `https://rampart.dev/problems/`); `None` for the API's own
/// answers.
pub fn gateway_refusal(headers: &hyper::HeaderMap, json: &Value) -> Option<String> {
    if let Some(reason) = headers.get(rampart_core::exchange::GATEWAY_REFUSAL_HEADER) {
        return Some(String::from_utf8_lossy(reason.as_bytes()).into_owned());
    }
    let reason = json.get("type")?.as_str()?.strip_prefix("https://rampart.dev/problems/")?;
    let reason = json.get("reason").and_then(Value::as_str).unwrap_or(reason);
    Some(if reason.is_empty() { "unknown".to_owned() } else { reason.to_owned() })
}

/// What [`record`] needs.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub seed: u64,
    pub customers: usize,
    pub requests: usize,
    /// The API's signing key; `None` derives a 2048-bit key from the seed.
    pub keys: Option<Arc<SigningKeys>>,
}

impl Default for RecordOptions {
    fn default() -> RecordOptions {
        RecordOptions { seed: 42, customers: 300, requests: 3000, keys: None }
    }
}

/// When simulated traffic starts: a Tuesday morning in Singapore.
pub fn simulated_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).single().unwrap_or_default()
}

/// Starts the API in-process on an ephemeral loopback port with a simulated clock, drives it,
/// and returns the recorded exchanges. The same options always give the same exchanges.
pub async fn record(options: &RecordOptions) -> Result<Vec<Exchange>, TrafficError> {
    let keys = match &options.keys {
        Some(k) => k.clone(),
        None => {
            let seed = options.seed;
            let keys = tokio::task::spawn_blocking(move || {
                SigningKeys::from_demo_seed(seed, SigningKeys::DEFAULT_BITS)
            })
            .await
            .map_err(|e| TrafficError::Io(std::io::Error::other(e.to_string())))??;
            Arc::new(keys)
        }
    };
    let clock = Clock::manual(simulated_start());
    let state = AppState::new(Dataset::generate(options.seed, options.customers), keys, clock.clone());
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(crate::serve(listener, state));
    let config = TrafficConfig {
        target: format!("http://{address}"),
        seed: options.seed,
        customers: options.customers,
        requests: options.requests,
        simulated_clock: Some(clock),
        forwarded_for: false,
        pace: None,
        keep_exchanges: true,
        benign_only: false,
    };
    let result = run(&config).await;
    server.abort();
    result
}

/// Writes exchanges as a HAR 1.2 file.
pub fn write_har(writer: impl std::io::Write, exchanges: Vec<Exchange>) -> std::io::Result<()> {
    rampart_ingest::har::write_har(writer, HAR_CREATOR, exchanges)
}

/// `host:port` of an `http://host:port` target.
pub(crate) fn authority_of(target: &str) -> Result<String, TrafficError> {
    target
        .strip_prefix("http://")
        .map(|rest| rest.trim_end_matches('/'))
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
        .map(str::to_owned)
        .ok_or_else(|| TrafficError::BadTarget(target.to_owned()))
}

/// Drives the API at `config.target` with `config.requests` requests and returns what was
/// exchanged (nothing when [`TrafficConfig::keep_exchanges`] is off).
pub async fn run(config: &TrafficConfig) -> Result<Vec<Exchange>, TrafficError> {
    let mut driver = Driver::new(config, None)?;
    while !driver.exhausted() {
        let before = driver.segment;
        driver.journey().await?;
        if driver.segment == before {
            // A journey that sent nothing (all its steps skipped) must not spin forever.
            driver.budget = driver.budget.min(driver.segment);
        }
    }
    Ok(driver.exchanges)
}

/// Longest wait after a request that got no answer, in endless runs.
const MAX_BACKOFF: StdDuration = StdDuration::from_secs(5);
/// How long one request may take in endless runs before it counts as failed.
const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(30);

/// Plays journeys against `config.target` until `stop` holds `true` (or its sender is dropped),
/// then returns what was sent. Meant for live demos: with [`TrafficConfig::pace`] it runs at a
/// real-time rate, and with [`TrafficConfig::keep_exchanges`] off (what it expects; kept
/// exchanges are dropped at each new budget anyway) its memory stays flat: it plays budgets of
/// `config.requests` requests one after the other (at least one request each), each with the
/// generator's episodes (unless [`TrafficConfig::benign_only`]), and forgets what its customers
/// learned beyond a few recent ids.
///
/// A request that gets no answer (the target restarting, a timeout) abandons its journey, is
/// counted in [`TrafficSummary::failed`] and makes the generator wait (up to 5 s) before the
/// next one; only a malformed `target` is an error. A request in flight when `stop` comes is
/// abandoned and not counted.
pub async fn run_until(
    config: &TrafficConfig,
    stop: watch::Receiver<bool>,
) -> Result<TrafficSummary, TrafficError> {
    let mut driver = Driver::new(config, Some(stop))?;
    driver.budget = driver.budget.max(1);
    let mut failures: u32 = 0;
    while !driver.stop_requested() {
        if driver.segment >= driver.budget {
            driver.next_segment();
        }
        let before = driver.sent;
        match driver.journey().await {
            Ok(()) => failures = 0,
            Err(TrafficError::Http { method, path, message }) => {
                failures = failures.saturating_add(1);
                driver.summary.failed += 1;
                let backoff =
                    (StdDuration::from_millis(250) * 2u32.saturating_pow(failures.min(5))).min(MAX_BACKOFF);
                tracing::warn!(%method, %path, %message, backoff_ms = backoff.as_millis() as u64, "demo traffic: no answer");
                driver.pause(backoff).await;
                continue;
            }
            Err(other) => return Err(other),
        }
        if driver.sent == before && !driver.stop_requested() {
            // Nothing was sent (every step skipped): wait a pace rather than spin.
            driver.pause(driver.pace.unwrap_or(StdDuration::from_millis(10))).await;
        }
    }
    tracing::debug!(sent = driver.summary.sent, "demo traffic stopped");
    Ok(driver.summary)
}

/// Resolves once `stop` holds `true` or its sender is gone.
pub(crate) async fn stop_signal(stop: &mut watch::Receiver<bool>) {
    // An error means the sender was dropped: nobody can ask any more, so stop.
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// What the generator remembers about one customer between journeys.
#[derive(Debug, Default, Clone)]
struct CustomerSession {
    token: Option<(String, DateTime<Utc>)>,
    cookie: Option<String>,
    /// The HS256 token the legacy login returns, kept by half of the legacy installs.
    legacy_token: Option<String>,
    accounts: Vec<(String, String)>,
    transactions: Vec<(String, String)>,
    payments: Vec<String>,
    cards: Vec<String>,
    beneficiaries: Vec<String>,
    last_payment: Option<(String, String)>,
}

/// Who is calling: how they appear in the recorded `client`.
#[derive(Debug, Clone)]
struct Caller {
    ip: IpAddr,
    identity: Option<String>,
    user_agent: &'static str,
}

struct Call<'a> {
    method: &'static str,
    path: String,
    query: Vec<(&'a str, String)>,
    headers: Vec<(&'static str, String)>,
    body: Option<(&'static str, String)>,
}

impl<'a> Call<'a> {
    fn new(method: &'static str, path: impl Into<String>) -> Call<'a> {
        Call { method, path: path.into(), query: Vec::new(), headers: Vec::new(), body: None }
    }
    fn query(mut self, name: &'a str, value: impl ToString) -> Call<'a> {
        self.query.push((name, value.to_string()));
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Call<'a> {
        self.headers.push((name, value.into()));
        self
    }
    fn bearer(self, token: &str) -> Call<'a> {
        self.header("Authorization", format!("Bearer {token}"))
    }
    fn json(mut self, body: &Value) -> Call<'a> {
        self.body = Some(("application/json", body.to_string()));
        self
    }
    fn form(mut self, fields: &[(&str, &str)]) -> Call<'a> {
        let encoded: Vec<String> =
            fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        self.body = Some(("application/x-www-form-urlencoded", encoded.join("&")));
        self
    }
}

struct Reply {
    status: u16,
    json: Value,
    set_cookie: Option<String>,
}

/// Everything but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const NOT_UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

struct Driver {
    http: HttpClient<HttpConnector, Full<Bytes>>,
    authority: String,
    rng: DemoRng,
    budget: usize,
    exchanges: Vec<Exchange>,
    clock: Option<Clock>,
    sim_now: DateTime<Utc>,
    data: Dataset,
    sessions: Vec<CustomerSession>,
    /// One-off episodes already played: a password-guessing burst, a customer walking others' accounts.
    guessed: bool,
    snooped: bool,
    /// Tell the target who the simulated caller is (`X-Forwarded-For`).
    forwarded_for: bool,
    /// Requests sent since the start: the next exchange's entry number.
    sent: u64,
    /// Requests sent in the current budget (all of them, outside [`run_until`]).
    segment: usize,
    /// Keep each exchange in `exchanges`.
    keep: bool,
    /// No attack episodes, and only the first `playable` customers.
    benign_only: bool,
    playable: usize,
    pace: Option<StdDuration>,
    /// When the next request may go, with a pace.
    next_send: Option<tokio::time::Instant>,
    /// [`run_until`]'s stop signal.
    stop: Option<watch::Receiver<bool>>,
    summary: TrafficSummary,
    /// The partner's client-credentials token and its expiry (reused only when `benign_only`).
    partner_token: Option<(String, DateTime<Utc>)>,
}

/// How a legacy client authenticates its calls.
enum LegacyCredential {
    Cookie(String),
    Token(String),
}

const MOBILE_AGENTS: &[&str] = &[
    "DemoBank/5.12.0 (iPhone15,3; iOS 18.1; Scale/3.00)",
    "DemoBank/5.12.0 (Android 15; Pixel 8)",
    "DemoBank/5.11.4 (Android 14; SM-S918B)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
];
const LEGACY_AGENT: &str = "DemoBankLegacy/3.4.1 (Linux; Android 9; Redmi Note 7)";
const PARTNER_AGENT: &str = "fintech-connector/1.8.2 (+https://partner-fintech.example)";
const OPS_AGENT: &str = "curl/8.5.0";
const PROBE_AGENT: &str = "kube-probe/1.31";

impl Driver {
    fn new(config: &TrafficConfig, stop: Option<watch::Receiver<bool>>) -> Result<Driver, TrafficError> {
        let authority = authority_of(&config.target)?;
        let data = Dataset::generate(config.seed, config.customers);
        let sessions = (0..data.customers.len()).map(|_| CustomerSession::default()).collect();
        let playable = if config.benign_only {
            data.customers.len().saturating_sub(crate::attackers::RESERVED_CUSTOMERS).max(1)
        } else {
            data.customers.len()
        };
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Ok(Driver {
            http: HttpClient::builder(TokioExecutor::new()).build(connector),
            authority,
            rng: DemoRng::new(config.seed.wrapping_mul(31).wrapping_add(7)),
            budget: config.requests,
            exchanges: if config.keep_exchanges { Vec::with_capacity(config.requests) } else { Vec::new() },
            clock: config.simulated_clock.clone(),
            sim_now: simulated_start(),
            data,
            sessions,
            guessed: false,
            snooped: false,
            forwarded_for: config.forwarded_for,
            sent: 0,
            segment: 0,
            keep: config.keep_exchanges,
            benign_only: config.benign_only,
            playable,
            pace: if config.simulated_clock.is_some() { None } else { config.pace },
            next_send: None,
            stop,
            summary: TrafficSummary::default(),
            partner_token: None,
        })
    }

    fn exhausted(&self) -> bool {
        self.segment >= self.budget || self.stop_requested()
    }

    fn stop_requested(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow() || stop.has_changed().is_err())
    }

    /// Waits `duration`, or less when stopped.
    async fn pause(&mut self, duration: StdDuration) {
        let until = tokio::time::Instant::now() + duration;
        self.pause_until(until).await;
    }

    /// Waits until `until`; `false` when stopped first.
    async fn pause_until(&mut self, until: tokio::time::Instant) -> bool {
        match &mut self.stop {
            None => {
                tokio::time::sleep_until(until).await;
                true
            }
            Some(stop) => tokio::select! {
                () = tokio::time::sleep_until(until) => true,
                () = stop_signal(stop) => false,
            },
        }
    }

    /// A new budget for [`run_until`]: the episodes may play again, and what the customers
    /// learned is trimmed to recent ids so that memory stays flat.
    fn next_segment(&mut self) {
        const KEEP: usize = 32;
        self.segment = 0;
        self.guessed = false;
        self.snooped = false;
        self.exchanges.clear();
        for session in &mut self.sessions {
            let excess = session.transactions.len().saturating_sub(KEEP);
            session.transactions.drain(..excess);
            for list in [&mut session.payments, &mut session.beneficiaries, &mut session.cards] {
                let excess = list.len().saturating_sub(KEEP);
                list.drain(..excess);
            }
        }
    }

    fn customer_caller(&self, index: usize) -> Caller {
        let c = &self.data.customers[index];
        // Each customer keeps a stable address and device.
        let ip = IpAddr::V4(Ipv4Addr::new(
            [203, 198, 192][index % 3],
            [0, 51, 0][index % 3],
            [113, 100, 2][index % 3],
            (index * 37 % 250 + 3) as u8,
        ));
        let user_agent =
            if index % 7 == 3 { LEGACY_AGENT } else { MOBILE_AGENTS[index % MOBILE_AGENTS.len()] };
        Caller { ip, identity: Some(c.customer_id.clone()), user_agent }
    }

    /// Sends one request and records it. `None` once the request budget is spent, or when
    /// stopped (before or while the request is made).
    async fn send(&mut self, caller: &Caller, call: Call<'_>) -> Result<Option<Reply>, TrafficError> {
        if self.exhausted() {
            return Ok(None);
        }
        if let Some(pace) = self.pace {
            if let Some(at) = self.next_send
                && at > tokio::time::Instant::now()
                && !self.pause_until(at).await
            {
                return Ok(None);
            }
            self.next_send = Some(tokio::time::Instant::now() + pace);
        }
        let query_string: String = call
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let path_and_query =
            if query_string.is_empty() { call.path.clone() } else { format!("{}?{query_string}", call.path) };
        let mut headers: Vec<(String, String)> = vec![
            ("Host".into(), DEMO_HOST.into()),
            ("User-Agent".into(), caller.user_agent.into()),
            ("Accept".into(), "application/json".into()),
        ];
        if self.forwarded_for {
            headers.push(("X-Forwarded-For".into(), caller.ip.to_string()));
        }
        headers.extend(call.headers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let body_text = call.body.as_ref().map(|(_, b)| b.clone());
        if let Some((content_type, body)) = &call.body {
            headers.push(("Content-Type".into(), (*content_type).to_owned()));
            headers.push(("Content-Length".into(), body.len().to_string()));
        }
        let mut builder = hyper::Request::builder()
            .method(call.method)
            .uri(format!("http://{}{path_and_query}", self.authority));
        for (k, v) in &headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let http_error = |message: String| TrafficError::Http {
            method: call.method.to_owned(),
            path: call.path.clone(),
            message,
        };
        let request = builder
            .body(Full::new(Bytes::from(body_text.clone().unwrap_or_default())))
            .map_err(|e| http_error(e.to_string()))?;

        let started_at = match &self.clock {
            Some(clock) => {
                clock.set(self.sim_now);
                self.sim_now
            }
            None => Utc::now(),
        };
        let wall = std::time::Instant::now();
        let http = &self.http;
        let exchange = async {
            let response = http.request(request).await.map_err(|e| http_error(e.to_string()))?;
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.map_err(|e| http_error(e.to_string()))?.to_bytes();
            Ok::<_, TrafficError>((parts, bytes))
        };
        let (parts, bytes) = match &mut self.stop {
            None => exchange.await?,
            Some(stop) => tokio::select! {
                result = tokio::time::timeout(REQUEST_TIMEOUT, exchange) => {
                    result.map_err(|_| http_error(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())))??
                }
                () = stop_signal(stop) => return Ok(None),
            },
        };
        let duration_ms = match &self.clock {
            Some(_) => {
                // Simulated server time plus think time before the caller's next request.
                let ms = 4.0 + self.rng.below(60) as f64 + self.rng.below(10) as f64 / 10.0;
                self.sim_now += Duration::microseconds((ms * 1000.0) as i64)
                    + Duration::milliseconds(self.rng.range(80, 2_500));
                ms
            }
            None => (wall.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
        };
        let set_cookie = parts
            .headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let status = parts.status.as_u16();
        let refusal = gateway_refusal(&parts.headers, &json);
        if let Some(reason) = &refusal {
            tracing::debug!(ip = %caller.ip, method = call.method, path = %call.path, status, %reason, "refused by the gateway");
        }
        self.summary.count(status, refusal.as_deref(), caller.ip);
        let entry = self.sent;
        self.sent += 1;
        self.segment += 1;
        if !self.keep {
            return Ok(Some(Reply { status, json, set_cookie }));
        }
        let response_headers: Vec<(String, String)> = parts
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        self.exchanges.push(Exchange {
            v: rampart_core::EXCHANGE_FORMAT_VERSION,
            id: Some(format!("demo-{entry:06}")),
            started_at,
            duration_ms: Some(duration_ms),
            client: Client { ip: Some(caller.ip), identity: caller.identity.clone(), credential: None },
            source: Source {
                kind: SourceKind::Other,
                name: Some("rampart-demo traffic".into()),
                entry: Some(entry),
            },
            request: Request {
                method: call.method.to_owned(),
                scheme: "https".into(),
                host: DEMO_HOST.into(),
                path: call.path.clone(),
                query: call.query.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
                headers,
                body: body_text.map(Body::from_text),
            },
            response: Some(Response {
                status,
                headers: response_headers,
                body: if bytes.is_empty() { None } else { Some(Body::from_bytes(&bytes)) },
            }),
        });
        Ok(Some(Reply { status, json, set_cookie }))
    }

    fn now(&self) -> DateTime<Utc> {
        match &self.clock {
            Some(_) => self.sim_now,
            None => Utc::now(),
        }
    }

    fn pick_customer(&mut self) -> usize {
        // A few customers are far more active than the rest, as in real banking traffic.
        // Without attack episodes, the accounts left to the attackers are not played either.
        let n = self.playable as u64;
        if self.rng.chance(40) { self.rng.below(n.min(25)) as usize } else { self.rng.below(n) as usize }
    }

    async fn journey(&mut self) -> Result<(), TrafficError> {
        self.summary.journeys += 1;
        if !self.benign_only && !self.guessed && self.segment >= self.budget / 2 {
            self.guessed = true;
            return self.password_guessing().await;
        }
        if !self.benign_only && !self.snooped && self.segment >= self.budget * 2 / 3 {
            self.snooped = true;
            return self.snoop().await;
        }
        let roll = self.rng.below(100);
        let customer = self.pick_customer();
        match roll {
            0..=33 => self.browse_accounts(customer).await,
            34..=46 => self.make_payment(customer).await,
            47..=51 => self.manage_beneficiaries(customer).await,
            52..=58 => self.manage_cards(customer).await,
            59..=62 => self.statements(customer).await,
            63..=64 => self.webhooks(customer).await,
            65..=68 => self.profile(customer).await,
            69..=71 => self.logout(customer).await,
            72..=80 => self.legacy_mobile(customer).await,
            81..=83 => self.partner().await,
            84..=88 => self.ops().await,
            89..=91 => self.probe().await,
            _ => self.noise(customer).await,
        }
    }

    /// A valid access token for the customer, logging in when there is none or it expired.
    async fn token(&mut self, customer: usize) -> Result<Option<String>, TrafficError> {
        let now = self.now();
        if let Some((token, expires)) = &self.sessions[customer].token {
            // Now and then a client sends a token it should know has expired.
            if *expires > now + Duration::seconds(5) || self.rng.chance(4) {
                return Ok(Some(token.clone()));
            }
        }
        let caller = self.customer_caller(customer);
        let c = self.data.customers[customer].clone();
        let reply = if self.rng.chance(60) {
            let (client_id, secret, _) = self.data.clients[0].clone();
            let call = Call::new("POST", "/oauth/token").form(&[
                ("grant_type", "password"),
                ("username", &c.username),
                ("password", &c.password),
                ("client_id", &client_id),
                ("client_secret", &secret),
                ("scope", "accounts payments cards profile"),
            ]);
            self.send(&caller, call).await?
        } else {
            let call = Call::new("POST", "/v1/auth/login")
                .json(&json!({"username": c.username, "password": c.password}));
            self.send(&caller, call).await?
        };
        let Some(reply) = reply else { return Ok(None) };
        let token =
            reply.json.get("access_token").or_else(|| reply.json.get("accessToken")).and_then(Value::as_str);
        let Some(token) = token.map(str::to_owned) else { return Ok(None) };
        self.sessions[customer].token =
            Some((token.clone(), now + Duration::seconds(crate::api::TOKEN_LIFETIME_SECS)));
        if let Some(cookie) = reply.set_cookie {
            self.sessions[customer].cookie = Some(cookie);
        }
        Ok(Some(token))
    }

    /// Calls with the customer's token; on a 401 (an expired token) logs in again once.
    async fn authed(
        &mut self,
        customer: usize,
        call: impl Fn(&str) -> Call<'static>,
    ) -> Result<Option<Reply>, TrafficError> {
        let Some(token) = self.token(customer).await? else { return Ok(None) };
        let caller = self.customer_caller(customer);
        let Some(reply) = self.send(&caller, call(&token)).await? else { return Ok(None) };
        if reply.status != 401 {
            return Ok(Some(reply));
        }
        self.sessions[customer].token = None;
        let Some(token) = self.token(customer).await? else { return Ok(None) };
        self.send(&caller, call(&token)).await
    }

    async fn accounts(&mut self, customer: usize) -> Result<Option<Vec<(String, String)>>, TrafficError> {
        if !self.sessions[customer].accounts.is_empty() && self.rng.chance(50) {
            return Ok(Some(self.sessions[customer].accounts.clone()));
        }
        let Some(reply) = self.authed(customer, |t| Call::new("GET", "/v2/accounts").bearer(t)).await? else {
            return Ok(None);
        };
        let accounts: Vec<(String, String)> = reply.json["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|a| {
                        Some((a["accountId"].as_str()?.to_owned(), a["currency"].as_str()?.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.sessions[customer].accounts = accounts.clone();
        Ok(Some(accounts))
    }

    async fn browse_accounts(&mut self, customer: usize) -> Result<(), TrafficError> {
        let Some(accounts) = self.accounts(customer).await? else { return Ok(()) };
        let Some((account_id, _)) = accounts.get(self.rng.below(accounts.len() as u64) as usize).cloned()
        else {
            return Ok(());
        };
        if self.rng.chance(40) {
            let path = format!("/v2/accounts/{account_id}");
            self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        if self.rng.chance(70) {
            let path = format!("/v2/accounts/{account_id}/balances");
            self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        let page_size = *self.rng.pick(&[5u64, 5, 10, 10, 10]);
        // Most app screens show a short list; fewer clients page deep.
        let dated = self.rng.chance(25);
        let pages = 1 + u64::from(self.rng.chance(35)) + u64::from(self.rng.chance(10));
        for page in 1..=pages {
            let path = format!("/v2/accounts/{account_id}/transactions");
            let reply = self
                .authed(customer, move |t| {
                    let mut call = Call::new("GET", path.clone()).bearer(t);
                    if page > 1 || page_size != 20 {
                        call = call.query("page", page).query("page_size", page_size);
                    }
                    if dated {
                        call = call.query("from", "2026-09-01").query("to", "2026-11-30");
                    }
                    call
                })
                .await?;
            let Some(reply) = reply else { return Ok(()) };
            if let Some(items) = reply.json["data"].as_array() {
                for item in items.iter().take(3) {
                    if let Some(id) = item["transactionId"].as_str() {
                        self.sessions[customer].transactions.push((account_id.clone(), id.to_owned()));
                    }
                }
            }
            if reply.json["links"].get("next").is_none() {
                break;
            }
        }
        if self.rng.chance(45) {
            let known = &self.sessions[customer].transactions;
            if let Some((acc, txn)) = known.get(self.rng.below(known.len() as u64) as usize).cloned() {
                let path = format!("/v2/accounts/{acc}/transactions/{txn}");
                self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
            }
        }
        Ok(())
    }

    fn idempotency_key(&mut self) -> String {
        self.rng.uuid().to_string()
    }

    async fn make_payment(&mut self, customer: usize) -> Result<(), TrafficError> {
        // A client retrying its last payment after a timeout: same key, same body.
        if let Some((key, body)) = self.sessions[customer].last_payment.clone()
            && self.rng.chance(20)
        {
            let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            self.authed(customer, move |t| {
                Call::new("POST", "/v2/payments").bearer(t).header("Idempotency-Key", key.clone()).json(&body)
            })
            .await?;
            return Ok(());
        }
        let Some(accounts) = self.accounts(customer).await? else { return Ok(()) };
        let Some((account_id, currency)) = accounts.first().cloned() else { return Ok(()) };
        if self.sessions[customer].beneficiaries.is_empty() || self.rng.chance(30) {
            self.list_beneficiaries(customer).await?;
        }
        let amount = format!("{}.{:02}", self.rng.range(5, 900), self.rng.below(100));
        let reference = self
            .rng
            .pick(&["Rent Dec", "Dinner", "Tuition fees", "Birthday gift", "Loan repayment", "Utilities"])
            .to_string();
        let mut body = json!({"fromAccountId": account_id, "amount": {"value": amount, "currency": currency}, "reference": reference});
        let beneficiaries = self.sessions[customer].beneficiaries.clone();
        if !beneficiaries.is_empty() && self.rng.chance(60) {
            body["beneficiaryId"] = json!(beneficiaries[self.rng.below(beneficiaries.len() as u64) as usize]);
        } else {
            body["creditor"] = json!({
                "name": self.rng.pick(&["Tan Ah Kow", "Rohan Mehta", "Chan Siu Ming", "Nurul Izzah"]),
                "accountNumber": self.rng.digits(10),
                "bankCode": self.rng.pick(&["7339", "7375", "7171"]),
            });
        }
        let flaw = self.rng.below(100);
        if flaw < 4 {
            body["amount"]["value"] = json!("12.345");
        }
        let key = self.idempotency_key();
        let omit_key = (4..7).contains(&flaw);
        let body_text = body.to_string();
        let call_body = body.clone();
        let call_key = key.clone();
        let reply = self
            .authed(customer, move |t| {
                let call = Call::new("POST", "/v2/payments").bearer(t).json(&call_body);
                if omit_key { call } else { call.header("Idempotency-Key", call_key.clone()) }
            })
            .await?;
        let Some(reply) = reply else { return Ok(()) };
        if reply.status == 201 {
            self.sessions[customer].last_payment = Some((key.clone(), body_text));
            if let Some(id) = reply.json["paymentId"].as_str() {
                self.sessions[customer].payments.push(id.to_owned());
                if self.rng.chance(15) {
                    // An immediate retry of the same request, as a flaky network would cause.
                    self.authed(customer, move |t| {
                        Call::new("POST", "/v2/payments")
                            .bearer(t)
                            .header("Idempotency-Key", key.clone())
                            .json(&body)
                    })
                    .await?;
                }
                if self.rng.chance(50) {
                    let path = format!("/v2/payments/{id}");
                    self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
                }
            }
        }
        if self.rng.chance(30) {
            let status = *self.rng.pick(&["COMPLETED", "PENDING_REVIEW", "REJECTED"]);
            let filtered = self.rng.chance(60);
            self.authed(customer, move |t| {
                let call = Call::new("GET", "/v2/payments").bearer(t);
                if filtered { call.query("status", status) } else { call }
            })
            .await?;
        }
        Ok(())
    }

    async fn list_beneficiaries(&mut self, customer: usize) -> Result<(), TrafficError> {
        let Some(reply) = self.authed(customer, |t| Call::new("GET", "/v2/beneficiaries").bearer(t)).await?
        else {
            return Ok(());
        };
        self.sessions[customer].beneficiaries = reply.json["data"]
            .as_array()
            .map(|items| {
                items.iter().filter_map(|b| b["beneficiaryId"].as_str().map(str::to_owned)).collect()
            })
            .unwrap_or_default();
        Ok(())
    }

    async fn manage_beneficiaries(&mut self, customer: usize) -> Result<(), TrafficError> {
        self.list_beneficiaries(customer).await?;
        if self.rng.chance(70) {
            let body = json!({
                "name": format!("{} {}", self.rng.pick(&["Wei Ming", "Ananya", "Hui Ling", "Ka Wai"]), self.rng.pick(&["Ong", "Iyer", "Chan", "Lim"])),
                "nickname": self.rng.pick(&["Sister", "Landlord", "Badminton club", "Tutor"]),
                "accountNumber": self.rng.digits(10),
                "bankName": self.rng.pick(&["OCBC Bank", "UOB", "DBS Bank", "ICICI Bank"]),
                "bankCode": self.rng.pick(&["7339", "7375", "7171", "ICIC0000104"]),
            });
            let mut body = body;
            if self.customer_caller(customer).user_agent.starts_with("Mozilla") {
                // The web app posts its whole form model, status included.
                body["status"] = json!("ACTIVE");
            }
            let reply = self
                .authed(customer, move |t| Call::new("POST", "/v2/beneficiaries").bearer(t).json(&body))
                .await?;
            if let Some(id) = reply.as_ref().and_then(|r| r.json["beneficiaryId"].as_str()) {
                self.sessions[customer].beneficiaries.push(id.to_owned());
            }
        }
        if self.rng.chance(40)
            && let Some(id) = self.sessions[customer].beneficiaries.pop()
        {
            let path = format!("/v2/beneficiaries/{id}");
            self.authed(customer, move |t| Call::new("DELETE", path.clone()).bearer(t)).await?;
        }
        Ok(())
    }

    async fn manage_cards(&mut self, customer: usize) -> Result<(), TrafficError> {
        let Some(reply) = self.authed(customer, |t| Call::new("GET", "/v2/cards").bearer(t)).await? else {
            return Ok(());
        };
        let cards: Vec<String> = reply.json["data"]
            .as_array()
            .map(|items| items.iter().filter_map(|c| c["cardId"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        self.sessions[customer].cards = cards.clone();
        let Some(card) = cards.first().cloned() else { return Ok(()) };
        if self.rng.chance(60) {
            let path = format!("/v2/cards/{card}");
            self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        if self.rng.chance(12) {
            let path = format!("/v2/cards/{card}/freeze");
            self.authed(customer, move |t| Call::new("POST", path.clone()).bearer(t)).await?;
        }
        Ok(())
    }

    async fn statements(&mut self, customer: usize) -> Result<(), TrafficError> {
        let months = ["2026-11", "2026-10", "2026-09", "2026-08", "2027-01"];
        let count = 1 + self.rng.below(2);
        for _ in 0..count {
            let month = *self.rng.pick(&months);
            let path = format!("/v2/statements/{month}");
            self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        Ok(())
    }

    async fn webhooks(&mut self, customer: usize) -> Result<(), TrafficError> {
        if self.rng.chance(60) {
            let host = self.rng.pick(&[
                "hooks.budget-buddy.example",
                "api.expense-tracker.example",
                "webhook.site.example",
            ]);
            let body = json!({
                "callbackUrl": format!("https://{host}/demo-bank/{}", self.rng.hex(8)),
                "events": ["payment.completed", "card.frozen"],
            });
            self.authed(customer, move |t| Call::new("POST", "/v2/webhooks").bearer(t).json(&body)).await?;
        }
        self.authed(customer, |t| Call::new("GET", "/v2/webhooks").bearer(t)).await?;
        Ok(())
    }

    async fn profile(&mut self, customer: usize) -> Result<(), TrafficError> {
        // Browsers send an Origin: the bank's web app, or a budgeting site the customer uses.
        let origin = if self.customer_caller(customer).user_agent.starts_with("Mozilla") {
            Some(if self.rng.chance(50) {
                "https://app.budget-buddy.example"
            } else {
                "https://ib.demo-bank.example"
            })
        } else {
            None
        };
        self.authed(customer, move |t| {
            let call = Call::new("GET", "/v2/customers/me").bearer(t);
            match origin {
                Some(o) => call.header("Origin", o),
                None => call,
            }
        })
        .await?;
        if self.rng.chance(50) {
            let path = format!("/v2/customers/{}", self.data.customers[customer].customer_id);
            self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        Ok(())
    }

    async fn logout(&mut self, customer: usize) -> Result<(), TrafficError> {
        let Some(token) = self.token(customer).await? else { return Ok(()) };
        let caller = self.customer_caller(customer);
        let mut call = Call::new("POST", "/v1/auth/logout").bearer(&token);
        if let Some(cookie) = self.sessions[customer].cookie.take() {
            call = call.header("Cookie", cookie);
        }
        self.send(&caller, call).await?;
        self.sessions[customer].token = None;
        Ok(())
    }

    async fn legacy_mobile(&mut self, customer: usize) -> Result<(), TrafficError> {
        let mut caller = self.customer_caller(customer);
        caller.user_agent = LEGACY_AGENT;
        let c = self.data.customers[customer].clone();
        // Half the legacy installs keep the session cookie, the other half the legacy token.
        let uses_token = customer.is_multiple_of(2);
        let logged_in = if uses_token {
            self.sessions[customer].legacy_token.is_some()
        } else {
            self.sessions[customer].cookie.is_some()
        };
        if !logged_in {
            if self.rng.chance(15) {
                // The "forgot password" screen looks the customer up before any login.
                let mut anonymous = caller.clone();
                anonymous.identity = None;
                self.send(&anonymous, Call::new("GET", format!("/v1/customers/{}", c.customer_id))).await?;
            }
            let call = Call::new("POST", "/v1/auth/login")
                .json(&json!({"username": c.username, "password": c.password}));
            let Some(reply) = self.send(&caller, call).await? else { return Ok(()) };
            self.sessions[customer].cookie = reply.set_cookie;
            self.sessions[customer].legacy_token = reply.json["legacyToken"].as_str().map(str::to_owned);
        }
        let credential = if uses_token {
            self.sessions[customer].legacy_token.clone().map(LegacyCredential::Token)
        } else {
            self.sessions[customer].cookie.clone().map(LegacyCredential::Cookie)
        };
        let Some(credential) = credential else { return Ok(()) };
        let with = |call: Call<'static>| match &credential {
            LegacyCredential::Cookie(cookie) => call.header("Cookie", cookie.clone()),
            LegacyCredential::Token(token) => call.bearer(token),
        };
        // The old app's account list sends its token in the query string.
        let mut list = match &credential {
            LegacyCredential::Cookie(cookie) => {
                Call::new("GET", "/v1/accounts").header("Cookie", cookie.clone())
            }
            LegacyCredential::Token(token) => Call::new("GET", "/v1/accounts").query("access_token", token),
        };
        let sort = self.rng.below(100);
        if sort < 8 {
            list = list.query("sort", "balance");
        } else if sort < 20 {
            list = list.query("sort", "type");
        }
        let Some(reply) = self.send(&caller, list).await? else { return Ok(()) };
        if reply.status == 401 {
            self.sessions[customer].cookie = None;
            self.sessions[customer].legacy_token = None;
            return Ok(());
        }
        if let Some(id) = reply.json["accounts"].get(0).and_then(|a| a["id"].as_str()) {
            let path = format!("/v1/accounts/{id}");
            self.send(&caller, with(Call::new("GET", path))).await?;
        }
        if self.rng.chance(40) {
            let path = format!("/v1/customers/{}", c.customer_id);
            self.send(&caller, with(Call::new("GET", path))).await?;
        }
        if self.rng.chance(10) {
            self.send(&caller, with(Call::new("POST", "/v1/auth/logout"))).await?;
            self.sessions[customer].cookie = None;
        }
        Ok(())
    }

    /// Someone tries a dozen common passwords on one customer through the legacy login, as
    /// fast as the app allows: the bank never answers 429.
    async fn password_guessing(&mut self) -> Result<(), TrafficError> {
        let caller = Caller {
            ip: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 250)),
            identity: None,
            user_agent: LEGACY_AGENT,
        };
        let victim = self.data.customers[7 % self.data.customers.len()].username.clone();
        for guess in [
            "123456",
            "password",
            "password1",
            "qwerty",
            "111111",
            "12345678",
            "abc123",
            "letmein",
            "iloveyou",
            "admin123",
            "welcome1",
            "sunshine",
        ] {
            let call =
                Call::new("POST", "/v1/auth/login").json(&json!({"username": victim, "password": guess}));
            self.send(&caller, call).await?;
        }
        Ok(())
    }

    /// A curious customer walks other customers' accounts on the legacy API with his own valid
    /// token, and looks himself up in the internal user admin.
    async fn snoop(&mut self) -> Result<(), TrafficError> {
        let snooper = 5 % self.data.customers.len();
        let targets: Vec<String> = (0..self.data.customers.len().min(40))
            .filter(|i| i.is_multiple_of(2) && *i != snooper)
            .filter_map(|i| self.data.accounts_of(i).next().map(|(_, a)| a.account_id.clone()))
            .take(12)
            .collect();
        for account_id in targets {
            let path = format!("/v1/accounts/{account_id}");
            self.authed(snooper, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        }
        let path = format!("/internal/admin/users/{}", self.data.customers[snooper].username);
        self.authed(snooper, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
        Ok(())
    }

    async fn partner(&mut self) -> Result<(), TrafficError> {
        let caller = Caller {
            ip: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 77)),
            identity: Some(self.data.clients[1].0.clone()),
            user_agent: PARTNER_AGENT,
        };
        let now = self.now();
        let cached = match &self.partner_token {
            // In a live demo the partner keeps its token while it is valid, as a well-behaved
            // client does: a token request every few seconds would meet a gateway's login
            // rate limit. Recorded samples keep one token request per visit.
            Some((token, expires)) if self.benign_only && *expires > now + Duration::seconds(60) => {
                Some(token.clone())
            }
            _ => None,
        };
        let token = match cached {
            Some(token) => token,
            None => {
                let (client_id, secret, _) = self.data.clients[1].clone();
                let call = Call::new("POST", "/oauth/token").form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("client_secret", &secret),
                    ("scope", "accounts:read"),
                ]);
                let Some(reply) = self.send(&caller, call).await? else { return Ok(()) };
                let Some(token) = reply.json["access_token"].as_str().map(str::to_owned) else {
                    return Ok(());
                };
                self.partner_token =
                    Some((token.clone(), now + Duration::seconds(crate::api::TOKEN_LIFETIME_SECS)));
                token
            }
        };
        self.send(&caller, Call::new("GET", "/.well-known/jwks.json")).await?;
        // The partner's token is not bound to a customer: the bank answers 403.
        self.send(&caller, Call::new("GET", "/v2/accounts").bearer(&token)).await?;
        Ok(())
    }

    async fn ops(&mut self) -> Result<(), TrafficError> {
        let caller = Caller {
            ip: IpAddr::V4(Ipv4Addr::new(10, 20, 4, 17)),
            identity: Some("ops.lim".into()),
            user_agent: OPS_AGENT,
        };
        let key = self.data.ops_api_key.clone();
        self.send(&caller, Call::new("GET", "/internal/health").header("X-API-Key", key.clone())).await?;
        let page = 1 + self.rng.below(4);
        self.send(
            &caller,
            Call::new("GET", "/internal/admin/users")
                .query("page", page)
                .query("page_size", 10)
                .header("X-API-Key", key.clone()),
        )
        .await?;
        let n = self.data.customers.len() as u64;
        let username = self.data.customers[self.rng.below(n) as usize].username.clone();
        self.send(
            &caller,
            Call::new("GET", format!("/internal/admin/users/{username}")).header("X-API-Key", key.clone()),
        )
        .await?;
        if self.rng.chance(25) {
            self.send(&caller, Call::new("POST", "/internal/admin/cache/flush").header("X-API-Key", key))
                .await?;
        }
        Ok(())
    }

    async fn probe(&mut self) -> Result<(), TrafficError> {
        let caller =
            Caller { ip: IpAddr::V4(Ipv4Addr::new(10, 20, 0, 2)), identity: None, user_agent: PROBE_AGENT };
        self.send(&caller, Call::new("GET", "/internal/health")).await?;
        Ok(())
    }

    /// Requests that fail: what any production API sees every day.
    async fn noise(&mut self, customer: usize) -> Result<(), TrafficError> {
        let mut caller = self.customer_caller(customer);
        let c = self.data.customers[customer].clone();
        match self.rng.below(8) {
            0 => {
                caller.identity = None;
                self.send(&caller, Call::new("GET", "/v2/accounts")).await?;
            }
            1 => {
                caller.identity = None;
                self.send(
                    &caller,
                    Call::new("GET", "/v2/customers/me").bearer("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"),
                )
                .await?;
            }
            2 => {
                let other = (customer + 1) % self.data.customers.len();
                let foreign = self
                    .data
                    .accounts_of(other)
                    .next()
                    .map(|(_, a)| a.account_id.clone())
                    .unwrap_or_default();
                let path = format!("/v2/accounts/{foreign}");
                self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
            }
            3 => {
                if let Some((account_id, _)) = self.accounts(customer).await?.and_then(|a| a.first().cloned())
                {
                    let path = format!("/v2/accounts/{account_id}/transactions");
                    self.authed(customer, move |t| {
                        Call::new("GET", path.clone()).bearer(t).query("page_size", 500)
                    })
                    .await?;
                }
            }
            4 => {
                self.authed(customer, |t| Call::new("GET", "/v2/loans").bearer(t)).await?;
            }
            5 => {
                caller.identity = None;
                let call = Call::new("POST", "/v1/auth/login")
                    .json(&json!({"username": c.username, "password": "password123"}));
                self.send(&caller, call).await?;
            }
            6 => {
                let id = self.rng.uuid();
                let path = format!("/v2/payments/{id}");
                self.authed(customer, move |t| Call::new("GET", path.clone()).bearer(t)).await?;
            }
            _ => {
                let ops = Caller {
                    ip: IpAddr::V4(Ipv4Addr::new(10, 20, 4, 99)),
                    identity: None,
                    user_agent: OPS_AGENT,
                };
                self.send(&ops, Call::new("GET", "/internal/admin/users")).await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the generator against an in-process API on the system clock.
    async fn drive(forwarded_for: bool) -> Vec<Exchange> {
        let (seed, customers) = (11, 40);
        let keys = tokio::task::spawn_blocking(move || SigningKeys::from_demo_seed(seed, 1024))
            .await
            .unwrap()
            .unwrap();
        let state = AppState::new(Dataset::generate(seed, customers), Arc::new(keys), Clock::System);
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(crate::serve(listener, state));
        let config = TrafficConfig {
            target: format!("http://{address}"),
            seed,
            customers,
            requests: 120,
            simulated_clock: None,
            forwarded_for,
            pace: None,
            keep_exchanges: true,
            benign_only: false,
        };
        let exchanges = run(&config).await.unwrap();
        server.abort();
        exchanges
    }

    #[tokio::test]
    async fn forwarded_for_names_each_simulated_caller_and_is_off_by_default() {
        let exchanges = drive(true).await;
        assert_eq!(exchanges.len(), 120);
        let mut callers = std::collections::BTreeSet::new();
        for exchange in &exchanges {
            let ip = exchange.client.ip.expect("every caller has an address");
            assert_eq!(exchange.request.header("x-forwarded-for"), Some(ip.to_string().as_str()));
            callers.insert(ip);
        }
        assert!(callers.len() > 10, "many simulated callers: {callers:?}");

        let plain = drive(false).await;
        assert!(plain.iter().all(|e| e.request.header("x-forwarded-for").is_none()));
    }
}
