//! One request through the gateway, in phases (as Pingora names them): identify the client,
//! refuse what is blocked, route, read the body within limits, run the checks, forward with a
//! pooled connection, then mask, tap, log and count the response.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use http::header::{self, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::access_log::{AccessLog, AccessRecord};
use crate::body::{GatewayBody, full};
use crate::checks::{Checks, Outcome, RequestFacts};
use crate::config::{GatewayConfig, LimitConfig, Mode, TimeoutConfig};
use crate::forwarded::{Forwarding, remove_hop_by_hop};
use crate::masking::ResponseMasker;
use crate::metrics::Metrics;
use crate::problem::{mark_refusal, problem, problem_with_decision};
use crate::route::{Route, Router};
use crate::tap::{Tap, TapRecord};

static X_REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Everything a request needs. One per serving thread: the checks, routes, tap and metrics are
/// shared, the upstream connection pool is the thread's own (no lock, no cross-thread wake-up
/// between a request and its upstream connection).
pub struct Proxy {
    pub(crate) router: Arc<Router>,
    forwarding: Arc<Forwarding>,
    client: Client<HttpConnector, Full<Bytes>>,
    limits: LimitConfig,
    timeouts: TimeoutConfig,
    masker: ResponseMasker,
    pub(crate) checks: Arc<Checks>,
    pub(crate) tap: Option<Tap>,
    tap_max_body: usize,
    pub(crate) metrics: Arc<Metrics>,
    access_log: Option<AccessLog>,
    /// `https` when TLS terminates here.
    scheme: &'static str,
}

impl Proxy {
    pub fn new(
        config: &GatewayConfig,
        router: Router,
        metrics: Arc<Metrics>,
        masker: ResponseMasker,
        checks: Checks,
        tap: Option<Tap>,
        access_log: Option<AccessLog>,
    ) -> Proxy {
        Proxy {
            router: Arc::new(router),
            forwarding: Arc::new(Forwarding::new(config.forwarding.trusted_proxies.clone())),
            client: upstream_client(&config.timeouts),
            limits: config.limits.clone(),
            timeouts: config.timeouts.clone(),
            masker,
            checks: Arc::new(checks),
            tap,
            tap_max_body: config.tap.max_body_bytes,
            metrics,
            access_log,
            scheme: if config.tls.is_some() { "https" } else { "http" },
        }
    }

    /// A proxy for another serving thread: the same checks, routes, tap and metrics, and an
    /// upstream connection pool of its own.
    pub fn for_another_thread(&self) -> Proxy {
        Proxy {
            router: self.router.clone(),
            forwarding: self.forwarding.clone(),
            client: upstream_client(&self.timeouts),
            limits: self.limits.clone(),
            timeouts: self.timeouts.clone(),
            masker: self.masker.clone(),
            checks: self.checks.clone(),
            tap: self.tap.clone(),
            tap_max_body: self.tap_max_body,
            metrics: self.metrics.clone(),
            access_log: self.access_log.clone(),
            scheme: self.scheme,
        }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Serves one request; never fails (every failure is an HTTP answer).
    pub async fn handle(&self, request: Request<Incoming>, peer: SocketAddr) -> Response<GatewayBody> {
        let started = Instant::now();
        let started_at = Utc::now();
        let (mut parts, body) = request.into_parts();
        let request_id = request_id(&parts.headers);
        let client_ip = self.forwarding.client_ip(peer.ip(), &parts.headers);
        let host = host_of(&parts).map(str::to_owned);
        let path = parts.uri.path().to_owned();
        let route_index = self.router.find_index(host.as_deref(), &path);
        let route = route_index.map(|i| &self.router.routes()[i]);
        let mut log = LogState { reasons: Vec::new(), decision: "allow", identity: None, upstream_ms: None };

        let outcome = self
            .serve(&mut parts, body, route, peer, client_ip, host.as_deref(), &request_id, &mut log)
            .await;
        let (response, request_body, response_body) = match outcome {
            Served::Answered(response) => (response, Bytes::new(), None),
            Served::Forwarded { response, request_body, response_body } => {
                (response, request_body, response_body)
            }
        };
        let mut response = response;
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(X_REQUEST_ID.clone(), value);
        }
        let status = response.status().as_u16();
        let bytes_in = request_body.len() as u64;
        let elapsed = started.elapsed();
        self.metrics.record(route_index, status, elapsed);

        if let Some(tap) = &self.tap {
            tap.offer(TapRecord {
                request_id: request_id.clone(),
                started_at,
                elapsed,
                client_ip,
                identity: log.identity.clone(),
                scheme: self.scheme,
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                host: host.clone(),
                // The request is answered: its headers are not needed any more.
                request_headers: std::mem::take(&mut parts.headers),
                request_body,
                status,
                response_headers: response.headers().clone(),
                response_body: response_body.clone(),
                max_body: self.tap_max_body,
            });
        }
        if let Some(access_log) = &self.access_log {
            let query_params: Vec<&str> = parts
                .uri
                .query()
                .map(|q| {
                    q.split('&').filter_map(|pair| pair.split('=').next()).filter(|n| !n.is_empty()).collect()
                })
                .unwrap_or_default();
            access_log.log(&AccessRecord {
                ts: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                request_id: &request_id,
                client_ip,
                method: parts.method.as_str(),
                host: host.as_deref().unwrap_or(""),
                path: &self.masker.log_safe_path(&path),
                query_params,
                route: route.map(|r| r.name.as_str()),
                status,
                duration_ms: elapsed.as_secs_f64() * 1000.0,
                upstream_ms: log.upstream_ms,
                bytes_in,
                bytes_out: response_body.as_ref().map(|b| b.len() as u64),
                identity: log.identity.as_deref(),
                decision: log.decision,
                reasons: log.reasons,
            });
        }
        response
    }

    #[allow(clippy::too_many_arguments)]
    async fn serve(
        &self,
        parts: &mut http::request::Parts,
        body: Incoming,
        route: Option<&Route>,
        peer: SocketAddr,
        client_ip: std::net::IpAddr,
        host: Option<&str>,
        request_id: &str,
        log: &mut LogState,
    ) -> Served {
        let refuse = |log: &mut LogState, status: StatusCode, reason: &'static str, detail: &str| {
            self.metrics.decision(reason);
            log.decision = "block";
            log.reasons.push(reason.to_owned());
            tracing::info!(%client_ip, reason, detail, request_id, "request refused");
            Served::Answered(problem(status, reason, Some(detail), Some(request_id)))
        };

        // Phase 1: who is calling, and are they blocked? (before anything is read)
        let facts =
            RequestFacts { client_ip, method: &parts.method, uri: &parts.uri, headers: &parts.headers };
        let early = self.checks.before_body(&facts, route, Utc::now());
        log.identity = early.identity.clone();
        if let Some(refusal) = self.apply(early.outcome, route, log, request_id) {
            return Served::Answered(refusal);
        }

        let Some(route) = route else {
            return refuse(log, StatusCode::NOT_FOUND, "no-route", "no upstream serves this host and path");
        };

        // Phase 2: the body, within size and time limits.
        if let Some(length) = content_length(&parts.headers)
            && length > self.limits.max_request_body_bytes as u64
        {
            return refuse(
                log,
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                "the request body exceeds the configured limit",
            );
        }
        let limited = Limited::new(body, self.limits.max_request_body_bytes);
        let request_body = match tokio::time::timeout(self.timeouts.request_body(), limited.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(error)) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
                return refuse(
                    log,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    "the request body exceeds the configured limit",
                );
            }
            Ok(Err(_)) => {
                return refuse(
                    log,
                    StatusCode::BAD_REQUEST,
                    "body-unreadable",
                    "the request body could not be read",
                );
            }
            Err(_) => {
                return refuse(
                    log,
                    StatusCode::REQUEST_TIMEOUT,
                    "body-timeout",
                    "the request body was not received in time",
                );
            }
        };

        // Phase 3: the checks that need the body (spec, injection).
        let facts =
            RequestFacts { client_ip, method: &parts.method, uri: &parts.uri, headers: &parts.headers };
        let late = self.checks.with_body(&facts, route, &request_body, request_id);
        let operation = late.operation;
        if let Some(refusal) = self.apply(late.outcome, Some(route), log, request_id) {
            return Served::Answered(refusal);
        }

        // Phase 4: forward.
        let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let Ok(uri) = route.upstream.uri_for(path_and_query) else {
            return refuse(
                log,
                StatusCode::BAD_REQUEST,
                "bad-target",
                "the request target cannot be forwarded",
            );
        };
        let mut upstream_request = Request::new(Full::new(request_body.clone()));
        *upstream_request.method_mut() = parts.method.clone();
        *upstream_request.uri_mut() = uri;
        *upstream_request.headers_mut() = parts.headers.clone();
        let headers = upstream_request.headers_mut();
        self.forwarding.prepare_upstream_headers(headers, peer.ip(), self.scheme, host);
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert(X_REQUEST_ID.clone(), value);
        }
        if let Some(host) = host
            && !headers.contains_key(header::HOST)
            && let Ok(value) = HeaderValue::from_str(host)
        {
            // HTTP/2 clients name the host in `:authority`; the HTTP/1.1 upstream needs `Host`.
            headers.insert(header::HOST, value);
        }
        if !request_body.is_empty() || headers.contains_key(header::CONTENT_LENGTH) {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(request_body.len()));
        }
        let upstream_started = Instant::now();
        let sent =
            tokio::time::timeout(self.timeouts.upstream_response(), self.client.request(upstream_request))
                .await;
        let upstream_response = match sent {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => {
                tracing::warn!(route = %route.name, error = %error, request_id, "upstream unreachable");
                return Served::Answered(self.upstream_failure(
                    log,
                    StatusCode::BAD_GATEWAY,
                    "upstream-unavailable",
                    request_id,
                ));
            }
            Err(_) => {
                return Served::Answered(self.upstream_failure(
                    log,
                    StatusCode::GATEWAY_TIMEOUT,
                    "upstream-timeout",
                    request_id,
                ));
            }
        };

        // Phase 5: the response — buffered when it must be inspected and fits, else streamed.
        let (mut response_parts, upstream_body) = upstream_response.into_parts();
        remove_hop_by_hop(&mut response_parts.headers);
        let is_json =
            response_parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(
                |ct| rampart_core::exchange::is_json_media_type(&rampart_core::exchange::media_type(ct)),
            );
        let must_inspect = (is_json && (!route.mask.is_empty() || self.checks.inspects_responses(route)))
            || self.tap.is_some();
        let fits = content_length(&response_parts.headers)
            .is_none_or(|length| length <= self.limits.max_buffered_response_bytes as u64);
        if !(must_inspect && fits) {
            if must_inspect {
                self.metrics.unbuffered_responses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            log.upstream_ms = Some(upstream_started.elapsed().as_secs_f64() * 1000.0);
            let body = upstream_body.map_err(|e| Box::new(e) as crate::body::BoxError).boxed();
            return Served::Forwarded {
                response: Response::from_parts(response_parts, body),
                request_body,
                response_body: None,
            };
        }
        let remaining = self.timeouts.upstream_response().saturating_sub(upstream_started.elapsed());
        let limited = Limited::new(upstream_body, self.limits.max_buffered_response_bytes);
        let mut response_body = match tokio::time::timeout(remaining, limited.collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(_)) => {
                return Served::Answered(self.upstream_failure(
                    log,
                    StatusCode::BAD_GATEWAY,
                    "upstream-body-failed",
                    request_id,
                ));
            }
            Err(_) => {
                return Served::Answered(self.upstream_failure(
                    log,
                    StatusCode::GATEWAY_TIMEOUT,
                    "upstream-timeout",
                    request_id,
                ));
            }
        };
        log.upstream_ms = Some(upstream_started.elapsed().as_secs_f64() * 1000.0);

        // Response checks (spec conformance: undeclared statuses and properties).
        if is_json {
            let outcome = self.checks.response(
                operation,
                response_parts.status,
                &response_parts.headers,
                &response_body,
            );
            if let Some(refusal) = self.apply(outcome, Some(route), log, request_id) {
                // A response the spec forbids is replaced by a safe error, never forwarded.
                return Served::Forwarded {
                    response: refusal,
                    request_body,
                    response_body: Some(response_body),
                };
            }
        }
        if is_json && let Some(masked) = self.masker.mask_json(&response_body, &route.mask) {
            self.metrics.decision("masked");
            log.reasons.push(format!("masked:{}", masked.count));
            response_body = Bytes::from(masked.body);
        }
        response_parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(response_body.len()));
        let response = Response::from_parts(response_parts, full(response_body.clone()));
        Served::Forwarded { response, request_body, response_body: Some(response_body) }
    }

    /// Turns a check's outcome into a refusal (block mode) or a logged note (monitor mode).
    fn apply(
        &self,
        outcome: Outcome,
        route: Option<&Route>,
        log: &mut LogState,
        request_id: &str,
    ) -> Option<Response<GatewayBody>> {
        match outcome {
            Outcome::Pass => None,
            Outcome::Refuse(refusal) => {
                let mode = refusal.mode_override.unwrap_or_else(|| route.map_or(Mode::Block, |r| r.mode));
                self.metrics.decision(refusal.reason);
                log.reasons.push(refusal.reason.to_owned());
                match mode {
                    Mode::Monitor if !refusal.always_enforced => {
                        if log.decision == "allow" {
                            log.decision = "monitor";
                        }
                        tracing::info!(reason = refusal.reason, detail = %refusal.detail, request_id, "check failed (monitor mode)");
                        None
                    }
                    _ => {
                        log.decision = "block";
                        tracing::info!(reason = refusal.reason, detail = %refusal.detail, request_id, "request refused");
                        let mut response = match refusal.body {
                            Some(body) => {
                                let mut response = Response::new(full(body));
                                response.headers_mut().insert(
                                    header::CONTENT_TYPE,
                                    HeaderValue::from_static("application/problem+json"),
                                );
                                mark_refusal(response.headers_mut(), refusal.reason);
                                response
                            }
                            None => problem_with_decision(
                                refusal.status,
                                refusal.reason,
                                Some(&refusal.detail),
                                Some(request_id),
                                refusal.decision.as_deref(),
                            ),
                        };
                        *response.status_mut() = refusal.status;
                        for (name, value) in refusal.headers {
                            response.headers_mut().insert(name, value);
                        }
                        Some(response)
                    }
                }
            }
        }
    }

    /// The answer when the upstream failed (unreachable, too slow, broken body), counted once here.
    fn upstream_failure(
        &self,
        log: &mut LogState,
        status: StatusCode,
        reason: &'static str,
        request_id: &str,
    ) -> Response<GatewayBody> {
        self.metrics.upstream_errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.metrics.decision(reason);
        log.reasons.push(reason.to_owned());
        problem(status, reason, None, Some(request_id))
    }
}

/// A pooled HTTP/1.1 client for upstreams, spawning its connection tasks on the calling thread's
/// runtime.
fn upstream_client(timeouts: &TimeoutConfig) -> Client<HttpConnector, Full<Bytes>> {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(timeouts.upstream_connect()));
    connector.set_nodelay(true);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(256)
        .build(connector)
}

/// What happened to a request.
enum Served {
    /// The gateway answered itself (refusal or upstream failure).
    Answered(Response<GatewayBody>),
    /// The upstream answered; bodies kept for the tap when they were buffered.
    Forwarded { response: Response<GatewayBody>, request_body: Bytes, response_body: Option<Bytes> },
}

struct LogState {
    reasons: Vec<String>,
    decision: &'static str,
    identity: Option<String>,
    upstream_ms: Option<f64>,
}

/// The request's id: the client's `x-request-id` when it is a sane token, else a new one
/// (sent upstream and back to the client, but not recorded as a header the client sent).
fn request_id(headers: &http::HeaderMap) -> String {
    headers
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=128).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// The host the client addressed: `Host`, else the URI authority (HTTP/2).
fn host_of(parts: &http::request::Parts) -> Option<&str> {
    parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok())
}
