//! The state of one scan, shared by the checks: the client, the operations, the identities
//! with the values harvested from their responses, the baseline answers, and the findings and
//! test records as they accrue. Checks run one after another (deterministic order and a
//! predictable load on the target); each marks its start and end so that its requests,
//! findings and time are counted for JUnit.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rampart_core::{OwaspApi2023, Severity};
use sha2::{Digest, Sha256};

use crate::client::{Client, Request, Response, SendError};
use crate::identities::{Identity, Role};
use crate::model::{Outcome, RecordedExchange, ScanFinding, TestRecord};
use crate::plan::{Generator, Instance, Operation, ValuePool};

/// An identity logs in again after a 401 at most this often.
pub const RELOGIN_AFTER: std::time::Duration = std::time::Duration::from_secs(15);

/// After this many transport failures in a row on one operation (or one missed deadline), its
/// remaining tests are skipped.
const MAX_CONSECUTIVE_FAILURES: u32 = 3;

/// What an identity got for an operation during the crawl.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub instance: Instance,
    pub response: Response,
    pub exchange: RecordedExchange,
}

/// Reports which operation and test is running.
pub type Progress = Box<dyn Fn(&str, &str) + Send + Sync>;

pub struct Context {
    pub client: Client,
    pub operations: Vec<Operation>,
    pub identities: Vec<Identity>,
    pub pools: BTreeMap<String, ValuePool>,
    /// `(identity, operation label)` → the identity's 2xx-or-not answer from the crawl.
    pub baselines: BTreeMap<(String, String), Baseline>,
    pub generator: Generator,
    pub seed: u64,
    pub allow_writes: bool,
    pub findings: Vec<ScanFinding>,
    pub tests: Vec<TestRecord>,
    pub warnings: Vec<String>,
    /// Tests (by name) to run; empty = all.
    pub only: BTreeSet<String>,
    pub progress: Progress,
    /// JWTs met in login responses beside an identity's own token (a legacy token), by identity.
    pub extra_tokens: Vec<(String, String, String)>,
    /// The login flows of the identities, by identity name.
    pub logins: Vec<(String, crate::identities::Login)>,
    /// The login operations the login tests use, worked out once after the identities logged in.
    pub(crate) login_targets: Vec<crate::checks::auth::LoginTarget>,
    /// The operation a request belongs to when the running test spans several (the crawl).
    pub focus: Option<String>,
    /// Per operation, the first answer that lacked security headers or carried a version
    /// banner: (what is missing, the banner, the exchange).
    pub header_notes: BTreeMap<String, (Vec<&'static str>, Option<String>, RecordedExchange)>,
    /// When each identity last logged in (the scan's own logins count).
    pub last_login: BTreeMap<String, Instant>,
    successes_since_login: BTreeMap<String, u64>,
    /// (identity, path) refused with 401 even right after a fresh login.
    unauthorised_anyway: BTreeSet<(String, String)>,
    failures: BTreeMap<String, u32>,
    budget_warned: bool,
    current: Option<Running>,
}

struct Running {
    test: String,
    owasp: OwaspApi2023,
    operation: String,
    started: Instant,
    requests_before: u64,
    findings_before: usize,
    skip_reason: Option<String>,
}

impl Context {
    pub fn new(
        client: Client,
        operations: Vec<Operation>,
        identities: Vec<Identity>,
        seed: u64,
        allow_writes: bool,
        progress: Progress,
    ) -> Context {
        Context {
            client,
            operations,
            identities,
            pools: BTreeMap::new(),
            baselines: BTreeMap::new(),
            generator: Generator::new(seed),
            seed,
            allow_writes,
            findings: Vec::new(),
            tests: Vec::new(),
            warnings: Vec::new(),
            only: BTreeSet::new(),
            progress,
            extra_tokens: Vec::new(),
            logins: Vec::new(),
            login_targets: Vec::new(),
            focus: None,
            header_notes: BTreeMap::new(),
            last_login: BTreeMap::new(),
            successes_since_login: BTreeMap::new(),
            unauthorised_anyway: BTreeSet::new(),
            failures: BTreeMap::new(),
            budget_warned: false,
            current: None,
        }
    }

    pub fn users(&self) -> Vec<Identity> {
        self.identities.iter().filter(|i| i.role == Role::User).cloned().collect()
    }

    pub fn admin(&self) -> Option<Identity> {
        self.identities.iter().find(|i| i.role == Role::Admin).cloned()
    }

    pub fn wants(&self, test: &str) -> bool {
        self.only.is_empty() || self.only.contains(test)
    }

    /// Whether an operation is still worth testing (the target answered it recently).
    pub fn operation_alive(&self, operation: &str) -> bool {
        self.failures.get(operation).copied().unwrap_or(0) < MAX_CONSECUTIVE_FAILURES
    }

    /// Marks the start of `test` on `operation`; returns false (and records a skip) when the
    /// budget is spent or the operation stopped answering.
    pub fn begin(&mut self, test: &str, owasp: OwaspApi2023, operation: &str) -> bool {
        self.end_current();
        (self.progress)(operation, test);
        self.current = Some(Running {
            test: test.into(),
            owasp,
            operation: operation.into(),
            started: Instant::now(),
            requests_before: self.client.requests_sent(),
            findings_before: self.findings.len(),
            skip_reason: None,
        });
        if self.client.remaining() == 0 && !self.client.is_dry_run() {
            self.skip("request budget exhausted");
            return false;
        }
        if !self.operation_alive(operation) {
            self.skip(&format!(
                "the target stopped answering this operation ({MAX_CONSECUTIVE_FAILURES} failures in a row)"
            ));
            return false;
        }
        true
    }

    /// Marks the running test skipped, with why; it ends with [`Context::end`] or the next begin.
    pub fn skip(&mut self, reason: &str) {
        if let Some(running) = self.current.as_mut() {
            running.skip_reason.get_or_insert_with(|| reason.to_string());
        }
    }

    /// Ends the running test.
    pub fn end(&mut self) {
        self.end_current();
    }

    fn end_current(&mut self) {
        let Some(running) = self.current.take() else { return };
        let findings: Vec<String> =
            self.findings[running.findings_before..].iter().map(|f| f.id.clone()).collect();
        let outcome = if !findings.is_empty() {
            Outcome::Failed
        } else if running.skip_reason.is_some() {
            Outcome::Skipped
        } else {
            Outcome::Passed
        };
        self.tests.push(TestRecord {
            test: running.test,
            owasp: running.owasp,
            operation: running.operation,
            outcome,
            reason: running.skip_reason,
            requests: self.client.requests_sent().saturating_sub(running.requests_before),
            findings,
            elapsed_ms: running.started.elapsed().as_millis() as u64,
        });
    }

    /// The operation a concrete request belongs to (`GET /v2/accounts/acc_1` →
    /// `GET /v2/accounts/{accountId}`): literal segments win over parameters.
    pub fn operation_of(&self, method: &http::Method, path_and_query: &str) -> Option<String> {
        let path = path_and_query.split('?').next().unwrap_or("");
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        self.operations
            .iter()
            .filter(|op| op.method == *method)
            .filter_map(|op| {
                let template: Vec<&str> = op.template.trim_end_matches('/').split('/').collect();
                if template.len() != segments.len() {
                    return None;
                }
                let mut literal = 0;
                for (t, s) in template.iter().zip(&segments) {
                    if t.starts_with('{') && t.ends_with('}') {
                        if s.is_empty() {
                            return None;
                        }
                    } else if t == s {
                        literal += 1;
                    } else {
                        return None;
                    }
                }
                Some((literal, op.label()))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, label)| label)
    }

    /// The operation of the running test.
    pub fn current_operation(&self) -> Option<String> {
        self.focus.clone().or_else(|| self.current.as_ref().map(|r| r.operation.clone()))
    }

    /// Sends through the guarded client, recording the exchange and the operation's health.
    pub async fn send(&mut self, request: &Request) -> Result<(Response, RecordedExchange), SendError> {
        let (result, recorded) = self.client.exchange(request).await;
        let operation = self.current_operation().unwrap_or_default();
        // `--log rampart_scanner::wire=debug` shows every exchange, masked as in the report.
        tracing::debug!(
            target: "rampart_scanner::wire",
            operation = %operation,
            exchange = %serde_json::to_string(&recorded).unwrap_or_default(),
        );
        match result {
            Ok(response) => {
                self.failures.remove(&operation);
                crate::checks::misconfig::observe(self, request, &response, &recorded);
                Ok((response, recorded))
            }
            Err(error) => {
                match &error {
                    // A deadline missed costs a whole timeout: one is enough to set the
                    // operation aside, so a hanging endpoint slows the scan down once.
                    SendError::Timeout(_) => {
                        self.failures.insert(operation, MAX_CONSECUTIVE_FAILURES);
                    }
                    SendError::Transport(_) => {
                        *self.failures.entry(operation).or_default() += 1;
                    }
                    SendError::BudgetExhausted(budget) => {
                        if !self.budget_warned {
                            self.budget_warned = true;
                            self.warnings.push(format!(
                                "the request budget ({budget}) ran out: later tests were skipped; raise --budget to cover them"
                            ));
                        }
                        self.skip("request budget exhausted");
                    }
                    SendError::DryRun => self.skip("dry run"),
                    SendError::OutOfScope(url) => {
                        self.warnings.push(format!("refused to send to {url}: outside the target"));
                    }
                    SendError::Invalid(_) => {}
                }
                Err(error)
            }
        }
    }

    /// Sends `request` as `identity` (or without credentials when `None`), with its freshest
    /// credentials: a 401 to an identity that logs in makes it log in again (at most every
    /// [`RELOGIN_AFTER`]) and the request is sent once more — access tokens expire mid-scan.
    pub async fn send_as(
        &mut self,
        identity: Option<&Identity>,
        request: Request,
    ) -> Result<(Response, RecordedExchange), SendError> {
        let Some(identity) = identity else { return self.send(&request).await };
        let current = self
            .identities
            .iter()
            .find(|i| i.name == identity.name)
            .cloned()
            .unwrap_or_else(|| identity.clone());
        let result = self.send(&current.apply(request.clone())).await;
        let status = result.as_ref().ok().map(|(response, _)| response.status);
        if status.is_some_and(|s| s.is_success()) {
            *self.successes_since_login.entry(current.name.clone()).or_default() += 1;
        }
        let key = (current.name.clone(), request.path_and_query.clone());
        if status == Some(http::StatusCode::UNAUTHORIZED)
            && !self.unauthorised_anyway.contains(&key)
            && self.relogin(&current.name).await
            && let Some(fresh) = self.identities.iter().find(|i| i.name == identity.name).cloned()
        {
            let retried = self.send(&fresh.apply(request)).await;
            if matches!(&retried, Ok((response, _)) if response.status == http::StatusCode::UNAUTHORIZED) {
                // A fresh token is refused too: this 401 means "not for you", not "expired".
                self.unauthorised_anyway.insert(key);
            }
            return retried;
        }
        result
    }

    /// Runs `name`'s login flow again; true when it gave a new credential.
    async fn relogin(&mut self, name: &str) -> bool {
        let Some((_, login)) = self.logins.iter().find(|(n, _)| n == name).cloned() else { return false };
        // A credential that worked since its login has expired; one that never did is renewed
        // at most every RELOGIN_AFTER (no login storms against a target that refuses it).
        let now = Instant::now();
        let worked = self.successes_since_login.get(name).copied().unwrap_or(0) > 0;
        if !worked && self.last_login.get(name).is_some_and(|at| now.duration_since(*at) < RELOGIN_AFTER) {
            return false;
        }
        self.successes_since_login.insert(name.to_string(), 0);
        self.last_login.insert(name.to_string(), now);
        let Ok((response, _)) = self.send(&crate::scan::login_request(&login)).await else { return false };
        let Some(token) = crate::scan::token_from(&login, &response) else { return false };
        let Some(position) = self.identities.iter().position(|i| i.name == name) else { return false };
        let refreshed = self.identities[position].clone().with_login_token(login.use_as.as_deref(), &token);
        let changed = refreshed != self.identities[position];
        self.identities[position] = refreshed;
        changed
    }

    /// A request for `op` as `identity`: path values from `values`, body fields filled from
    /// what the target returned to that identity (its own account as the payer, its currency).
    pub fn instance(
        &mut self,
        identity: Option<&str>,
        op: &crate::plan::Operation,
        values: &BTreeMap<String, String>,
    ) -> Instance {
        let mut instance = crate::plan::instantiate(op, values, &mut self.generator);
        if !op.is_read()
            && let Some(body) = instance.body.as_mut()
        {
            crate::plan::uniquify(body, &mut self.generator);
        }
        if let (Some(name), Some(body)) = (identity, instance.body.as_mut())
            && let Some(pool) = self.pools.get(name)
        {
            crate::plan::fill_from_pool(body, pool);
            if let Some(spec) = &op.body {
                crate::plan::prune_unknown_references(body, &spec.schema, pool);
            }
        }
        instance
    }

    /// Records a finding once (by id); the running test is its source.
    pub fn report(&mut self, finding: NewFinding) {
        let id = finding_id(&finding.rule, &finding.operation, finding.parameter.as_deref());
        if self.findings.iter().any(|f| f.id == id) {
            return;
        }
        self.findings.push(ScanFinding {
            id,
            rule: finding.rule,
            owasp: finding.owasp,
            severity: finding.severity,
            title: finding.title,
            operation: finding.operation,
            parameter: finding.parameter,
            identities: finding.identities,
            description: finding.description,
            evidence: finding.evidence,
            exchanges: finding.exchanges,
            fix: finding.fix,
            cwe: finding.cwe,
        });
    }
}

/// A finding as a check states it.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub rule: String,
    pub owasp: OwaspApi2023,
    pub severity: Severity,
    pub title: String,
    pub operation: String,
    pub parameter: Option<String>,
    pub identities: Vec<String>,
    pub description: String,
    pub evidence: Vec<String>,
    pub exchanges: Vec<RecordedExchange>,
    pub fix: String,
    pub cwe: Option<u32>,
}

impl NewFinding {
    pub fn new(
        rule: &str,
        owasp: OwaspApi2023,
        severity: Severity,
        operation: &str,
        title: impl Into<String>,
    ) -> NewFinding {
        NewFinding {
            rule: rule.into(),
            owasp,
            severity,
            title: title.into(),
            operation: operation.into(),
            parameter: None,
            identities: Vec::new(),
            description: String::new(),
            evidence: Vec::new(),
            exchanges: Vec::new(),
            fix: String::new(),
            cwe: None,
        }
    }
    pub fn parameter(mut self, parameter: impl Into<String>) -> Self {
        self.parameter = Some(parameter.into());
        self
    }
    pub fn identities(mut self, names: &[&str]) -> Self {
        self.identities = names.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
    pub fn evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }
    pub fn exchange(mut self, exchange: RecordedExchange) -> Self {
        self.exchanges.push(exchange);
        self
    }
    pub fn exchanges(mut self, exchanges: impl IntoIterator<Item = RecordedExchange>) -> Self {
        self.exchanges.extend(exchanges);
        self
    }
    pub fn fix(mut self, text: impl Into<String>) -> Self {
        self.fix = text.into();
        self
    }
    pub fn cwe(mut self, cwe: u32) -> Self {
        self.cwe = Some(cwe);
        self
    }
}

/// Stable across runs: what the finding is about, not when it was seen.
pub fn finding_id(rule: &str, operation: &str, parameter: Option<&str>) -> String {
    let mut hash = Sha256::new();
    hash.update(rule.as_bytes());
    hash.update([0]);
    hash.update(operation.as_bytes());
    hash.update([0]);
    hash.update(parameter.unwrap_or("").as_bytes());
    let digest = hash.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}
