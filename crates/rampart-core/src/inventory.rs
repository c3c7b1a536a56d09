//! The API inventory: what discovery knows about each endpoint.
//!
//! An [`Endpoint`] is keyed by host, method and path template. All its statistics are counters or
//! mergeable summaries, so [`Endpoint::merge`] folds the observations of two runs (or two workers)
//! into one. Example values held here are always masked.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::latency::LatencyHistogram;
use crate::schema::SchemaNode;
use crate::sensitive::SensitiveType;

/// Status code under which exchanges without a response are counted.
pub const NO_RESPONSE_STATUS: u16 = 0;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EndpointKey {
    pub host: String,
    pub method: String,
    /// Path template with named parameters: `/v1/accounts/{accountId}/transactions`.
    pub path_template: String,
}

/// The whole inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

/// A parameter as seen in traffic.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParamObservation {
    pub name: String,
    /// Calls that carried it. For query and header parameters, `seen == calls` means required.
    pub seen: u64,
    pub schema: SchemaNode,
}

/// How a call authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    None,
    Basic,
    /// `Authorization: Bearer` with an opaque token.
    Bearer,
    /// `Authorization: Bearer` carrying a JWT.
    BearerJwt,
    ApiKeyHeader,
    ApiKeyQuery,
    Cookie,
    /// An `Authorization` header of another scheme (Digest, AWS4-HMAC-SHA256, …).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthSchemeStats {
    pub kind: AuthKind,
    /// Header, query parameter or cookie name for API keys and sessions; scheme name for `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub calls: u64,
}

/// What JWTs seen on an endpoint looked like (decoded, never verified).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwtObservations {
    pub tokens: u64,
    #[serde(default)]
    pub algs: BTreeMap<String, u64>,
    #[serde(default)]
    pub issuers: BTreeMap<String, u64>,
    pub with_exp: u64,
    pub without_exp: u64,
    /// Longest `exp - iat` (or `exp - nbf`) seen, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lifetime_secs: Option<i64>,
    /// Tokens whose header or payload could not be decoded.
    #[serde(default)]
    pub undecodable: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthObservations {
    #[serde(default)]
    pub schemes: Vec<AuthSchemeStats>,
    /// Calls that carried no credential at all.
    pub unauthenticated_calls: u64,
    /// Calls without any credential that got a 2xx: a reason to look closer.
    pub unauthenticated_success: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtObservations>,
}

impl AuthObservations {
    pub fn add_scheme(&mut self, kind: AuthKind, name: Option<&str>, calls: u64) {
        match self.schemes.iter_mut().find(|s| s.kind == kind && s.name.as_deref() == name) {
            Some(s) => s.calls += calls,
            None => {
                self.schemes.push(AuthSchemeStats { kind, name: name.map(str::to_owned), calls });
                self.schemes.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
            }
        }
    }

    pub fn merge(&mut self, other: &AuthObservations) {
        for s in &other.schemes {
            self.add_scheme(s.kind, s.name.as_deref(), s.calls);
        }
        self.unauthenticated_calls += other.unauthenticated_calls;
        self.unauthenticated_success += other.unauthenticated_success;
        if let Some(o) = &other.jwt {
            let j = self.jwt.get_or_insert_with(JwtObservations::default);
            j.tokens += o.tokens;
            j.with_exp += o.with_exp;
            j.without_exp += o.without_exp;
            j.undecodable += o.undecodable;
            merge_counts(&mut j.algs, &o.algs);
            merge_counts(&mut j.issuers, &o.issuers);
            j.max_lifetime_secs = j.max_lifetime_secs.max(o.max_lifetime_secs);
        }
    }
}

/// How a seen endpoint compares with the declared specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecStatus {
    /// Seen and declared.
    Documented,
    /// Seen, not declared in any spec.
    Shadow,
    /// Declared deprecated yet called, or an older version still called while a newer one exists.
    Zombie,
    /// Declared, never seen.
    Unused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    UndeclaredParameter,
    UndeclaredRequestField,
    UndeclaredResponseField,
    UndeclaredStatus,
    UndeclaredContentType,
    TypeMismatch,
}

/// One way the traffic differs from the declared spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    pub kind: DriftKind,
    /// Where: `query.page`, `response.200.body/accounts/*/nric`, `status.500`, …
    pub location: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecComparison {
    pub status: SpecStatus,
    /// The spec file that declares the endpoint, if one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_file: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    /// Why the endpoint is a zombie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<Drift>,
}

/// Everything known about one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Endpoint {
    pub key: EndpointKey,
    pub calls: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<DateTime<Utc>>,
    /// Calls per response status; [`NO_RESPONSE_STATUS`] counts calls without a response.
    #[serde(default)]
    pub statuses: BTreeMap<u16, u64>,
    #[serde(default)]
    pub latency: LatencyHistogram,
    #[serde(default)]
    pub request_content_types: BTreeMap<String, u64>,
    #[serde(default)]
    pub response_content_types: BTreeMap<String, u64>,
    #[serde(default)]
    pub auth: AuthObservations,
    /// API versions seen, from the path (`v2`), a version header or query parameter.
    #[serde(default)]
    pub api_versions: BTreeMap<String, u64>,
    /// Path parameters in path order: name and the shape of the values seen.
    #[serde(default)]
    pub path_params: Vec<ParamObservation>,
    #[serde(default)]
    pub query_params: BTreeMap<String, ParamObservation>,
    /// Request headers that are not standard HTTP plumbing (lower-case names).
    #[serde(default)]
    pub header_params: BTreeMap<String, ParamObservation>,
    /// Request body shape per media type.
    #[serde(default)]
    pub request_bodies: BTreeMap<String, SchemaNode>,
    /// Response body shape per status and media type.
    #[serde(default)]
    pub responses: BTreeMap<u16, BTreeMap<String, SchemaNode>>,
    /// Bodies that claimed to be JSON (or form) and did not parse, or were cut short by limits.
    #[serde(default)]
    pub unparsed_bodies: u64,
    /// Which sensitive data the endpoint accepts and returns, and to whom.
    #[serde(default)]
    pub sensitive: SensitiveExposure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<SpecComparison>,
}

/// Calls per sensitive type, by how the data moved. Field-level detail is in the schemas
/// (`SchemaNode::sensitive`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveExposure {
    /// Calls whose request (parameters or body) carried the type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accepted: BTreeMap<SensitiveType, u64>,
    /// Calls whose response carried the type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returned: BTreeMap<SensitiveType, u64>,
    /// Of those, calls that carried no credential at all.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returned_unauthenticated: BTreeMap<SensitiveType, u64>,
    /// Calls whose response carried the type for several records at once (in arrays).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returned_in_bulk: BTreeMap<SensitiveType, u64>,
    /// Most values of the type seen in arrays of one response: how many records a call can
    /// return at once (capped by the schema walk's array sampling).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub returned_max_records: BTreeMap<SensitiveType, u64>,
}

impl SensitiveExposure {
    pub fn merge(&mut self, other: &SensitiveExposure) {
        merge_counts(&mut self.accepted, &other.accepted);
        merge_counts(&mut self.returned, &other.returned);
        merge_counts(&mut self.returned_unauthenticated, &other.returned_unauthenticated);
        merge_counts(&mut self.returned_in_bulk, &other.returned_in_bulk);
        for (kind, n) in &other.returned_max_records {
            let mine = self.returned_max_records.entry(*kind).or_default();
            *mine = (*mine).max(*n);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.accepted.is_empty() && self.returned.is_empty()
    }
}

impl Endpoint {
    pub fn new(key: EndpointKey) -> Endpoint {
        Endpoint {
            key,
            calls: 0,
            first_seen: None,
            last_seen: None,
            statuses: BTreeMap::new(),
            latency: LatencyHistogram::default(),
            request_content_types: BTreeMap::new(),
            response_content_types: BTreeMap::new(),
            auth: AuthObservations::default(),
            api_versions: BTreeMap::new(),
            path_params: Vec::new(),
            query_params: BTreeMap::new(),
            header_params: BTreeMap::new(),
            request_bodies: BTreeMap::new(),
            responses: BTreeMap::new(),
            unparsed_bodies: 0,
            sensitive: SensitiveExposure::default(),
            spec: None,
        }
    }

    /// Fold the observations of `other` (same key, or a key being merged into this one).
    /// Path parameters are matched by position; the spec comparison of `self` is kept.
    pub fn merge(&mut self, other: &Endpoint) {
        self.calls += other.calls;
        self.first_seen = min_opt(self.first_seen, other.first_seen);
        self.last_seen = self.last_seen.max(other.last_seen);
        merge_counts(&mut self.statuses, &other.statuses);
        self.latency.merge(&other.latency);
        merge_counts(&mut self.request_content_types, &other.request_content_types);
        merge_counts(&mut self.response_content_types, &other.response_content_types);
        self.auth.merge(&other.auth);
        merge_counts(&mut self.api_versions, &other.api_versions);
        for (i, p) in other.path_params.iter().enumerate() {
            match self.path_params.get_mut(i) {
                Some(mine) => merge_param(mine, p),
                None => self.path_params.push(p.clone()),
            }
        }
        for (map, theirs) in
            [(&mut self.query_params, &other.query_params), (&mut self.header_params, &other.header_params)]
        {
            for (name, p) in theirs {
                match map.get_mut(name) {
                    Some(mine) => merge_param(mine, p),
                    None => {
                        map.insert(name.clone(), p.clone());
                    }
                }
            }
        }
        merge_schemas(&mut self.request_bodies, &other.request_bodies);
        for (status, bodies) in &other.responses {
            merge_schemas(self.responses.entry(*status).or_default(), bodies);
        }
        self.unparsed_bodies += other.unparsed_bodies;
        self.sensitive.merge(&other.sensitive);
        if self.spec.is_none() {
            self.spec.clone_from(&other.spec);
        }
    }

    /// True when every call got 404 or 405: a path the API does not serve (a typo, a probe, a
    /// removed route), not an endpoint — unless a spec declares it.
    pub fn answered_only_not_found(&self) -> bool {
        self.calls > 0 && self.statuses.keys().all(|s| matches!(s, 404 | 405))
    }

    /// Calls that got a 2xx.
    pub fn success_calls(&self) -> u64 {
        self.statuses.range(200..300).map(|(_, n)| n).sum()
    }
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn merge_param(mine: &mut ParamObservation, theirs: &ParamObservation) {
    mine.seen += theirs.seen;
    mine.schema.merge(&theirs.schema);
}

fn merge_schemas(into: &mut BTreeMap<String, SchemaNode>, from: &BTreeMap<String, SchemaNode>) {
    for (k, v) in from {
        match into.get_mut(k) {
            Some(s) => s.merge(v),
            None => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Add every count of `from` to `into`.
pub fn merge_counts<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (k, n) in from {
        *into.entry(k.clone()).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> EndpointKey {
        EndpointKey {
            host: "api.bank.example".into(),
            method: "GET".into(),
            path_template: "/v1/accounts/{accountId}".into(),
        }
    }

    #[test]
    fn merge_adds_counts_and_widens_the_seen_window() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mut a = Endpoint::new(key());
        a.calls = 3;
        a.first_seen = Some(t("2026-11-01T00:00:00Z"));
        a.last_seen = Some(t("2026-11-02T00:00:00Z"));
        a.statuses.insert(200, 3);
        a.auth.add_scheme(AuthKind::BearerJwt, None, 3);
        let mut b = Endpoint::new(key());
        b.calls = 2;
        b.first_seen = Some(t("2026-10-01T00:00:00Z"));
        b.last_seen = Some(t("2026-11-05T00:00:00Z"));
        b.statuses.insert(200, 1);
        b.statuses.insert(404, 1);
        b.auth.add_scheme(AuthKind::BearerJwt, None, 1);
        b.auth.add_scheme(AuthKind::None, None, 1);
        b.auth.unauthenticated_calls = 1;
        a.merge(&b);
        assert_eq!(a.calls, 5);
        assert_eq!(a.first_seen, Some(t("2026-10-01T00:00:00Z")));
        assert_eq!(a.last_seen, Some(t("2026-11-05T00:00:00Z")));
        assert_eq!(a.statuses[&200], 4);
        assert_eq!(a.success_calls(), 4);
        assert_eq!(a.auth.schemes.len(), 2);
        assert_eq!(a.auth.unauthenticated_calls, 1);
    }
}
