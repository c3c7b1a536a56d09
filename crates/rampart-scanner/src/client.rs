//! The one way the scanner talks to the target. Every request passes the same guards, in
//! order: scope (the target's scheme, host and port only, whatever a spec or a response says),
//! budget (a hard count of requests), rate cap (requests spaced evenly), then a deadline on the
//! whole exchange and a cap on the bytes read. Redirects are never followed: a test that wants
//! one sees the 3xx and its `Location`. A dry run records what would be sent and sends nothing.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::evidence;
use crate::model::RecordedExchange;

/// Where and how hard to scan.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `http(s)://host[:port][/base]`: the only origin requests may go to.
    pub target: Target,
    /// Deadline for one whole exchange: connect, send, headers and body.
    pub timeout: Duration,
    /// Bytes of a response body read at most; the rest is not read (the response is marked
    /// truncated and the connection dropped), so an endless body costs nothing.
    pub max_body: usize,
    /// Requests sent at most in the whole scan.
    pub budget: u64,
    /// Requests per second at most (0 = no cap).
    pub rate: f64,
    pub dry_run: bool,
    /// Accept any TLS certificate (staging hosts with private CAs); the TLS check still reports it.
    pub insecure_tls: bool,
    pub user_agent: String,
}

/// The scan target: scheme, authority and an optional base path every request is under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// `host` or `host:port`, lower-case, as written in requests.
    pub authority: String,
    pub host: String,
    pub port: u16,
    /// Without a trailing `/`; empty for the root.
    pub base_path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("target `{0}` is not an http:// or https:// URL")]
    Scheme(String),
    #[error("target `{0}` has no host")]
    NoHost(String),
    #[error("target `{0}` is not a valid URL: {1}")]
    Invalid(String, String),
    #[error("target `{0}` must not carry a query or fragment")]
    Query(String),
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let uri: Uri = url
            .trim()
            .parse()
            .map_err(|e: http::uri::InvalidUri| TargetError::Invalid(url.into(), e.to_string()))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(TargetError::Scheme(url.into())),
        };
        let authority = uri.authority().ok_or_else(|| TargetError::NoHost(url.into()))?;
        if authority.as_str().contains('@') {
            return Err(TargetError::Invalid(url.into(), "credentials in the URL are not supported".into()));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(TargetError::Query(url.into()));
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if host.is_empty() {
            return Err(TargetError::NoHost(url.into()));
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        Ok(Target {
            https,
            authority: authority.as_str().to_ascii_lowercase(),
            host,
            port,
            base_path: uri.path().trim_end_matches('/').to_string(),
        })
    }

    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!("{}://{}", if self.https { "https" } else { "http" }, self.authority)
    }

    /// The absolute URL of `path_and_query` (which starts with `/`) under the base path.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}{}", self.origin(), self.base_path, path_and_query)
    }

    /// Whether an absolute URL (a `Location`, a link in a body) is on this target.
    pub fn contains(&self, url: &str) -> bool {
        let Ok(uri) = url.parse::<Uri>() else { return false };
        let scheme_ok = match uri.scheme_str() {
            Some("https") => self.https,
            Some("http") => !self.https,
            None => return uri.authority().is_none() && url.starts_with('/') && !url.starts_with("//"),
            _ => false,
        };
        let Some(authority) = uri.authority() else { return false };
        let port = authority.port_u16().unwrap_or(if self.https { 443 } else { 80 });
        scheme_ok && authority.host().eq_ignore_ascii_case(&self.host) && port == self.port
    }
}

/// A request as the checks build it: relative to the target's base path.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// Starts with `/`; query included, already encoded.
    pub path_and_query: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Bytes>,
}

impl Request {
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Request {
        Request { method, path_and_query: path_and_query.into(), headers: Vec::new(), body: None }
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
        {
            self.headers.retain(|(n, _)| n != name);
            self.headers.push((name, value));
        }
        self
    }

    pub fn json(mut self, value: &serde_json::Value) -> Request {
        self.body = Some(Bytes::from(value.to_string()));
        self.header("content-type", "application/json")
    }

    pub fn form(mut self, body: String) -> Request {
        self.body = Some(Bytes::from(body));
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    pub fn raw_body(mut self, content_type: &str, body: impl Into<Bytes>) -> Request {
        self.body = Some(body.into());
        self.header("content-type", content_type)
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
    }
}

/// What came back.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The body was longer than the read cap (or the deadline struck mid-body).
    pub truncated: bool,
    pub elapsed: Duration,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        if self.truncated {
            return None;
        }
        serde_json::from_slice(&self.body).ok()
    }

    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    #[error("refused: {0} is outside the target")]
    OutOfScope(String),
    #[error("request budget of {0} exhausted")]
    BudgetExhausted(u64),
    #[error("dry run: not sent")]
    DryRun,
    #[error("no response within {0} ms")]
    Timeout(u64),
    #[error("connection failed: {0}")]
    Transport(String),
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// Counters shared by every clone of the client.
#[derive(Debug, Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub transport_errors: AtomicU64,
    pub truncated: AtomicU64,
    pub out_of_scope: AtomicU64,
    pub off_target_redirects: AtomicU64,
    pub timeouts: AtomicU64,
}

/// A request a dry run would have sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    pub body_bytes: usize,
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// The guarded HTTP client. Cheap to clone; clones share counters, budget and pacing.
#[derive(Clone)]
pub struct Client {
    config: Arc<ClientConfig>,
    http: HyperClient<Connector, Full<Bytes>>,
    counters: Arc<Counters>,
    /// When the next request may leave (rate cap).
    next_slot: Arc<Mutex<Instant>>,
    planned: Arc<Mutex<Vec<PlannedRequest>>>,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, SendError> {
        let tls = crate::tls::client_config(config.insecure_tls).map_err(SendError::Invalid)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.timeout));
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let http = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(8)
            .build(connector);
        Ok(Client {
            config: Arc::new(config),
            http,
            counters: Arc::new(Counters::default()),
            next_slot: Arc::new(Mutex::new(Instant::now())),
            planned: Arc::new(Mutex::new(Vec::new())),
        })
    }

    pub fn target(&self) -> &Target {
        &self.config.target
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn requests_sent(&self) -> u64 {
        self.counters.sent.load(Ordering::Relaxed)
    }

    /// Requests left in the budget.
    pub fn remaining(&self) -> u64 {
        self.config.budget.saturating_sub(self.requests_sent())
    }

    pub fn is_dry_run(&self) -> bool {
        self.config.dry_run
    }

    /// What a dry run would have sent, in order.
    pub fn planned(&self) -> Vec<PlannedRequest> {
        self.planned.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Sends `request` through every guard.
    pub async fn send(&self, request: &Request) -> Result<Response, SendError> {
        let url = self.config.target.url(&request.path_and_query);
        // Scope: only relative paths are accepted, and the joined URL must still be ours
        // (`//evil.example/x` or `@evil` tricks in a harvested path end here).
        if !request.path_and_query.starts_with('/')
            || request.path_and_query.starts_with("//")
            || !self.config.target.contains(&url)
        {
            self.counters.out_of_scope.fetch_add(1, Ordering::Relaxed);
            return Err(SendError::OutOfScope(url));
        }
        let uri: Uri = url.parse().map_err(|e: http::uri::InvalidUri| SendError::Invalid(e.to_string()))?;
        if self.config.dry_run {
            if let Ok(mut planned) = self.planned.lock() {
                planned.push(PlannedRequest {
                    method: request.method.to_string(),
                    url: evidence::mask_url(&url),
                    body_bytes: request.body.as_ref().map_or(0, Bytes::len),
                });
            }
            return Err(SendError::DryRun);
        }
        // Budget: claimed before sending, never exceeded.
        let claimed = self.counters.sent.fetch_add(1, Ordering::Relaxed);
        if claimed >= self.config.budget {
            self.counters.sent.fetch_sub(1, Ordering::Relaxed);
            return Err(SendError::BudgetExhausted(self.config.budget));
        }
        self.pace().await;

        let mut builder = http::Request::builder().method(request.method.clone()).uri(uri);
        let mut has_agent = false;
        for (name, value) in &request.headers {
            has_agent |= name == http::header::USER_AGENT;
            builder = builder.header(name, value);
        }
        if !has_agent {
            builder = builder.header(http::header::USER_AGENT, self.config.user_agent.as_str());
        }
        let body = request.body.clone().unwrap_or_default();
        let hyper_request = builder.body(Full::new(body)).map_err(|e| SendError::Invalid(e.to_string()))?;

        let started = Instant::now();
        let timeout = self.config.timeout;
        let max_body = self.config.max_body;
        let exchange = async {
            let response =
                self.http.request(hyper_request).await.map_err(|e| SendError::Transport(error_chain(&e)))?;
            let (parts, mut body) = response.into_parts();
            let mut collected = Vec::new();
            let mut truncated = false;
            loop {
                match body.frame().await {
                    None => break,
                    Some(Ok(frame)) => {
                        if let Ok(data) = frame.into_data() {
                            let room = max_body.saturating_sub(collected.len());
                            if data.len() > room {
                                collected.extend_from_slice(&data[..room]);
                                truncated = true;
                                break;
                            }
                            collected.extend_from_slice(&data);
                        }
                    }
                    Some(Err(e)) => {
                        // A reset mid-body: keep what arrived, say so.
                        tracing::debug!(error = %e, "response body ended early");
                        truncated = true;
                        break;
                    }
                }
            }
            Ok::<_, SendError>((parts, collected, truncated))
        };
        let result = match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => {
                self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                Err(SendError::Timeout(timeout.as_millis() as u64))
            }
        };
        match result {
            Ok((parts, body, truncated)) => {
                if truncated {
                    self.counters.truncated.fetch_add(1, Ordering::Relaxed);
                }
                if parts.status.is_redirection()
                    && let Some(location) =
                        parts.headers.get(http::header::LOCATION).and_then(|v| v.to_str().ok())
                    && !self.config.target.contains(location)
                {
                    self.counters.off_target_redirects.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Response {
                    status: parts.status,
                    headers: parts.headers,
                    body: Bytes::from(body),
                    truncated,
                    elapsed: started.elapsed(),
                })
            }
            Err(e) => {
                self.counters.transport_errors.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Sends `request` and records the exchange for evidence (masked).
    pub async fn exchange(&self, request: &Request) -> (Result<Response, SendError>, RecordedExchange) {
        let started = Instant::now();
        let result = self.send(request).await;
        let recorded = evidence::record(&self.config.target, request, &result, started.elapsed());
        (result, recorded)
    }

    /// Waits for this request's slot under the rate cap.
    async fn pace(&self) {
        if self.config.rate <= 0.0 {
            return;
        }
        let interval = Duration::from_secs_f64(1.0 / self.config.rate);
        let slot = match self.next_slot.lock() {
            Ok(mut next) => {
                let now = Instant::now();
                let slot = if *next > now { *next } else { now };
                *next = slot + interval;
                slot
            }
            Err(_) => return,
        };
        tokio::time::sleep_until(tokio::time::Instant::from_std(slot)).await;
    }
}

/// An error and its causes on one line: hyper's own message ("client error (Connect)") says
/// little without them.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_with_base_paths_and_default_ports() {
        let t = Target::parse("https://API.bank.example/open-banking/v3/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.https, t.host.as_str(), t.port), (true, "api.bank.example", 443));
        assert_eq!(t.base_path, "/open-banking/v3");
        assert_eq!(t.url("/accounts?x=1"), "https://api.bank.example/open-banking/v3/accounts?x=1");
        let t = Target::parse("http://127.0.0.1:8080").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.port, t.base_path.as_str()), (8080, ""));
        assert!(Target::parse("ftp://x").is_err());
        assert!(Target::parse("http://x/?a=1").is_err());
        assert!(Target::parse("http://user:pw@x/").is_err());
    }

    #[test]
    fn scope_is_scheme_host_and_port() {
        let t = Target::parse("http://127.0.0.1:8080").unwrap_or_else(|e| panic!("{e}"));
        assert!(t.contains("http://127.0.0.1:8080/v2/accounts"));
        assert!(t.contains("/relative/path"));
        assert!(!t.contains("//evil.example/x"));
        assert!(!t.contains("http://127.0.0.1:8081/"));
        assert!(!t.contains("https://127.0.0.1:8080/"));
        assert!(!t.contains("http://evil.example/"));
        assert!(!t.contains("http://127.0.0.1:8080@evil.example/"));
    }
}
