//! The checks a request goes through, in the order the proxy runs them, behind one interface:
//! blocklist, authentication and rate limits before the body is read (cheap, and what an attack
//! hits first), then the positive security model and injection signatures on the body, then the
//! response against the spec.
//!
//! Each check says `Pass` or `Refuse`; the proxy turns a refusal into an answer (block mode) or
//! a log line (monitor mode). Blocks, authentication and rate limits are always enforced; spec
//! and injection checks follow the route's mode.
//!
//! A blocklist hit is enforced by its action: a block is a 403 (`blocked-ip`,
//! `blocked-identity`, `blocked-token`); a detector's rate-limit decision lets the client through
//! while it stays under the decision's rate and answers 429 `rate-limited-by-decision` with a
//! `Retry-After` beyond it. Both name the entry (for a detector, the alert id) in the problem's
//! `decision` field.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use rampart_auth::{AuthOutcome, Authenticator, CredentialKind};
use rampart_injection::{InjectionKind, Inspector};
use rampart_limits::{
    BlockHit, Blocklist, DecisionThrottled, Enforcement, LimitContext, MatchedOn, RateLimiter,
};
use rampart_validate::{OperationId, RouteMatch, SpecValidator, render_problem};

use crate::config::{AuthRequirement, GatewayConfig, Mode};
use crate::route::Route;
use crate::tap::credential_fingerprint;

/// What the checks see of a request before its body.
pub struct RequestFacts<'a> {
    pub client_ip: IpAddr,
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
}

impl RequestFacts<'_> {
    pub fn path(&self) -> &str {
        self.uri.path()
    }
    pub fn query(&self) -> Option<&str> {
        self.uri.query()
    }
}

#[derive(Debug)]
pub enum Outcome {
    Pass,
    Refuse(Refusal),
}

#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    /// Stable id (`blocked-ip`, `jwt-expired`, `rate-limited`, `invalid-body`, `sqli`).
    pub reason: &'static str,
    /// For the log line; never holds a raw credential or sensitive value.
    pub detail: String,
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`, `Allow`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// A prepared problem+json body (spec violations list what was wrong).
    pub body: Option<Bytes>,
    /// Enforced whatever the route's mode (blocks, credentials, rate limits).
    pub always_enforced: bool,
    /// A mode of the check itself, overriding the route's.
    pub mode_override: Option<Mode>,
    /// The blocklist entry or decision that refused the request (for a detector, its alert id),
    /// for the problem's `decision` field.
    pub decision: Option<Arc<str>>,
}

impl Refusal {
    pub fn new(status: StatusCode, reason: &'static str, detail: impl Into<String>) -> Refusal {
        Refusal {
            status,
            reason,
            detail: detail.into(),
            headers: Vec::new(),
            body: None,
            always_enforced: false,
            mode_override: None,
            decision: None,
        }
    }

    pub fn enforced(mut self) -> Refusal {
        self.always_enforced = true;
        self
    }
}

/// The result of the checks before the body: the caller's identity when known.
pub struct Early {
    pub outcome: Outcome,
    pub identity: Option<String>,
}

/// The result of the checks on the body: the declared operation, for the response check.
pub struct BodyCheck {
    pub outcome: Outcome,
    pub operation: Option<OperationId>,
}

/// The configured checks (each optional).
#[derive(Default)]
pub struct Checks {
    validator: Option<Arc<SpecValidator>>,
    authenticator: Option<Arc<Authenticator>>,
    rate_limiter: Option<Arc<RateLimiter>>,
    blocklist: Option<Arc<Blocklist>>,
    inspector: Option<Inspector>,
    /// Rate limiters measure time from here.
    epoch: Option<Instant>,
    /// Background tasks (JWKS refresh, idle-key eviction, block-file watcher), stopped on drop.
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Checks {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Checks {
    /// Builds the checks a configuration asks for, and starts their background tasks (so it
    /// must run inside the tokio runtime). Fails, naming the section and field, on anything the
    /// gateway must not start without (a spec that does not load, a JWKS that cannot be fetched).
    pub async fn from_config(config: &GatewayConfig) -> Result<Checks, String> {
        let mut checks = Checks::default();
        if let Some(validate) = config.validate.as_ref().filter(|v| !v.specs.is_empty()) {
            let validator =
                SpecValidator::from_config(validate.clone()).map_err(|e| format!("validate: {e}"))?;
            tracing::info!(operations = validator.operation_count(), "positive security model loaded");
            checks.validator = Some(Arc::new(validator));
        }
        if let Some(auth) = &config.auth {
            let authenticator =
                Arc::new(Authenticator::from_config(auth).await.map_err(|e| format!("auth: {e}"))?);
            if let Some(task) = authenticator.spawn_refresh() {
                checks.tasks.push(task);
            }
            checks.authenticator = Some(authenticator);
        }
        let epoch = Instant::now();
        checks.epoch = Some(epoch);
        if config.rate_limits.enabled {
            let limiter = Arc::new(RateLimiter::new(&config.rate_limits, epoch).map_err(|e| e.to_string())?);
            checks.tasks.push(limiter.spawn_evictor(std::time::Duration::from_secs(30)));
            checks.rate_limiter = Some(limiter);
        }
        let (blocklist, report) = Blocklist::new(&config.blocklist, Utc::now()).map_err(|e| e.to_string())?;
        tracing::info!(?report, "blocklist loaded");
        let blocklist = Arc::new(blocklist);
        checks.tasks.push(blocklist.spawn_watcher());
        checks.blocklist = Some(blocklist);
        if config.injection.enabled {
            checks.inspector =
                Some(Inspector::new(config.injection.clone()).map_err(|e| format!("injection: {e}"))?);
        }
        Ok(checks)
    }

    /// Where detections add block decisions (expiring), without a restart.
    pub fn decisions(&self) -> Option<Arc<Blocklist>> {
        self.blocklist.clone()
    }

    /// Blocks, credentials and rate limits: decided from the request line and headers alone.
    pub fn before_body(&self, facts: &RequestFacts<'_>, route: Option<&Route>, now: DateTime<Utc>) -> Early {
        // A blocked address (or presented credential) is refused before any work is spent on it
        // (a JWT costs 65 µs); a rate-limited one is charged here, once.
        let mut charged = None;
        if let Some(blocklist) = &self.blocklist {
            // Token entries also match the session cookie or API key a detector saw in the tap,
            // which the authenticator never reads; hash only when a token entry could match.
            let credential = if blocklist.has_token_entries() {
                credential_fingerprint(facts.headers).map(|fingerprint| fingerprint.to_hex())
            } else {
                None
            };
            if let Some(hit) = blocklist.is_blocked(facts.client_ip, None, credential.as_deref(), now) {
                if let Err(refusal) = enforce(blocklist, &hit) {
                    return Early { outcome: Outcome::Refuse(refusal), identity: None };
                }
                charged = Some(hit.entry_id);
            }
        }
        let mut identity = None;
        let mut fingerprint = None;
        if let Some(authenticator) = &self.authenticator
            && route.is_none_or(|r| r.auth != AuthRequirement::None)
        {
            match authenticator.check(facts.headers, facts.query(), now.timestamp()) {
                AuthOutcome::Authenticated(who) => {
                    fingerprint = Some(who.fingerprint.to_hex());
                    identity = Some(match who.via {
                        CredentialKind::Jwt => format!("jwt:{}", who.subject),
                        CredentialKind::ApiKey => format!("apikey:{}", who.subject),
                    });
                }
                AuthOutcome::Rejected(rejection) => {
                    let mut refusal =
                        Refusal::new(StatusCode::UNAUTHORIZED, rejection.reason, rejection.detail).enforced();
                    refusal.headers.push((
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer error=\"invalid_token\""),
                    ));
                    return Early { outcome: Outcome::Refuse(refusal), identity: None };
                }
                AuthOutcome::Anonymous if route.is_some_and(|r| r.auth == AuthRequirement::Required) => {
                    let mut refusal = Refusal::new(
                        StatusCode::UNAUTHORIZED,
                        "auth-required",
                        "this route needs a bearer token or an API key",
                    )
                    .enforced();
                    refusal.headers.push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                    return Early { outcome: Outcome::Refuse(refusal), identity: None };
                }
                AuthOutcome::Anonymous => {}
            }
        }
        if identity.is_some()
            && let Some(blocklist) = &self.blocklist
            && let Some(hit) =
                blocklist.is_blocked(facts.client_ip, identity.as_deref(), fingerprint.as_deref(), now)
            // The rate-limit decision charged above must not be charged twice for one request.
            && (hit.action == Enforcement::Block || charged.as_deref() != Some(&*hit.entry_id))
            && let Err(refusal) = enforce(blocklist, &hit)
        {
            return Early { outcome: Outcome::Refuse(refusal), identity };
        }
        if let (Some(limiter), Some(epoch)) = (&self.rate_limiter, self.epoch) {
            let template = self.validator.as_ref().and_then(|validator| {
                match validator.route(facts.method, facts.path()) {
                    RouteMatch::Operation { operation, .. } => {
                        validator.operation(operation).map(|op| op.template.as_str())
                    }
                    _ => None,
                }
            });
            let context = LimitContext {
                ip: facts.client_ip,
                identity: identity.as_deref(),
                method: facts.method.as_str(),
                path: facts.path(),
                route: template,
            };
            if let Err(throttled) = limiter.check(&context, Instant::now().max(epoch)) {
                let mut refusal = Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    format!("rule {}: retry in {} s", throttled.rule, throttled.retry_after_secs()),
                )
                .enforced();
                refusal.headers.push((header::RETRY_AFTER, HeaderValue::from(throttled.retry_after_secs())));
                return Early { outcome: Outcome::Refuse(refusal), identity };
            }
        }
        Early { outcome: Outcome::Pass, identity }
    }

    /// The positive security model and injection signatures, on the whole request.
    pub fn with_body(
        &self,
        facts: &RequestFacts<'_>,
        _route: &Route,
        body: &Bytes,
        request_id: &str,
    ) -> BodyCheck {
        let mut operation = None;
        if let Some(validator) = &self.validator {
            let check = validator.check(facts.method, facts.uri, facts.headers, body);
            operation = check.operation;
            if let Some(first) = check.violations.first() {
                let detail = check
                    .violations
                    .iter()
                    .map(|v| format!("{} at {}", v.kind.id(), v.pointer))
                    .collect::<Vec<_>>()
                    .join("; ");
                let problem = render_problem(&check.violations, Some(request_id));
                let mut refusal = Refusal::new(problem.status, first.kind.id(), detail);
                refusal.body = Some(Bytes::from(problem.body));
                if !check.allowed_methods.is_empty() {
                    let allow =
                        check.allowed_methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
                    if let Ok(value) = HeaderValue::from_str(&allow) {
                        refusal.headers.push((header::ALLOW, value));
                    }
                }
                return BodyCheck { outcome: Outcome::Refuse(refusal), operation };
            }
        }
        if let Some(inspector) = &self.inspector {
            let path_and_query = facts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            let content_type = facts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
            let hits = inspector.inspect(facts.method, path_and_query, facts.headers, content_type, body);
            if let Some(hit) = hits.first() {
                let reason = match hit.kind {
                    InjectionKind::Sqli => "sqli",
                    InjectionKind::Xss => "xss",
                };
                let detail = hits
                    .iter()
                    .map(|hit| {
                        format!(
                            "{:?} in {:?} ({})",
                            hit.kind,
                            hit.location,
                            hit.fingerprint.as_deref().unwrap_or("-")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return BodyCheck {
                    outcome: Outcome::Refuse(Refusal::new(StatusCode::FORBIDDEN, reason, detail)),
                    operation,
                };
            }
        }
        BodyCheck { outcome: Outcome::Pass, operation }
    }

    /// Checks a buffered JSON response against its operation: an undeclared status or property
    /// is over-sharing; in block mode the client gets a 502 instead of the body.
    pub fn response(
        &self,
        operation: Option<OperationId>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Outcome {
        let (Some(validator), Some(operation)) = (&self.validator, operation) else {
            return Outcome::Pass;
        };
        let violations = validator.check_response(operation, status, headers, body);
        let Some(first) = violations.first() else { return Outcome::Pass };
        let detail = violations
            .iter()
            .map(|v| format!("{} at {}", v.kind.id(), v.pointer))
            .collect::<Vec<_>>()
            .join("; ");
        Outcome::Refuse(Refusal::new(StatusCode::BAD_GATEWAY, first.kind.id(), detail))
    }

    /// Whether JSON responses of this route are checked (and so must be buffered).
    pub fn inspects_responses(&self, _route: &Route) -> bool {
        self.validator.is_some()
    }
}

/// What a blocklist hit does to the request: a block refuses it; a rate-limit decision charges
/// it and refuses it only over the decision's rate.
fn enforce(blocklist: &Blocklist, hit: &BlockHit) -> Result<(), Refusal> {
    match hit.action {
        Enforcement::Block => Err(blocked(hit)),
        Enforcement::RateLimit { .. } => blocklist
            .check_decision_rate(hit, Instant::now())
            .map_err(|over| throttled_by_decision(hit, &over)),
    }
}

/// `until <RFC 3339>` or `no expiry`, for the log line.
fn until(hit: &BlockHit) -> String {
    hit.expires_at.map_or_else(|| "no expiry".to_owned(), |t| format!("until {}", t.to_rfc3339()))
}

/// A refusal for a blocklist hit: 403 with what matched, enforced in every mode.
fn blocked(hit: &BlockHit) -> Refusal {
    let reason = match hit.matched {
        MatchedOn::Ip | MatchedOn::Cidr(_) => "blocked-ip",
        MatchedOn::Identity => "blocked-identity",
        MatchedOn::TokenFingerprint => "blocked-token",
    };
    let mut refusal = Refusal::new(
        StatusCode::FORBIDDEN,
        reason,
        format!("{} ({}, {}, entry {})", hit.reason, hit.source, until(hit), hit.entry_id),
    )
    .enforced();
    refusal.decision = Some(Arc::clone(&hit.entry_id));
    refusal
}

/// A refusal for a client over the rate of a rate-limit decision: 429 with `Retry-After`,
/// enforced in every mode like the configured rate limits.
fn throttled_by_decision(hit: &BlockHit, over: &DecisionThrottled) -> Refusal {
    let retry_after = over.retry_after_secs();
    let mut refusal = Refusal::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited-by-decision",
        format!(
            "{} ({}, {}/min, {}, entry {}): retry in {retry_after} s",
            hit.reason,
            hit.source,
            over.per_minute,
            until(hit),
            hit.entry_id
        ),
    )
    .enforced();
    refusal.headers.push((header::RETRY_AFTER, HeaderValue::from(retry_after)));
    refusal.decision = Some(Arc::clone(&hit.entry_id));
    refusal
}
