//! `rampart audit`: the static security audit of OpenAPI specs, for people and for CI.
//!
//! Exit codes: 0 when no finding reaches `--fail-on` (or no `--fail-on`), 1 when one does,
//! 2 on usage errors and when a spec could not be audited (unreadable, bad YAML/JSON, not
//! OpenAPI 3, broken or circular `$ref`s). Every file is audited even when another fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use rampart_audit::report::{self, Format};
use rampart_audit::{AuditConfig, FileReport, RULES};
use rampart_core::Severity;

use crate::Ui;

/// Specs larger than this are refused (the GitHub spec, among the largest public ones, is 13 MB).
const MAX_SPEC_BYTES: u64 = 256 * 1024 * 1024;

/// The configuration file read from the current directory when `--config` is not given.
const DEFAULT_CONFIG: &str = "rampart-audit.toml";

#[derive(clap::Args)]
pub struct AuditArgs {
    /// OpenAPI 3.0 / 3.1 documents, YAML or JSON.
    #[arg(value_name = "SPEC", required_unless_present = "list_rules")]
    specs: Vec<PathBuf>,
    /// Output format: text (grouped by file), json (stable, documented) or sarif (2.1.0, for
    /// GitHub code scanning).
    #[arg(long, default_value = "text", value_parser = parse_format)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with status 1 when a finding is at or above this severity (info, low, medium,
    /// high, critical).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Report only findings at or above this severity (default: all, from info). `--fail-on`
    /// still counts every finding.
    #[arg(long, value_name = "SEVERITY")]
    min_severity: Option<Severity>,
    /// Configuration file (default: ./rampart-audit.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Turn a rule off (repeatable).
    #[arg(long, value_name = "RULE")]
    disable: Vec<String>,
    /// List the rules (id, OWASP category, severity, what they find) and exit.
    #[arg(long)]
    list_rules: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

pub fn run(args: AuditArgs, ui: &Ui) -> anyhow::Result<ExitCode> {
    run_code(args, ui).map(ExitCode::from)
}

/// The command, returning its exit status (0, 1 or 2, see the module docs).
fn run_code(args: AuditArgs, ui: &Ui) -> anyhow::Result<u8> {
    if args.list_rules {
        let mut out = String::new();
        for rule in RULES {
            out.push_str(&format!(
                "{:<32} {:<5} {:<8} {}\n",
                rule.id,
                rule.owasp.id(),
                rule.severity,
                rule.summary
            ));
        }
        crate::emit(&out)?;
        return Ok(0);
    }
    let config = match load_config(args.config.as_deref()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err:#}");
            return Ok(2);
        }
    };
    let mut config = config;
    for rule in &args.disable {
        if let Err(err) = config.disable(rule) {
            eprintln!("error: --disable: {err}");
            return Ok(2);
        }
    }
    let fail_on = args.fail_on.or(config.fail_on);

    let mut reports: Vec<FileReport> = args.specs.iter().map(|path| audit_file(path, &config)).collect();
    let over =
        fail_on.is_some_and(|threshold| reports.iter().any(|r| r.worst().is_some_and(|w| w >= threshold)));
    if let Some(min) = args.min_severity {
        for report in &mut reports {
            report.findings.retain(|finding| finding.severity >= min);
        }
    }
    let rendered = report::render(&reports, args.format);
    match &args.output {
        Some(path) => {
            std::fs::write(path, rendered).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => crate::emit(&rendered)?,
    }

    let failed = reports.iter().any(|r| !r.errors.is_empty());
    if !ui.quiet && (args.output.is_some() || args.format != Format::Text) {
        let findings: usize = reports.iter().map(|r| r.findings.len()).sum();
        eprintln!("audited {} file(s): {findings} finding(s)", reports.len());
    }
    if failed {
        for report in reports.iter().filter(|r| !r.errors.is_empty()) {
            for error in &report.errors {
                if error.line > 0 {
                    eprintln!("error: {}:{}:{}: {}", report.file, error.line, error.column, error.message);
                } else {
                    eprintln!("error: {}: {}", report.file, error.message);
                }
            }
        }
        return Ok(2);
    }
    Ok(if over { 1 } else { 0 })
}

fn load_config(explicit: Option<&Path>) -> anyhow::Result<AuditConfig> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG);
            if !default.is_file() {
                return Ok(AuditConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    AuditConfig::from_toml(&text).with_context(|| format!("invalid configuration {}", path.display()))
}

/// The name a file gets in reports: as given, or relative to the current directory when it
/// was given as an absolute path under it (SARIF wants relative URIs).
fn label(path: &Path) -> String {
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    relative.display().to_string()
}

fn audit_file(path: &Path, config: &AuditConfig) -> FileReport {
    let name = label(path);
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_SPEC_BYTES => {
            return FileReport::unreadable(&name, format!("larger than {MAX_SPEC_BYTES} bytes"));
        }
        Ok(meta) if meta.is_dir() => return FileReport::unreadable(&name, "is a directory".into()),
        Ok(_) => {}
        Err(err) => return FileReport::unreadable(&name, format!("cannot read: {err}")),
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return FileReport::unreadable(&name, format!("cannot read: {err}")),
    };
    match String::from_utf8(bytes) {
        Ok(text) => rampart_audit::audit_text(&name, &text, config),
        Err(err) => FileReport::unreadable(&name, format!("not UTF-8 text: {err}")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: AuditArgs,
    }

    const BANK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml");

    fn status(argv: &[&str]) -> u8 {
        let cli = Cli::try_parse_from(std::iter::once("audit").chain(argv.iter().copied()))
            .expect("arguments parse");
        run_code(cli.args, &Ui { quiet: true, terminal: false }).expect("runs")
    }

    #[test]
    fn fail_on_sets_the_exit_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("report.txt");
        let out = out.to_str().expect("utf-8 path");
        assert_eq!(status(&[BANK, "-o", out]), 0);
        assert_eq!(status(&[BANK, "-o", out, "--fail-on", "medium"]), 1);
        assert_eq!(status(&[BANK, "-o", out, "--fail-on", "high"]), 0);
        let text = std::fs::read_to_string(out).expect("report written");
        assert!(text.contains("bank-api.openapi.yaml:"), "{text}");
    }

    #[test]
    fn min_severity_hides_the_lesser_findings_but_not_from_fail_on() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("report.json");
        let out = out.to_str().expect("utf-8 path");
        let severities = |argv: &[&str]| -> (u8, Vec<String>) {
            let code = status(argv);
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out).expect("report written"))
                    .expect("JSON report");
            let mut found: Vec<String> = Vec::new();
            collect_severities(&json, &mut found);
            (code, found)
        };
        let (_, all) = severities(&[BANK, "--format", "json", "-o", out]);
        assert!(all.iter().any(|s| s == "info") && all.iter().any(|s| s == "medium"), "{all:?}");
        let (_, shown) = severities(&[BANK, "--format", "json", "-o", out, "--min-severity", "medium"]);
        assert!(
            !shown.is_empty() && shown.iter().all(|s| s == "medium" || s == "high" || s == "critical"),
            "{shown:?}"
        );
        // The demo spec has no high finding: nothing shown, yet its medium ones still fail the run.
        let (code, shown) = severities(&[
            BANK,
            "--format",
            "json",
            "-o",
            out,
            "--min-severity",
            "high",
            "--fail-on",
            "medium",
        ]);
        assert!(shown.is_empty(), "{shown:?}");
        assert_eq!(code, 1, "--fail-on counts the hidden findings");
    }

    fn collect_severities(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let (Some(serde_json::Value::String(severity)), Some(_)) =
                    (map.get("severity"), map.get("rule"))
                {
                    out.push(severity.clone());
                }
                map.values().for_each(|v| collect_severities(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect_severities(v, out)),
            _ => {}
        }
    }

    #[test]
    fn a_broken_file_fails_the_command_but_every_file_is_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let broken = dir.path().join("broken.yaml");
        std::fs::write(&broken, "openapi: 3.0.0\ninfo: [\n").expect("write");
        let missing = dir.path().join("missing.yaml");
        let out = dir.path().join("report.json");
        let code = status(&[
            broken.to_str().expect("path"),
            BANK,
            missing.to_str().expect("path"),
            "--format",
            "json",
            "-o",
            out.to_str().expect("path"),
        ]);
        assert_eq!(code, 2);
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("report")).expect("json");
        let files = report["files"].as_array().expect("files");
        assert_eq!(files.len(), 3);
        assert_eq!(files[0]["errors"][0]["line"], 3);
        assert!(files[1]["findings"].as_array().is_some_and(|f| !f.is_empty()));
        assert!(files[2]["errors"][0]["message"].as_str().is_some_and(|m| m.contains("cannot read")));
    }

    #[test]
    fn configuration_and_disable_turn_rules_off_and_unknown_rules_are_usage_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("rampart-audit.toml");
        std::fs::write(&config, "fail_on = \"low\"\ndisable = [\"no-429-response\"]\n").expect("write");
        let out = dir.path().join("report.sarif");
        let out_s = out.to_str().expect("path");
        let config_s = config.to_str().expect("path");
        assert_eq!(status(&[BANK, "--config", config_s, "--format", "sarif", "-o", out_s]), 1);
        let sarif = std::fs::read_to_string(&out).expect("sarif");
        assert!(sarif.contains("\"version\": \"2.1.0\""));
        assert!(!sarif.contains("\"ruleId\": \"no-429-response\""));
        assert_eq!(status(&[BANK, "-o", out_s, "--disable", "no-such-rule"]), 2);
        std::fs::write(&config, "disable = [\"nope\"]\n").expect("write");
        assert_eq!(status(&[BANK, "--config", config_s, "-o", out_s]), 2);
    }
}
