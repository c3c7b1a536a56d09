//! Renders a [`ScanReport`]: plain text for terminals and CI logs, the report as JSON, SARIF
//! 2.1.0 for code scanning, JUnit XML for CI test reporters and a self-contained HTML page.
//!
//! Every string in a report may come from the target (response bodies, headers, error texts):
//! each renderer escapes for its format, drops or replaces what the format cannot carry (XML 1.0
//! forbids most control characters) and, for text meant for a terminal, neutralises escape
//! sequences and bidirectional controls, so that a hostile API cannot forge a report.

mod escape;
mod html;
mod json;
mod junit;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rampart_core::Severity;

use crate::model::{RecordedResponse, ScanFinding, ScanReport, TestRecord};

pub use html::render as html;
pub use json::render as json;
pub use junit::render as junit;
pub use sarif::render as sarif;
pub use text::render as text;

/// A report format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Html,
}

impl Format {
    pub const ALL: [Format; 5] = [Self::Text, Self::Json, Self::Sarif, Self::Junit, Self::Html];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Sarif => "sarif",
            Self::Junit => "junit",
            Self::Html => "html",
        }
    }

    /// The usual file extension of the format, without the dot (`sarif`, `xml` …).
    pub fn extension(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Json => "json",
            Self::Sarif => "sarif",
            Self::Junit => "xml",
            Self::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of `text`, `json`, `sarif`, `junit`, `html`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown report format `{0}` (expected text, json, sarif, junit or html)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Render a report in a format.
pub fn render(report: &ScanReport, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Json => json(report),
        Format::Sarif => sarif(report),
        Format::Junit => junit(report),
        Format::Html => html(report),
    }
}

/// The findings, highest severity first; the report's own order otherwise (the sort is stable).
fn by_severity(report: &ScanReport) -> Vec<&ScanFinding> {
    let mut findings: Vec<&ScanFinding> = report.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// `HIGH`, `CRITICAL` …
fn severity_label(severity: Severity) -> String {
    severity.as_str().to_ascii_uppercase()
}

/// `3 critical, 1 high`, highest first, zero counts left out; `None` without findings.
fn severity_counts(report: &ScanReport) -> Option<String> {
    let counts = report.counts();
    let parts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|severity| {
            let n = counts.get(*severity as usize).copied().unwrap_or(0);
            (n > 0).then(|| format!("{n} {severity}"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// `1 finding` / `3 findings`.
fn plural(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// `512 B`, `1.2 KiB`, `3.4 MiB`.
fn format_bytes(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < KIB * KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{:.1} MiB", b / (KIB * KIB))
    }
}

/// `850 ms`, `1.2 s`, `41.3 s`, `3 min 05 s`.
fn format_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        let seconds = ms / 1000;
        format!("{} min {:02} s", seconds / 60, seconds % 60)
    }
}

/// Seconds with millisecond precision, as JUnit's `time` attributes want them.
fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The reason phrase of a status code (`OK`, `Forbidden`), when it has a standard one.
fn reason_phrase(status: u16) -> Option<&'static str> {
    http::StatusCode::from_u16(status).ok().and_then(|code| code.canonical_reason())
}

/// `200 OK`, or just `599` for codes without a standard phrase.
fn status_line(response: &RecordedResponse) -> String {
    match reason_phrase(response.status) {
        Some(phrase) => format!("{} {phrase}", response.status),
        None => response.status.to_string(),
    }
}

/// The recorded size of a response body: `1.2 KiB`, `4.0 KiB, truncated`, `empty`.
fn body_size(response: &RecordedResponse) -> String {
    let len = response.body.as_deref().map_or(0, str::len);
    match (len, response.truncated) {
        (0, false) => "empty".to_string(),
        (len, false) => format_bytes(len),
        (len, true) => format!("{}, truncated", format_bytes(len)),
    }
}

/// The findings of a report by id.
fn findings_by_id(report: &ScanReport) -> BTreeMap<&str, &ScanFinding> {
    report.findings.iter().map(|f| (f.id.as_str(), f)).collect()
}

/// Skipped tests grouped by reason, most frequent first: `(reason, tests)`.
fn skipped_by_reason(report: &ScanReport) -> Vec<(&str, Vec<&TestRecord>)> {
    let mut groups: BTreeMap<&str, Vec<&TestRecord>> = BTreeMap::new();
    for test in report.tests.iter().filter(|t| t.outcome == crate::model::Outcome::Skipped) {
        groups.entry(test.reason.as_deref().unwrap_or("no reason given")).or_default().push(test);
    }
    let mut groups: Vec<(&str, Vec<&TestRecord>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    groups
}

/// The distinct test names of some records, in first-seen order.
fn distinct_tests<'a>(records: &[&'a TestRecord]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for record in records {
        if !names.contains(&record.test.as_str()) {
            names.push(&record.test);
        }
    }
    names
}

/// An RFC 3339 time as `2026-05-12 09:14:03 UTC`; the text as it is when it does not parse.
fn display_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(time) => time.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_case_insensitively_and_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.as_str().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string().to_uppercase().parse::<Format>(), Ok(format));
        }
        assert_eq!(" SARIF ".parse::<Format>(), Ok(Format::Sarif));
        let error = "xml".parse::<Format>().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("`xml`") && error.contains("junit"), "{error}");
    }

    #[test]
    fn sizes_and_durations_read_naturally() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(1229), "1.2 KiB");
        assert_eq!(format_bytes(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
        assert_eq!(format_duration(850), "850 ms");
        assert_eq!(format_duration(41_300), "41.3 s");
        assert_eq!(format_duration(185_000), "3 min 05 s");
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(41_305), "41.305");
    }

    #[test]
    fn status_lines_carry_the_standard_phrase_when_there_is_one() {
        let mut response = RecordedResponse { status: 403, headers: vec![], body: None, truncated: false };
        assert_eq!(status_line(&response), "403 Forbidden");
        assert_eq!(body_size(&response), "empty");
        response.status = 599;
        response.body = Some("x".repeat(2048));
        response.truncated = true;
        assert_eq!(status_line(&response), "599");
        assert_eq!(body_size(&response), "2.0 KiB, truncated");
    }

    #[test]
    fn times_display_in_utc_or_verbatim() {
        assert_eq!(display_time("2026-05-12T11:14:03+02:00"), "2026-05-12 09:14:03 UTC");
        assert_eq!(display_time("yesterday"), "yesterday");
    }
}
