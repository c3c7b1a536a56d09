//! Rampart's shared vocabulary — types only, no I/O.
//!
//! * [`exchange`]: the [`Exchange`], one HTTP request with its response (if any), timing, client
//!   and source. It is the one currency of the analysis pipeline and its JSON Lines form is a
//!   public, versioned interface (`docs/exchange-jsonl.md`).
//! * [`inventory`]: what discovery learns per endpoint — calls, statuses, latency, auth, parameters,
//!   schemas — and how an endpoint compares with a declared spec. Every statistic here is
//!   *mergeable*, so that inventories from several runs, files or workers fold into one.
//! * [`schema`]: the observed shape of a JSON value ([`SchemaNode`]), mergeable, from which
//!   discovery renders JSON Schema.
//! * [`latency`]: a small mergeable log-bucket latency histogram.
//! * [`sensitive`]: the kinds of sensitive data (card numbers, APAC national IDs, secrets, …).
//! * [`finding`]: security weaknesses mapped to the OWASP API Security Top 10 (2023), with
//!   severity, evidence (masked) and a fix; shared by posture rules, the spec audit and the scanner.

pub mod exchange;
pub mod finding;
pub mod inventory;
pub mod latency;
pub mod schema;
pub mod sensitive;
pub mod text;

pub use exchange::{Body, Client, EXCHANGE_FORMAT_VERSION, Exchange, Request, Response, Source, SourceKind};
pub use finding::{Finding, OwaspApi2023, Severity, SourceLocation, UnknownOwaspCategory, UnknownSeverity};
pub use inventory::{
    AuthKind, AuthObservations, AuthSchemeStats, Drift, DriftKind, Endpoint, EndpointKey, Inventory,
    JwtObservations, ParamLocation, ParamObservation, SensitiveExposure, SpecComparison, SpecStatus,
};
pub use latency::LatencyHistogram;
pub use schema::{ArrayStats, NumberStats, ObjectStats, SchemaNode, StringFormat, StringStats};
pub use sensitive::{SensitiveCategory, SensitiveType};
