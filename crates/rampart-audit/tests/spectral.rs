//! Rampart against Spectral's OWASP ruleset on the committed corpus: for every result in
//! Spectral's snapshot (tests/data/spectral-owasp.json, made by `bench/audit.sh --snapshot`),
//! Rampart reports the mapped rule at the same line, except for the documented exceptions.

use std::collections::{BTreeMap, HashSet};

use rampart_audit::{AuditConfig, audit_text, spectral_equivalent};
use serde_json::Value;

/// Spectral results Rampart deliberately does not reproduce, with why.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "owasp:api8:2023-define-cors-origin",
    "/components/headers",
    "Spectral's `$..headers` also matches `components.headers`, the registry of reusable header \
     definitions, which is not the header set of any response: a false positive",
)];

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

#[test]
fn rampart_reports_every_spectral_result_at_the_same_line() {
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DATA}/spectral-owasp.json")).expect("snapshot"),
    )
    .expect("snapshot is JSON");
    let files = snapshot["files"].as_object().expect("files");
    let mut misses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    for (file, results) in files {
        let text = std::fs::read_to_string(format!("{DATA}/corpus/{file}")).expect("corpus file");
        let report = audit_text(file, &text, &AuditConfig::default());
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
        let found: HashSet<(String, u32)> = report
            .findings
            .iter()
            .filter_map(|f| f.location.as_ref().map(|l| (f.rule.clone(), l.line)))
            .collect();
        for result in results.as_array().expect("results") {
            total += 1;
            let code = result["code"].as_str().unwrap_or("");
            let line = result["line"].as_u64().unwrap_or(0) as u32;
            let pointer = result["pointer"].as_str().unwrap_or("");
            let Some(rule) = spectral_equivalent(code) else {
                misses.entry(code.to_string()).or_default().push(format!("{file}:{line} (unmapped)"));
                continue;
            };
            if EXCEPTIONS.iter().any(|(c, p, _)| *c == code && *p == pointer) {
                continue;
            }
            if !found.contains(&(rule.to_string(), line)) {
                misses.entry(code.to_string()).or_default().push(format!("{file}:{line} {pointer}"));
            }
        }
    }
    let missed: usize = misses.values().map(Vec::len).sum();
    for (code, places) in &misses {
        eprintln!("{code}: {} missed, e.g. {:?}", places.len(), &places[..places.len().min(5)]);
    }
    eprintln!("{total} Spectral results, {missed} not matched");
    assert!(total > 1000);
    assert_eq!(missed, 0);
}
