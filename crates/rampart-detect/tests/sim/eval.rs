//! Running the engine over a scenario and scoring its alerts against the ground truth.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use rampart_detect::{Alert, ClientKey, Decision, DetectConfig, DetectorKind, Engine};

use super::{Attack, Scenario};

/// How often the engine is ticked, in simulated seconds (a live gateway ticks every second).
pub const TICK_SECS: i64 = 10;
/// How long after an attack's last request an alert still counts for it.
pub const GRACE_SECS: i64 = 300;

/// What the engine said over a scenario.
pub struct Run {
    /// Every alert as emitted (Open, Update, Closed), in order.
    pub emitted: Vec<Alert>,
    /// One alert per id: the last state, with first/last seen and related keys over its life.
    pub alerts: Vec<Alert>,
    pub decisions: Vec<Decision>,
    pub stats: rampart_detect::EngineStats,
}

pub fn run(scenario: &Scenario, config: DetectConfig) -> Run {
    let mut engine = Engine::new(config).expect("a valid detect config");
    let mut emitted = Vec::new();
    let mut decisions = Vec::new();
    let tick = Duration::seconds(TICK_SECS);
    let mut next_tick = scenario.start + tick;
    for exchange in &scenario.exchanges {
        while exchange.started_at >= next_tick {
            engine.tick(next_tick);
            let out = engine.drain();
            emitted.extend(out.alerts);
            decisions.extend(out.decisions);
            next_tick += tick;
        }
        engine.observe(exchange);
    }
    engine.tick(next_tick);
    let out = engine.drain();
    emitted.extend(out.alerts);
    decisions.extend(out.decisions);
    let stats = engine.stats();
    let out = engine.finish();
    emitted.extend(out.alerts);
    decisions.extend(out.decisions);
    let alerts = merge(&emitted);
    Run { emitted, alerts, decisions, stats }
}

/// Groups emitted alerts by id.
pub fn merge(emitted: &[Alert]) -> Vec<Alert> {
    let mut by_id: BTreeMap<&str, Alert> = BTreeMap::new();
    for alert in emitted {
        match by_id.get_mut(alert.id.as_str()) {
            None => {
                by_id.insert(&alert.id, alert.clone());
            }
            Some(merged) => {
                let first_seen = merged.first_seen.min(alert.first_seen);
                let last_seen = merged.last_seen.max(alert.last_seen);
                let mut related = merged.related.clone();
                for key in &alert.related {
                    if !related.contains(key) {
                        related.push(key.clone());
                    }
                }
                *merged = alert.clone();
                merged.first_seen = first_seen;
                merged.last_seen = last_seen;
                merged.related = related;
            }
        }
    }
    let mut alerts: Vec<Alert> = by_id.into_values().collect();
    alerts.sort_by(|a, b| (a.first_seen, &a.id).cmp(&(b.first_seen, &b.id)));
    alerts
}

/// A username as the engine shows it (`j***@example.com`), without the short hash it appends:
/// that hash is seeded per process, so it cannot be recomputed here.
pub fn masked_username(username: &str) -> String {
    let first: String = username.chars().take(1).collect();
    match username.split_once('@') {
        Some((_, domain)) => format!("{first}***@{domain}"),
        None => format!("{first}***"),
    }
}

fn username_matches(shown: &str, username: &str) -> bool {
    match shown.split_once('#') {
        Some((mask, _)) => mask == masked_username(username),
        None => shown.eq_ignore_ascii_case(username),
    }
}

/// Whether an alert's key is one of `keys`: a /24 holding one of their IPs counts, a masked
/// username counts when an unmasked one masks alike.
pub fn key_in(key: &ClientKey, keys: &BTreeSet<ClientKey>) -> bool {
    match key {
        ClientKey::Username(shown) => {
            keys.contains(key)
                || keys
                    .iter()
                    .any(|k| matches!(k, ClientKey::Username(name) if username_matches(shown, name)))
        }
        ClientKey::Prefix(net) => {
            keys.contains(key) || keys.iter().any(|k| matches!(k, ClientKey::Ip(ip) if net.contains(ip)))
        }
        other => keys.contains(other),
    }
}

/// Whether an alert key names (part of) an attack.
pub fn key_matches(key: &ClientKey, attack: &Attack) -> bool {
    match key {
        ClientKey::Global => attack.global,
        ClientKey::Endpoint(endpoint) => attack.endpoints.iter().any(|path| endpoint.contains(path.as_str())),
        other => key_in(other, &attack.keys),
    }
}

fn within(at: DateTime<Utc>, attack: &Attack) -> bool {
    at >= attack.start && at <= attack.end + Duration::seconds(GRACE_SECS)
}

fn overlaps(alert: &Alert, attack: &Attack) -> bool {
    alert.first_seen <= attack.end + Duration::seconds(GRACE_SECS) && alert.last_seen >= attack.start
}

/// The alert is about this attack: its key or a related key is the attacker's, while it went on.
/// (Precision: an alert matching no attack is a false positive.)
pub fn alert_matches(alert: &Alert, attack: &Attack) -> bool {
    overlaps(alert, attack)
        && (key_matches(&alert.key, attack) || alert.related.iter().any(|key| key_matches(key, attack)))
}

/// Keys only this attack used: not seen in benign traffic nor in another attack.
fn exclusive_keys(scenario: &Scenario, index: usize) -> BTreeSet<ClientKey> {
    let attack = &scenario.attacks[index];
    attack
        .keys
        .iter()
        .filter(|k| !scenario.benign_all.contains(*k))
        .filter(|k| {
            scenario.attacks.iter().enumerate().all(|(j, other)| j == index || !other.keys.contains(*k))
        })
        .cloned()
        .collect()
}

/// Recall is stricter than matching: the alert must name one of the attacker's own keys, or be
/// raised during the attack (a global alert opened an hour earlier for something else and
/// kept open does not detect a new campaign).
fn detects(alert: &Alert, attack: &Attack, exclusive: &BTreeSet<ClientKey>) -> bool {
    attack.detectors.contains(&alert.detector)
        && alert_matches(alert, attack)
        && (key_in(&alert.key, exclusive)
            || alert.related.iter().any(|k| key_in(k, exclusive))
            || alert.first_seen >= attack.start - Duration::seconds(60))
}

/// Why a decision hurts benign traffic, if it does.
pub fn benign_target(decision: &Decision, scenario: &Scenario) -> Option<String> {
    match &decision.key {
        ClientKey::Global => Some("blocks all traffic".into()),
        ClientKey::Endpoint(endpoint) => Some(format!("blocks every client of {endpoint}")),
        ClientKey::Prefix(net) => {
            let hit: Vec<String> = scenario
                .benign_ips
                .iter()
                .filter(|ip| net.contains(*ip))
                .take(3)
                .map(|ip| ip.to_string())
                .collect();
            (!hit.is_empty()).then(|| format!("covers benign IPs {}", hit.join(", ")))
        }
        key @ ClientKey::Username(shown) if shown.contains('#') => {
            let attacked =
                scenario.attacks.iter().any(|a| within(decision.created, a) && key_in(key, &a.keys));
            (!attacked && key_in(key, &scenario.benign)).then(|| "masks like a benign username".to_owned())
        }
        other => scenario.benign.contains(other).then(|| "a benign key".to_owned()),
    }
}

/// One row of the per-detector table.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Attacks labelled with this detector.
    pub attacks: usize,
    /// ... that got a matching alert of an accepted detector.
    pub detected: usize,
    /// Alerts (grouped by id) of this detector.
    pub alerts: usize,
    /// ... matching no attack.
    pub false_positives: usize,
}

impl Row {
    pub fn precision(&self) -> Option<f64> {
        (self.alerts > 0).then(|| (self.alerts - self.false_positives) as f64 / self.alerts as f64)
    }
    pub fn recall(&self) -> Option<f64> {
        (self.attacks > 0).then(|| self.detected as f64 / self.attacks as f64)
    }
}

/// How one attack fared.
#[derive(Debug, Clone)]
pub struct AttackResult {
    pub name: &'static str,
    pub accepted: Vec<DetectorKind>,
    /// Detectors with an alert matching the attack (accepted or not).
    pub alerted_by: BTreeSet<DetectorKind>,
    pub detected: bool,
    /// Seconds from the attack's first request to the first detecting alert's first sighting
    /// or decision (simulated time, from the engine's own clock).
    pub first_alert_after: Option<i64>,
    /// A detecting alert was already open when the attack began (it took the attacker's keys in).
    pub already_open: bool,
    /// Decisions (block / rate limit) against the attack's keys during the attack.
    pub decisions: usize,
}

pub struct Score {
    pub rows: BTreeMap<DetectorKind, Row>,
    pub attacks: Vec<AttackResult>,
    pub false_positives: Vec<Alert>,
    /// Decisions on benign keys, with why.
    pub bad_decisions: Vec<(Decision, String)>,
}

pub fn score(scenario: &Scenario, run: &Run) -> Score {
    let mut rows: BTreeMap<DetectorKind, Row> =
        DetectorKind::ALL.iter().map(|d| (*d, Row::default())).collect();
    let mut results = Vec::new();
    for (index, attack) in scenario.attacks.iter().enumerate() {
        let exclusive = exclusive_keys(scenario, index);
        let matching: Vec<&Alert> = run.alerts.iter().filter(|a| alert_matches(a, attack)).collect();
        let detecting: Vec<&Alert> = run.alerts.iter().filter(|a| detects(a, attack, &exclusive)).collect();
        // When the first sign is an alert opened before the attack (a grouped alert that took
        // the attacker's keys in), the detection time is the first decision against them, if any.
        let raised =
            detecting.iter().map(|a| a.first_seen).filter(|t| *t >= attack.start - Duration::seconds(60));
        // A decision against one of the attacker's own keys (a botnet IP blocked under a
        // grouped alert) is a detection too.
        let deciding = run
            .decisions
            .iter()
            .filter(|d| {
                attack.detectors.contains(&d.detector)
                    && within(d.created, attack)
                    && key_in(&d.key, &exclusive)
            })
            .map(|d| d.created);
        let first: Option<DateTime<Utc>> = raised.chain(deciding).min();
        let detected = !detecting.is_empty() || first.is_some();
        let already_open = detecting.iter().any(|a| a.first_seen < attack.start - Duration::seconds(60));
        let decisions = run
            .decisions
            .iter()
            .filter(|d| within(d.created, attack) && key_in(&d.key, &attack.keys))
            .count();
        for detector in &attack.detectors {
            let row = rows.get_mut(detector).expect("every detector has a row");
            row.attacks += 1;
            row.detected += usize::from(detected);
        }
        results.push(AttackResult {
            name: attack.name,
            accepted: attack.detectors.clone(),
            alerted_by: matching.iter().map(|a| a.detector).collect(),
            detected,
            first_alert_after: first.map(|t| (t - attack.start).num_seconds()),
            already_open,
            decisions,
        });
    }
    let mut false_positives = Vec::new();
    for alert in &run.alerts {
        let row = rows.get_mut(&alert.detector).expect("every detector has a row");
        row.alerts += 1;
        if !scenario.attacks.iter().any(|attack| alert_matches(alert, attack)) {
            row.false_positives += 1;
            false_positives.push(alert.clone());
        }
    }
    let bad_decisions =
        run.decisions.iter().filter_map(|d| benign_target(d, scenario).map(|why| (d.clone(), why))).collect();
    Score { rows, attacks: results, false_positives, bad_decisions }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { s.chars().take(n - 1).chain(['…']).collect() }
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

impl Score {
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<26} {:>7} {:>8} {:>6} {:>5} {:>9} {:>6}",
            "detector", "attacks", "detected", "alerts", "FP", "precision", "recall"
        );
        for (detector, row) in &self.rows {
            if row.attacks == 0 && row.alerts == 0 {
                continue;
            }
            let _ = writeln!(
                s,
                "{:<26} {:>7} {:>8} {:>6} {:>5} {:>9} {:>6}",
                detector.as_str(),
                row.attacks,
                row.detected,
                row.alerts,
                row.false_positives,
                pct(row.precision()),
                pct(row.recall())
            );
        }
        s
    }

    pub fn attack_table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<34} {:<8} {:>9} {:>9}  {:<40} alerted by",
            "attack", "detected", "after (s)", "decisions", "accepted"
        );
        let mut note = false;
        for r in &self.attacks {
            let accepted: Vec<&str> = r.accepted.iter().map(|d| d.as_str()).collect();
            let by: Vec<&str> = r.alerted_by.iter().map(|d| d.as_str()).collect();
            let _ = writeln!(
                s,
                "{:<34} {:<8} {:>9} {:>9}  {:<40} {}",
                r.name,
                if r.detected { "yes" } else { "NO" },
                match (r.first_alert_after, r.already_open) {
                    (Some(v), false) => v.to_string(),
                    (Some(v), true) => format!("{v}*"),
                    (None, _) => "-".to_owned(),
                },
                r.decisions,
                accepted.join(","),
                if by.is_empty() { "-".to_owned() } else { by.join(",") }
            );
            note |= r.already_open;
        }
        if note {
            let _ = writeln!(
                s,
                "* a detecting alert was already open when the attack began (opened for an earlier attack, it took this one's keys in)"
            );
        }
        s
    }

    pub fn false_positive_report(&self) -> String {
        let mut s = String::new();
        for alert in &self.false_positives {
            let related: Vec<String> = alert.related.iter().map(|k| k.to_string()).collect();
            let _ = writeln!(
                s,
                "FALSE POSITIVE {} [{}] key={} related=[{}] {}..{} count={} conf={:?}: {}",
                alert.detector,
                alert.id,
                alert.key,
                related.join(", "),
                alert.first_seen.format("%H:%M:%S"),
                alert.last_seen.format("%H:%M:%S"),
                alert.count,
                alert.confidence,
                alert.summary
            );
            if !alert.endpoints.is_empty() {
                let _ = writeln!(s, "    endpoints: {}", alert.endpoints.join(", "));
            }
            for (name, value) in &alert.measures {
                let _ = write!(s, "    {name}={value:.2}");
            }
            if !alert.measures.is_empty() {
                s.push('\n');
            }
        }
        for (decision, why) in &self.bad_decisions {
            let _ = writeln!(
                s,
                "BENIGN DECISION {} {} on {} ({why}) at {}: {}",
                decision.action.as_str(),
                decision.detector,
                decision.key,
                decision.created.format("%H:%M:%S"),
                decision.reason
            );
        }
        s
    }

    /// Every alert, one line each, with the attacks it matched.
    pub fn alert_list(&self, scenario: &Scenario, run: &Run) -> String {
        let mut s = String::new();
        for alert in &run.alerts {
            let matched: Vec<&str> =
                scenario.attacks.iter().filter(|a| alert_matches(alert, a)).map(|a| a.name).collect();
            let _ = writeln!(
                s,
                "  {:<25} {:<45} {}..{} n={:<5} {:<6} {:<10} -> {}",
                alert.detector.as_str(),
                truncate(&alert.key.to_string(), 45),
                alert.first_seen.format("%H:%M:%S"),
                alert.last_seen.format("%H:%M:%S"),
                alert.count,
                format!("{:?}", alert.confidence),
                alert.action.as_str(),
                if matched.is_empty() { "FALSE POSITIVE".to_owned() } else { matched.join(",") }
            );
            let _ = writeln!(s, "      {}", alert.summary);
        }
        s
    }

    pub fn missed(&self) -> Vec<&'static str> {
        self.attacks.iter().filter(|r| !r.detected).map(|r| r.name).collect()
    }
}

/// What must be equal between two runs that should say the same: the alerts grouped by id
/// (monitor mode changes only the action, whether it is enforced, and how many updates a
/// decision triggers).
pub fn projection(alerts: &[Alert]) -> Vec<String> {
    alerts
        .iter()
        .map(|a| {
            format!(
                "{} {} {} {} {} {} {:?} {:?}",
                a.id, a.detector, a.key, a.first_seen, a.last_seen, a.count, a.confidence, a.severity
            )
        })
        .collect()
}
