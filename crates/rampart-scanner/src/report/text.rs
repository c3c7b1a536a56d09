//! Plain text for a terminal and CI logs, no colours: a summary line, the findings highest
//! severity first with the first exchange that proves each, the skipped tests grouped by
//! reason, and the warnings. Everything that came from the target is put on one line and has
//! its control characters shown as `\u{1b}`, so a response cannot move the cursor or recolour
//! the log.

use std::fmt::Write as _;

use super::escape::{excerpt, terminal_line};
use super::{
    body_size, by_severity, display_time, distinct_tests, format_duration, plural, severity_counts,
    severity_label, skipped_by_reason, status_line,
};
use crate::model::{RecordedExchange, ScanFinding, ScanReport};

/// Characters of a body shown in the compact exchange.
const BODY_EXCERPT: usize = 160;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let stats = &report.stats;
    let _ = writeln!(
        out,
        "Scan of {}: {}, {} run, {} skipped, {} of {} requests, {}; {}",
        terminal_line(&report.target),
        plural(stats.operations, "operation", "operations"),
        plural(stats.tests_run, "test", "tests"),
        stats.tests_skipped,
        stats.requests_sent,
        stats.request_budget,
        format_duration(stats.elapsed_ms),
        match severity_counts(report) {
            Some(counts) => format!("{} ({counts})", plural(report.findings.len(), "finding", "findings")),
            None => "no findings".to_string(),
        },
    );
    let _ = writeln!(
        out,
        "{} {}, spec {}, seed {}, {}, started {}",
        terminal_line(&report.tool),
        terminal_line(&report.version),
        terminal_line(&report.spec),
        report.seed,
        if report.allow_writes { "writes allowed" } else { "read-only" },
        terminal_line(&display_time(&report.started_at)),
    );
    let anomalies: Vec<String> = [
        (stats.transport_errors, "transport error", "transport errors"),
        (stats.truncated_responses, "truncated response", "truncated responses"),
        (stats.off_target_redirects, "off-target redirect not followed", "off-target redirects not followed"),
        (stats.out_of_scope_refused, "out-of-scope request refused", "out-of-scope requests refused"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    if !anomalies.is_empty() {
        let _ = writeln!(out, "{}", anomalies.join(", "));
    }

    for finding in by_severity(report) {
        out.push('\n');
        out.push_str(&finding_block(finding, false));
    }

    let skipped = skipped_by_reason(report);
    if !skipped.is_empty() {
        let total: usize = skipped.iter().map(|(_, tests)| tests.len()).sum();
        let _ = writeln!(out, "\nSkipped ({total}):");
        let width = skipped.iter().map(|(_, tests)| tests.len().to_string().len()).max().unwrap_or(1);
        for (reason, tests) in &skipped {
            let _ = writeln!(
                out,
                "  {:>width$}  {} ({})",
                tests.len(),
                terminal_line(reason),
                terminal_line(&distinct_tests(tests).join(", ")),
            );
        }
    }

    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nWarnings ({}):", report.warnings.len());
        for warning in &report.warnings {
            let _ = writeln!(out, "  - {}", terminal_line(warning));
        }
    }
    out
}

/// One finding as text: the heading line, then indented details. JUnit failures reuse it, with
/// the description.
pub(super) fn finding_block(finding: &ScanFinding, with_description: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "[{}] {} {}  {}",
        severity_label(finding.severity),
        finding.owasp.id(),
        terminal_line(&finding.rule),
        terminal_line(&finding.operation),
    );
    let _ = writeln!(out, "    {}", terminal_line(&finding.title));
    if with_description && !finding.description.trim().is_empty() {
        let _ = writeln!(out, "    {}", terminal_line(&finding.description));
    }
    if !finding.identities.is_empty() {
        let _ = writeln!(out, "    identities: {}", terminal_line(&finding.identities.join(", ")));
    }
    if let Some(parameter) = &finding.parameter {
        let _ = writeln!(out, "    parameter: {}", terminal_line(parameter));
    }
    for evidence in &finding.evidence {
        let _ = writeln!(out, "    evidence: {}", terminal_line(evidence));
    }
    if let Some(exchange) = finding.exchanges.first() {
        out.push_str(&exchange_lines(exchange, "    "));
        if finding.exchanges.len() > 1 {
            let more = finding.exchanges.len() - 1;
            let _ = writeln!(out, "    (+{})", plural(more, "more exchange", "more exchanges"));
        }
    }
    let _ = writeln!(out, "    fix: {}", terminal_line(&finding.fix));
    let mut refs = vec![format!("id {}", terminal_line(&finding.id))];
    if let Some(cwe) = finding.cwe {
        refs.push(format!("CWE-{cwe}"));
    }
    refs.push(finding.owasp.url().to_string());
    let _ = writeln!(out, "    {}", refs.join(", "));
    out
}

/// `> GET url`, `> body`, `< 200 OK (1.2 KiB, 38 ms)`, `< body`, each on one line.
fn exchange_lines(exchange: &RecordedExchange, indent: &str) -> String {
    let mut out = String::new();
    let request = &exchange.request;
    let _ = writeln!(out, "{indent}> {} {}", terminal_line(&request.method), terminal_line(&request.url));
    if let Some(body) = request.body.as_deref().filter(|b| !b.trim().is_empty()) {
        let _ = writeln!(out, "{indent}> {}", excerpt(body, BODY_EXCERPT));
    }
    match &exchange.response {
        Some(response) => {
            let _ = writeln!(
                out,
                "{indent}< {} ({}, {})",
                status_line(response),
                body_size(response),
                format_duration(exchange.elapsed_ms)
            );
            if let Some(body) = response.body.as_deref().filter(|b| !b.trim().is_empty()) {
                let _ = writeln!(out, "{indent}< {}", excerpt(body, BODY_EXCERPT));
            }
        }
        None => {
            let error = exchange.error.as_deref().unwrap_or("no response");
            let _ = writeln!(
                out,
                "{indent}< no response: {} ({})",
                terminal_line(error),
                format_duration(exchange.elapsed_ms)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RecordedRequest, RecordedResponse};

    #[test]
    fn exchanges_are_compact_and_bodies_cut() {
        let exchange = RecordedExchange {
            request: RecordedRequest {
                method: "POST".into(),
                url: "https://api.example/v1/x".into(),
                headers: vec![],
                body: Some("{\n  \"role\": \"admin\"\n}".into()),
            },
            response: Some(RecordedResponse {
                status: 201,
                headers: vec![],
                body: Some(format!("{}\u{1b}[2J", "a".repeat(300))),
                truncated: true,
            }),
            error: None,
            elapsed_ms: 38,
        };
        let text = exchange_lines(&exchange, "");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "> POST https://api.example/v1/x");
        assert_eq!(lines[1], "> { \"role\": \"admin\" }");
        assert_eq!(lines[2], "< 201 Created (304 B, truncated, 38 ms)");
        assert!(lines[3].ends_with('…') && lines[3].chars().count() == 2 + BODY_EXCERPT + 1, "{}", lines[3]);
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn a_missing_response_shows_the_error() {
        let exchange = RecordedExchange {
            request: RecordedRequest { method: "GET".into(), url: "u".into(), headers: vec![], body: None },
            response: None,
            error: Some("connection reset".into()),
            elapsed_ms: 5003,
        };
        assert_eq!(exchange_lines(&exchange, "  "), "  > GET u\n  < no response: connection reset (5.0 s)\n");
    }
}
