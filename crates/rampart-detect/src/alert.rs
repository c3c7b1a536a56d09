//! What the detectors say: [`Alert`]s (grouped per attack, with masked evidence) and
//! [`Decision`]s (block or rate-limit a client key until an expiry).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use rampart_core::finding::{OwaspApi2023, Severity};
use serde::{Deserialize, Serialize};

/// Which detector raised an alert. The kebab-case name is the alert's rule id and the reason id
/// a blocked client sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DetectorKind {
    /// Many usernames tried from one source.
    CredentialStuffing,
    /// Many failed logins from one source, or against one account.
    BruteForce,
    /// The global login failure ratio rose above its baseline: a distributed, low-and-slow attack.
    DistributedLoginAttack,
    /// A successful login after a run of failures for the same account.
    AccountTakeover,
    /// One token or session used from many networks or devices.
    SessionSharing,
    /// One client touching many object IDs of an endpoint (sequential IDs, many 403/404).
    BolaEnumeration,
    /// One client pulling far more sensitive records or pages than its peers.
    Scraping,
    /// Request rate of a key or an endpoint far above its learned baseline.
    Volumetric,
    /// Error rate of an endpoint far above its baseline.
    ErrorSurge,
    /// A run of injection payloads (SQL, XSS) from one client.
    Injection,
    /// A known attack tool's user agent.
    Scanner,
    /// Requests for well-known sensitive paths (`/.env`, `/actuator`, `/.git/`) or many 404s.
    PathProbing,
    /// The last step of a sensitive business flow without the steps a person goes through, or
    /// faster than a person can.
    BusinessFlow,
}

impl DetectorKind {
    pub const ALL: [DetectorKind; 13] = [
        Self::CredentialStuffing,
        Self::BruteForce,
        Self::DistributedLoginAttack,
        Self::AccountTakeover,
        Self::SessionSharing,
        Self::BolaEnumeration,
        Self::Scraping,
        Self::Volumetric,
        Self::ErrorSurge,
        Self::Injection,
        Self::Scanner,
        Self::PathProbing,
        Self::BusinessFlow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CredentialStuffing => "credential-stuffing",
            Self::BruteForce => "brute-force",
            Self::DistributedLoginAttack => "distributed-login-attack",
            Self::AccountTakeover => "account-takeover",
            Self::SessionSharing => "session-sharing",
            Self::BolaEnumeration => "bola-enumeration",
            Self::Scraping => "scraping",
            Self::Volumetric => "volumetric",
            Self::ErrorSurge => "error-surge",
            Self::Injection => "injection",
            Self::Scanner => "scanner",
            Self::PathProbing => "path-probing",
            Self::BusinessFlow => "business-flow",
        }
    }

    /// The OWASP API Security Top 10 (2023) category the behaviour abuses.
    pub fn owasp(self) -> OwaspApi2023 {
        match self {
            Self::CredentialStuffing
            | Self::BruteForce
            | Self::DistributedLoginAttack
            | Self::AccountTakeover
            | Self::SessionSharing => OwaspApi2023::Api2,
            Self::BolaEnumeration => OwaspApi2023::Api1,
            Self::Scraping | Self::Volumetric | Self::ErrorSurge => OwaspApi2023::Api4,
            Self::Injection => OwaspApi2023::Api8,
            Self::Scanner | Self::PathProbing => OwaspApi2023::Api9,
            Self::BusinessFlow => OwaspApi2023::Api6,
        }
    }

    pub fn parse(name: &str) -> Option<DetectorKind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for DetectorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who an alert or a decision is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ClientKey {
    Ip(IpAddr),
    /// The /24 (IPv4) or /64 (IPv6) network of the client.
    Prefix(IpNet),
    /// The authenticated identity as the source gives it (`jwt:sub`, `apikey:id`).
    Identity(String),
    /// The username tried at a login (for attacks on one account from many sources).
    Username(String),
    /// SHA-256 fingerprint (first 16 bytes, hex) of a bearer token or session cookie.
    Token(String),
    /// A device fingerprint from request headers (user agent, device id headers).
    Device(String),
    /// An endpoint (`GET /accounts/{id}`), for alerts with no single client behind them.
    Endpoint(String),
    /// The whole traffic (global ratios).
    Global,
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientKey::Ip(ip) => write!(f, "ip:{ip}"),
            ClientKey::Prefix(net) => write!(f, "prefix:{net}"),
            ClientKey::Identity(id) => write!(f, "identity:{id}"),
            ClientKey::Username(name) => write!(f, "username:{name}"),
            ClientKey::Token(fp) => write!(f, "token:{fp}"),
            ClientKey::Device(device) => write!(f, "device:{device}"),
            ClientKey::Endpoint(endpoint) => write!(f, "endpoint:{endpoint}"),
            ClientKey::Global => f.write_str("global"),
        }
    }
}

/// How sure a detector is. On defaults the gateway blocks only on `High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// What is done about a detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Refuse every request of the key (403) until the decision expires.
    Block,
    /// Let the key make at most `per_minute` requests (429 beyond) until the decision expires.
    RateLimit { per_minute: u32 },
    /// Alert only.
    Report,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Block => "block",
            Action::RateLimit { .. } => "rate_limit",
            Action::Report => "report",
        }
    }
}

/// One request kept as evidence, masked: no credential, no sensitive value in the clear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSample {
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    pub method: String,
    /// Path with the query (values masked when sensitive).
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why this request counts (`login failed for j***@example.com`, `sqli in query id`).
    pub note: String,
}

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// First emitted.
    Open,
    /// The same attack goes on: counts, last seen and samples updated.
    Update,
    /// Quiet for the detector's window: the attack is over (or blocked).
    Closed,
}

/// An attack, grouped: one alert per detector and key while it goes on, re-emitted as an
/// update (same `id`) at most once per `alert_update_secs`, closed after a quiet window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// `DETECTOR/KEY/START` — stable for the life of the attack.
    pub id: String,
    pub state: AlertState,
    pub detector: DetectorKind,
    pub severity: Severity,
    pub confidence: Confidence,
    pub owasp: OwaspApi2023,
    pub key: ClientKey,
    /// Other keys involved (the IPs behind a username under attack, the prefix of an IP).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<ClientKey>,
    /// Endpoints involved (`POST /login`), most hit first, at most 10.
    pub endpoints: Vec<String>,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Requests counted towards this alert so far.
    pub count: u64,
    /// What the detector measured (`failures`, `distinct_usernames`, `rate_per_min`, `baseline`).
    pub measures: BTreeMap<String, f64>,
    /// One sentence a person understands.
    pub summary: String,
    /// Masked sample requests, at most 5.
    pub samples: Vec<EvidenceSample>,
    /// What was decided (`report` in monitor mode).
    pub action: Action,
    /// Whether the action is only reported (monitor mode, or the detector's confidence below
    /// the blocking threshold).
    pub monitor_only: bool,
}

/// Block or rate-limit a key until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The alert id: the reason a blocked client is told, and the id to lift the decision by.
    pub id: String,
    pub key: ClientKey,
    pub action: Action,
    pub detector: DetectorKind,
    pub reason: String,
    pub created: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What [`crate::Engine::drain`] hands over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Output {
    pub alerts: Vec<Alert>,
    pub decisions: Vec<Decision>,
}

impl Output {
    pub fn is_empty(&self) -> bool {
        self.alerts.is_empty() && self.decisions.is_empty()
    }
}
