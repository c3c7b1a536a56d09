//! `rampart detect`: the gateway's behavioural detectors over recorded traffic, for tuning
//! thresholds and for forensics.
//!
//! The files are read whole (HAR or Exchange JSONL, as `rampart discover` reads them), their
//! exchanges sorted by start time — the engine works in event time and several taps or an
//! unordered recording would otherwise replay out of order — and fed to one
//! [`rampart_detect::Engine`] as the gateway feeds it live: `observe` per exchange, `tick`
//! through the quiet gaps, `finish` at the end. Nothing is ever blocked: the decisions shown are
//! those the gateway would have made with the same `[detect]` section, monitor mode aside.
//!
//! Exit codes: 0 done; 1 an alert at or above `--fail-on`; 2 bad usage or input (a file that
//! cannot be read, a bad `--config`, no exchange at all). Malformed entries are skipped, counted
//! and reported per file, and the rest is analysed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rampart_core::{Exchange, Severity};
use rampart_detect::{
    Action, Alert, Confidence, Decision, DetectConfig, DetectorKind, Engine, EngineStats, login_endpoints,
};
use rampart_ingest::IngestReport;
use rampart_store::{InventoryStore as _, SqliteStore};
use serde::{Deserialize, Serialize};

use crate::Ui;

/// Exit code for bad usage or unreadable input.
const USAGE: u8 = 2;
/// Decisions listed in the text report; `--format json` has them all (a distributed attack can
/// make thousands, one per participating address).
const DECISIONS_SHOWN: usize = 20;
/// Evidence samples shown per alert with `--verbose`.
const SAMPLES_SHOWN: usize = 2;
/// Endpoints shown per alert in the table.
const ENDPOINTS_SHOWN: usize = 2;
/// The engine runs its housekeeping (updates, closes) at most this often in event time, so
/// ticking through a gap more finely than this changes nothing.
const TICK_SECS: i64 = 10;

#[derive(clap::Args)]
pub struct DetectArgs {
    /// Traffic files: HAR 1.2 or Exchange JSON Lines (what `rampart gateway --tap` writes); the
    /// format is detected from the content. `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// A rampart.toml whose `[detect]` section sets the thresholds (the section the gateway
    /// reads; the rest of the file is ignored). Default: the built-in defaults.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A discovery inventory (`rampart discover --db`): its login endpoints (POSTs that carried a
    /// password or issued a token) count as logins whatever their paths.
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Output: text (a table of alerts and the decisions they would make), json (final alerts,
    /// decisions, statistics and inputs) or jsonl (every alert event as emitted).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Only these detectors' alerts and decisions (repeatable or comma-separated), e.g.
    /// credential-stuffing, scanner.
    #[arg(long = "detector", value_name = "NAME", value_delimiter = ',', value_parser = parse_detector)]
    detectors: Vec<DetectorKind>,
    /// Only alerts at or above this severity (info, low, medium, high, critical). `--fail-on`
    /// still counts the alerts it hides.
    #[arg(long, value_name = "SEVERITY")]
    min_severity: Option<Severity>,
    /// Exit with status 1 when an alert (of the `--detector`s chosen) is at or above this
    /// severity. Default: never.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Text report: also each alert's summary, measures and masked evidence samples.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

fn parse_detector(name: &str) -> Result<DetectorKind, String> {
    DetectorKind::parse(name.trim()).ok_or_else(|| {
        let known: Vec<&str> = DetectorKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown detector `{name}` (known: {})", known.join(", "))
    })
}

/// The part of rampart.toml this command reads. Other sections belong to the gateway and are
/// not checked here (`rampart gateway --check-config` does); `[detect]` itself refuses unknown
/// keys, as it does in the gateway.
#[derive(Deserialize)]
struct ConfigFile {
    detect: Option<DetectConfig>,
}

/// The `--format json` document. Versioned: fields are only added within a version.
#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    /// Final state of each alert (the last event of its id).
    alerts: Vec<&'a Alert>,
    decisions: Vec<&'a Decision>,
    stats: Stats<'a>,
    inputs: Inputs,
}

#[derive(Serialize)]
struct Stats<'a> {
    exchanges: u64,
    first_exchange: Option<DateTime<Utc>>,
    last_exchange: Option<DateTime<Utc>>,
    span_secs: i64,
    /// Alerts listed (after `--detector` and `--min-severity`), and of all detectors.
    alerts: usize,
    alerts_total: usize,
    alerts_by_detector: BTreeMap<&'static str, usize>,
    /// Alert events emitted (open, updates, close) for the listed alerts.
    alert_events: usize,
    decisions: usize,
    decisions_by_action: BTreeMap<&'static str, usize>,
    engine: &'a EngineStats,
}

#[derive(Serialize)]
struct Inputs {
    files: Vec<InputFile>,
    exchanges: u64,
    skipped: u64,
}

#[derive(Serialize)]
struct InputFile {
    file: String,
    format: Option<&'static str>,
    exchanges: u64,
    skipped: u64,
    /// Why entries were skipped (the first ones in full; all are counted in `skipped`).
    errors: Vec<String>,
    /// Reading stopped early (a truncated HAR); what was read before was analysed.
    truncated: bool,
}

/// What the replay produced.
struct Replay {
    /// Every alert event in the order the engine emitted it.
    events: Vec<Alert>,
    decisions: Vec<Decision>,
    stats: EngineStats,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    /// The confidence below which a detector only reports (`min_block_confidence`).
    min_block_confidence: Confidence,
}

pub fn run(args: DetectArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    run_code(args, ui).map(ExitCode::from)
}

fn run_code(args: DetectArgs, ui: &Ui) -> anyhow::Result<u8> {
    let engine = match prepare(&args, ui) {
        Ok(engine) => engine,
        Err(err) => {
            eprintln!("error: {err:#}");
            return Ok(USAGE);
        }
    };

    let mut exchanges: Vec<Exchange> = Vec::new();
    // `ingest` lends each exchange; the replay needs them all at once, sorted, hence the clone.
    let reports =
        crate::discover::ingest(&args.files, &mut |exchange: &Exchange| exchanges.push(exchange.clone()), ui);
    crate::discover::report_ingest_errors(&reports);
    if reports.iter().any(|r| r.fatal.is_some()) {
        // Analysing the other files would give an incomplete picture that looks complete.
        eprintln!("error: not analysed: an input could not be read (see above)");
        return Ok(USAGE);
    }
    if exchanges.is_empty() {
        eprintln!("error: no exchange could be read from {} input file(s)", args.files.len());
        return Ok(USAGE);
    }

    // Event time drives every window: taps interleave and recordings are not always in order.
    // A stable sort keeps the file order of exchanges that started at the same instant.
    exchanges.sort_by_key(|exchange| exchange.started_at);
    let replay = replay(engine, exchanges, ui);

    let report = Report::new(&args, replay);
    let rendered = match args.format {
        Format::Text => report.text(args.verbose),
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&report.json(&reports))?),
        Format::Jsonl => report.jsonl()?,
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => crate::emit(&rendered)?,
    }
    if !ui.quiet {
        eprintln!("{}", report.summary_line(&reports));
    }
    let fails = args.fail_on.is_some_and(|threshold| report.selected.iter().any(|a| a.severity >= threshold));
    Ok(u8::from(fails))
}

/// Everything checked before reading a byte of traffic: the inputs exist, the configuration
/// loads and the engine accepts it.
fn prepare(args: &DetectArgs, ui: &Ui) -> anyhow::Result<Engine> {
    for file in &args.files {
        if file.as_os_str() == "-" {
            continue;
        }
        // A typo in the last of several large files should not cost reading the others first.
        let meta = std::fs::metadata(file).with_context(|| format!("{}: cannot open", file.display()))?;
        if meta.is_dir() {
            anyhow::bail!(
                "{}: is a directory: give the traffic files in it (for example {}/*.jsonl)",
                file.display(),
                file.display()
            );
        }
    }
    let mut config = match &args.config {
        Some(path) => load_config(path, ui)?,
        None => DetectConfig::default(),
    };
    // Recorded traffic cannot be blocked: what is worth seeing is what enforcement would do.
    if config.monitor && !ui.quiet {
        eprintln!("note: [detect] monitor = true is ignored: detect shows the decisions blocking would make");
    }
    config.monitor = false;
    if !config.enabled && !ui.quiet {
        eprintln!(
            "note: [detect] enabled = false (the gateway's switch) is ignored: detect runs the detectors"
        );
    }
    config.enabled = true;
    let name = args.config.as_deref().map_or_else(|| "defaults".to_owned(), |p| p.display().to_string());
    let mut engine = Engine::new(config).with_context(|| format!("{name}: invalid [detect] section"))?;
    if let Some(db) = &args.db {
        // The inventory knows login endpoints whose path says nothing (`POST /api/v2/session-start`).
        let store = SqliteStore::open(db)
            .with_context(|| format!("cannot open the inventory database {}", db.display()))?;
        let inventory = store
            .load_inventory()
            .with_context(|| format!("cannot read the inventory in {}", db.display()))?;
        let logins = login_endpoints(&inventory);
        if !ui.quiet {
            eprintln!("inventory {}: {} login endpoint(s)", db.display(), logins.len());
        }
        engine.add_login_endpoints(logins.iter().map(|(method, path)| (method.as_str(), path.as_str())));
    }
    Ok(engine)
}

/// The `[detect]` section of a rampart.toml; its defaults when the file has none.
fn load_config(path: &Path, ui: &Ui) -> anyhow::Result<DetectConfig> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|err| config_error(path, &text, &err))?;
    match file.detect {
        Some(config) => Ok(config),
        None => {
            if !ui.quiet {
                eprintln!("note: {} has no [detect] section: using the defaults", path.display());
            }
            Ok(DetectConfig::default())
        }
    }
}

/// A TOML error located as `FILE:LINE:COLUMN`, with the dotted path of the table it is in
/// (`detect.credential`): toml's own message names the key but not the section, and a
/// rampart.toml has many sections.
fn config_error(path: &Path, text: &str, err: &toml::de::Error) -> anyhow::Error {
    let message = err.message().trim();
    let Some(span) = err.span() else {
        return anyhow::anyhow!("{}: {message}", path.display());
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // The table the error is in: the last header on a line before the error's own (a broken
    // header is its own error).
    let section = before
        .rsplit_once('\n')
        .map_or("", |(complete_lines, _)| complete_lines)
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    match section {
        Some(section) => anyhow::anyhow!("{}:{line}:{column}: [{section}]: {message}", path.display()),
        None => anyhow::anyhow!("{}:{line}:{column}: {message}", path.display()),
    }
}

/// Feeds the sorted exchanges to the engine as the gateway would have, live.
fn replay(mut engine: Engine, exchanges: Vec<Exchange>, ui: &Ui) -> Replay {
    let bar = if ui.show_progress() {
        let bar = ProgressBar::new(exchanges.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} analysing [{bar:30}] {human_pos}/{human_len} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let first = exchanges.first().map(|e| e.started_at);
    let last = exchanges.last().map(|e| e.started_at);
    let mut events = Vec::new();
    let mut decisions = Vec::new();
    let mut collect = |engine: &mut Engine| {
        let out = engine.drain();
        events.extend(out.alerts);
        decisions.extend(out.decisions);
    };
    let mut clock: Option<DateTime<Utc>> = None;
    let step = Duration::seconds(TICK_SECS);
    // Each exchange is dropped once observed: memory shrinks as the replay goes.
    for (index, exchange) in exchanges.into_iter().enumerate() {
        // The gateway ticks every second, traffic or not, so an alert is updated and closed at
        // the time it would have been live; once none is open a gap holds nothing to tick for.
        let mut next_tick = clock.and_then(|c| c.checked_add_signed(step));
        while let Some(at) = next_tick
            && at < exchange.started_at
            && engine.stats().alerts_open > 0
        {
            engine.tick(at);
            collect(&mut engine);
            next_tick = at.checked_add_signed(step);
        }
        engine.observe(&exchange);
        collect(&mut engine);
        clock = Some(clock.map_or(exchange.started_at, |c| c.max(exchange.started_at)));
        if index % 4096 == 0 {
            bar.set_position(index as u64);
        }
    }
    bar.finish_and_clear();
    let out = engine.finish();
    events.extend(out.alerts);
    decisions.extend(out.decisions);
    let min_block_confidence = engine.config().min_block_confidence;
    Replay { events, decisions, stats: engine.stats(), first, last, min_block_confidence }
}

/// The replay, reduced to what is shown.
struct Report {
    /// Final state of each alert of the chosen detectors, by first seen: what `--fail-on` sees.
    selected: Vec<Alert>,
    /// Of those, the ones at or above `--min-severity`: what is listed.
    listed: Vec<Alert>,
    /// Their events, in emission order (jsonl).
    events: Vec<Alert>,
    decisions: Vec<Decision>,
    alerts_total: usize,
    stats: EngineStats,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    min_block_confidence: &'static str,
}

impl Report {
    fn new(args: &DetectArgs, replay: Replay) -> Report {
        let Replay { events, decisions, stats, first, last, min_block_confidence } = replay;
        // The engine emits Open, Updates and Closed under one id: the last event is the alert.
        let mut finals: HashMap<&str, &Alert> = HashMap::new();
        for event in &events {
            finals.insert(event.id.as_str(), event);
        }
        let alerts_total = finals.len();
        let chosen = |detector: DetectorKind| args.detectors.is_empty() || args.detectors.contains(&detector);
        let mut selected: Vec<Alert> = finals.into_values().filter(|a| chosen(a.detector)).cloned().collect();
        selected.sort_by(|a, b| (a.first_seen, &a.id).cmp(&(b.first_seen, &b.id)));
        let shown = |alert: &Alert| args.min_severity.is_none_or(|min| alert.severity >= min);
        let listed: Vec<Alert> = selected.iter().filter(|a| shown(a)).cloned().collect();
        let listed_ids: HashSet<&str> = listed.iter().map(|a| a.id.as_str()).collect();
        let selected_ids: HashMap<&str, &Alert> = selected.iter().map(|a| (a.id.as_str(), a)).collect();
        let decisions: Vec<Decision> = decisions
            .into_iter()
            .filter(|d| chosen(d.detector))
            .filter(|d| alert_of(d, &selected_ids).is_none_or(&shown))
            .collect();
        let events: Vec<Alert> = events.into_iter().filter(|e| listed_ids.contains(e.id.as_str())).collect();
        Report {
            min_block_confidence: confidence_name(min_block_confidence),
            selected,
            listed,
            events,
            decisions,
            alerts_total,
            stats,
            first,
            last,
        }
    }

    fn json<'a>(&'a self, reports: &[IngestReport]) -> JsonReport<'a> {
        JsonReport {
            format: "rampart.detect",
            version: 1,
            alerts: self.listed.iter().collect(),
            decisions: self.decisions.iter().collect(),
            stats: Stats {
                exchanges: self.stats.exchanges,
                first_exchange: self.first,
                last_exchange: self.last,
                span_secs: self.span().num_seconds(),
                alerts: self.listed.len(),
                alerts_total: self.alerts_total,
                alerts_by_detector: self.by_detector(),
                alert_events: self.events.len(),
                decisions: self.decisions.len(),
                decisions_by_action: self.by_action(),
                engine: &self.stats,
            },
            inputs: inputs(reports),
        }
    }

    fn jsonl(&self) -> anyhow::Result<String> {
        let mut out = String::new();
        for event in &self.events {
            out.push_str(&serde_json::to_string(event)?);
            out.push('\n');
        }
        Ok(out)
    }

    fn text(&self, verbose: bool) -> String {
        let mut out = String::new();
        if self.listed.is_empty() {
            out.push_str("no alerts\n");
        } else {
            let header = [
                "DETECTOR",
                "SEVERITY",
                "CONFIDENCE",
                "KEY",
                "ENDPOINTS",
                "COUNT",
                "FIRST SEEN",
                "LAST SEEN",
                "WOULD-BE ACTION",
            ];
            let rows: Vec<Vec<String>> = self
                .listed
                .iter()
                .map(|a| {
                    vec![
                        a.detector.as_str().to_owned(),
                        a.severity.as_str().to_owned(),
                        confidence_name(a.confidence).to_owned(),
                        a.key.to_string(),
                        endpoints(&a.endpoints),
                        a.count.to_string(),
                        timestamp(a.first_seen),
                        later(a.first_seen, a.last_seen),
                        self.action_label(a),
                    ]
                })
                .collect();
            table(&mut out, &header, &rows, &[5]);
        }
        if !self.decisions.is_empty() {
            let _ = writeln!(out, "\nDecisions the gateway would have made ({}):", self.decisions.len());
            let header = ["ACTION", "KEY", "DETECTOR", "FROM", "UNTIL"];
            let rows: Vec<Vec<String>> = self
                .decisions
                .iter()
                .take(DECISIONS_SHOWN)
                .map(|d| {
                    vec![
                        action_name(&d.action),
                        d.key.to_string(),
                        d.detector.as_str().to_owned(),
                        timestamp(d.created),
                        later(d.created, d.expires_at),
                    ]
                })
                .collect();
            table(&mut out, &header, &rows, &[]);
            if self.decisions.len() > DECISIONS_SHOWN {
                let _ = writeln!(
                    out,
                    "  … and {} more (see --format json)",
                    self.decisions.len() - DECISIONS_SHOWN
                );
            }
        }
        if verbose {
            for alert in &self.listed {
                out.push('\n');
                details(&mut out, alert);
            }
        }
        out
    }

    /// What the gateway would have done about an alert.
    fn action_label(&self, alert: &Alert) -> String {
        if alert.monitor_only {
            // The detector's action is block or rate_limit, but not at this confidence.
            format!("report (confidence < {})", self.min_block_confidence)
        } else {
            action_name(&alert.action)
        }
    }

    fn by_detector(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for alert in &self.listed {
            *counts.entry(alert.detector.as_str()).or_default() += 1;
        }
        counts
    }

    fn by_action(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for decision in &self.decisions {
            *counts.entry(decision.action.as_str()).or_default() += 1;
        }
        counts
    }

    fn span(&self) -> Duration {
        match (self.first, self.last) {
            (Some(first), Some(last)) => last - first,
            _ => Duration::zero(),
        }
    }

    /// `analysed 1204 exchanges over 1h 02m (…): 2 alerts (…); would decide …; 1 entry skipped (…)`.
    fn summary_line(&self, reports: &[IngestReport]) -> String {
        let mut line = format!("analysed {} exchanges", self.stats.exchanges);
        if let (Some(first), Some(last)) = (self.first, self.last) {
            let _ = write!(
                line,
                " over {} ({} → {})",
                span_text(self.span()),
                timestamp(first),
                later(first, last)
            );
        }
        let by_detector: Vec<String> = self.by_detector().iter().map(|(d, n)| format!("{d} {n}")).collect();
        let _ = write!(line, ": {} alert(s)", self.listed.len());
        if !by_detector.is_empty() {
            let _ = write!(line, " ({})", by_detector.join(", "));
        }
        let hidden = self.alerts_total - self.listed.len();
        if hidden > 0 {
            let _ = write!(line, ", {hidden} more left out by --detector/--min-severity");
        }
        let by_action: Vec<String> = self.by_action().iter().map(|(a, n)| format!("{n} {a}")).collect();
        if by_action.is_empty() {
            line.push_str("; no decision would have been made");
        } else {
            let _ = write!(line, "; would have decided: {}", by_action.join(", "));
        }
        let skipped: u64 = reports.iter().map(|r| r.skipped).sum();
        if skipped > 0 {
            let per_file: Vec<String> = reports
                .iter()
                .filter(|r| r.skipped > 0)
                .map(|r| format!("{} {}", r.file, r.skipped))
                .collect();
            let _ = write!(
                line,
                "; {skipped} malformed entr{} skipped ({})",
                plural_y(skipped),
                per_file.join(", ")
            );
        }
        if self.stats.without_ip > 0 {
            // HAR has no client address: most detectors key on it, so say why they were quiet.
            let _ = write!(line, "; {} exchanges without a client IP", self.stats.without_ip);
        }
        if self.stats.allowlisted > 0 {
            let _ = write!(line, "; {} from allowlisted networks", self.stats.allowlisted);
        }
        line
    }
}

/// The alert a decision was made for: the same id, or `ALERT+PARTICIPANT` for each address of a
/// grouped attack.
fn alert_of<'a>(decision: &Decision, alerts: &HashMap<&str, &'a Alert>) -> Option<&'a Alert> {
    if let Some(alert) = alerts.get(decision.id.as_str()) {
        return Some(alert);
    }
    decision.id.match_indices('+').find_map(|(at, _)| alerts.get(&decision.id[..at]).copied())
}

fn inputs(reports: &[IngestReport]) -> Inputs {
    Inputs {
        files: reports
            .iter()
            .map(|r| InputFile {
                file: r.file.clone(),
                format: r.format.map(|f| f.name()),
                exchanges: r.exchanges,
                skipped: r.skipped,
                errors: r.errors.iter().map(ToString::to_string).collect(),
                truncated: r.truncated,
            })
            .collect(),
        exchanges: reports.iter().map(|r| r.exchanges).sum(),
        skipped: reports.iter().map(|r| r.skipped).sum(),
    }
}

/// Summary, measures, related keys and a few masked samples of one alert.
fn details(out: &mut String, alert: &Alert) {
    let _ = writeln!(out, "{} {}  [{}]", alert.detector, alert.key, alert.id);
    let _ = writeln!(out, "    {}", alert.summary);
    if !alert.measures.is_empty() {
        let measures: Vec<String> = alert.measures.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(out, "    measures: {}", measures.join(" "));
    }
    if !alert.related.is_empty() {
        let related: Vec<String> = alert.related.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "    related: {}", related.join(", "));
    }
    for sample in alert.samples.iter().take(SAMPLES_SHOWN) {
        let status = sample.status.map_or_else(|| "no response".to_owned(), |s| s.to_string());
        let ip = sample.ip.map(|ip| format!("{ip} ")).unwrap_or_default();
        let _ = writeln!(
            out,
            "    sample: {} {ip}{} {} → {status}: {}",
            timestamp(sample.at),
            sample.method,
            sample.target,
            sample.note
        );
    }
}

/// A left-aligned table with two-space gutters; `right` lists the columns of numbers.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut push = |cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::from("  ");
        for (index, (cell, width)) in cells.zip(&widths).enumerate() {
            if right.contains(&index) {
                let _ = write!(line, "{cell:>width$}  ");
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push(&mut header.iter().copied());
    for row in rows {
        push(&mut row.iter().map(String::as_str));
    }
}

fn endpoints(endpoints: &[String]) -> String {
    let mut text = endpoints.iter().take(ENDPOINTS_SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if endpoints.len() > ENDPOINTS_SHOWN {
        let _ = write!(text, " +{}", endpoints.len() - ENDPOINTS_SHOWN);
    }
    text
}

fn action_name(action: &Action) -> String {
    match action {
        Action::RateLimit { per_minute } => format!("rate_limit {per_minute}/min"),
        other => other.as_str().to_owned(),
    }
}

fn confidence_name(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// A later instant, without the date when it is the same day as `since` (tables stay narrow).
fn later(since: DateTime<Utc>, at: DateTime<Utc>) -> String {
    if since.date_naive() == at.date_naive() { at.format("%H:%M:%SZ").to_string() } else { timestamp(at) }
}

/// `2d 03h`, `1h 02m`, `4m 05s`, `12s`.
fn span_text(span: Duration) -> String {
    let secs = span.num_seconds().max(0);
    let (days, hours, minutes, seconds) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}d {hours:02}h")
    } else if hours > 0 {
        format!("{hours}h {minutes:02}m")
    } else if minutes > 0 {
        format!("{minutes}m {seconds:02}s")
    } else {
        format!("{seconds}s")
    }
}

fn plural_y(n: u64) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}
