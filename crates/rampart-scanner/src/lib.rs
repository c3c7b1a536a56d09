//! `rampart-scanner`: active API security testing against a running API.
//!
//! The scanner reads the operations of an OpenAPI spec (declared, or reconstructed by
//! discovery), logs in the identities of `identities.toml`, and proves weaknesses of the OWASP
//! API Security Top 10 (2023) with requests it crafts: identity B reading A's objects (API1),
//! tokens tampered, unsigned or expired (API2), privileged properties written and read back
//! (API3), unbounded page sizes and bursts (API4), ordinary identities calling admin operations
//! (API5), URLs pointed at its own callback listener (API7), CORS, headers, verbose errors and
//! methods (API8), old versions and undocumented paths (API9), and SQL, NoSQL and command
//! injection.
//!
//! Safety comes before coverage: every request goes through one client that refuses any host
//! but the target's, counts against a budget, respects a rate cap and never follows a redirect
//! off the target; writes need `allow_writes`; a dry run lists what would be sent.
//!
//! Reports ([`report`]) render one [`ScanReport`] as text, JSON, SARIF 2.1.0, JUnit XML or a
//! self-contained HTML page.

pub mod callback;
mod checks;
pub mod client;
pub mod context;
pub mod evidence;
pub mod identities;
pub mod model;
pub mod plan;
pub mod report;
pub mod scan;
pub mod tls;

pub use client::{ClientConfig, Target};
pub use model::{
    Outcome, RecordedExchange, RecordedRequest, RecordedResponse, ScanFinding, ScanReport, ScanStats,
    TestRecord,
};
pub use scan::{Callback, ScanError, ScanOptions, scan};
