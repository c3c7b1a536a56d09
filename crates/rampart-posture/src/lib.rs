//! `rampart-posture`: passive security findings from traffic, and a risk score per endpoint.
//!
//! Nothing here sends a request. Two inputs are combined:
//!
//! * the **inventory** built by discovery (`rampart_core::Inventory`): sensitive kinds per
//!   endpoint and who received them, auth schemes, spec status (shadow, zombie), parameters;
//! * the **observations** of a [`PostureObserver`], a streaming observer that sees every
//!   [`rampart_core::Exchange`] once, beside discovery, and keeps what the inventory does not:
//!   which identity read which concrete object (BOLA candidates), identities reaching admin
//!   areas, bursts on login endpoints and whether they were ever answered 429, response headers
//!   (HSTS, `nosniff`, CSP, `Cache-Control`, CORS, version banners), stack traces in errors,
//!   URL-valued inputs, request fields echoed by the response, and JWTs accepted or issued
//!   (algorithm, expiry, lifetime, and an offline check of HMAC tokens against a list of
//!   well-known weak secrets).
//!
//! Observations are kept per *path skeleton* (the concrete path with identifier-looking
//! segments replaced, `/v1/accounts/{}`) with caps everywhere — skeletons, objects per
//! skeleton, identities per object, clients per login endpoint, JWT families — and what is
//! beyond a cap is counted, not kept. They serialise and [`Observations::merge`] across runs, as
//! the inventory does. At the end, [`assess`] maps skeletons onto the inventory's templates and
//! runs the [`rules`]: each [`rampart_core::Finding`] carries its OWASP API Top 10 (2023)
//! category, a severity, masked evidence and the fix. [`risk`] scores each endpoint from 0 to
//! 100 and explains the score in its parts. `docs/posture.md` lists the rules and the formula.
//!
//! Evidence never holds a raw sensitive value, token or secret: identities are shown masked,
//! tokens are never stored (only their claims that matter and a fingerprint), and a weak secret
//! that verified a token is named by its position in the list and shown masked.

pub mod jwt;
pub mod observe;
pub mod path;
pub mod risk;
pub mod rules;

use std::collections::BTreeMap;

use rampart_core::{EndpointKey, Finding, Inventory};

pub use observe::{Observations, PostureObserver};
pub use risk::{RiskPart, RiskScore};

/// Thresholds of the rules. The defaults are documented in `docs/posture.md`.
#[derive(Debug, Clone)]
pub struct PostureConfig {
    /// JWT lifetimes (`exp - iat`) above this are reported, in seconds.
    pub max_jwt_lifetime_secs: i64,
    /// Calls from one client to a login/token/OTP endpoint within
    /// [`observe::BURST_WINDOW_SECS`] that, never answered 429, show that the endpoint is not
    /// rate limited.
    pub auth_burst_calls: u32,
    /// Records of one personal kind in one response from which it is "bulk".
    pub bulk_records: u64,
}

impl Default for PostureConfig {
    fn default() -> Self {
        PostureConfig { max_jwt_lifetime_secs: 24 * 3600, auth_burst_calls: 10, bulk_records: 10 }
    }
}

/// Findings and risk scores of an inventory.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    /// Sorted by severity (worst first), then endpoint and rule.
    pub findings: Vec<Finding>,
    /// One score per inventory endpoint, sorted by endpoint key.
    pub risk: Vec<EndpointRisk>,
}

/// The risk score of one endpoint.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EndpointRisk {
    pub endpoint: EndpointKey,
    #[serde(flatten)]
    pub risk: RiskScore,
}

impl Assessment {
    /// The risk score of an endpoint.
    pub fn risk_of(&self, key: &EndpointKey) -> Option<&RiskScore> {
        self.risk.binary_search_by(|r| r.endpoint.cmp(key)).ok().map(|i| &self.risk[i].risk)
    }

    /// Findings per severity of one endpoint, `[info, low, medium, high, critical]`.
    pub fn counts_of(&self, key: &EndpointKey) -> [usize; 5] {
        let mut counts = [0; 5];
        for f in self.findings_of(key) {
            counts[f.severity as usize] += 1;
        }
        counts
    }

    /// Findings of one endpoint.
    pub fn findings_of<'a>(&'a self, key: &'a EndpointKey) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.endpoint.as_ref() == Some(key))
    }
}

/// Run every rule over the inventory and the observations, and score every endpoint.
pub fn assess(inventory: &Inventory, observations: &Observations, config: &PostureConfig) -> Assessment {
    let facts = observations.by_endpoint(inventory);
    let mut findings = rules::run(inventory, &facts, observations, config);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.endpoint.cmp(&b.endpoint))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    let mut by_endpoint: BTreeMap<&EndpointKey, Vec<&Finding>> = BTreeMap::new();
    for f in &findings {
        if let Some(key) = &f.endpoint {
            by_endpoint.entry(key).or_default().push(f);
        }
    }
    let mut risk: Vec<EndpointRisk> = inventory
        .endpoints
        .iter()
        .map(|e| {
            let mine = by_endpoint.get(&e.key).map_or(&[][..], Vec::as_slice);
            EndpointRisk { endpoint: e.key.clone(), risk: risk::score(e, mine) }
        })
        .collect();
    risk.sort_by(|a, b| a.endpoint.cmp(&b.endpoint));
    Assessment { findings, risk }
}
