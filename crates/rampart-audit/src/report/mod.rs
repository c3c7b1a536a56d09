//! Rendering audit results: human text, stable JSON, SARIF 2.1.0.

mod json;
mod sarif;
mod text;

use std::str::FromStr;

use rampart_core::Severity;

use crate::FileReport;

pub use json::render as json;
pub use sarif::render as sarif;
pub use text::render as text;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            other => Err(format!("unknown format `{other}` (expected text, json or sarif)")),
        }
    }
}

/// Render reports in a format.
pub fn render(reports: &[FileReport], format: Format) -> String {
    match format {
        Format::Text => text(reports),
        Format::Json => json(reports),
        Format::Sarif => sarif(reports),
    }
}

/// Count of findings per severity, from info to critical.
pub fn counts(reports: &[FileReport]) -> [usize; 5] {
    let mut counts = [0; 5];
    for finding in reports.iter().flat_map(|r| &r.findings) {
        if let Some(i) = Severity::ALL.iter().position(|s| *s == finding.severity) {
            counts[i] += 1;
        }
    }
    counts
}
