//! Human text, grouped by file: `file:line:col severity rule message [OWASP]`, one per line,
//! so that editors and terminals can jump to the place.

use std::fmt::Write as _;

use rampart_core::Severity;

use super::counts;
use crate::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let version = report.openapi.as_deref().map(|v| format!(" (OpenAPI {v})")).unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{version}: {} finding{}{}",
            report.file,
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" },
            if report.errors.is_empty() {
                String::new()
            } else {
                format!(", {} error(s)", report.errors.len())
            },
        );
        for error in &report.errors {
            let _ = writeln!(out, "{}:{}:{} error {}", report.file, error.line, error.column, error.message);
        }
        for finding in &report.findings {
            let (line, column) = finding.location.as_ref().map(|l| (l.line, l.column)).unwrap_or_default();
            let _ = writeln!(
                out,
                "{}:{line}:{column} {} {} {} [{}]",
                report.file, finding.severity, finding.rule, finding.title, finding.owasp
            );
        }
        if report.external_refs > 0 {
            let _ = writeln!(out, "{}: {} external $ref(s) not followed", report.file, report.external_refs);
        }
        out.push('\n');
    }
    let counts = counts(reports);
    let total: usize = counts.iter().sum();
    let errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    let by_severity: Vec<String> = Severity::ALL
        .iter()
        .zip(counts)
        .rev()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let _ = writeln!(
        out,
        "{} file{}, {total} finding{}{}{}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        if total == 1 { "" } else { "s" },
        if by_severity.is_empty() { String::new() } else { format!(" ({})", by_severity.join(", ")) },
        if errors > 0 { format!(", {errors} error(s)") } else { String::new() },
    );
    out
}
