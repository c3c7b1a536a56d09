//! The stable JSON form (`"format": "rampart-audit/1"`), documented in `docs/audit.md`.
//! Serialised straight from the reports (no intermediate tree: a spec can have 50 000 findings).

use std::collections::BTreeMap;

use rampart_core::Severity;
use serde::Serialize;

use super::counts;
use crate::FileReport;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    tool: Tool,
    files: &'a [FileReport],
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    errors: usize,
    by_severity: BTreeMap<&'static str, usize>,
}

pub fn render(reports: &[FileReport]) -> String {
    let counts = counts(reports);
    let document = Document {
        format: "rampart-audit/1",
        tool: Tool { name: "rampart", version: env!("CARGO_PKG_VERSION") },
        files: reports,
        summary: Summary {
            files: reports.len(),
            findings: counts.iter().sum(),
            errors: reports.iter().map(|r| r.errors.len()).sum(),
            by_severity: Severity::ALL.iter().map(|s| s.as_str()).zip(counts).collect(),
        },
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
