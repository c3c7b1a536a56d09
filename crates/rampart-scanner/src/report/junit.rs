//! JUnit XML, the dialect GitLab, Jenkins and the GitHub test reporters read: `<testsuites>`
//! with one `<testsuite>` per OWASP category that had tests (`API1 Broken Object Level
//! Authorization`), one `<testcase classname="GET /v2/accounts/{accountId}" name="bola">` per
//! test record, a `<failure>` listing the findings of a failed test (`type` is the highest
//! severity) and a `<skipped>` with the reason of a skipped one. `tests`, `failures`, `errors`,
//! `skipped` and `time` (seconds) are on every suite and on the root.

use std::fmt::Write as _;

use rampart_core::{OwaspApi2023, Severity};

use super::escape::{terminal_line, xml_attr, xml_text};
use super::text::finding_block;
use super::{findings_by_id, seconds, severity_label};
use crate::model::{Outcome, ScanFinding, ScanReport, TestRecord};

pub fn render(report: &ScanReport) -> String {
    let findings = findings_by_id(report);
    // Only a real time: some readers refuse an empty or malformed `timestamp`.
    let timestamp = match chrono::DateTime::parse_from_rfc3339(&report.started_at) {
        Ok(_) => format!(" timestamp=\"{}\"", xml_attr(&report.started_at)),
        Err(_) => String::new(),
    };
    let mut suites = String::new();
    let mut totals = Counts::default();
    for category in OwaspApi2023::ALL {
        let records: Vec<&TestRecord> = report.tests.iter().filter(|t| t.owasp == category).collect();
        if records.is_empty() {
            continue;
        }
        let counts = Counts::of(&records);
        totals.add(&counts);
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"{timestamp}>",
            xml_attr(&format!("{} {}", category.id(), category.title())),
            counts.tests,
            counts.failures,
            counts.skipped,
            seconds(counts.elapsed_ms),
        );
        let _ = writeln!(suites, "    <properties>");
        for (name, value) in
            [("target", report.target.as_str()), ("spec", report.spec.as_str()), ("owasp", category.url())]
        {
            let _ = writeln!(suites, "      <property name=\"{name}\" value=\"{}\"/>", xml_attr(value));
        }
        let _ = writeln!(suites, "      <property name=\"seed\" value=\"{}\"/>", report.seed);
        let _ = writeln!(suites, "    </properties>");
        for record in records {
            suites.push_str(&testcase(record, &findings));
        }
        let _ = writeln!(suites, "  </testsuite>");
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"{timestamp}",
        xml_attr(&format!("{} {}", report.tool, report.target)),
        totals.tests,
        totals.failures,
        totals.skipped,
        // The wall time of the run: tests may overlap, so it is not the sum of the suites'.
        seconds(report.stats.elapsed_ms),
    );
    if suites.is_empty() {
        out.push_str("/>\n");
    } else {
        out.push_str(">\n");
        out.push_str(&suites);
        out.push_str("</testsuites>\n");
    }
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
    elapsed_ms: u64,
}

impl Counts {
    fn of(records: &[&TestRecord]) -> Self {
        let mut counts = Counts::default();
        for record in records {
            counts.tests += 1;
            counts.elapsed_ms = counts.elapsed_ms.saturating_add(record.elapsed_ms);
            match record.outcome {
                Outcome::Failed => counts.failures += 1,
                Outcome::Skipped => counts.skipped += 1,
                Outcome::Passed => {}
            }
        }
        counts
    }

    fn add(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.skipped += other.skipped;
        self.elapsed_ms = self.elapsed_ms.saturating_add(other.elapsed_ms);
    }
}

fn testcase(record: &TestRecord, findings: &std::collections::BTreeMap<&str, &ScanFinding>) -> String {
    let mut out = format!(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
        xml_attr(&record.operation),
        xml_attr(&record.test),
        seconds(record.elapsed_ms),
    );
    match record.outcome {
        Outcome::Passed => match record.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            Some(note) => {
                let _ = write!(
                    out,
                    ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    xml_text(&format!("{note} ({} requests)", record.requests))
                );
            }
            None => out.push_str("/>\n"),
        },
        Outcome::Skipped => {
            let reason = record.reason.as_deref().unwrap_or("skipped");
            let _ = write!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>\n", xml_attr(reason));
        }
        Outcome::Failed => {
            let found: Vec<&ScanFinding> =
                record.findings.iter().filter_map(|id| findings.get(id.as_str()).copied()).collect();
            let missing: Vec<&str> =
                record.findings.iter().map(String::as_str).filter(|id| !findings.contains_key(id)).collect();
            let worst = found.iter().map(|f| f.severity).max();
            let message = if found.is_empty() {
                record.reason.clone().unwrap_or_else(|| "the test failed".to_string())
            } else {
                found
                    .iter()
                    .map(|f| {
                        format!("[{}] {}: {}", severity_label(f.severity), f.rule, terminal_line(&f.title))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let mut body = String::new();
            let mut sorted = found.clone();
            sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
            for finding in sorted {
                body.push_str(&finding_block(finding, true));
                body.push('\n');
            }
            for id in missing {
                let _ = writeln!(body, "finding {} is not in the report", terminal_line(id));
            }
            let _ = writeln!(body, "{} requests sent by this test", record.requests);
            let _ = write!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                xml_attr(&message),
                worst.map_or("failure", Severity::as_str),
                xml_text(&body),
            );
        }
    }
    out
}
