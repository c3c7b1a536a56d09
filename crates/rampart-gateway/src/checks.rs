//! The checks a request goes through, in the order the proxy runs them, behind one interface:
//! blocklist, authentication and rate limits before the body is read (cheap, and what an attack
//! hits first), then the positive security model and injection signatures on the body, then the
//! response against the spec.
//!
//! Each check says `Pass` or `Refuse`; the proxy turns a refusal into an answer (block mode) or
//! a log line (monitor mode). Blocks, authentication and rate limits are always enforced; spec
//! and injection checks follow the route's mode.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use rampart_validate::{OperationId, SpecValidator, render_problem};

use crate::config::{GatewayConfig, Mode};
use crate::route::Route;

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
}

impl Checks {
    /// Builds the checks a configuration asks for.
    pub fn from_config(config: &GatewayConfig) -> Result<Checks, String> {
        let validator = match &config.validate {
            Some(validate) if !validate.specs.is_empty() => {
                let validator =
                    SpecValidator::from_config(validate.clone()).map_err(|e| format!("validate: {e}"))?;
                tracing::info!(operations = validator.operation_count(), "positive security model loaded");
                Some(Arc::new(validator))
            }
            _ => None,
        };
        Ok(Checks { validator })
    }

    pub fn before_body(
        &self,
        _facts: &RequestFacts<'_>,
        _route: Option<&Route>,
        _now: DateTime<Utc>,
    ) -> Early {
        Early { outcome: Outcome::Pass, identity: None }
    }

    pub fn with_body(
        &self,
        facts: &RequestFacts<'_>,
        _route: &Route,
        body: &Bytes,
        request_id: &str,
    ) -> BodyCheck {
        let Some(validator) = &self.validator else {
            return BodyCheck { outcome: Outcome::Pass, operation: None };
        };
        let check = validator.check(facts.method, facts.uri, facts.headers, body);
        if check.violations.is_empty() {
            return BodyCheck { outcome: Outcome::Pass, operation: check.operation };
        }
        let first = &check.violations[0];
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
            let allow = check.allowed_methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            if let Ok(value) = HeaderValue::from_str(&allow) {
                refusal.headers.push((http::header::ALLOW, value));
            }
        }
        BodyCheck { outcome: Outcome::Refuse(refusal), operation: check.operation }
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
