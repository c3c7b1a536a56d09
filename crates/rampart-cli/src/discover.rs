//! `rampart discover`: traffic files in, inventory out (table or JSON), stored and merged across runs.
//!
//! [`analyse`] is the whole pipeline — specs, store, discovery and passive posture over the
//! traffic, spec comparison, findings and risk, saving — shared with `rampart findings`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use rampart_core::{Exchange, Inventory};
use rampart_discovery::SensitiveEngine;
use rampart_discovery::engine::{Discovery, DiscoveryConfig};
use rampart_ingest::{IngestOptions, IngestReport};
use rampart_openapi::SpecDocument;
use rampart_posture::{Assessment, Observations, PostureConfig, PostureObserver};
use rampart_store::{InventoryStore, PostureStore, RunRecord, SqliteStore};
use serde::Serialize;

use crate::Ui;

/// Errors printed in full per input file; the rest are counted.
const ERRORS_SHOWN_PER_FILE: usize = 10;

#[derive(clap::Args)]
pub struct DiscoverArgs {
    /// Traffic files: HAR 1.2 (.har) or Exchange JSON Lines (.jsonl); the format is detected from
    /// the content. `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    source: SourceArgs,
    /// Write a reconstructed OpenAPI 3.1 document (.yaml/.yml or .json); with several hosts, one file per host (`NAME.HOST.EXT`).
    #[arg(long, value_name = "FILE")]
    openapi: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Only show endpoints of this host.
    #[arg(long)]
    host: Option<String>,
    /// Order of the table's rows within a host: by path, by risk (highest first) or by calls.
    #[arg(long, value_enum, default_value_t = Sort::Path)]
    sort: Sort,
    /// Also show paths that only ever answered 404/405 (probes, typos, removed routes); they are
    /// kept in the database either way but are not endpoints and are left out of the export.
    #[arg(long)]
    all: bool,
}

/// What `discover` and `findings` read and where they keep it.
#[derive(clap::Args)]
pub struct SourceArgs {
    /// A declared OpenAPI 3.0 / 3.1 spec (YAML or JSON) to compare with; repeat for several.
    #[arg(long = "spec", value_name = "SPEC")]
    pub specs: Vec<PathBuf>,
    /// SQLite file where the inventory (and posture observations and findings) are kept and merged across runs.
    #[arg(long, default_value = "rampart.db", value_name = "FILE")]
    pub db: PathBuf,
    /// Do not read or write a database: this run's traffic only.
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
    /// Also catalogue static assets (scripts, style sheets, images, fonts, HTML pages), which
    /// browser recordings are full of; by default they are counted and left out.
    #[arg(long)]
    pub include_static: bool,
    /// Do not classify sensitive data (cards, national IDs, contacts, secrets) in the traffic:
    /// faster, but the SENSITIVE column and the per-field sensitive kinds stay empty (and the
    /// findings that depend on them are not raised).
    #[arg(long)]
    pub no_sensitive: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    Path,
    Risk,
    Calls,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// The `--format json` document. Versioned: fields are only added within a version.
#[derive(Serialize)]
struct JsonReport<'a> {
    format: &'static str,
    version: u32,
    summary: &'a Summary,
    inputs: Vec<InputSummary>,
    endpoints: Vec<serde_json::Value>,
}

#[derive(Serialize, Default)]
pub struct Summary {
    pub exchanges: u64,
    pub skipped: u64,
    pub endpoints: usize,
    pub hosts: usize,
    pub documented: usize,
    pub shadow: usize,
    pub zombie: usize,
    pub unused: usize,
    pub with_drift: usize,
    /// Paths that only answered 404/405 and no spec declares (hidden unless `--all`).
    pub not_found_paths: usize,
    /// Requests for static assets left out (unless `--include-static`).
    pub static_assets_skipped: u64,
    /// Endpoints that return sensitive data; of those, to unauthenticated callers; in bulk.
    pub sensitive_endpoints: usize,
    pub sensitive_unauthenticated: usize,
    pub sensitive_in_bulk: usize,
    /// Findings of passive posture analysis, and endpoints with at least one.
    pub findings: usize,
    pub endpoints_with_findings: usize,
}

#[derive(Serialize)]
struct InputSummary {
    file: String,
    exchanges: u64,
    skipped: u64,
    errors: Vec<String>,
    fatal: Option<String>,
}

/// What one pass over the inputs gives.
pub struct Analysis {
    /// The inventory, paths that only answered 404/405 included.
    pub inventory: Inventory,
    pub assessment: Assessment,
    pub reports: Vec<IngestReport>,
    pub exchanges: u64,
    pub skipped: u64,
    pub static_assets_skipped: u64,
    /// Specs that could not be read (reported on stderr).
    pub spec_failures: usize,
}

/// Read the specs and the traffic, run discovery and passive posture, compare with the specs,
/// assess, and (unless `--no-db`) merge with and save to the store.
pub fn analyse(files: &[PathBuf], source: &SourceArgs, ui: &Ui) -> anyhow::Result<Analysis> {
    let started_at = Utc::now();
    let (specs, spec_failures) = load_specs(&source.specs);

    let mut store = if source.no_db {
        None
    } else {
        Some(
            SqliteStore::open(&source.db)
                .with_context(|| format!("cannot open the inventory database {}", source.db.display()))?,
        )
    };

    let mut config =
        DiscoveryConfig { include_static_assets: source.include_static, ..DiscoveryConfig::default() };
    if !source.no_sensitive {
        config.record.classifier = Some(Arc::new(SensitiveEngine::default()));
    }
    let mut discovery = Discovery::new(config);
    let mut observer = PostureObserver::new();
    for (host, template) in rampart_openapi::declared_templates(&specs) {
        discovery.declare_template(host.as_deref(), &template);
    }
    if let Some(store) = &store {
        let prior = store.load_inventory().context("cannot load the stored inventory")?;
        discovery.seed(prior);
        let stored = store.load_observations().context("cannot load the stored posture observations")?;
        if let Some(text) = stored {
            match serde_json::from_str::<Observations>(&text) {
                Ok(prior) => observer.seed(prior),
                Err(err) => eprintln!(
                    "warning: {}: stored posture observations are not readable ({err}); starting them afresh",
                    source.db.display()
                ),
            }
        }
    }

    let reports = ingest(
        files,
        &mut |exchange: &Exchange| {
            if source.include_static || !rampart_discovery::engine::is_static_asset_exchange(exchange) {
                observer.observe(exchange);
            }
            discovery.observe(exchange);
        },
        ui,
    );
    let exchanges: u64 = reports.iter().map(|r| r.exchanges).sum();
    let skipped: u64 = reports.iter().map(|r| r.skipped).sum();
    report_ingest_errors(&reports);

    let static_assets_skipped = discovery.static_assets_skipped();
    let mut inventory = discovery.finish();
    if !specs.is_empty() {
        rampart_openapi::compare(&mut inventory, &specs);
    }
    let observations = observer.finish();
    let assessment = rampart_posture::assess(&inventory, &observations, &PostureConfig::default());

    if let Some(store) = &mut store {
        store
            .save_inventory(&inventory)
            .with_context(|| format!("cannot save the inventory to {}", source.db.display()))?;
        let observations =
            serde_json::to_string(&observations).context("cannot encode the posture observations")?;
        store
            .save_posture(&observations, &assessment.findings)
            .with_context(|| format!("cannot save the findings to {}", source.db.display()))?;
        store
            .record_run(&RunRecord {
                started_at,
                finished_at: Utc::now(),
                inputs: files.iter().map(|f| f.display().to_string()).collect(),
                exchanges,
                skipped,
            })
            .context("cannot record the run")?;
    }
    Ok(Analysis { inventory, assessment, reports, exchanges, skipped, static_assets_skipped, spec_failures })
}

pub fn run(args: DiscoverArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let Analysis {
        mut inventory,
        assessment,
        reports,
        exchanges,
        skipped,
        static_assets_skipped,
        spec_failures,
    } = analyse(&args.files, &args.source, ui)?;
    let mut failed = spec_failures > 0;
    let not_found_paths = inventory.endpoints.iter().filter(|e| is_not_found_path(e)).count();

    // Evidence stays in the store; the views below show endpoints only.
    if !args.all {
        inventory.endpoints.retain(|e| !is_not_found_path(e));
    }
    if let Some(out) = &args.openapi {
        write_openapi(out, &inventory, ui).context("cannot write the reconstructed OpenAPI document")?;
    }

    if let Some(host) = &args.host {
        inventory.endpoints.retain(|e| e.key.host.eq_ignore_ascii_case(host));
    }
    let mut summary = summarise(&inventory, exchanges, skipped);
    summary.not_found_paths = not_found_paths;
    summary.static_assets_skipped = static_assets_skipped;
    for e in &inventory.endpoints {
        let n = assessment.findings_of(&e.key).count();
        summary.findings += n;
        summary.endpoints_with_findings += usize::from(n > 0);
    }
    match args.format {
        Format::Table => {
            crate::emit(&crate::table::inventory_table(&inventory, &assessment, args.sort))?;
            crate::emit(&crate::table::spec_report(&inventory))?;
            if !ui.quiet {
                eprintln!("{}", crate::table::summary_line(&summary));
            }
        }
        Format::Json => {
            let report = JsonReport {
                format: "rampart.inventory",
                version: 1,
                summary: &summary,
                inputs: reports.iter().map(input_summary).collect(),
                endpoints: inventory
                    .endpoints
                    .iter()
                    .map(|e| crate::table::endpoint_json(e, &assessment))
                    .collect(),
            };
            crate::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        }
    }

    // Nothing read at all is a failed run; some bad entries among good ones are not.
    if exchanges == 0 {
        eprintln!("error: no exchange could be read from {} input file(s)", args.files.len());
        failed = true;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// A path that only answered 404/405 and that no spec declares.
fn is_not_found_path(e: &rampart_core::Endpoint) -> bool {
    use rampart_core::SpecStatus;
    let declared =
        e.spec.as_ref().is_some_and(|s| matches!(s.status, SpecStatus::Documented | SpecStatus::Zombie));
    e.answered_only_not_found() && !declared
}

fn load_specs(paths: &[PathBuf]) -> (Vec<SpecDocument>, usize) {
    let mut specs = Vec::new();
    let mut failures = 0;
    for path in paths {
        match rampart_openapi::load_spec(path) {
            Ok(spec) => {
                for warning in &spec.warnings {
                    eprintln!("warning: {}: {warning}", spec.file);
                }
                specs.push(spec);
            }
            Err(err) => {
                eprintln!("error: {err}");
                failures += 1;
            }
        }
    }
    (specs, failures)
}

/// Read every file as a stream, handing each exchange to `observe`.
pub fn ingest(files: &[PathBuf], observe: &mut dyn FnMut(&Exchange), ui: &Ui) -> Vec<IngestReport> {
    let total: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let bar = if ui.show_progress() {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg:20!} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut done_before = 0;
    let mut reports = Vec::new();
    for file in files {
        let progress = Arc::new(AtomicU64::new(0));
        let opts = IngestOptions { progress: Some(progress.clone()), ..IngestOptions::default() };
        bar.set_message(file_name(file));
        let mut count = 0u64;
        let mut sink = |exchange: rampart_core::Exchange| {
            observe(&exchange);
            count += 1;
            if count.is_multiple_of(4096) {
                bar.set_position(done_before + progress.load(Ordering::Relaxed));
            }
        };
        let report = if file.as_os_str() == "-" {
            rampart_ingest::read_detected("<stdin>", std::io::stdin().lock(), &opts, &mut sink)
        } else {
            rampart_ingest::read_path(file, &opts, &mut sink)
        };
        done_before += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        bar.set_position(done_before);
        reports.push(report);
    }
    bar.finish_and_clear();
    reports
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

pub fn report_ingest_errors(reports: &[IngestReport]) {
    for report in reports {
        for err in report.errors.iter().take(ERRORS_SHOWN_PER_FILE) {
            eprintln!("warning: {err}");
        }
        let hidden = report.skipped.saturating_sub(ERRORS_SHOWN_PER_FILE.min(report.errors.len()) as u64);
        if hidden > 0 {
            eprintln!("warning: {}: {hidden} more malformed entries skipped", report.file);
        }
        if let Some(fatal) = &report.fatal {
            eprintln!("error: {fatal}");
        }
        if !report.is_complete() {
            eprintln!("{}: {} exchanges read, {} skipped", report.file, report.exchanges, report.skipped);
        }
    }
}

fn input_summary(report: &IngestReport) -> InputSummary {
    InputSummary {
        file: report.file.clone(),
        exchanges: report.exchanges,
        skipped: report.skipped,
        errors: report.errors.iter().map(ToString::to_string).collect(),
        fatal: report.fatal.as_ref().map(ToString::to_string),
    }
}

pub fn summarise(inventory: &Inventory, exchanges: u64, skipped: u64) -> Summary {
    use rampart_core::SpecStatus;
    let mut s = Summary { exchanges, skipped, endpoints: inventory.endpoints.len(), ..Summary::default() };
    let mut hosts: Vec<&str> = inventory.endpoints.iter().map(|e| e.key.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    s.hosts = hosts.len();
    for e in &inventory.endpoints {
        s.sensitive_endpoints += usize::from(!e.sensitive.returned.is_empty());
        s.sensitive_unauthenticated +=
            usize::from(crate::table::has_personal(&e.sensitive.returned_unauthenticated));
        s.sensitive_in_bulk += usize::from(crate::table::has_personal(&e.sensitive.returned_in_bulk));
        if let Some(spec) = &e.spec {
            match spec.status {
                SpecStatus::Documented => s.documented += 1,
                SpecStatus::Shadow => s.shadow += 1,
                SpecStatus::Zombie => s.zombie += 1,
                SpecStatus::Unused => s.unused += 1,
            }
            if !spec.drift.is_empty() {
                s.with_drift += 1;
            }
        }
    }
    s
}

fn write_openapi(out: &Path, inventory: &Inventory, ui: &Ui) -> anyhow::Result<()> {
    let mut hosts: Vec<&str> =
        inventory.endpoints.iter().filter(|e| e.calls > 0).map(|e| e.key.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("yaml").to_ascii_lowercase();
    for host in &hosts {
        let path = if hosts.len() == 1 {
            out.to_path_buf()
        } else {
            let stem = out.file_stem().map_or_else(|| "openapi".into(), |s| s.to_string_lossy().into_owned());
            let safe_host: String = host
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
                .collect();
            out.with_file_name(format!("{stem}.{safe_host}.{ext}"))
        };
        let doc = rampart_openapi::export_openapi(inventory, host);
        let text =
            if ext == "json" { serde_json::to_string_pretty(&doc)? } else { rampart_openapi::to_yaml(&doc)? };
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        if !ui.quiet {
            eprintln!("wrote {} (OpenAPI 3.1, {host})", path.display());
        }
    }
    Ok(())
}
