//! `rampart findings`: the passive posture findings of the traffic (or of the last run stored in
//! the database), filtered, as text or JSON, with an exit code for CI.
//!
//! With traffic files it runs exactly what `rampart discover` runs ([`crate::discover::analyse`]:
//! same inputs, same store, merged across runs) and prints the findings instead of the
//! inventory. Without files it lists the findings the last run stored in `--db`.
//!
//! Exit codes: 0 done; 1 a finding at or above `--fail-on` was listed; 2 bad usage or input (no
//! exchange could be read, a spec could not be read, no database to list from).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use rampart_core::{Finding, OwaspApi2023, Severity};
use rampart_store::{PostureStore, SqliteStore};
use serde::Serialize;

use crate::Ui;
use crate::discover::{SourceArgs, analyse};

#[derive(clap::Args)]
pub struct FindingsArgs {
    /// Traffic files (HAR 1.2 or Exchange JSON Lines, `-` for standard input). Without any, the
    /// findings stored by the last run in `--db` are listed.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    source: SourceArgs,
    /// Only findings of this severity or worse (info, low, medium, high, critical).
    #[arg(long, value_name = "MIN", value_parser = parse_severity)]
    severity: Option<Severity>,
    /// Only these OWASP API Top 10 (2023) categories, comma-separated (`API1,API3`).
    #[arg(long, value_name = "API1,...", value_delimiter = ',', value_parser = parse_owasp)]
    owasp: Vec<OwaspApi2023>,
    /// Only endpoints whose `METHOD host/path-template` contains this text (case-insensitive).
    #[arg(long, value_name = "SUBSTRING")]
    endpoint: Option<String>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    format: FindingsFormat,
    /// Exit with 1 when a listed finding is at or above this severity (for CI).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FindingsFormat {
    Text,
    Json,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>().map_err(|e| e.to_string())
}

fn parse_owasp(s: &str) -> Result<OwaspApi2023, String> {
    s.parse::<OwaspApi2023>().map_err(|e| e.to_string())
}

/// Exit code for bad usage or unreadable input.
const USAGE: u8 = 2;

/// The `--format json` document. Versioned: fields are only added within a version.
#[derive(Serialize)]
struct JsonFindings<'a> {
    format: &'static str,
    version: u32,
    summary: FindingsSummary,
    findings: &'a [&'a Finding],
}

#[derive(Serialize, Default)]
struct FindingsSummary {
    total: usize,
    by_severity: BTreeMap<&'static str, usize>,
    by_owasp: BTreeMap<&'static str, usize>,
}

pub fn run(args: FindingsArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let mut bad_input = false;
    let findings: Vec<Finding> = if args.files.is_empty() {
        if args.source.no_db {
            eprintln!("error: nothing to list: give traffic files, or a --db that a previous run filled");
            return Ok(ExitCode::from(USAGE));
        }
        if !args.source.db.exists() {
            eprintln!(
                "error: no database at {}: give traffic files, or the --db of a previous `rampart discover`",
                args.source.db.display()
            );
            return Ok(ExitCode::from(USAGE));
        }
        let store = SqliteStore::open(&args.source.db)
            .with_context(|| format!("cannot open the database {}", args.source.db.display()))?;
        store.load_findings().context("cannot load the stored findings")?
    } else {
        let analysis = analyse(&args.files, &args.source, ui)?;
        if analysis.exchanges == 0 {
            eprintln!("error: no exchange could be read from {} input file(s)", args.files.len());
            bad_input = true;
        }
        bad_input |= analysis.spec_failures > 0;
        let hidden: Vec<&rampart_core::EndpointKey> = analysis
            .inventory
            .endpoints
            .iter()
            .filter(|e| e.answered_only_not_found() && e.spec.is_none())
            .map(|e| &e.key)
            .collect();
        let mut findings = analysis.assessment.findings;
        findings.retain(|f| f.endpoint.as_ref().is_none_or(|k| !hidden.contains(&k)));
        findings
    };

    let needle = args.endpoint.as_deref().map(str::to_ascii_lowercase);
    let listed: Vec<&Finding> = findings
        .iter()
        .filter(|f| args.severity.is_none_or(|min| f.severity >= min))
        .filter(|f| args.owasp.is_empty() || args.owasp.contains(&f.owasp))
        .filter(|f| {
            needle.as_deref().is_none_or(|n| {
                f.endpoint.as_ref().is_some_and(|k| {
                    format!("{} {}{}", k.method, k.host, k.path_template).to_ascii_lowercase().contains(n)
                })
            })
        })
        .collect();

    let mut summary = FindingsSummary { total: listed.len(), ..FindingsSummary::default() };
    for f in &listed {
        *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
        *summary.by_owasp.entry(f.owasp.id()).or_default() += 1;
    }
    match args.format {
        FindingsFormat::Text => crate::emit(&render_text(&listed))?,
        FindingsFormat::Json => {
            let doc = JsonFindings { format: "rampart.findings", version: 1, summary, findings: &listed };
            crate::emit(&format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
        }
    }
    if !ui.quiet && args.format == FindingsFormat::Text {
        eprintln!("{} finding(s) listed of {}", listed.len(), findings.len());
    }
    if bad_input {
        return Ok(ExitCode::from(USAGE));
    }
    let fails = args.fail_on.is_some_and(|min| listed.iter().any(|f| f.severity >= min));
    Ok(if fails { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// Findings as text: one block per finding, worst first.
pub fn render_text(findings: &[&Finding]) -> String {
    let mut out = String::new();
    if findings.is_empty() {
        out.push_str("no findings\n");
    }
    for f in findings {
        let endpoint = f
            .endpoint
            .as_ref()
            .map_or_else(String::new, |k| format!("{} {}{}", k.method, k.host, k.path_template));
        let _ = writeln!(
            out,
            "{:<8}  {:<5}  {:<34}  {endpoint}",
            f.severity.as_str().to_ascii_uppercase(),
            f.owasp.id(),
            f.rule
        );
        let _ = writeln!(out, "    {}", f.title);
        for e in &f.evidence {
            let _ = writeln!(out, "    evidence: {e}");
        }
        let _ = writeln!(out, "    fix: {}", f.fix);
        out.push('\n');
    }
    out
}
