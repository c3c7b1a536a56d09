//! One self-contained HTML page: inline CSS, no script, no external resource (links only). A
//! header with the target, date, seed, identities and counts, a table by OWASP category, the
//! findings highest severity first with their exchanges in `<details>`, the skipped tests
//! grouped by reason, and the warnings. Every string from the report is escaped: response
//! bodies come from the target and may carry markup. Readable on paper: print styles open the
//! exchanges where the browser allows it and keep colours meaningful in black and white.

use std::fmt::Write as _;

use rampart_core::{OwaspApi2023, Severity};

use super::escape::html as esc;
use super::{
    by_severity, display_time, distinct_tests, format_bytes, format_duration, plural, severity_label,
    skipped_by_reason, status_line,
};
use crate::model::{Outcome, RecordedExchange, ScanFinding, ScanReport};

const STYLE: &str = r#"
:root { color-scheme: light; --line: #d0d7de; --muted: #57606a; --bg-soft: #f6f8fa;
  --critical: #7b1113; --high: #c62828; --medium: #9a5b00; --low: #1f5fa8; --info: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; background: #fff; margin: 0 auto; max-width: 76rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0; }
h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .35rem; display: flex; flex-wrap: wrap; gap: .4rem; align-items: baseline; }
h4 { font-size: .9rem; margin: .8rem 0 .25rem; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
code { font-size: .92em; overflow-wrap: anywhere; }
a { color: #0550ae; }
.target { font-size: 1.1rem; margin: .2rem 0 1rem; overflow-wrap: anywhere; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.meta dt, dl.facts dt { color: var(--muted); }
dl.meta dd, dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .4rem 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0 1rem; }
.sev { display: inline-block; padding: 0 .5em; border-radius: 3px; border: 1px solid currentColor;
  font-weight: 700; font-size: .8em; letter-spacing: .04em; white-space: nowrap; }
.sev.sev-critical { color: var(--critical); } .sev.sev-high { color: var(--high); }
.sev.sev-medium { color: var(--medium); } .sev.sev-low { color: var(--low); } .sev.sev-info { color: var(--info); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #afb8c1; }
.finding { border: 1px solid var(--line); border-left: 6px solid var(--info); border-radius: 4px;
  padding: .8rem 1rem; margin: 1rem 0; }
.finding.sev-critical { border-left-color: var(--critical); } .finding.sev-high { border-left-color: var(--high); }
.finding.sev-medium { border-left-color: var(--medium); } .finding.sev-low { border-left-color: var(--low); }
.finding .title { font-weight: 600; margin: .2rem 0; overflow-wrap: anywhere; }
.finding p, .finding li { white-space: pre-line; overflow-wrap: anywhere; }
.op { background: var(--bg-soft); padding: 0 .3em; border-radius: 3px; }
.fix { background: #eef6ee; border-left: 3px solid #2f7d32; padding: .3rem .7rem; margin-top: .6rem; }
.fix h4 { margin-top: .2rem; }
details { margin: .4rem 0; border: 1px solid var(--line); border-radius: 4px; }
summary { cursor: pointer; padding: .3rem .6rem; background: var(--bg-soft); overflow-wrap: anywhere; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; padding: .5rem; }
.exchange h5 { margin: 0 0 .2rem; font-size: .8rem; color: var(--muted); }
pre { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; background: var(--bg-soft);
  border: 1px solid var(--line); border-radius: 3px; padding: .5rem; margin: 0; font-size: 12px; line-height: 1.4;
  max-height: 32rem; overflow: auto; }
.muted { color: var(--muted); }
ul.warnings li { margin: .2rem 0; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line); padding-top: .5rem; }
@media (max-width: 50rem) { .exchange { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; }
  .finding { break-inside: avoid-page; }
  h2, h3 { break-after: avoid-page; }
  pre { max-height: none; overflow: visible; font-size: 8.5pt; }
  .exchange { grid-template-columns: 1fr; }
  details::details-content { display: block; content-visibility: visible; }
  summary { list-style: none; }
}
"#;

pub fn render(report: &ScanReport) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>API security scan of {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.tool),
        esc(&report.version),
        esc(&report.target),
    );
    header(&mut out, report);
    summary(&mut out, report);
    findings(&mut out, report);
    skipped(&mut out, report);
    if !report.warnings.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"warnings\">\n<h2>Warnings ({})</h2>\n<ul class=\"warnings\">",
            report.warnings.len()
        );
        for warning in &report.warnings {
            let _ = writeln!(out, "<li>{}</li>", esc(warning));
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = write!(
        out,
        "<footer>Generated by {} {} from the scan started {}. Requests and responses are masked as recorded; \
         bodies are cut to a bounded length.</footer>\n</body>\n</html>\n",
        esc(&report.tool),
        esc(&report.version),
        esc(&display_time(&report.started_at)),
    );
    out
}

fn header(out: &mut String, report: &ScanReport) {
    let stats = &report.stats;
    let _ = writeln!(
        out,
        "<header>\n<h1>API security scan</h1>\n<p class=\"target\"><code>{}</code></p>\n<dl class=\"meta\">",
        esc(&report.target)
    );
    let identities = if report.identities.is_empty() {
        "none (anonymous only)".to_string()
    } else {
        report
            .identities
            .iter()
            .map(|(name, role)| {
                if role.is_empty() {
                    esc(name)
                } else {
                    format!("{} <span class=\"muted\">({})</span>", esc(name), esc(role))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut requests = format!("{} of {} (budget)", stats.requests_sent, stats.request_budget);
    for (n, one, many) in [
        (stats.transport_errors, "without a response", "without a response"),
        (stats.truncated_responses, "response truncated", "responses truncated"),
        (stats.off_target_redirects, "off-target redirect not followed", "off-target redirects not followed"),
        (stats.out_of_scope_refused, "out-of-scope request refused", "out-of-scope requests refused"),
    ] {
        if n > 0 {
            let _ = write!(requests, "; {n} {}", if n == 1 { one } else { many });
        }
    }
    let rows: [(&str, String); 10] = [
        ("Started", esc(&display_time(&report.started_at))),
        ("Spec", format!("<code>{}</code>", esc(&report.spec))),
        ("Seed", format!("<code>{}</code>", report.seed)),
        ("Mode", if report.allow_writes { "writes allowed" } else { "read-only" }.to_string()),
        ("Identities", identities),
        ("Operations", stats.operations.to_string()),
        ("Tests", format!("{} run, {} skipped", stats.tests_run, stats.tests_skipped)),
        ("Requests", requests),
        ("Duration", format_duration(stats.elapsed_ms)),
        ("Tool", format!("{} {}", esc(&report.tool), esc(&report.version))),
    ];
    for (name, value) in rows {
        let _ = writeln!(out, "<dt>{name}</dt><dd>{value}</dd>");
    }
    out.push_str("</dl>\n</header>\n");
}

fn severity_badge(severity: Severity) -> String {
    format!("<span class=\"sev sev-{}\">{}</span>", severity.as_str(), severity_label(severity))
}

fn summary(out: &mut String, report: &ScanReport) {
    let counts = report.counts();
    let _ = writeln!(
        out,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"counts\"><strong>{}</strong>",
        plural(report.findings.len(), "finding", "findings")
    );
    for severity in Severity::ALL.iter().rev() {
        let n = counts.get(*severity as usize).copied().unwrap_or(0);
        if n > 0 {
            let _ = write!(
                out,
                " <span class=\"sev sev-{}\">{n} {}</span>",
                severity.as_str(),
                severity.as_str()
            );
        }
    }
    out.push_str("</p>\n");

    let categories: Vec<OwaspApi2023> = OwaspApi2023::ALL
        .into_iter()
        .filter(|c| {
            report.findings.iter().any(|f| f.owasp == *c) || report.tests.iter().any(|t| t.owasp == *c)
        })
        .collect();
    if categories.is_empty() {
        out.push_str("<p class=\"muted\">No test ran.</p>\n</section>\n");
        return;
    }
    out.push_str("<table class=\"owasp\">\n<thead><tr><th>OWASP API Security Top 10 (2023)</th>");
    for severity in Severity::ALL.iter().rev() {
        let _ = write!(out, "<th class=\"n\">{}</th>", capitalised(severity.as_str()));
    }
    out.push_str("<th class=\"n\">Passed</th><th class=\"n\">Failed</th><th class=\"n\">Skipped</th></tr></thead>\n<tbody>\n");
    for category in categories {
        let _ = write!(
            out,
            "<tr><td><a href=\"{}\">{}</a> {}</td>",
            esc(category.url()),
            category.id(),
            esc(category.title())
        );
        let cells = Severity::ALL
            .iter()
            .rev()
            .map(|s| report.findings.iter().filter(|f| f.owasp == category && f.severity == *s).count())
            .chain([Outcome::Passed, Outcome::Failed, Outcome::Skipped].into_iter().map(|outcome| {
                report.tests.iter().filter(|t| t.owasp == category && t.outcome == outcome).count()
            }));
        for n in cells {
            let class = if n == 0 { "n zero" } else { "n" };
            let _ = write!(out, "<td class=\"{class}\">{n}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn findings(out: &mut String, report: &ScanReport) {
    let _ = writeln!(out, "<section id=\"findings\">\n<h2>Findings ({})</h2>", report.findings.len());
    if report.findings.is_empty() {
        out.push_str("<p>No weakness was proven.</p>\n");
    }
    for finding in by_severity(report) {
        finding_article(out, finding);
    }
    out.push_str("</section>\n");
}

fn finding_article(out: &mut String, finding: &ScanFinding) {
    let severity = finding.severity.as_str();
    let _ = writeln!(
        out,
        "<article class=\"finding sev-{severity}\" id=\"finding-{}\">\n<h3>{} <span>{}</span> <code>{}</code> <code class=\"op\">{}</code></h3>\n<p class=\"title\">{}</p>",
        esc(&finding.id),
        severity_badge(finding.severity),
        finding.owasp.id(),
        esc(&finding.rule),
        esc(&finding.operation),
        esc(&finding.title),
    );
    out.push_str("<dl class=\"facts\">\n");
    let _ = writeln!(
        out,
        "<dt>OWASP</dt><dd><a href=\"{}\">{}:2023 {}</a></dd>",
        esc(finding.owasp.url()),
        finding.owasp.id(),
        esc(finding.owasp.title())
    );
    if let Some(cwe) = finding.cwe {
        let _ = writeln!(
            out,
            "<dt>CWE</dt><dd><a href=\"https://cwe.mitre.org/data/definitions/{cwe}.html\">CWE-{cwe}</a></dd>"
        );
    }
    if let Some(parameter) = &finding.parameter {
        let _ = writeln!(out, "<dt>Parameter</dt><dd><code>{}</code></dd>", esc(parameter));
    }
    if !finding.identities.is_empty() {
        let _ = writeln!(out, "<dt>Identities</dt><dd>{}</dd>", esc(&finding.identities.join(", ")));
    }
    let _ = writeln!(out, "<dt>Id</dt><dd><code>{}</code></dd>\n</dl>", esc(&finding.id));
    if !finding.description.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(&finding.description));
    }
    if !finding.evidence.is_empty() {
        out.push_str("<h4>Evidence</h4>\n<ul>\n");
        for evidence in &finding.evidence {
            let _ = writeln!(out, "<li>{}</li>", esc(evidence));
        }
        out.push_str("</ul>\n");
    }
    let count = finding.exchanges.len();
    for (i, exchange) in finding.exchanges.iter().enumerate() {
        exchange_details(out, exchange, i + 1, count);
    }
    let _ = writeln!(out, "<div class=\"fix\"><h4>Fix</h4><p>{}</p></div>\n</article>", esc(&finding.fix));
}

fn exchange_details(out: &mut String, exchange: &RecordedExchange, number: usize, count: usize) {
    let request = &exchange.request;
    let outcome = match &exchange.response {
        Some(response) => status_line(response),
        None => "no response".to_string(),
    };
    let _ = writeln!(
        out,
        "<details>\n<summary>Exchange {number} of {count}: <code>{} {}</code> → {} <span class=\"muted\">({})</span></summary>\n<div class=\"exchange\">",
        esc(&request.method),
        esc(&request.url),
        esc(&outcome),
        format_duration(exchange.elapsed_ms),
    );
    let mut text = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let _ = writeln!(text, "{name}: {value}");
    }
    if let Some(body) = &request.body {
        text.push('\n');
        text.push_str(&display_body(body));
    }
    let _ = writeln!(out, "<div><h5>Request</h5><pre>{}</pre></div>", esc(text.trim_end()));
    let text = match &exchange.response {
        Some(response) => {
            let mut text = format!("HTTP {}\n", status_line(response));
            for (name, value) in &response.headers {
                let _ = writeln!(text, "{name}: {value}");
            }
            if let Some(body) = &response.body {
                text.push('\n');
                text.push_str(&if response.truncated { body.clone() } else { display_body(body) });
            }
            if response.truncated {
                let recorded = format_bytes(response.body.as_deref().map_or(0, str::len));
                let _ = write!(text, "\n… (truncated: {recorded} recorded)");
            }
            text
        }
        None => format!("No response: {}", exchange.error.as_deref().unwrap_or("unknown error")),
    };
    let _ =
        writeln!(out, "<div><h5>Response</h5><pre>{}</pre></div>\n</div>\n</details>", esc(text.trim_end()));
}

/// A JSON body pretty-printed (keys in their order), any other body as it is.
fn display_body(body: &str) -> String {
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(body)
        && let Ok(pretty) = serde_json::to_string_pretty(&value)
    {
        return pretty;
    }
    body.to_string()
}

fn skipped(out: &mut String, report: &ScanReport) {
    let groups = skipped_by_reason(report);
    if groups.is_empty() {
        return;
    }
    let total: usize = groups.iter().map(|(_, tests)| tests.len()).sum();
    let _ = writeln!(
        out,
        "<section id=\"skipped\">\n<h2>Tests skipped ({total})</h2>\n<table>\n<thead><tr><th>Reason</th><th class=\"n\">Count</th><th>Tests</th></tr></thead>\n<tbody>"
    );
    for (reason, tests) in groups {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td><details><summary>{}</summary><ul>",
            esc(reason),
            tests.len(),
            esc(&distinct_tests(&tests).join(", ")),
        );
        for test in tests {
            let _ = write!(
                out,
                "<li><code>{}</code> on <code>{}</code> <span class=\"muted\">({})</span></li>",
                esc(&test.test),
                esc(&test.operation),
                test.owasp.id()
            );
        }
        out.push_str("</ul></details></td></tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_are_pretty_printed_in_order_and_others_left_alone() {
        assert_eq!(display_body("{\"z\":1,\"a\":[true]}"), "{\n  \"z\": 1,\n  \"a\": [\n    true\n  ]\n}");
        assert_eq!(display_body("{not json"), "{not json");
        assert_eq!(display_body("<html>"), "<html>");
    }

    #[test]
    fn the_style_loads_nothing() {
        assert!(!STYLE.contains("url(") && !STYLE.contains("@import"));
    }
}
