//! The closed loop: the tap feeds `rampart-detect`'s engine in process, and its decisions reach
//! the blocklist while the attack goes on.
//!
//! One thread (`rampart-detect`) takes the tap's records off the bounded queue, writes each to
//! the tap file when one is configured (so `[tap] file` keeps working with detection on), turns
//! it into an [`Exchange`] and runs the detectors over it. What the engine finds is handled on
//! the same thread:
//!
//! * alerts are logged (opened ones at warn) and appended as one JSON line each to the alerts
//!   file; they are masked by the engine (no credential, usernames shown as `j***@…#hash`);
//! * decisions whose key the blocklist can match (an IP, a /24 or /64, an identity, a token
//!   fingerprint) become detector entries of the [`Blocklist`], with the alert id as entry id (the
//!   `decision` a refused client is shown) and the decision's expiry. Usernames, devices,
//!   endpoints and the global key are not something a request can be refused by: those
//!   decisions are counted and left as alerts.
//!
//! A decision is applied as soon as it is made (the thread finds a record at most
//! [`POLL_INTERVAL`] after it is queued); decisions that follow within
//! [`DECISION_BATCH_WINDOW`] are applied together, in one rebuild of the blocklist's snapshot,
//! however many a botnet brings. Files are flushed whenever the queue is empty and at least
//! every [`FLUSH_INTERVAL`]. The request path is never involved: the tap's queue is bounded and a
//! full queue drops the copy (counted), the thread polls rather than being woken per request, and
//! it runs at a lower priority than the serving threads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use rampart_detect::{
    Action, ActionConfig, Alert, AlertState, ClientKey, Confidence, DetectConfig, DetectorKind, Engine,
    Output,
};
use rampart_limits::{BlockTarget, Blocklist, Enforcement, EntrySource};

use crate::tap::{TapRecord, TapStats, yield_to_request_threads};

/// What runs beside the gateway and wants the traffic's fate too (`rampart serve`'s analysis
/// pipeline): it is handed every tapped exchange after the detectors saw it (allowlisted ones
/// included), every alert as it is reported, and every decision. Called on the detection
/// thread: implementations must not block (queue and drop, counted, when behind).
pub trait AnalysisSink: Send + Sync + 'static {
    fn exchange(&self, exchange: rampart_core::Exchange);
    fn alert(&self, alert: &Alert);
    /// `enforced` is the blocklist entry the decision became, when a request can be refused by it
    /// and there is a blocklist.
    fn decision(&self, decision: &rampart_detect::Decision, enforced: Option<&rampart_limits::Decision>);
}

/// How long the thread sleeps when the queue is empty while traffic flows, as the tap writer
/// does: at 50,000 requests/s about 100 records wait, far below the queue's size, no sender ever
/// wakes the thread, and an attack's first decision waits at most this long to be found.
const POLL_INTERVAL: Duration = Duration::from_millis(2);
/// After this many empty polls in a row (about a second) the thread blocks on the queue instead,
/// waking at least every [`TICK_INTERVAL`]: an idle gateway does not spin.
const IDLE_POLLS_BEFORE_BLOCKING: u32 = 500;
/// How often the engine's clock is advanced without traffic, so quiet alerts close and their
/// updates go out (the engine expects about a second).
const TICK_INTERVAL: Duration = Duration::from_secs(1);
/// Files are flushed at least this often while the queue stays busy (under a sustained flood it
/// may never be empty).
const FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// Blocklist rebuilds for decisions are at least this far apart: an attack's first decision is
/// applied as soon as it is made, and those a botnet's members bring in a burst after it share
/// one rebuild (each is a pass over every decision in force).
const DECISION_BATCH_WINDOW: Duration = Duration::from_millis(20);

/// The detection thread could not be started.
#[derive(Debug, thiserror::Error)]
pub enum DetectionError {
    #[error("{0}")]
    Config(#[from] rampart_detect::ConfigError),
    #[error("tap file {path}: {source}")]
    TapFile { path: String, source: std::io::Error },
    #[error("alerts file {path}: {source}")]
    AlertsFile { path: String, source: std::io::Error },
    #[error("starting the detection thread: {0}")]
    Thread(std::io::Error),
}

/// Counters of the detection thread, shown on the metrics endpoint.
#[derive(Debug, Default)]
pub struct DetectionStats {
    /// Every detector only reports (`--monitor`).
    pub monitor: bool,
    /// Exchanges run through the detectors.
    pub analysed: AtomicU64,
    /// Exchanges from allowlisted addresses, not analysed.
    pub allowlisted: AtomicU64,
    /// Alerts opened, per detector (in [`DetectorKind::ALL`] order).
    pub alerts_opened: [AtomicU64; DetectorKind::ALL.len()],
    /// Alerts open now (updated about once a second).
    pub alerts_open: AtomicU64,
    /// Decisions handed to the blocklist.
    pub decisions_applied: AtomicU64,
    /// Decisions no request can be refused by (a username, a device, an endpoint, the whole
    /// traffic), or made while there is no blocklist to apply them to.
    pub decisions_unenforceable: AtomicU64,
    pub alerts_written: AtomicU64,
    pub alert_write_errors: AtomicU64,
    /// Client keys the detectors track, and their approximate memory (about once a second).
    pub tracked_keys: AtomicU64,
    pub state_bytes: AtomicU64,
}

impl DetectionStats {
    /// Alerts opened by all detectors.
    pub fn alerts_opened_total(&self) -> u64 {
        self.alerts_opened.iter().map(|count| count.load(Ordering::Relaxed)).sum()
    }
}

/// Where the detection thread writes.
#[derive(Clone, Default)]
pub struct Outputs {
    /// Exchange JSONL, as the tap writer would write it (`[tap] file`).
    pub tap_file: Option<PathBuf>,
    /// Alert JSONL (`[alerts] file`).
    pub alerts_file: Option<PathBuf>,
    /// Where exchanges, alerts and decisions go besides (the serve pipeline).
    pub sink: Option<Arc<dyn AnalysisSink>>,
}

/// Starts the detection thread on the receiving end of the tap. It ends, after applying what is
/// left and flushing its files, when every sender of the tap is dropped (gateway shutdown).
/// `tap_stats` are the tap's counters (`written` counts tap-file lines). Without a blocklist
/// the detectors still alert, but nothing is enforced. Without a `config` (detection off) the
/// thread only writes the tap file and feeds `outputs.sink`.
pub fn spawn(
    config: Option<DetectConfig>,
    receiver: Receiver<TapRecord>,
    tap_stats: Arc<TapStats>,
    outputs: &Outputs,
    blocklist: Option<Arc<Blocklist>>,
) -> Result<(JoinHandle<()>, Arc<DetectionStats>), DetectionError> {
    let stats = Arc::new(DetectionStats {
        monitor: config.as_ref().is_some_and(|config| config.monitor),
        ..DetectionStats::default()
    });
    let engine = config.map(Engine::new).transpose()?;
    let tap_file = match &outputs.tap_file {
        Some(path) => Some(TapFile {
            out: BufWriter::with_capacity(
                256 * 1024,
                append(path)
                    .map_err(|source| DetectionError::TapFile { path: path.display().to_string(), source })?,
            ),
            line: Vec::with_capacity(8 * 1024),
            stats: tap_stats,
            unflushed: false,
        }),
        None => None,
    };
    let alerts_file = match &outputs.alerts_file {
        Some(path) => Some(BufWriter::new(
            append(path)
                .map_err(|source| DetectionError::AlertsFile { path: path.display().to_string(), source })?,
        )),
        None => None,
    };
    if blocklist.is_none() && engine.is_some() {
        tracing::warn!("detection runs without a blocklist: alerts only, no decision is enforced");
    }
    let detection = Detection {
        engine,
        sink: outputs.sink.clone(),
        blocklist,
        tap_file,
        alerts_file,
        line: Vec::with_capacity(4 * 1024),
        pending: Vec::new(),
        last_applied: None,
        stats: stats.clone(),
    };
    let handle = std::thread::Builder::new()
        .name("rampart-detect".to_owned())
        .spawn(move || detection.run(receiver))
        .map_err(DetectionError::Thread)?;
    Ok((handle, stats))
}

fn append(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new().create(true).append(true).open(path)
}

/// The tap file, written from the detection thread with the tap's own line format.
struct TapFile {
    out: BufWriter<File>,
    line: Vec<u8>,
    stats: Arc<TapStats>,
    unflushed: bool,
}

impl TapFile {
    fn write(&mut self, record: &TapRecord) {
        self.line.clear();
        let written = record
            .write_jsonl(&mut self.line)
            .map_err(std::io::Error::from)
            .and_then(|()| self.out.write_all(&self.line));
        match written {
            Ok(()) => self.stats.written.fetch_add(1, Ordering::Relaxed),
            Err(error) => {
                tracing::warn!(%error, "tap: writing an exchange failed");
                self.stats.write_errors.fetch_add(1, Ordering::Relaxed)
            }
        };
        self.unflushed = true;
    }

    fn flush(&mut self) {
        if self.unflushed {
            self.unflushed = false;
            if let Err(error) = self.out.flush() {
                tracing::warn!(%error, "tap: flushing failed");
                self.stats.write_errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

struct Detection {
    engine: Option<Engine>,
    sink: Option<Arc<dyn AnalysisSink>>,
    blocklist: Option<Arc<Blocklist>>,
    tap_file: Option<TapFile>,
    alerts_file: Option<BufWriter<File>>,
    line: Vec<u8>,
    /// Decisions converted but not yet handed to the blocklist.
    pending: Vec<rampart_limits::Decision>,
    /// When decisions were last handed to the blocklist.
    last_applied: Option<Instant>,
    stats: Arc<DetectionStats>,
}

impl Detection {
    fn run(mut self, receiver: Receiver<TapRecord>) {
        // Detection is a copy of the traffic's fate, not part of it: on a saturated machine the
        // serving threads win the CPU, and the queue (then drops, counted) absorbs the rest.
        yield_to_request_threads();
        let mut idle_polls = 0;
        let mut last_flush = Instant::now();
        let mut last_tick = Instant::now();
        loop {
            let record = match receiver.try_recv() {
                Ok(record) => record,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    // Caught up: enforce what was found and write the batch out.
                    self.apply_due_decisions();
                    self.flush();
                    last_flush = Instant::now();
                    if last_tick.elapsed() >= TICK_INTERVAL {
                        self.tick();
                        last_tick = Instant::now();
                    }
                    if idle_polls < IDLE_POLLS_BEFORE_BLOCKING {
                        idle_polls += 1;
                        std::thread::sleep(POLL_INTERVAL);
                        continue;
                    }
                    match receiver.recv_timeout(TICK_INTERVAL) {
                        Ok(record) => record,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            };
            idle_polls = 0;
            self.process(record);
            self.apply_due_decisions();
            if last_flush.elapsed() >= FLUSH_INTERVAL {
                self.flush();
                last_flush = Instant::now();
            }
            if last_tick.elapsed() >= TICK_INTERVAL {
                self.tick();
                last_tick = Instant::now();
            }
        }
        // Shutdown: what the last exchanges decided is applied (the blocklist may outlive this
        // gateway in a test or an embedding), and the files are flushed.
        self.apply();
        self.flush();
        self.update_gauges();
    }

    fn process(&mut self, mut record: TapRecord) {
        if let Some(tap_file) = &mut self.tap_file {
            tap_file.write(&record);
        }
        // A v4 client on a dual-stack socket is `::ffff:a.b.c.d`: the engine's allowlist, its
        // per-/24 keys and its decisions must see the v4 address the operator configures.
        record.client_ip = canonical_ip(record.client_ip);
        let allowlisted = self
            .blocklist
            .as_ref()
            .is_some_and(|blocklist| blocklist.is_allowlisted(record.client_ip, record.started_at));
        if self.engine.is_none() && self.sink.is_none() {
            return;
        }
        let exchange = record.into_exchange();
        if let Some(engine) = &mut self.engine {
            if allowlisted {
                // The blocklist's allowlist includes block files' `allow` lines, reloaded at run
                // time, which the engine's copy of `[blocklist] allow` does not.
                self.stats.allowlisted.fetch_add(1, Ordering::Relaxed);
            } else {
                engine.observe(&exchange);
                let output = engine.drain();
                if !output.is_empty() {
                    self.handle(output);
                }
                // Counted once its alerts are counted too: who reads both sees them agree.
                self.stats.analysed.fetch_add(1, Ordering::Relaxed);
            }
        }
        if let Some(sink) = &self.sink {
            sink.exchange(exchange);
        }
    }

    fn tick(&mut self) {
        let Some(engine) = &mut self.engine else { return };
        engine.tick(Utc::now());
        let output = engine.drain();
        if !output.is_empty() {
            self.handle(output);
        }
        self.update_gauges();
    }

    fn update_gauges(&self) {
        let Some(engine) = &self.engine else { return };
        let stats = engine.stats();
        self.stats.alerts_open.store(stats.alerts_open as u64, Ordering::Relaxed);
        self.stats.tracked_keys.store(stats.tracked_keys as u64, Ordering::Relaxed);
        self.stats.state_bytes.store(stats.state_bytes as u64, Ordering::Relaxed);
    }

    fn handle(&mut self, output: Output) {
        for alert in &output.alerts {
            self.report(alert);
        }
        for decision in output.decisions {
            let entry = enforceable(&decision).filter(|_| self.blocklist.is_some());
            if let Some(sink) = &self.sink {
                sink.decision(&decision, entry.as_ref());
            }
            match entry {
                Some(entry) => {
                    tracing::warn!(
                        decision = %decision.id,
                        key = %decision.key,
                        action = decision.action.as_str(),
                        until = %decision.expires_at,
                        "detection: {}",
                        decision.reason
                    );
                    self.pending.push(entry);
                }
                _ => {
                    tracing::debug!(decision = %decision.id, key = %decision.key, "decision not enforceable");
                    self.stats.decisions_unenforceable.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Logs an alert and appends it to the alerts file.
    fn report(&mut self, alert: &Alert) {
        if let Some(sink) = &self.sink {
            sink.alert(alert);
        }
        match alert.state {
            AlertState::Open => {
                if let Some(count) = DetectorKind::ALL
                    .iter()
                    .position(|kind| *kind == alert.detector)
                    .and_then(|index| self.stats.alerts_opened.get(index))
                {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                tracing::warn!(
                    alert = %alert.id,
                    detector = %alert.detector,
                    key = %alert.key,
                    confidence = ?alert.confidence,
                    action = alert.action.as_str(),
                    monitor_only = alert.monitor_only,
                    "alert: {}",
                    alert.summary
                );
            }
            AlertState::Update => {
                tracing::debug!(alert = %alert.id, count = alert.count, "alert update: {}", alert.summary);
            }
            AlertState::Closed => {
                tracing::info!(alert = %alert.id, count = alert.count, "alert closed: {}", alert.summary);
            }
        }
        let Some(out) = &mut self.alerts_file else { return };
        self.line.clear();
        let written =
            serde_json::to_writer(&mut self.line, alert).map_err(std::io::Error::from).and_then(|()| {
                self.line.push(b'\n');
                out.write_all(&self.line)
            });
        match written {
            Ok(()) => self.stats.alerts_written.fetch_add(1, Ordering::Relaxed),
            Err(error) => {
                tracing::warn!(%error, "detection: writing an alert failed");
                self.stats.alert_write_errors.fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    /// Applies the pending decisions unless the last batch went out less than
    /// [`DECISION_BATCH_WINDOW`] ago.
    fn apply_due_decisions(&mut self) {
        if !self.pending.is_empty()
            && self.last_applied.is_none_or(|at| at.elapsed() >= DECISION_BATCH_WINDOW)
        {
            self.apply();
        }
    }

    /// Hands the pending decisions to the blocklist in one batch.
    fn apply(&mut self) {
        let Some(blocklist) = &self.blocklist else {
            self.pending.clear();
            return;
        };
        if self.pending.is_empty() {
            return;
        }
        let count = self.pending.len() as u64;
        blocklist.add_decisions(self.pending.drain(..), Utc::now());
        self.last_applied = Some(Instant::now());
        self.stats.decisions_applied.fetch_add(count, Ordering::Relaxed);
    }

    fn flush(&mut self) {
        if let Some(tap_file) = &mut self.tap_file {
            tap_file.flush();
        }
        if let Some(out) = &mut self.alerts_file
            && let Err(error) = out.flush()
        {
            tracing::warn!(%error, "detection: flushing the alerts file failed");
            self.stats.alert_write_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// A detector's decision as a blocklist entry, when a request can be matched against its key.
pub fn enforceable(decision: &rampart_detect::Decision) -> Option<rampart_limits::Decision> {
    let target = match &decision.key {
        ClientKey::Ip(ip) => BlockTarget::Ip(canonical_ip(*ip)),
        ClientKey::Prefix(net) if net.prefix_len() == net.max_prefix_len() => BlockTarget::Ip(net.addr()),
        ClientKey::Prefix(net) => BlockTarget::Cidr(net.trunc()),
        ClientKey::Identity(identity) => BlockTarget::Identity(identity.clone()),
        // The engine's fingerprint is the tap's `client.credential`, which is what the
        // blocklist computes from the request's credential; case is the only difference allowed.
        ClientKey::Token(fingerprint) => BlockTarget::TokenFingerprint(fingerprint.to_ascii_lowercase()),
        // Nothing in a request names these before its body is read (a username) or they would
        // refuse everyone (an endpoint, the whole traffic): they stay alerts.
        ClientKey::Username(_) | ClientKey::Device(_) | ClientKey::Endpoint(_) | ClientKey::Global => {
            return None;
        }
    };
    let action = match decision.action {
        Action::Block => Enforcement::Block,
        Action::RateLimit { per_minute } => Enforcement::RateLimit { per_minute },
        Action::Report => return None,
    };
    Some(rampart_limits::Decision {
        target,
        reason: decision.reason.clone(),
        source: EntrySource::Detector,
        action,
        expires_at: Some(decision.expires_at),
        id: Some(decision.id.clone()),
    })
}

/// One line for start-up: whether detection is on, in which mode, and what each detector does.
pub fn describe(config: &DetectConfig) -> String {
    if !config.enabled {
        return "detection: off".to_owned();
    }
    if config.monitor {
        return "detection: on, monitor mode (every detector reports only, nothing is blocked)".to_owned();
    }
    let sections = [
        ("credential", config.credential.enabled, config.credential.action),
        ("takeover", config.takeover.enabled, config.takeover.action),
        ("enumeration", config.enumeration.enabled, config.enumeration.action),
        ("scraping", config.scraping.enabled, config.scraping.action),
        ("volumetric", config.volumetric.enabled, config.volumetric.action),
        ("probing", config.probing.enabled, config.probing.action),
        ("flows", config.flows.enabled, config.flows.action),
    ];
    let list = |wanted: ActionConfig| {
        let names: Vec<&str> = sections
            .iter()
            .filter(|(_, enabled, action)| *enabled && *action == wanted)
            .map(|(name, _, _)| *name)
            .collect();
        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
    };
    let confidence = match config.min_block_confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    };
    format!(
        "detection: on — {confidence}-confidence detections are enforced for {} s; block: {}; \
         rate-limit to {}/min: {}; report only: {} (and whatever is less sure)",
        config.decision_ttl_secs,
        list(ActionConfig::Block),
        config.rate_limit_per_minute,
        list(ActionConfig::RateLimit),
        list(ActionConfig::Report),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn decision(key: ClientKey, action: Action) -> rampart_detect::Decision {
        let created = Utc::now();
        rampart_detect::Decision {
            id: format!("scanner/{key}/1732900000"),
            key,
            action,
            detector: DetectorKind::Scanner,
            reason: "scanner: sqlmap".to_owned(),
            created,
            expires_at: created + TimeDelta::seconds(900),
        }
    }

    #[test]
    fn decisions_become_detector_entries_by_key() {
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let entry = enforceable(&decision(ClientKey::Ip(ip), Action::Block)).unwrap();
        assert_eq!(entry.target, BlockTarget::Ip(ip));
        assert_eq!(entry.source, EntrySource::Detector);
        assert_eq!(entry.action, Enforcement::Block);
        assert_eq!(entry.id.as_deref(), Some("scanner/ip:203.0.113.7/1732900000"));
        assert!(entry.expires_at.is_some());
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(
            enforceable(&decision(ClientKey::Ip(mapped), Action::Block)).unwrap().target,
            BlockTarget::Ip(ip)
        );
        let net = "203.0.113.0/24".parse().unwrap();
        let entry =
            enforceable(&decision(ClientKey::Prefix(net), Action::RateLimit { per_minute: 30 })).unwrap();
        assert_eq!(entry.target, BlockTarget::Cidr(net));
        assert_eq!(entry.action, Enforcement::RateLimit { per_minute: 30 });
        let entry = enforceable(&decision(ClientKey::Identity("jwt:cust-1".into()), Action::Block)).unwrap();
        assert_eq!(entry.target, BlockTarget::Identity("jwt:cust-1".into()));
        let entry = enforceable(&decision(ClientKey::Token("0F7C2A".into()), Action::Block)).unwrap();
        assert_eq!(entry.target, BlockTarget::TokenFingerprint("0f7c2a".into()));
        for key in [
            ClientKey::Username("j***@example.com#a1b2c3".into()),
            ClientKey::Device("d".into()),
            ClientKey::Endpoint("POST /login".into()),
            ClientKey::Global,
        ] {
            assert_eq!(enforceable(&decision(key, Action::Block)), None);
        }
        assert_eq!(enforceable(&decision(ClientKey::Ip(ip), Action::Report)), None);
    }

    #[test]
    fn the_start_up_line_says_the_mode() {
        let mut config = DetectConfig::default();
        let line = describe(&config);
        assert!(line.contains("block: credential") && line.contains("probing"), "{line}");
        assert!(line.contains("report only: flows"), "{line}");
        config.monitor = true;
        assert!(describe(&config).contains("monitor mode"));
        config.enabled = false;
        assert_eq!(describe(&config), "detection: off");
    }
}
