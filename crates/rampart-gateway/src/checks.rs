//! The checks a request goes through, in the order the proxy runs them, behind one interface:
//! blocklist, authentication and rate limits before the body is read (cheap, and what an attack
//! hits first), then the positive security model and injection signatures on the body, then the
//! response against the spec.
//!
//! Each check says `Pass` or `Refuse`; the proxy turns a refusal into an answer (block mode) or
//! a log line (monitor mode). Blocks, authentication and rate limits are always enforced; spec
//! and injection checks follow the route's mode.

use std::net::IpAddr;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::config::Mode;
use crate::route::Route;

/// What the checks see of a request before its body.
pub struct RequestFacts<'a> {
    pub client_ip: IpAddr,
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
}

#[derive(Debug)]
pub enum Outcome {
    Pass,
    Refuse(Refusal),
}

#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    /// Stable id (`blocked-ip`, `jwt-expired`, `rate-limited`, `spec-invalid-body`, `sqli`).
    pub reason: &'static str,
    /// For the log line; never holds a raw credential or sensitive value.
    pub detail: String,
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
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

/// The configured checks (each optional).
#[derive(Default)]
pub struct Checks {}

impl Checks {
    pub fn before_body(
        &self,
        _facts: &RequestFacts<'_>,
        _route: Option<&Route>,
        _now: DateTime<Utc>,
    ) -> Early {
        Early { outcome: Outcome::Pass, identity: None }
    }

    pub fn with_body(&self, _facts: &RequestFacts<'_>, _route: &Route, _body: &Bytes) -> Outcome {
        Outcome::Pass
    }

    pub fn response(
        &self,
        _facts: &RequestFacts<'_>,
        _route: &Route,
        _status: StatusCode,
        _headers: &HeaderMap,
        _body: &Bytes,
    ) -> Outcome {
        Outcome::Pass
    }

    /// Whether JSON responses of this route are checked (and so must be buffered).
    pub fn inspects_responses(&self, _route: &Route) -> bool {
        false
    }
}
