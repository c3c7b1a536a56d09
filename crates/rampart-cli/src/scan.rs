//! `rampart scan`: the active scanner against a running API, for people and for CI.
//!
//! Exit codes: 0 when no finding reaches `--fail-on` (or no `--fail-on`), 1 when one does, 2 on
//! usage errors (an unreadable spec or identities file, a bad target URL, nothing to test).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use rampart_core::Severity;
use rampart_scanner::plan::{self, Operation};
use rampart_scanner::report::{self, Format};
use rampart_scanner::{Callback, ClientConfig, ScanOptions, Target, identities};
use rampart_store::{InventoryStore as _, SqliteStore};

use crate::Ui;

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Base URL of the API to test (`https://staging.bank.example/api`). Nothing else is ever
    /// contacted.
    #[arg(long, value_name = "URL")]
    target: String,
    /// OpenAPI 3.0/3.1 spec(s) of the operations to test.
    #[arg(long, value_name = "SPEC")]
    spec: Vec<PathBuf>,
    /// Also test the operations discovery recorded in the database (`rampart discover`),
    /// including those no spec declares.
    #[arg(long)]
    from_inventory: bool,
    /// The database `--from-inventory` reads.
    #[arg(long, default_value = "rampart.db", value_name = "FILE")]
    db: PathBuf,
    /// Who to act as: a TOML file of `[[identity]]` entries (tokens, API keys, cookies or a
    /// login flow); two ordinary users and one admin make every test possible.
    #[arg(long, value_name = "FILE")]
    identities: Option<PathBuf>,
    /// Allow tests that create, change or delete data (mass assignment, BOLA on writes, method
    /// swaps, oversized bodies, SSRF in bodies). Off by default: a scan only reads.
    #[arg(long)]
    allow_writes: bool,
    /// List the requests the scan would send, and send none.
    #[arg(long)]
    dry_run: bool,
    /// Requests sent at most.
    #[arg(long, default_value_t = 5000)]
    budget: u64,
    /// Requests per second at most.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Seconds one exchange may take, connect to last byte.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// KiB of a response body read at most.
    #[arg(long, default_value_t = 1024)]
    max_body_kib: usize,
    /// Seed of generated values: the same seed sends the same requests.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Wrong passwords sent in a row to each login to see whether it limits them (0: skip).
    #[arg(long, default_value_t = 12)]
    burst: u32,
    /// Run only these tests (comma-separated: auth-bypass, jwt, user-enumeration,
    /// login-rate-limit, bola, bola-write, bfla, method-swap, data-exposure, mass-assignment,
    /// page-size, regex-dos, oversized-body, rate-limit, ssrf, cors, security-headers, verbose-error,
    /// trace, tls, old-versions, undocumented, injection).
    #[arg(long, value_delimiter = ',', value_name = "TEST")]
    tests: Vec<String>,
    /// Do not run the SSRF callback listener (the SSRF test is skipped).
    #[arg(long)]
    no_callback: bool,
    /// Accept any TLS certificate (a staging host with a private CA); still reported.
    #[arg(long)]
    insecure: bool,
    /// Format of the report on standard output: text, json, sarif, junit or html.
    #[arg(long, default_value = "text", value_parser = parse_format)]
    format: Format,
    /// Also write the report to FILE, in the format its extension names (.txt, .json, .sarif,
    /// .xml, .html); repeatable.
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Exit with status 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Print a line per test and operation on stderr (for CI logs; a terminal gets a spinner).
    #[arg(long)]
    progress: bool,
}

const TESTS: [&str; 23] = [
    "auth-bypass",
    "jwt",
    "user-enumeration",
    "login-rate-limit",
    "bola",
    "bola-write",
    "bfla",
    "method-swap",
    "data-exposure",
    "mass-assignment",
    "page-size",
    "regex-dos",
    "oversized-body",
    "rate-limit",
    "ssrf",
    "cors",
    "security-headers",
    "verbose-error",
    "trace",
    "tls",
    "old-versions",
    "undocumented",
    "injection",
];

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse().map_err(|e: report::UnknownFormat| e.to_string())
}

fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "txt" | "text" => Some(Format::Text),
        "json" => Some(Format::Json),
        "sarif" => Some(Format::Sarif),
        "xml" | "junit" => Some(Format::Junit),
        "html" | "htm" => Some(Format::Html),
        _ => None,
    }
}

pub fn run(args: ScanArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    match prepare(&args) {
        Ok(options) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the runtime")?;
            runtime.block_on(execute(args, options, ui)).map(ExitCode::from)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Everything read and checked before the first request.
fn prepare(args: &ScanArgs) -> anyhow::Result<ScanOptions> {
    let target = Target::parse(&args.target)?;
    for path in &args.output {
        if format_of(path).is_none() {
            anyhow::bail!(
                "--output {}: unknown extension (use .txt, .json, .sarif, .xml or .html)",
                path.display()
            );
        }
    }
    for test in &args.tests {
        if !TESTS.contains(&test.as_str()) {
            anyhow::bail!("--tests: unknown test `{test}` (known: {})", TESTS.join(", "));
        }
    }
    if !(args.rate >= 0.0 && args.timeout > 0.0 && args.timeout.is_finite()) {
        anyhow::bail!("--rate must be 0 or more and --timeout more than 0");
    }
    let mut operations: Vec<Operation> = Vec::new();
    let mut labels = Vec::new();
    for path in &args.spec {
        let spec = rampart_openapi::load_spec(path)
            .with_context(|| format!("cannot use the spec {}", path.display()))?;
        for warning in &spec.warnings {
            eprintln!("warning: {}: {warning}", path.display());
        }
        merge(&mut operations, plan::operations(&spec, &target.base_path));
        labels.push(path.display().to_string());
    }
    if args.from_inventory {
        let store = SqliteStore::open(&args.db)
            .with_context(|| format!("cannot open the database {}", args.db.display()))?;
        let inventory = store
            .load_inventory()
            .with_context(|| format!("cannot read the inventory in {}", args.db.display()))?;
        let hosts: BTreeSet<String> = inventory.endpoints.iter().map(|e| e.key.host.clone()).collect();
        for host in hosts {
            let document = rampart_openapi::export_openapi(&inventory, &host);
            let spec = rampart_openapi::parse_spec(&format!("inventory ({host})"), &document.to_string())
                .with_context(|| format!("cannot read the reconstructed spec of {host}"))?;
            let mut observed = plan::operations(&spec, &target.base_path);
            // Beside a declared spec, what only traffic shows is a shadow endpoint.
            for op in &mut observed {
                op.undocumented = !args.spec.is_empty();
            }
            merge(&mut operations, observed);
        }
        labels.push(format!("inventory {}", args.db.display()));
    }
    if operations.is_empty() {
        anyhow::bail!(
            "nothing to test: give --spec (an OpenAPI document) or --from-inventory (after `rampart discover`)"
        );
    }
    let identities = match &args.identities {
        Some(path) => identities::load(path)?,
        None => Vec::new(),
    };
    Ok(ScanOptions {
        client: ClientConfig {
            target,
            timeout: Duration::from_secs_f64(args.timeout),
            max_body: args.max_body_kib.saturating_mul(1024),
            budget: args.budget,
            rate: args.rate,
            dry_run: args.dry_run,
            insecure_tls: args.insecure,
            user_agent: format!("rampart-scan/{}", env!("CARGO_PKG_VERSION")),
        },
        operations,
        spec_label: labels.join(", "),
        identities,
        seed: args.seed,
        allow_writes: args.allow_writes,
        only: args.tests.iter().cloned().collect(),
        callback: if args.no_callback { Callback::Off } else { Callback::Loopback },
        burst: args.burst,
    })
}

/// Adds the operations not already there (the first spec wins).
fn merge(into: &mut Vec<Operation>, more: Vec<Operation>) {
    for op in more {
        if !into.iter().any(|o| o.method == op.method && o.shape() == op.shape()) {
            into.push(op);
        }
    }
}

async fn execute(args: ScanArgs, options: ScanOptions, ui: &Ui) -> anyhow::Result<u8> {
    if options.identities.is_empty() && !ui.quiet {
        eprintln!("warning: no --identities: only tests without credentials run");
    }
    let bar = if ui.show_progress() {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    } else {
        None
    };
    let progress_bar = bar.clone();
    let verbose = !ui.quiet && args.progress && bar.is_none();
    let progress: rampart_scanner::context::Progress = Box::new(move |operation, test| {
        if let Some(bar) = &progress_bar {
            bar.set_message(format!("{test:<18} {operation}"));
        } else if verbose {
            eprintln!("scan: {test} {operation}");
        }
    });
    let (report, planned) = rampart_scanner::scan(options, progress).await?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.dry_run {
        let mut out = String::new();
        for request in &planned {
            out.push_str(&format!(
                "{} {}{}\n",
                request.method,
                request.url,
                if request.body_bytes > 0 {
                    format!("  ({} body bytes)", request.body_bytes)
                } else {
                    String::new()
                }
            ));
        }
        out.push_str(&format!(
            "# dry run: {} requests would be sent (the crawl would add IDs the target returns)\n",
            planned.len()
        ));
        crate::emit(&out)?;
        return Ok(0);
    }
    for path in &args.output {
        let format = format_of(path).unwrap_or(Format::Json);
        std::fs::write(path, report::render(&report, format))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    crate::emit(&report::render(&report, args.format))?;
    if !ui.quiet && args.format != Format::Text {
        let counts = report.counts();
        eprintln!(
            "scanned {} operations with {} requests: {} findings ({} critical, {} high, {} medium)",
            report.stats.operations,
            report.stats.requests_sent,
            report.findings.len(),
            counts[4],
            counts[3],
            counts[2]
        );
    }
    Ok(u8::from(args.fail_on.is_some_and(|threshold| report.fails_at(threshold))))
}
