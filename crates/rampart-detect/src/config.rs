//! The `[detect]` section of rampart.toml: every threshold and window, with defaults that a
//! bank's traffic does not trip and the attacks in `tests/simulations.rs` do.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::alert::{Action, Confidence};

/// A config the engine cannot run with, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("detect.{field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

fn invalid(field: &str, message: impl Into<String>) -> ConfigError {
    ConfigError { field: field.to_owned(), message: message.into() }
}

/// What a detector does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionConfig {
    Block,
    RateLimit,
    Report,
}

/// `[detect]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectConfig {
    pub enabled: bool,
    /// Every detector reports only: no decision is made.
    pub monitor: bool,
    /// Networks never alerted on nor blocked (partners, health checks, the bank's own scanners).
    pub allow: Vec<IpNet>,
    /// Decisions are made only for alerts at least this sure; the rest are reported.
    pub min_block_confidence: Confidence,
    /// How long a decision lasts.
    pub decision_ttl_secs: u64,
    /// The request rate a rate-limit decision allows.
    pub rate_limit_per_minute: u32,
    /// An open alert is re-emitted with its new counts at most this often.
    pub alert_update_secs: u64,
    /// Tracked client keys per table; the least recently seen are dropped beyond this.
    pub max_keys: usize,
    pub credential: CredentialConfig,
    pub takeover: TakeoverConfig,
    pub enumeration: EnumerationConfig,
    pub scraping: ScrapingConfig,
    pub volumetric: VolumetricConfig,
    pub probing: ProbingConfig,
    pub flows: FlowsConfig,
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            enabled: true,
            monitor: false,
            allow: Vec::new(),
            min_block_confidence: Confidence::High,
            decision_ttl_secs: 900,
            rate_limit_per_minute: 30,
            alert_update_secs: 30,
            max_keys: 2_000_000,
            credential: CredentialConfig::default(),
            takeover: TakeoverConfig::default(),
            enumeration: EnumerationConfig::default(),
            scraping: ScrapingConfig::default(),
            volumetric: VolumetricConfig::default(),
            probing: ProbingConfig::default(),
            flows: FlowsConfig::default(),
        }
    }
}

/// `[detect.credential]`: credential stuffing, brute force, distributed login attacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CredentialConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    /// The window failures are counted over.
    pub window_secs: u64,
    /// Failed logins from one IP in the window.
    pub failures_per_ip: u32,
    /// Distinct usernames with a failure from one IP in the window (stuffing).
    pub usernames_per_ip: u32,
    /// Failed logins from one /24 or /64 in the window.
    pub failures_per_prefix: u32,
    /// Failed logins for one username in the window, from at least `ips_per_username` IPs.
    pub failures_per_username: u32,
    pub ips_per_username: u32,
    /// Global failure ratio over a minute, against its learned baseline: alert when it is at
    /// least `global_ratio_factor` times the baseline and above `global_min_ratio`, with at
    /// least `global_min_failures` failures over the last 10 minutes (the window a low-and-slow
    /// attack needs), after `warmup_minutes` minutes of logins.
    pub global_ratio_factor: f64,
    pub global_min_ratio: f64,
    pub global_min_failures: u32,
    pub warmup_minutes: u32,
    /// While a distributed attack is on, an IP with this many failures (over at least two
    /// usernames) and no success is taken as part of it.
    pub failures_per_ip_under_attack: u32,
    /// Paths that are logins besides those recognised (`/api/session`).
    pub login_paths: Vec<String>,
}

impl Default for CredentialConfig {
    fn default() -> Self {
        CredentialConfig {
            enabled: true,
            action: ActionConfig::Block,
            window_secs: 600,
            failures_per_ip: 10,
            usernames_per_ip: 5,
            failures_per_prefix: 30,
            failures_per_username: 10,
            ips_per_username: 3,
            global_ratio_factor: 3.0,
            global_min_ratio: 0.3,
            global_min_failures: 20,
            warmup_minutes: 5,
            failures_per_ip_under_attack: 3,
            login_paths: Vec::new(),
        }
    }
}

/// `[detect.takeover]`: success after failures; one token from many networks or devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TakeoverConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    /// Failures for an account before a success that make the success suspect.
    pub failures_before_success: u32,
    /// The window a token's networks and devices are counted over.
    pub window_secs: u64,
    /// Distinct /24 (or /64) networks one token is used from.
    pub networks_per_token: u32,
    /// Distinct devices (user agents) one token is used from.
    pub devices_per_token: u32,
}

impl Default for TakeoverConfig {
    fn default() -> Self {
        TakeoverConfig {
            enabled: true,
            action: ActionConfig::Block,
            failures_before_success: 5,
            window_secs: 900,
            networks_per_token: 4,
            devices_per_token: 4,
        }
    }
}

/// `[detect.enumeration]`: BOLA enumeration of object IDs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnumerationConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    pub window_secs: u64,
    /// Distinct object IDs of one endpoint touched by one client in the window.
    pub distinct_ids: u32,
    /// Share of 401/403/404 answers that makes enumeration certain (high confidence).
    pub denied_share: f64,
    /// Share of consecutive requests whose numeric ID is within 64 of the previous one.
    pub sequential_share: f64,
}

impl Default for EnumerationConfig {
    fn default() -> Self {
        EnumerationConfig {
            enabled: true,
            action: ActionConfig::Block,
            window_secs: 300,
            distinct_ids: 30,
            denied_share: 0.3,
            sequential_share: 0.5,
        }
    }
}

/// `[detect.scraping]`: clients pulling far more records or pages than their peers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScrapingConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    pub window_secs: u64,
    /// Records carrying sensitive data pulled by one client in the window, at least.
    pub min_sensitive_records: u32,
    /// Distinct pages (page / offset / cursor values) of list endpoints in the window, at least.
    pub min_pages: u32,
    /// ... and this many times the 90th percentile of the other clients.
    pub peer_factor: f64,
}

impl Default for ScrapingConfig {
    fn default() -> Self {
        ScrapingConfig {
            enabled: true,
            action: ActionConfig::RateLimit,
            window_secs: 600,
            min_sensitive_records: 1000,
            min_pages: 40,
            peer_factor: 5.0,
        }
    }
}

/// `[detect.volumetric]`: rates against a learned baseline, and error surges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VolumetricConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    /// Requests per minute of one IP or identity that is always too much, whatever the baseline.
    pub max_per_minute: u32,
    /// A key's rate above this many times the typical client's (and above `min_per_minute`).
    pub peer_factor: f64,
    pub min_per_minute: u32,
    /// An endpoint's rate above this many standard deviations of its learned rate.
    pub endpoint_sigma: f64,
    /// Error (5xx) share of an endpoint above this many times its baseline and above 20%.
    pub error_factor: f64,
    /// Minutes of traffic before baselines are trusted.
    pub warmup_minutes: u32,
}

impl Default for VolumetricConfig {
    fn default() -> Self {
        VolumetricConfig {
            enabled: true,
            action: ActionConfig::RateLimit,
            max_per_minute: 1200,
            peer_factor: 20.0,
            min_per_minute: 300,
            endpoint_sigma: 6.0,
            error_factor: 4.0,
            warmup_minutes: 5,
        }
    }
}

/// `[detect.probing]`: injection runs, attack tools, probing for sensitive paths, 404 runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProbingConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    pub window_secs: u64,
    /// Requests with injection payloads from one client in the window.
    pub injection_requests: u32,
    /// Distinct well-known sensitive paths requested.
    pub probe_paths: u32,
    /// 404 answers to one client in the window, when they are at least half of its answers.
    pub not_found: u32,
    /// User-agent fragments of attack tools, besides the built-in list (lower case).
    pub scanner_agents: Vec<String>,
}

impl Default for ProbingConfig {
    fn default() -> Self {
        ProbingConfig {
            enabled: true,
            action: ActionConfig::Block,
            window_secs: 600,
            injection_requests: 3,
            probe_paths: 3,
            not_found: 40,
            scanner_agents: Vec::new(),
        }
    }
}

/// `[detect.flows]`: sensitive business flows (API6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FlowsConfig {
    pub enabled: bool,
    pub action: ActionConfig,
    /// Flows to watch; when empty, the built-in ones (payments and transfers need a prior read
    /// of the API by the same client; an OTP verify needs an OTP request first).
    pub flows: Vec<FlowConfig>,
    /// A final step within this many milliseconds of the flow's first step is faster than a
    /// person.
    pub min_human_ms: u64,
    /// How far back the earlier steps may be.
    pub window_secs: u64,
    /// Final steps without their flow by one client in the window before an alert.
    pub violations: u32,
}

impl Default for FlowsConfig {
    fn default() -> Self {
        FlowsConfig {
            enabled: true,
            action: ActionConfig::Report,
            flows: Vec::new(),
            min_human_ms: 1500,
            window_secs: 1800,
            violations: 3,
        }
    }
}

/// One flow: `steps` are `METHOD /path-prefix` patterns (`*` for any method), the last one the
/// sensitive step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    pub name: String,
    pub steps: Vec<String>,
}

impl DetectConfig {
    /// Checks ranges; the error names the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let windows = [
            ("credential.window_secs", self.credential.window_secs),
            ("takeover.window_secs", self.takeover.window_secs),
            ("enumeration.window_secs", self.enumeration.window_secs),
            ("scraping.window_secs", self.scraping.window_secs),
            ("probing.window_secs", self.probing.window_secs),
            ("flows.window_secs", self.flows.window_secs),
            ("decision_ttl_secs", self.decision_ttl_secs),
            ("alert_update_secs", self.alert_update_secs),
        ];
        for (field, value) in windows {
            if value == 0 || value > 7 * 86_400 {
                return Err(invalid(field, "must be between 1 second and 7 days"));
            }
        }
        let counts = [
            ("credential.failures_per_ip", self.credential.failures_per_ip),
            ("credential.usernames_per_ip", self.credential.usernames_per_ip),
            ("credential.failures_per_prefix", self.credential.failures_per_prefix),
            ("credential.failures_per_username", self.credential.failures_per_username),
            ("credential.ips_per_username", self.credential.ips_per_username),
            ("credential.failures_per_ip_under_attack", self.credential.failures_per_ip_under_attack),
            ("takeover.failures_before_success", self.takeover.failures_before_success),
            ("takeover.networks_per_token", self.takeover.networks_per_token),
            ("takeover.devices_per_token", self.takeover.devices_per_token),
            ("enumeration.distinct_ids", self.enumeration.distinct_ids),
            ("scraping.min_sensitive_records", self.scraping.min_sensitive_records),
            ("scraping.min_pages", self.scraping.min_pages),
            ("volumetric.max_per_minute", self.volumetric.max_per_minute),
            ("volumetric.min_per_minute", self.volumetric.min_per_minute),
            ("probing.injection_requests", self.probing.injection_requests),
            ("probing.probe_paths", self.probing.probe_paths),
            ("probing.not_found", self.probing.not_found),
            ("flows.violations", self.flows.violations),
            ("rate_limit_per_minute", self.rate_limit_per_minute),
        ];
        for (field, value) in counts {
            if value == 0 {
                return Err(invalid(field, "must be at least 1"));
            }
        }
        let shares = [
            ("enumeration.denied_share", self.enumeration.denied_share),
            ("enumeration.sequential_share", self.enumeration.sequential_share),
            ("credential.global_min_ratio", self.credential.global_min_ratio),
        ];
        for (field, value) in shares {
            if !(0.0..=1.0).contains(&value) {
                return Err(invalid(field, "must be between 0 and 1"));
            }
        }
        let factors = [
            ("credential.global_ratio_factor", self.credential.global_ratio_factor),
            ("scraping.peer_factor", self.scraping.peer_factor),
            ("volumetric.peer_factor", self.volumetric.peer_factor),
            ("volumetric.endpoint_sigma", self.volumetric.endpoint_sigma),
            ("volumetric.error_factor", self.volumetric.error_factor),
        ];
        for (field, value) in factors {
            if !value.is_finite() || value < 1.0 {
                return Err(invalid(field, "must be a number of at least 1"));
            }
        }
        if self.max_keys < 1000 {
            return Err(invalid("max_keys", "must be at least 1000"));
        }
        for (index, flow) in self.flows.flows.iter().enumerate() {
            if flow.steps.len() < 2 {
                return Err(invalid(
                    &format!("flows.flows[{index}].steps"),
                    "a flow needs at least two steps",
                ));
            }
            for (step_index, step) in flow.steps.iter().enumerate() {
                if crate::detectors::flows::StepPattern::parse(step).is_none() {
                    return Err(invalid(
                        &format!("flows.flows[{index}].steps[{step_index}]"),
                        format!("{step:?} is not `METHOD /path` (METHOD may be *)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The action of a detector's config as the engine applies it.
    pub(crate) fn action_of(&self, action: ActionConfig) -> Action {
        match action {
            ActionConfig::Block => Action::Block,
            ActionConfig::RateLimit => Action::RateLimit { per_minute: self.rate_limit_per_minute },
            ActionConfig::Report => Action::Report,
        }
    }
}
