//! Arbitrary bytes as an OpenAPI spec (YAML or JSON) through the audit: loading and every rule
//! must never panic or hang, and every finding must point at a place that exists in the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_audit::{AuditConfig, audit_text};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let report = audit_text("fuzz.yaml", text, &AuditConfig::default());
    // Lines as YAML and editors count them: LF, CRLF and a lone CR each end a line.
    let bytes = text.as_bytes();
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    let lines = breaks as u32 + 1;
    for finding in &report.findings {
        if let Some(location) = &finding.location {
            assert!(location.line >= 1 && location.line <= lines, "line {} of {lines}", location.line);
            assert!(location.column >= 1);
        }
    }
    for error in &report.errors {
        assert!(error.line <= lines);
    }
    // The same text as JSON-looking input must not panic either.
    if !text.trim_start().starts_with('{') {
        let _ = audit_text("fuzz.json", &format!("{{{text}}}"), &AuditConfig::default());
    }
});
