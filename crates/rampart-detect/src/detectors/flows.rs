//! Sensitive business flows (OWASP API6): the last step of a flow — a transfer, a payment, an
//! OTP verify — called without the steps a person goes through first, or faster than a person
//! can, and OTP codes guessed (many verifies for one OTP sent).
//!
//! Built-in flows, used when none is configured: a payment or transfer needs a prior read of
//! the API by the same client (a person looks at accounts or payees first), an OTP verify needs
//! an OTP request. Configured flows list `METHOD /path-prefix` steps; the last one needs all the
//! others within the window.

use rampart_core::Severity;

use crate::alert::{Confidence, DetectorKind};
use crate::config::DetectConfig;
use crate::engine::{AlertBook, Footprint, Signal};
use crate::facts::Facts;
use crate::state::{KeyTable, Sweeper};
use crate::window::SlidingCount;

use super::{actor_key, client_cap, related_ip, secs};

/// Path words of a payment or transfer.
const PAYMENT_WORDS: [&str; 9] = [
    "transfers",
    "transfer",
    "payments",
    "payment",
    "checkout",
    "pay",
    "remittances",
    "withdrawals",
    "payouts",
];
/// Verifies of one OTP before it is guessing.
const OTP_GUESSES: u32 = 10;

/// One step of a configured flow: a method (or any) and a path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepPattern {
    method: Option<String>,
    prefix: String,
}

impl StepPattern {
    /// `POST /api/v1/transfers`, `* /api/v1/beneficiaries`.
    pub fn parse(text: &str) -> Option<StepPattern> {
        let (method, path) = text.trim().split_once(' ')?;
        let path = path.trim();
        if !path.starts_with('/') || method.is_empty() {
            return None;
        }
        let method = (method != "*").then(|| method.to_ascii_uppercase());
        Some(StepPattern { method, prefix: path.to_owned() })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && path.starts_with(&self.prefix)
    }
}

struct Flow {
    name: String,
    steps: Vec<StepPattern>,
}

#[derive(Default)]
struct Journey {
    /// Event time (ms since the engine's epoch, +1 so that 0 means never) of the client's first
    /// request, its last successful read, its last OTP request.
    first_seen_ms: u64,
    last_read_ms: u64,
    otp_sent_ms: u64,
    verifies_since_otp: u32,
    violations: SlidingCount,
    /// Last time (ms + 1) each step of each configured flow was seen, flattened; allocated only
    /// when flows are configured.
    steps_seen: Box<[u64]>,
}

pub(crate) struct FlowDetector {
    journeys: KeyTable<Journey>,
    flows: Vec<Flow>,
    step_count: usize,
    epoch_ms: Option<i64>,
    sweeper: Sweeper,
}

fn has_segment(path: &str, words: &[&str]) -> bool {
    path.split('/').any(|segment| words.iter().any(|w| segment.eq_ignore_ascii_case(w)))
}

fn is_otp_verify(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.contains("otp") || lower.contains("mfa") || lower.contains("2fa") || lower.contains("challenge"))
        && (lower.contains("verify") || lower.contains("validate") || lower.contains("confirm"))
}

fn is_otp_request(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.contains("otp") || lower.contains("mfa") || lower.contains("2fa"))
        && !is_otp_verify(path)
        && (lower.contains("send")
            || lower.contains("request")
            || lower.contains("generate")
            || lower.contains("resend")
            || lower.ends_with("otp")
            || lower.ends_with("challenge"))
}

impl FlowDetector {
    pub(crate) fn new(config: &DetectConfig) -> FlowDetector {
        let flows: Vec<Flow> = config
            .flows
            .flows
            .iter()
            .map(|flow| Flow {
                name: flow.name.clone(),
                steps: flow.steps.iter().filter_map(|s| StepPattern::parse(s)).collect(),
            })
            .collect();
        let step_count = flows.iter().map(|f| f.steps.len()).sum();
        FlowDetector {
            journeys: KeyTable::new(client_cap(config.max_keys)),
            flows,
            step_count,
            epoch_ms: None,
            sweeper: Sweeper::default(),
        }
    }

    pub(crate) fn observe(&mut self, facts: &Facts<'_>, book: &mut AlertBook, config: &DetectConfig) {
        let cfg = &config.flows;
        let window = secs(cfg.window_secs);
        let window_ms = u64::from(window) * 1000;
        let millis = facts.at.timestamp_millis();
        let epoch = *self.epoch_ms.get_or_insert(millis);
        let now_ms = u64::try_from(millis.saturating_sub(epoch)).unwrap_or(0) + 1;
        let now = facts.now;
        let journey = self.journeys.entry(facts.actor_hash, now);
        if journey.first_seen_ms == 0
            || now_ms.saturating_sub(journey.last_read_ms.max(journey.first_seen_ms)) > window_ms
        {
            journey.first_seen_ms = now_ms;
        }
        let ok = facts.status.is_none_or(|s| s < 400);
        let recent = |at: u64| at != 0 && now_ms.saturating_sub(at) <= window_ms;
        let mut violation: Option<String> = None;
        let mut guessing = false;

        if self.flows.is_empty() {
            if facts.method == "GET" && ok {
                journey.last_read_ms = now_ms;
            } else if facts.method == "POST" && is_otp_verify(facts.path) {
                journey.verifies_since_otp += 1;
                if !recent(journey.otp_sent_ms) {
                    violation = Some("OTP verified without an OTP requested".to_owned());
                } else if journey.verifies_since_otp >= OTP_GUESSES {
                    violation = Some(format!("{} verifies of one OTP", journey.verifies_since_otp));
                    guessing = true;
                }
            } else if facts.method == "POST" && is_otp_request(facts.path) {
                journey.otp_sent_ms = now_ms;
                journey.verifies_since_otp = 0;
            } else if facts.method == "POST" && has_segment(facts.path, &PAYMENT_WORDS) {
                let since_first = now_ms.saturating_sub(journey.first_seen_ms);
                if !recent(journey.last_read_ms) {
                    violation = Some("payment without looking at accounts or payees first".to_owned());
                } else if since_first < cfg.min_human_ms {
                    violation = Some(format!("payment {since_first} ms after the client's first request"));
                }
            }
        } else {
            if journey.steps_seen.len() != self.step_count {
                journey.steps_seen = vec![0; self.step_count].into_boxed_slice();
            }
            let mut offset = 0;
            for flow in &self.flows {
                let last = flow.steps.len() - 1;
                for (index, step) in flow.steps.iter().enumerate() {
                    if !step.matches(facts.method, facts.path) {
                        continue;
                    }
                    if index == last {
                        let earlier = &journey.steps_seen[offset..offset + last];
                        let missing = earlier.iter().position(|&at| !recent(at));
                        let first = earlier.iter().copied().min().unwrap_or(now_ms);
                        if let Some(missing) = missing {
                            violation = Some(format!("{}: step {} skipped", flow.name, missing + 1));
                        } else if now_ms.saturating_sub(first) < cfg.min_human_ms {
                            violation = Some(format!(
                                "{}: whole flow in {} ms",
                                flow.name,
                                now_ms.saturating_sub(first)
                            ));
                        }
                    } else if ok {
                        journey.steps_seen[offset + index] = now_ms;
                    }
                }
                offset += flow.steps.len();
            }
        }

        let Some(note) = violation else { return };
        let violations = journey.violations.add_get(now, window, 1);
        if book.settled(DetectorKind::BusinessFlow, facts.actor_hash, facts, &note) {
            return;
        }
        if violations < f64::from(cfg.violations) && !guessing {
            return;
        }
        let key = actor_key(facts);
        book.raise(
            Signal {
                detector: DetectorKind::BusinessFlow,
                summary: format!(
                    "{key}: {violations:.0} sensitive flow steps out of order in {window} s ({note})"
                ),
                key,
                key_hash: facts.actor_hash,
                confidence: if guessing { Confidence::High } else { Confidence::Medium },
                severity: Severity::High,
                action: config.action_of(cfg.action),
                measures: vec![("violations", violations)],
                related: related_ip(facts),
                quiet_secs: window.min(900),
            },
            facts,
            &note,
        );
    }

    pub(crate) fn housekeeping(&mut self, now: u32, config: &DetectConfig) {
        if self.sweeper.due(now, 60) {
            self.journeys.sweep(now.saturating_sub(2 * secs(config.flows.window_secs)));
        }
    }

    pub(crate) fn footprint(&self) -> Footprint {
        Footprint::of(&self.journeys)
    }
}
