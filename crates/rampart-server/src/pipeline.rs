//! The analysis pipeline: what the gateway tapped (and what watched files bring) becomes the
//! inventory, the sensitive-data picture, the posture findings and the traffic series, saved to
//! the store; the detectors' alerts and decisions are saved as they come.
//!
//! One thread owns the analysis and its own store connection. Exchanges queue on a bounded
//! channel (the gateway's copies are dropped and counted when it is full: the traffic never
//! waits for analysis; watched files wait instead, as losing them would be silent loss). Each is
//! folded at once into the analysis in progress — the same discovery and posture observation
//! `rampart discover` runs, seeded with what was learned before — so no exchange is kept in
//! memory whatever the rate; every `[pipeline] interval_ms` that analysis is compared with the
//! declared specs, assessed and saved, each part in one transaction. What the API
//! reads is the latest [`Snapshot`], swapped in whole: a request never sees half an analysis.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Timelike, Utc};
use rampart_core::{EndpointKey, Exchange, Finding, Inventory};
use rampart_detect::Alert;
use rampart_discovery::{Discovery, DiscoveryConfig};
use rampart_discovery::{SensitiveEngine, ValueClassifier};
use rampart_openapi::SpecDocument;
use rampart_posture::{Assessment, Observations, PostureConfig, PostureObserver};
use rampart_store::{
    AlertRow, DecisionRow, InventoryStore, PostureStore, SpecRow, SqliteStore, StoreError, TrafficBucket,
};

use crate::ServeError;
use crate::config::PipelineConfig;

/// What the control plane reads: the result of the last analysis, with the lookups every list
/// needs worked out once per analysis rather than once per request.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub inventory: Inventory,
    pub assessment: Assessment,
    /// Stable ids of `assessment.findings`, in the same order.
    pub finding_ids: Vec<String>,
    pub specs: Vec<LoadedSpec>,
    pub analysed_at: Option<DateTime<Utc>>,
    /// Indexes into `assessment.findings`, per endpoint.
    findings_by_endpoint: HashMap<EndpointKey, Vec<usize>>,
    /// Endpoints the lists leave out (only ever answered 404/405, declared nowhere).
    hidden: HashSet<EndpointKey>,
}

impl Snapshot {
    pub fn new(
        inventory: Inventory,
        assessment: Assessment,
        specs: Vec<LoadedSpec>,
        analysed_at: Option<DateTime<Utc>>,
    ) -> Snapshot {
        let mut findings_by_endpoint: HashMap<EndpointKey, Vec<usize>> = HashMap::new();
        for (index, finding) in assessment.findings.iter().enumerate() {
            if let Some(key) = &finding.endpoint {
                findings_by_endpoint.entry(key.clone()).or_default().push(index);
            }
        }
        let hidden = inventory
            .endpoints
            .iter()
            .filter(|e| !crate::api::views::listed(e))
            .map(|e| e.key.clone())
            .collect();
        Snapshot {
            finding_ids: rampart_store::finding_ids(&assessment.findings),
            inventory,
            assessment,
            specs,
            analysed_at,
            findings_by_endpoint,
            hidden,
        }
    }

    /// The findings of one endpoint, with their ids.
    pub fn findings_of(&self, key: &EndpointKey) -> impl Iterator<Item = (&Finding, &str)> + '_ {
        self.findings_by_endpoint.get(key).into_iter().flatten().filter_map(|&index| {
            Some((self.assessment.findings.get(index)?, self.finding_ids.get(index)?.as_str()))
        })
    }

    /// Whether the lists show a finding (not when its endpoint is hidden).
    pub fn finding_listed(&self, finding: &Finding) -> bool {
        finding.endpoint.as_ref().is_none_or(|key| !self.hidden.contains(key))
    }
}

/// A declared spec as stored, and as the comparison reads it.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub row: SpecRow,
    pub document: SpecDocument,
    pub title: Option<String>,
    pub version: Option<String>,
}

/// Counters of the pipeline, shown by the metrics route.
#[derive(Debug, Default)]
pub struct PipelineStats {
    /// Exchanges analysed.
    pub exchanges: AtomicU64,
    /// Gateway copies dropped because the queue was full.
    pub dropped: AtomicU64,
    pub analysis_runs: AtomicU64,
    pub alerts_saved: AtomicU64,
    pub decisions_saved: AtomicU64,
    pub store_errors: AtomicU64,
    pub files_ingested: AtomicU64,
    /// Entries of watched files that could not be read (skipped and counted).
    pub ingest_errors: AtomicU64,
}

/// What the pipeline and the control plane share.
#[derive(Debug, Default)]
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    pub stats: PipelineStats,
}

impl Shared {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn publish(&self, snapshot: Snapshot) {
        let snapshot = Arc::new(snapshot);
        match self.snapshot.write() {
            Ok(mut guard) => *guard = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }
}

/// Messages besides exchanges.
#[derive(Debug)]
pub enum Event {
    Alert(Box<Alert>),
    Decision(Box<DecisionRow>),
    /// Declared specs were uploaded or deleted: reload them and compare again.
    SpecsChanged,
    /// Analyse what is queued now and answer when it is saved (tests, shutdown).
    Flush(std::sync::mpsc::Sender<()>),
}

/// The sending side, handed to the gateway's detection thread and to the watcher.
#[derive(Clone)]
pub struct PipelineHandle {
    exchanges: SyncSender<Exchange>,
    events: std::sync::mpsc::Sender<Event>,
    shared: Arc<Shared>,
}

impl PipelineHandle {
    /// Queues a copy from the gateway; drops it (counted) when the queue is full.
    pub fn offer(&self, exchange: Exchange) {
        match self.exchanges.try_send(exchange) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.shared.stats.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }

    /// Queues an exchange read from a file, waiting while the queue is full.
    pub fn send(&self, exchange: Exchange) -> bool {
        self.exchanges.send(exchange).is_ok()
    }

    pub fn event(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Analyses and saves what is queued, and waits until it is done (at most `timeout`).
    pub fn flush(&self, timeout: Duration) -> bool {
        let (done, wait) = std::sync::mpsc::channel();
        self.event(Event::Flush(done));
        wait.recv_timeout(timeout).is_ok()
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

/// The gateway's side: exchanges, alerts and decisions from the detection thread.
impl rampart_gateway::detection::AnalysisSink for PipelineHandle {
    fn exchange(&self, exchange: Exchange) {
        self.offer(exchange);
    }

    fn alert(&self, alert: &Alert) {
        self.event(Event::Alert(Box::new(alert.clone())));
    }

    fn decision(&self, decision: &rampart_detect::Decision, enforced: Option<&rampart_limits::Decision>) {
        // Only what the blocklist enforces is a decision a person can see and lift; the rest
        // (a username, a device) stays in its alert.
        if let Some(entry) = enforced {
            self.event(Event::Decision(Box::new(decision_row(entry, Some(decision)))));
        }
    }
}

/// A blocklist decision as a stored row.
pub fn decision_row(
    entry: &rampart_limits::Decision,
    detected: Option<&rampart_detect::Decision>,
) -> DecisionRow {
    let (kind, value) = target_parts(&entry.target);
    let (action, per_minute) = match entry.action {
        rampart_limits::Enforcement::Block => ("block", None),
        rampart_limits::Enforcement::RateLimit { per_minute } => ("rate-limit", Some(per_minute)),
    };
    DecisionRow {
        id: entry.id.clone().unwrap_or_default(),
        kind: kind.to_owned(),
        value,
        action: action.to_owned(),
        per_minute,
        reason: entry.reason.clone(),
        source: match entry.source {
            rampart_limits::EntrySource::Detector => "detector",
            _ => "api",
        }
        .to_owned(),
        detector: detected.map(|d| d.detector.to_string()),
        alert_id: detected.map(|d| d.id.clone()),
        created_at: detected.map_or_else(Utc::now, |d| d.created),
        expires_at: entry.expires_at,
        lifted_at: None,
        lifted_by: None,
    }
}

/// `(kind, value)` of a blocklist target, as the API shows and takes them.
pub fn target_parts(target: &rampart_limits::BlockTarget) -> (&'static str, String) {
    use rampart_limits::BlockTarget;
    match target {
        BlockTarget::Ip(ip) => ("ip", ip.to_string()),
        BlockTarget::Cidr(net) => ("cidr", net.to_string()),
        BlockTarget::Identity(identity) => ("identity", identity.clone()),
        BlockTarget::TokenFingerprint(fingerprint) => ("token", fingerprint.clone()),
    }
}

/// An alert as a stored row.
pub fn alert_row(alert: &Alert) -> Result<AlertRow, serde_json::Error> {
    Ok(AlertRow {
        id: alert.id.clone(),
        detector: alert.detector.to_string(),
        severity: alert.severity,
        state: match alert.state {
            rampart_detect::AlertState::Closed => "closed",
            rampart_detect::AlertState::Open => "open",
            rampart_detect::AlertState::Update => "update",
        }
        .to_owned(),
        key: alert.key.to_string(),
        first_seen: alert.first_seen,
        last_seen: alert.last_seen,
        count: alert.count,
        data: serde_json::to_string(alert)?,
    })
}

/// Starts the pipeline thread on `store` (its own connection), after loading what the store
/// holds into the first snapshot.
pub fn spawn(
    config: PipelineConfig,
    store: SqliteStore,
    retention_days: u32,
) -> Result<(PipelineHandle, std::thread::JoinHandle<()>), ServeError> {
    let shared = Arc::new(Shared::default());
    let (exchanges_tx, exchanges) = std::sync::mpsc::sync_channel(config.queue.max(1));
    let (events_tx, events) = std::sync::mpsc::channel();
    let mut pipeline = Pipeline {
        config,
        retention: chrono::Duration::days(i64::from(retention_days.max(1))),
        store,
        shared: shared.clone(),
        observations: Observations::default(),
        specs: Vec::new(),
        batch: None,
        traffic: BTreeMap::new(),
        force: false,
        classifier: None,
    };
    let handle = PipelineHandle { exchanges: exchanges_tx, events: events_tx, shared };
    // What the store holds is loaded on the pipeline's thread: the gateway does not wait for it.
    let thread = std::thread::Builder::new()
        .name("rampart-pipeline".to_owned())
        .spawn(move || {
            if let Err(error) = pipeline.load() {
                // Analysing from nothing would overwrite what the store holds: stop instead,
                // loudly (the gateway goes on; its copies are not analysed).
                pipeline.store_error("loading what the store holds (analysis stopped)", &error);
                return;
            }
            pipeline.run(exchanges, events)
        })
        .map_err(|source| ServeError::Io { what: "starting the pipeline thread".to_owned(), source })?;
    Ok((handle, thread))
}

struct Pipeline {
    config: PipelineConfig,
    retention: chrono::Duration,
    store: SqliteStore,
    shared: Arc<Shared>,
    observations: Observations,
    specs: Vec<LoadedSpec>,
    /// The analysis in progress: exchanges are folded in as they arrive (nothing is buffered,
    /// whatever the traffic's rate) and the result is saved at the end of the interval.
    batch: Option<Batch>,
    /// Counters not yet saved, per (minute, endpoint id).
    traffic: BTreeMap<(DateTime<Utc>, Option<String>), TrafficBucket>,
    /// Analyse at the next turn even without new exchanges (specs changed).
    force: bool,
    classifier: Option<Arc<dyn ValueClassifier>>,
}

/// The most exchanges folded into one analysis before it is saved, however short the interval.
const MAX_BATCH: u64 = 200_000;

/// One interval's analysis: discovery and posture seeded with everything learned before.
struct Batch {
    discovery: Discovery,
    observer: PostureObserver,
    /// Calls per endpoint before the batch, to count each endpoint's calls in the interval.
    before: BTreeMap<String, u64>,
    exchanges: u64,
}

impl Pipeline {
    /// What the store holds becomes the first snapshot (a restart shows everything at once).
    fn load(&mut self) -> Result<(), StoreError> {
        if self.config.sensitive {
            self.classifier = Some(Arc::new(SensitiveEngine::default()));
        }
        let inventory = self.store.load_inventory()?;
        if let Some(text) = self.store.load_observations()? {
            match serde_json::from_str::<Observations>(&text) {
                Ok(observations) => self.observations = observations,
                Err(error) => tracing::warn!(
                    db = self.store.path(),
                    %error,
                    "stored posture observations are not readable; starting them afresh"
                ),
            }
        }
        self.specs = load_specs(&self.store)?;
        let assessment = rampart_posture::assess(&inventory, &self.observations, &PostureConfig::default());
        self.publish(inventory, assessment, None);
        Ok(())
    }

    fn run(mut self, exchanges: Receiver<Exchange>, events: Receiver<Event>) {
        let interval = Duration::from_millis(self.config.interval_ms);
        let mut last_run = Instant::now();
        let mut last_prune = Instant::now() - Duration::from_secs(3600);
        loop {
            let wait = interval.saturating_sub(last_run.elapsed()).min(Duration::from_millis(200));
            let mut disconnected = false;
            match exchanges.recv_timeout(wait) {
                Ok(exchange) => {
                    self.take(exchange);
                    // Whatever else is queued, without waking per exchange.
                    while self.batch_len() < MAX_BATCH {
                        match exchanges.try_recv() {
                            Ok(exchange) => self.take(exchange),
                            Err(TryRecvError::Empty) => break,
                            Err(TryRecvError::Disconnected) => {
                                disconnected = true;
                                break;
                            }
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => disconnected = true,
            }
            let mut flushes = Vec::new();
            loop {
                match events.try_recv() {
                    Ok(Event::Flush(done)) => flushes.push(done),
                    Ok(event) => self.handle(event),
                    Err(_) => break,
                }
            }
            if !flushes.is_empty() {
                // Everything queued before the flush was asked for.
                while let Ok(exchange) = exchanges.try_recv() {
                    self.take(exchange);
                }
            }
            let due = last_run.elapsed() >= interval || self.batch_len() >= MAX_BATCH;
            if (due || !flushes.is_empty() || disconnected) && (self.batch.is_some() || self.force) {
                self.analyse();
                last_run = Instant::now();
            } else if due {
                last_run = Instant::now();
            }
            if !flushes.is_empty() || due {
                self.save_traffic();
            }
            for done in flushes {
                let _ = done.send(());
            }
            if last_prune.elapsed() >= Duration::from_secs(3600) {
                last_prune = Instant::now();
                if let Err(error) = self.store.prune_traffic(Utc::now() - self.retention) {
                    self.store_error("pruning traffic counters", &error);
                }
            }
            if disconnected {
                while let Ok(event) = events.try_recv() {
                    match event {
                        Event::Flush(done) => {
                            let _ = done.send(());
                        }
                        event => self.handle(event),
                    }
                }
                self.save_traffic();
                tracing::debug!("pipeline: input closed, stopping");
                return;
            }
        }
    }

    fn take(&mut self, exchange: Exchange) {
        let minute = truncate_to_minute(exchange.started_at);
        let refused = exchange
            .response
            .as_ref()
            .is_some_and(|r| r.header(rampart_core::exchange::GATEWAY_REFUSAL_HEADER).is_some());
        let error = exchange.response.as_ref().is_none_or(|r| r.status >= 500);
        let bucket = self.bucket(minute, None);
        bucket.requests += 1;
        bucket.refused += u64::from(refused);
        bucket.errors += u64::from(error && !refused);
        let include_static = self.config.include_static;
        let batch = self.batch();
        if include_static || !rampart_discovery::engine::is_static_asset_exchange(&exchange) {
            batch.observer.observe(&exchange);
        }
        batch.discovery.observe(&exchange);
        batch.exchanges += 1;
    }

    fn bucket(&mut self, minute: DateTime<Utc>, endpoint: Option<String>) -> &mut TrafficBucket {
        self.traffic.entry((minute, endpoint.clone())).or_insert_with(|| TrafficBucket {
            minute,
            endpoint,
            requests: 0,
            refused: 0,
            errors: 0,
            alerts: 0,
        })
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Alert(alert) => {
                if alert.state == rampart_detect::AlertState::Open {
                    self.bucket(truncate_to_minute(alert.first_seen), None).alerts += 1;
                }
                match alert_row(&alert) {
                    Ok(row) => match self.store.save_alerts(&[row]) {
                        Ok(()) => {
                            self.shared.stats.alerts_saved.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(error) => self.store_error("saving an alert", &error),
                    },
                    Err(error) => tracing::warn!(alert = %alert.id, %error, "pipeline: alert not encodable"),
                }
            }
            Event::Decision(row) => match self.store.save_decisions(&[*row]) {
                Ok(()) => {
                    self.shared.stats.decisions_saved.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => self.store_error("saving a decision", &error),
            },
            Event::SpecsChanged => match load_specs(&self.store) {
                Ok(specs) => {
                    self.specs = specs;
                    self.force = true;
                }
                Err(error) => self.store_error("loading the declared specs", &error),
            },
            Event::Flush(done) => {
                let _ = done.send(());
            }
        }
    }

    fn store_error(&self, what: &str, error: &StoreError) {
        self.shared.stats.store_errors.fetch_add(1, Ordering::Relaxed);
        tracing::error!(%error, "pipeline: {what} failed");
    }

    fn batch_len(&self) -> u64 {
        self.batch.as_ref().map_or(0, |b| b.exchanges)
    }

    /// The analysis in progress, started from what was learned so far.
    fn batch(&mut self) -> &mut Batch {
        let batch = match self.batch.take() {
            Some(batch) => batch,
            None => self.new_batch(),
        };
        self.batch.insert(batch)
    }

    fn new_batch(&self) -> Batch {
        let mut config = DiscoveryConfig {
            include_static_assets: self.config.include_static,
            ..DiscoveryConfig::default()
        };
        config.record.classifier = self.classifier.clone();
        let mut discovery = Discovery::new(config);
        let documents: Vec<SpecDocument> = self.specs.iter().map(|s| s.document.clone()).collect();
        for (host, template) in rampart_openapi::declared_templates(&documents) {
            discovery.declare_template(host.as_deref(), &template);
        }
        // The inventory lives in the published snapshot only: seeding copies it from there.
        let known = self.shared.snapshot();
        let before =
            known.inventory.endpoints.iter().map(|e| (rampart_store::endpoint_id(&e.key), e.calls)).collect();
        discovery.seed(known.inventory.clone());
        let mut observer = PostureObserver::new();
        observer.seed(self.observations.clone());
        Batch { discovery, observer, before, exchanges: 0 }
    }

    /// Ends the analysis in progress: the inventory and the posture it built are compared with
    /// the declared specs, assessed and saved.
    fn analyse(&mut self) {
        self.force = false;
        // A change of specs alone re-runs the comparison on what is known.
        let Batch { discovery, observer, before, exchanges } = match self.batch.take() {
            Some(batch) => batch,
            None => self.new_batch(),
        };
        let documents: Vec<SpecDocument> = self.specs.iter().map(|s| s.document.clone()).collect();
        let mut inventory = discovery.finish();
        if !documents.is_empty() {
            rampart_openapi::compare(&mut inventory, &documents);
        }
        let observations = observer.finish();
        let assessment = rampart_posture::assess(&inventory, &observations, &PostureConfig::default());
        // Calls per endpoint since the last run, counted in this minute.
        let minute = truncate_to_minute(Utc::now());
        let deltas: Vec<(String, u64)> = inventory
            .endpoints
            .iter()
            .map(|e| {
                let id = rampart_store::endpoint_id(&e.key);
                let delta = e.calls.saturating_sub(before.get(&id).copied().unwrap_or(0));
                (id, delta)
            })
            .filter(|(_, delta)| *delta > 0)
            .collect();
        for (id, delta) in deltas {
            self.bucket(minute, Some(id)).requests += delta;
        }
        self.observations = observations;
        if let Err(error) = self.save(&inventory, &assessment) {
            self.store_error("saving the analysis", &error);
        }
        let count = exchanges;
        self.shared.stats.exchanges.fetch_add(count, Ordering::Relaxed);
        self.shared.stats.analysis_runs.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(exchanges = count, endpoints = inventory.endpoints.len(), "pipeline: analysed");
        self.publish(inventory, assessment, Some(Utc::now()));
    }

    fn save(&mut self, inventory: &Inventory, assessment: &Assessment) -> Result<(), StoreError> {
        self.store.save_inventory(inventory)?;
        let observations = serde_json::to_string(&self.observations)?;
        self.store.save_posture(&observations, &assessment.findings)?;
        Ok(())
    }

    fn save_traffic(&mut self) {
        if self.traffic.is_empty() {
            return;
        }
        let buckets: Vec<TrafficBucket> = std::mem::take(&mut self.traffic).into_values().collect();
        if let Err(error) = self.store.add_traffic(&buckets) {
            self.store_error("saving traffic counters", &error);
        }
    }

    fn publish(&self, inventory: Inventory, assessment: Assessment, analysed_at: Option<DateTime<Utc>>) {
        let analysed_at = analysed_at.or(self.shared.snapshot().analysed_at);
        self.shared.publish(Snapshot::new(inventory, assessment, self.specs.clone(), analysed_at));
    }
}

/// The declared specs in the store, parsed. One that no longer parses is skipped with a warning
/// (it was checked at upload).
pub fn load_specs(store: &SqliteStore) -> Result<Vec<LoadedSpec>, StoreError> {
    let mut specs = Vec::new();
    for row in store.specs()? {
        match parse_spec(&row.name, &row.content) {
            Ok((document, title, version)) => specs.push(LoadedSpec { row, document, title, version }),
            Err(error) => {
                tracing::warn!(spec = %row.id, name = %row.name, %error, "stored spec not readable; skipped")
            }
        }
    }
    Ok(specs)
}

/// A spec's document, title and `info.version`.
pub fn parse_spec(name: &str, text: &str) -> Result<(SpecDocument, Option<String>, Option<String>), String> {
    let document = rampart_openapi::parse_spec(name, text).map_err(|error| error.to_string())?;
    let version = yaml_serde::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|value| value.pointer("/info/version").and_then(|v| v.as_str()).map(str::to_owned));
    let title = document.title.clone();
    Ok((document, title, version))
}

pub fn truncate_to_minute(at: DateTime<Utc>) -> DateTime<Utc> {
    at.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(at)
}
