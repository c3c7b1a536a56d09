//! `rampart classify`: find sensitive data in a JSON or text file (or stdin), for quick checks
//! and scripts. Findings name the kind, confidence and location, and show only masked values.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use rampart_sensitive::{Classifier, ClassifierConfig, Detection, Location};
use serde::Serialize;

use crate::Ui;

/// Inputs larger than this are refused: classify is for documents, not traffic captures
/// (`rampart discover` streams those).
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

#[derive(clap::Args)]
pub struct ClassifyArgs {
    /// A JSON document or a text file; `-` (the default) reads standard input.
    #[arg(default_value = "-", value_name = "FILE")]
    file: PathBuf,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Read the input as text even when it parses as JSON.
    #[arg(long)]
    text: bool,
    /// Exit with status 3 when anything is found (for scripts and CI gates).
    #[arg(long)]
    fail_if_found: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Serialize)]
struct Report<'a> {
    format: &'static str,
    version: u32,
    input: String,
    scanned_as: &'static str,
    findings: &'a [Detection],
}

pub fn run(args: ClassifyArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    let (name, bytes) = read_input(&args.file)?;
    let classifier = Classifier::new(ClassifierConfig::default());
    let looks_json = !args.text
        && bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'{' | b'['));
    let (findings, scanned_as) = if looks_json {
        match classifier.scan_json(&bytes) {
            Ok(found) => (found, "json"),
            Err(err) => {
                if !ui.quiet {
                    eprintln!("warning: {name}: not valid JSON ({err}); scanned as text");
                }
                (classifier.scan_text(&String::from_utf8_lossy(&bytes)), "text")
            }
        }
    } else {
        (classifier.scan_text(&String::from_utf8_lossy(&bytes)), "text")
    };
    match args.format {
        Format::Json => {
            let report = Report {
                format: "rampart.classify",
                version: 1,
                input: name.clone(),
                scanned_as,
                findings: &findings,
            };
            crate::emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
        }
        Format::Table => crate::emit(&table(&findings))?,
    }
    if !ui.quiet {
        eprintln!("{name}: {} finding(s), scanned as {scanned_as}", findings.len());
    }
    Ok(if args.fail_if_found && !findings.is_empty() { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn read_input(file: &PathBuf) -> anyhow::Result<(String, Vec<u8>)> {
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        anyhow::ensure!(
            bytes.len() as u64 <= MAX_INPUT_BYTES,
            "<stdin>: larger than {MAX_INPUT_BYTES} bytes"
        );
        return Ok(("<stdin>".to_owned(), bytes));
    }
    let name = file.display().to_string();
    let f = std::fs::File::open(file).with_context(|| format!("cannot open {name}"))?;
    f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
    anyhow::ensure!(bytes.len() as u64 <= MAX_INPUT_BYTES, "{name}: larger than {MAX_INPUT_BYTES} bytes");
    Ok((name, bytes))
}

fn location(location: &Location) -> String {
    match location {
        Location::Body { pointer } => format!("body {pointer}"),
        Location::Header { name } => format!("header {name}"),
        Location::Query { name } => format!("query {name}"),
        Location::Path { name } => format!("path {name}"),
        Location::Text { offset } => format!("text @{offset}"),
    }
}

fn table(findings: &[Detection]) -> String {
    let rows: Vec<[String; 4]> = findings
        .iter()
        .map(|d| {
            let confidence =
                serde_json::to_value(d.confidence).ok().and_then(|v| v.as_str().map(str::to_owned));
            [
                d.kind.name().to_owned(),
                confidence.unwrap_or_default(),
                location(&d.location),
                d.masked.clone(),
            ]
        })
        .collect();
    let header = ["TYPE", "CONFIDENCE", "LOCATION", "VALUE (MASKED)"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push = |cells: [&str; 4]| {
        let line: Vec<String> = cells.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    if rows.is_empty() {
        return "no sensitive data found\n".to_owned();
    }
    push(header);
    for row in &rows {
        push([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
}
