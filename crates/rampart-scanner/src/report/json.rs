//! The report as JSON: [`ScanReport`] serialised as it is, pretty-printed. Keys come in the
//! order the model declares its fields (identities sorted by name), so two runs diff cleanly,
//! and the text deserialises back into an equal report.

use crate::model::ScanReport;

pub fn render(report: &ScanReport) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|error| {
        // The model has only strings, numbers and string-keyed maps: this cannot happen, but a
        // report must still be JSON if it did.
        serde_json::json!({ "error": format!("the report could not be serialised: {error}") }).to_string()
    });
    text.push('\n');
    text
}
