//! The [`Engine`]: runs every detector over each exchange, groups their signals into alerts
//! ([`AlertBook`]) and turns confident ones into decisions.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rampart_core::{Exchange, SensitiveType, Severity};
use serde::Serialize;

use crate::alert::{
    Action, Alert, AlertState, ClientKey, Confidence, Decision, DetectorKind, EvidenceSample, Output,
};
use crate::config::{ConfigError, DetectConfig};
use crate::detectors::{
    credential::CredentialDetector, enumeration::EnumerationDetector, flows::FlowDetector,
    probing::ProbingDetector, scraping::ScrapingDetector, takeover::TakeoverDetector,
    volumetric::VolumetricDetector,
};
use crate::facts::Facts;

/// Samples kept per alert.
const MAX_SAMPLES: usize = 5;
/// Endpoints kept per alert.
const MAX_ENDPOINTS: usize = 10;
/// Participants decided per grouped alert (the IPs of a distributed attack).
const MAX_PARTICIPANTS: usize = 10_000;
/// Login endpoints learned from responses, at most.
const MAX_LEARNED_LOGINS: usize = 4_096;

/// What a detector reports about one key.
pub(crate) struct Signal {
    pub detector: DetectorKind,
    pub key: ClientKey,
    pub key_hash: u64,
    pub confidence: Confidence,
    pub severity: Severity,
    /// The detector's configured action (applied only when confident enough and not monitoring).
    pub action: Action,
    pub summary: String,
    pub measures: Vec<(&'static str, f64)>,
    pub related: Vec<ClientKey>,
    /// Seconds without a matching request after which the alert closes.
    pub quiet_secs: u32,
}

struct OpenAlert {
    alert: Alert,
    endpoint_counts: BTreeMap<String, u64>,
    opened: u32,
    /// When the detector last measured the attack (raised or re-raised).
    measured_at: u32,
    last_seen: u32,
    last_emitted: u32,
    dirty: bool,
    quiet_secs: u32,
    /// Until when the alert's decision holds (event-time seconds); 0 when none was made.
    decided_until: u32,
    participants: HashSet<u64>,
}

/// Open alerts by detector and key; emits opens, throttled updates, closes and decisions.
pub(crate) struct AlertBook {
    open: HashMap<(DetectorKind, u64), OpenAlert>,
    pending: Output,
    monitor: bool,
    min_confidence: Confidence,
    ttl_secs: u32,
    update_secs: u32,
    pub(crate) alerts_opened: u64,
}

impl AlertBook {
    fn new(config: &DetectConfig) -> AlertBook {
        AlertBook {
            open: HashMap::new(),
            pending: Output::default(),
            monitor: config.monitor,
            min_confidence: config.min_block_confidence,
            ttl_secs: u32::try_from(config.decision_ttl_secs).unwrap_or(u32::MAX),
            update_secs: u32::try_from(config.alert_update_secs).unwrap_or(u32::MAX),
            alerts_opened: 0,
        }
    }

    /// Whether `detector` has an open alert on `key_hash`.
    pub(crate) fn is_open(&self, detector: DetectorKind, key_hash: u64) -> bool {
        self.open.contains_key(&(detector, key_hash))
    }

    /// Counts a request towards an open alert; false when there is none (the detector then
    /// checks its thresholds).
    pub(crate) fn touch(
        &mut self,
        detector: DetectorKind,
        key_hash: u64,
        facts: &Facts<'_>,
        note: &str,
    ) -> bool {
        let Some(open) = self.open.get_mut(&(detector, key_hash)) else { return false };
        open.alert.count += 1;
        open.alert.last_seen = open.alert.last_seen.max(facts.at);
        open.last_seen = open.last_seen.max(facts.now);
        *open.endpoint_counts.entry(facts.endpoint()).or_default() += 1;
        if open.alert.samples.len() < MAX_SAMPLES {
            open.alert.samples.push(sample(facts, note));
        }
        open.dirty = true;
        // The attack outlived its decision: decide again.
        if open.decided_until != 0 && facts.now >= open.decided_until {
            let until = facts.now.saturating_add(self.ttl_secs);
            open.decided_until = until;
            let decision = decision_of(&open.alert, facts.at, self.ttl_secs);
            self.pending.decisions.push(decision);
        }
        if facts.now.saturating_sub(open.last_emitted) >= self.update_secs {
            emit_update(open, facts.now, &mut self.pending);
        }
        true
    }

    /// Counts a request towards an open alert (as [`AlertBook::touch`]) and says whether the
    /// detector can skip its checks: the alert is at high confidence and its measures are
    /// fresh. An alert below high confidence is re-checked on every request, so that a flood
    /// or a harvest that keeps growing gets the decision its size deserves.
    pub(crate) fn settled(
        &mut self,
        detector: DetectorKind,
        key_hash: u64,
        facts: &Facts<'_>,
        note: &str,
    ) -> bool {
        if !self.touch(detector, key_hash, facts, note) {
            return false;
        }
        self.open.get(&(detector, key_hash)).is_some_and(|open| {
            open.alert.confidence == Confidence::High
                && facts.now.saturating_sub(open.measured_at) < self.update_secs
        })
    }

    /// Opens an alert, or strengthens an open one (new measures, higher confidence and then a
    /// decision); the request was already counted by [`AlertBook::settled`] or
    /// [`AlertBook::touch`] in that case.
    pub(crate) fn raise(&mut self, signal: Signal, facts: &Facts<'_>, note: &str) {
        let map_key = (signal.detector, signal.key_hash);
        let decide =
            signal.action != Action::Report && !self.monitor && signal.confidence >= self.min_confidence;
        if let Some(open) = self.open.get_mut(&map_key) {
            open.measured_at = facts.now;
            let upgraded = signal.confidence > open.alert.confidence;
            open.alert.confidence = open.alert.confidence.max(signal.confidence);
            open.alert.severity = open.alert.severity.max(signal.severity);
            open.alert.summary = signal.summary;
            for (name, value) in signal.measures {
                open.alert.measures.insert(name.to_owned(), round(value));
            }
            for related in signal.related {
                if open.alert.related.len() < 20 && !open.alert.related.contains(&related) {
                    open.alert.related.push(related);
                }
            }
            if upgraded && decide && open.decided_until == 0 {
                open.alert.action = signal.action;
                open.alert.monitor_only = false;
                open.decided_until = facts.now.saturating_add(self.ttl_secs);
                self.pending.decisions.push(decision_of(&open.alert, facts.at, self.ttl_secs));
                emit_update(open, facts.now, &mut self.pending);
            }
            return;
        }
        let id = format!("{}/{}/{}", signal.detector, signal.key, facts.at.timestamp());
        let mut endpoint_counts = BTreeMap::new();
        endpoint_counts.insert(facts.endpoint(), 1);
        let alert = Alert {
            id,
            state: AlertState::Open,
            detector: signal.detector,
            severity: signal.severity,
            confidence: signal.confidence,
            owasp: signal.detector.owasp(),
            key: signal.key,
            related: signal.related,
            endpoints: vec![facts.endpoint()],
            first_seen: facts.at,
            last_seen: facts.at,
            count: 1,
            measures: signal.measures.into_iter().map(|(k, v)| (k.to_owned(), round(v))).collect(),
            summary: signal.summary,
            samples: vec![sample(facts, note)],
            action: if decide { signal.action } else { Action::Report },
            monitor_only: !decide && signal.action != Action::Report,
        };
        tracing::debug!(
            alert = %alert.id,
            detector = %alert.detector,
            key = %alert.key,
            confidence = ?alert.confidence,
            action = alert.action.as_str(),
            "{}",
            alert.summary
        );
        self.alerts_opened += 1;
        let mut open = OpenAlert {
            alert,
            endpoint_counts,
            opened: facts.now,
            measured_at: facts.now,
            last_seen: facts.now,
            last_emitted: facts.now,
            dirty: false,
            quiet_secs: signal.quiet_secs.max(60),
            decided_until: 0,
            participants: HashSet::new(),
        };
        if decide {
            open.decided_until = facts.now.saturating_add(self.ttl_secs);
            self.pending.decisions.push(decision_of(&open.alert, facts.at, self.ttl_secs));
        }
        self.pending.alerts.push(open.alert.clone());
        self.open.insert(map_key, open);
    }

    /// Under an open grouped alert, decides against one participant (an IP of a botnet) with the
    /// alert's action. Returns whether a decision was made.
    pub(crate) fn decide_participant(
        &mut self,
        detector: DetectorKind,
        key_hash: u64,
        participant: ClientKey,
        participant_hash: u64,
        facts: &Facts<'_>,
        action: Action,
    ) -> bool {
        if self.monitor || action == Action::Report {
            return false;
        }
        let Some(open) = self.open.get_mut(&(detector, key_hash)) else { return false };
        if open.alert.confidence < self.min_confidence
            || open.participants.len() >= MAX_PARTICIPANTS
            || !open.participants.insert(participant_hash)
        {
            return false;
        }
        if open.alert.related.len() < 20 && !open.alert.related.contains(&participant) {
            open.alert.related.push(participant.clone());
        }
        open.alert.action = action;
        open.alert.monitor_only = false;
        open.dirty = true;
        let mut decision = decision_of(&open.alert, facts.at, self.ttl_secs);
        decision.id = format!("{}+{}", open.alert.id, participant);
        decision.key = participant;
        decision.action = action;
        self.pending.decisions.push(decision);
        true
    }

    /// Emits due updates and closes alerts quiet for their window.
    fn housekeeping(&mut self, now: u32) {
        let pending = &mut self.pending;
        let update_secs = self.update_secs;
        self.open.retain(|_, open| {
            if now.saturating_sub(open.last_seen) >= open.quiet_secs {
                close(open, pending);
                return false;
            }
            if open.dirty && now.saturating_sub(open.last_emitted) >= update_secs {
                emit_update(open, now, pending);
            }
            true
        });
    }

    fn close_all(&mut self) {
        for (_, mut open) in self.open.drain() {
            close(&mut open, &mut self.pending);
        }
        // Deterministic order for reports and tests.
        self.pending.alerts.sort_by(|a, b| (a.first_seen, &a.id).cmp(&(b.first_seen, &b.id)));
    }

    pub(crate) fn open_count(&self) -> usize {
        self.open.len()
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn refresh_endpoints(open: &mut OpenAlert) {
    let mut endpoints: Vec<(&String, &u64)> = open.endpoint_counts.iter().collect();
    endpoints.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    open.alert.endpoints = endpoints.into_iter().take(MAX_ENDPOINTS).map(|(e, _)| e.clone()).collect();
    // Bounded: an attack on thousands of paths keeps its top endpoints only.
    if open.endpoint_counts.len() > 4 * MAX_ENDPOINTS {
        let keep: HashSet<String> = open.alert.endpoints.iter().cloned().collect();
        open.endpoint_counts.retain(|endpoint, _| keep.contains(endpoint));
    }
}

fn emit_update(open: &mut OpenAlert, now: u32, pending: &mut Output) {
    refresh_endpoints(open);
    open.alert.state = AlertState::Update;
    open.alert
        .measures
        .insert("duration_secs".to_owned(), f64::from(open.last_seen.saturating_sub(open.opened)));
    open.last_emitted = now;
    open.dirty = false;
    pending.alerts.push(open.alert.clone());
}

fn close(open: &mut OpenAlert, pending: &mut Output) {
    refresh_endpoints(open);
    open.alert.state = AlertState::Closed;
    open.alert
        .measures
        .insert("duration_secs".to_owned(), f64::from(open.last_seen.saturating_sub(open.opened)));
    pending.alerts.push(open.alert.clone());
}

fn decision_of(alert: &Alert, at: DateTime<Utc>, ttl_secs: u32) -> Decision {
    Decision {
        id: alert.id.clone(),
        key: alert.key.clone(),
        action: alert.action,
        detector: alert.detector,
        reason: format!("{}: {}", alert.detector, alert.summary),
        created: at,
        expires_at: at + Duration::seconds(i64::from(ttl_secs)),
    }
}

fn sample(facts: &Facts<'_>, note: &str) -> EvidenceSample {
    EvidenceSample {
        at: facts.at,
        ip: facts.ip,
        method: facts.method.to_owned(),
        target: facts.target(),
        status: facts.status,
        note: note.to_owned(),
    }
}

/// A query value as evidence: masked when its name or shape says it is a credential or a
/// sensitive number.
pub(crate) fn mask_value(name: &str, value: &str) -> String {
    let lower = name.to_ascii_lowercase();
    const SECRET_NAMES: [&str; 10] =
        ["pass", "pwd", "token", "secret", "key", "auth", "otp", "pin", "cvv", "session"];
    if SECRET_NAMES.iter().any(|word| lower.contains(word)) {
        return "****".to_owned();
    }
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    if digits >= 9 {
        return rampart_sensitive::mask::mask(SensitiveType::BankAccount, value, &Default::default());
    }
    if value.contains('@') {
        return rampart_sensitive::mask::mask(SensitiveType::Email, value, &Default::default());
    }
    value.to_owned()
}

/// A username as an alert shows it: masked (`j***@example.com`), with a short hash so that two
/// accounts that mask alike stay apart. Attackers' lists are full of real customers' emails.
pub(crate) fn masked_username(username: &str) -> String {
    let masked = if username.contains('@') {
        rampart_sensitive::mask::mask(SensitiveType::Email, username, &Default::default())
    } else {
        let mut chars = username.chars();
        let first = chars.next().map(String::from).unwrap_or_default();
        format!("{first}***")
    };
    // Unseeded (SHA-256), unlike the tables' hashes: the same account reads the same in every
    // run and on every gateway, so alerts can be joined across them.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(username.as_bytes());
    format!("{masked}#{:02x}{:02x}{:02x}", digest[0], digest[1], digest[2])
}

/// Counters of the engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EngineStats {
    pub exchanges: u64,
    /// Exchanges from allowlisted networks (not analysed).
    pub allowlisted: u64,
    /// Exchanges without a client IP (analysed by identity only).
    pub without_ip: u64,
    /// Exchanges the gateway refused on a decision or a rate limit (they keep their client's
    /// alerts open; nothing else is learned from them).
    pub refused_by_gateway: u64,
    pub alerts_opened: u64,
    pub alerts_open: usize,
    pub decisions: u64,
    /// Client keys tracked over all detectors' tables.
    pub tracked_keys: usize,
    /// Keys dropped because a table was full.
    pub evicted_keys: u64,
    /// Approximate bytes of detector state.
    pub state_bytes: usize,
}

/// The detection engine. Feed it exchanges in time order with [`Engine::observe`]; take what it
/// found with [`Engine::drain`].
pub struct Engine {
    config: DetectConfig,
    epoch: Option<i64>,
    clock: u32,
    next_housekeeping: u32,
    book: AlertBook,
    learned_logins: HashSet<u64>,
    credential: CredentialDetector,
    takeover: TakeoverDetector,
    enumeration: EnumerationDetector,
    scraping: ScrapingDetector,
    volumetric: VolumetricDetector,
    probing: ProbingDetector,
    flows: FlowDetector,
    stats: EngineStats,
}

/// Seconds of event time between housekeeping passes (alert updates and closes, table sweeps).
const HOUSEKEEPING_SECS: u32 = 10;

impl Engine {
    pub fn new(config: DetectConfig) -> Result<Engine, ConfigError> {
        config.validate()?;
        Ok(Engine {
            book: AlertBook::new(&config),
            credential: CredentialDetector::new(&config),
            takeover: TakeoverDetector::new(&config),
            enumeration: EnumerationDetector::new(&config),
            scraping: ScrapingDetector::new(&config),
            volumetric: VolumetricDetector::new(&config),
            probing: ProbingDetector::new(&config)?,
            flows: FlowDetector::new(&config),
            learned_logins: HashSet::new(),
            epoch: None,
            clock: 0,
            next_housekeeping: HOUSEKEEPING_SECS,
            stats: EngineStats::default(),
            config,
        })
    }

    pub fn config(&self) -> &DetectConfig {
        &self.config
    }

    /// Takes `METHOD path-template` endpoints as logins whatever their path and body look like
    /// (from the discovery inventory: see [`login_endpoints`]).
    pub fn add_login_endpoints<'a>(&mut self, endpoints: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (method, template) in endpoints {
            if self.learned_logins.len() >= MAX_LEARNED_LOGINS {
                break;
            }
            self.learned_logins.insert(crate::facts::template_hash(method, template));
        }
    }

    /// Event time of an instant, in seconds since the first exchange.
    fn seconds(&mut self, at: DateTime<Utc>) -> u32 {
        let unix = at.timestamp();
        let epoch = *self.epoch.get_or_insert(unix);
        u32::try_from(unix.saturating_sub(epoch)).unwrap_or(if unix < epoch { 0 } else { u32::MAX })
    }

    /// Runs every detector over one exchange.
    pub fn observe(&mut self, exchange: &Exchange) {
        self.stats.exchanges += 1;
        if !self.config.enabled {
            return;
        }
        // A monotonic event clock: the tap's exchanges arrive in completion order, a little out
        // of start order.
        let now = self.seconds(exchange.started_at).max(self.clock);
        if now >= self.next_housekeeping {
            self.housekeeping(now);
        }
        self.clock = now;
        match exchange.client.ip {
            Some(ip) if self.config.allow.iter().any(|net| net.contains(&ip)) => {
                self.stats.allowlisted += 1;
                return;
            }
            None => self.stats.without_ip += 1,
            Some(_) => {}
        }
        // Login endpoints are learned from answers that issue a credential to a login-shaped
        // request (and given by the inventory), so later attempts there count even when their
        // bodies are cut or unusual.
        let path_hash = if exchange.request.method == "POST" {
            crate::facts::template_hash("POST", &exchange.request.path)
        } else {
            0
        };
        let learned_login = path_hash != 0 && self.learned_logins.contains(&path_hash);
        let facts = Facts::new(exchange, now, &self.config.credential.login_paths, learned_login);
        if !learned_login
            && path_hash != 0
            && let Some(login) = &facts.login
            && login.outcome == crate::facts::LoginOutcome::Success
            && self.learned_logins.len() < MAX_LEARNED_LOGINS
            && crate::facts::issues_credential(exchange)
        {
            self.learned_logins.insert(path_hash);
        }
        if let Some(reason) = rampart_core::exchange::enforcement_refusal(exchange) {
            // The gateway refused it on a decision or a rate limit: the API never saw it, and
            // its 403 or 429 is no answer of the API's (a customer rate-limited at login is not
            // failing logins). It still shows that an attack goes on: its alerts stay open.
            self.stats.refused_by_gateway += 1;
            let note = format!("refused by the gateway ({reason})");
            for detector in DetectorKind::ALL {
                for key in [facts.ip_hash, facts.actor_hash, facts.prefix_hash] {
                    if key != 0 {
                        self.book.touch(detector, key, &facts, &note);
                    }
                }
            }
            return;
        }
        let book = &mut self.book;
        let config = &self.config;
        if config.probing.enabled {
            self.probing.observe(&facts, book, config);
        }
        if config.credential.enabled {
            self.credential.observe(&facts, book, config);
        }
        if config.takeover.enabled {
            self.takeover.observe(&facts, book, config);
        }
        if config.enumeration.enabled {
            self.enumeration.observe(&facts, book, config);
        }
        if config.scraping.enabled {
            self.scraping.observe(&facts, book, config);
        }
        if config.volumetric.enabled {
            self.volumetric.observe(&facts, book, config);
        }
        if config.flows.enabled {
            self.flows.observe(&facts, book, config);
        }
    }

    /// Advances event time without traffic (a live gateway calls this every second): due alert
    /// updates, closes of quiet alerts.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        if self.epoch.is_none() {
            return;
        }
        let now = self.seconds(now).max(self.clock);
        self.clock = now;
        if now >= self.next_housekeeping {
            self.housekeeping(now);
        }
    }

    fn housekeeping(&mut self, now: u32) {
        self.next_housekeeping = now.saturating_add(HOUSEKEEPING_SECS);
        self.book.housekeeping(now);
        let config = &self.config;
        self.credential.housekeeping(now, config);
        self.takeover.housekeeping(now, config);
        self.enumeration.housekeeping(now, config);
        self.scraping.housekeeping(now, config);
        self.volumetric.housekeeping(now, config);
        self.probing.housekeeping(now, config);
        self.flows.housekeeping(now, config);
    }

    /// Alerts and decisions since the last call.
    pub fn drain(&mut self) -> Output {
        self.stats.decisions += self.book.pending.decisions.len() as u64;
        std::mem::take(&mut self.book.pending)
    }

    /// At the end of the input: closes every open alert and drains.
    pub fn finish(&mut self) -> Output {
        self.book.close_all();
        self.drain()
    }

    pub fn stats(&self) -> EngineStats {
        let mut stats = self.stats.clone();
        stats.alerts_opened = self.book.alerts_opened;
        stats.alerts_open = self.book.open_count();
        let parts = [
            self.credential.footprint(),
            self.takeover.footprint(),
            self.enumeration.footprint(),
            self.scraping.footprint(),
            self.volumetric.footprint(),
            self.probing.footprint(),
            self.flows.footprint(),
        ];
        for footprint in parts {
            stats.tracked_keys += footprint.keys;
            stats.evicted_keys += footprint.evicted;
            stats.state_bytes += footprint.bytes;
        }
        stats
    }
}

/// How much state a detector holds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Footprint {
    pub keys: usize,
    pub evicted: u64,
    pub bytes: usize,
}

impl Footprint {
    pub(crate) fn of<V: Default>(table: &crate::state::KeyTable<V>) -> Footprint {
        Footprint { keys: table.len(), evicted: table.evicted(), bytes: table.approx_bytes() }
    }

    pub(crate) fn plus(self, other: Footprint) -> Footprint {
        Footprint {
            keys: self.keys + other.keys,
            evicted: self.evicted + other.evicted,
            bytes: self.bytes + other.bytes,
        }
    }
}

/// The login endpoints of a discovery inventory: POSTs whose request bodies carried a password
/// field, or whose successful answers issued a token.
pub fn login_endpoints(inventory: &rampart_core::Inventory) -> Vec<(String, String)> {
    let has_property = |node: &rampart_core::SchemaNode, names: &[&str]| {
        node.object.as_ref().is_some_and(|object| {
            object.properties.keys().any(|key| names.iter().any(|n| key.eq_ignore_ascii_case(n)))
        })
    };
    inventory
        .endpoints
        .iter()
        .filter(|endpoint| endpoint.key.method.eq_ignore_ascii_case("POST"))
        .filter(|endpoint| {
            endpoint.request_bodies.values().any(|body| has_property(body, &crate::facts::PASSWORD_FIELDS))
                || endpoint
                    .responses
                    .iter()
                    .filter(|(status, _)| (200..300).contains(*status))
                    .flat_map(|(_, bodies)| bodies.values())
                    .any(|body| has_property(body, &["access_token", "id_token"]))
        })
        .map(|endpoint| (endpoint.key.method.clone(), endpoint.key.path_template.clone()))
        .collect()
}
