//! What a scan produces: findings with the exchanges that prove them, the tests that ran, what
//! was skipped and why, and the counters. Every report format renders a [`ScanReport`]; nothing
//! in it holds a raw secret or sensitive value (requests and responses are masked when recorded).

use std::collections::BTreeMap;

use rampart_core::{OwaspApi2023, Severity};
use serde::{Deserialize, Serialize};

/// One proven weakness of the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanFinding {
    /// Stable identifier of this finding across runs: a hash of rule, operation and the
    /// parameter or identity it concerns. SARIF `partialFingerprints` and JUnit test names use it.
    pub id: String,
    /// Kebab-case rule (`bola-read`, `jwt-alg-none-accepted`, `sql-injection-error`).
    pub rule: String,
    pub owasp: OwaspApi2023,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    /// The operation as `METHOD /template` (`GET /v2/accounts/{accountId}`), or the path probed
    /// for target-wide tests (`OPTIONS /`).
    pub operation: String,
    /// The parameter, field or header the finding concerns, when one does (`query.sort`,
    /// `body.role`, `header.Origin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    /// The identities involved, in the order the test used them (`["alice", "bob"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<String>,
    /// What was done and what it showed, in a few sentences a reviewer can check.
    pub description: String,
    /// Short masked facts (`status 200 for bob on alice's account 10000231`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The exchanges that prove it, in order, masked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<RecordedExchange>,
    /// How to fix it.
    pub fix: String,
    /// CWE number, when one fits (639 for BOLA, 89 for SQL injection …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwe: Option<u32>,
}

/// A request the scanner sent and what came back, as recorded for evidence: credentials and
/// sensitive values masked, bodies cut to a bounded length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    pub request: RecordedRequest,
    /// `None` when no response arrived; `error` says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Time to the full response (or the error), in milliseconds.
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The full URL, query included (credential-like query values masked).
    pub url: String,
    /// Header names and (masked) values, in sending order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy UTF-8), masked, at most a few KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body was longer than what is recorded here (or than the read cap).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// How one test ended on one operation: what JUnit reports as a test case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Ran and found nothing.
    Passed,
    /// Ran and found at least one weakness.
    Failed,
    /// Did not run, or could not finish (see `reason`).
    Skipped,
}

/// One test on one operation (or on the whole target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRecord {
    /// The test (`bola`, `auth-bypass`, `mass-assignment`, `sql-injection`, `cors` …).
    pub test: String,
    pub owasp: OwaspApi2023,
    /// `METHOD /template`, or `*` for target-wide tests.
    pub operation: String,
    pub outcome: Outcome,
    /// Why it was skipped (`read-only: needs --allow-writes`, `budget exhausted`, `no object id
    /// known`), or a note on a pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Requests this test sent.
    pub requests: u64,
    /// Ids of the findings it produced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    pub elapsed_ms: u64,
}

/// Counters of the whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanStats {
    pub operations: usize,
    pub tests_run: usize,
    pub tests_skipped: usize,
    pub requests_sent: u64,
    /// The configured request budget.
    pub request_budget: u64,
    /// Requests that got no response (timeout, reset, refused).
    pub transport_errors: u64,
    /// Responses cut at the read cap.
    pub truncated_responses: u64,
    /// Redirects not followed because they led off the target.
    pub off_target_redirects: u64,
    /// Requests refused by the scope guard before sending (never sent).
    pub out_of_scope_refused: u64,
    pub elapsed_ms: u64,
}

/// The result of one `rampart scan`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub tool: String,
    pub version: String,
    /// The `--target` base URL.
    pub target: String,
    /// The spec the operations came from (file name, or `inventory`).
    pub spec: String,
    pub seed: u64,
    pub allow_writes: bool,
    /// RFC 3339 start time.
    pub started_at: String,
    /// Identity names and roles used (no credentials).
    pub identities: BTreeMap<String, String>,
    /// Sorted by severity (highest first), then rule and operation.
    pub findings: Vec<ScanFinding>,
    pub tests: Vec<TestRecord>,
    pub stats: ScanStats,
    /// Warnings about the input or the run (spec problems, login failures, budget exhausted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ScanReport {
    /// Findings per severity, indexed by `Severity as usize` (info … critical).
    pub fn counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for finding in &self.findings {
            counts[finding.severity as usize] += 1;
        }
        counts
    }

    /// Whether any finding is at or above `threshold` (`--fail-on`).
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
