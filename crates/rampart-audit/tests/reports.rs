//! Output formats: SARIF valid against the SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json,
//! the OASIS schema as shipped in npm `@microsoft/jest-sarif`), with what GitHub code scanning
//! needs; stable JSON; grep-friendly text.

use rampart_audit::report::{self, Format};
use rampart_audit::{AuditConfig, FileReport, audit_text};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn corpus_reports() -> Vec<FileReport> {
    let mut reports: Vec<FileReport> =
        ["oas30-petstore.yaml", "oas31-train-travel.yaml", "oas30-petstore-expanded.json"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(format!("{DATA}/corpus/{name}")).expect("corpus file");
                audit_text(&format!("specs/{name}"), &text, &AuditConfig::default())
            })
            .collect();
    // A file that fails, to exercise toolExecutionNotifications.
    reports.push(audit_text("specs/broken.yaml", "openapi: 3.0.0\ninfo: [\n", &AuditConfig::default()));
    reports
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DATA}/sarif-schema-2.1.0.json")).expect("schema file"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let sarif: Value =
        serde_json::from_str(&report::render(&corpus_reports(), Format::Sarif)).expect("SARIF is JSON");
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).take(10).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // What GitHub code scanning reads.
    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(
        rules
            .iter()
            .all(|r| r["helpUri"].as_str().is_some_and(|u| u.starts_with("https://owasp.org/API-Security/")))
    );
    assert!(rules.iter().all(|r| r["properties"]["security-severity"].is_string()));
    let results = run["results"].as_array().expect("results");
    assert!(results.len() > 50);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let physical = &result["locations"][0]["physicalLocation"];
        let uri = physical["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("specs/") && !uri.starts_with('/'), "{uri}");
        assert!(physical["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(physical["region"]["startColumn"].as_u64().is_some_and(|c| c >= 1));
        assert!(result["partialFingerprints"].is_object());
    }
    let notifications =
        run["invocations"][0]["toolExecutionNotifications"].as_array().expect("notifications");
    assert_eq!(notifications.len(), 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn json_report_has_the_documented_shape() {
    let reports = corpus_reports();
    let json: Value = serde_json::from_str(&report::render(&reports, Format::Json)).expect("JSON");
    assert_eq!(json["format"], "rampart-audit/1");
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), 4);
    let petstore = &files[0];
    assert_eq!(petstore["file"], "specs/oas30-petstore.yaml");
    assert_eq!(petstore["openapi"], "3.0.0");
    let finding = &petstore["findings"][0];
    for key in ["rule", "owasp", "severity", "title", "location", "fix"] {
        assert!(!finding[key].is_null(), "finding lacks {key}: {finding}");
    }
    for key in ["file", "line", "column", "pointer"] {
        assert!(!finding["location"][key].is_null(), "location lacks {key}");
    }
    assert!(finding["owasp"].as_str().is_some_and(|o| o.starts_with("API")));
    let broken = &files[3];
    assert_eq!(broken["errors"][0]["line"], 3);
    let total: u64 = json["summary"]["by_severity"]
        .as_object()
        .expect("by_severity")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(json["summary"]["findings"].as_u64(), Some(total));
}

#[test]
fn text_report_has_one_line_per_finding_with_file_line_column() {
    let reports = corpus_reports();
    let text = report::render(&reports, Format::Text);
    let finding_lines = text.lines().filter(|l| l.starts_with("specs/oas30-petstore.yaml:")).count();
    assert_eq!(finding_lines, reports[0].findings.len());
    assert!(text.contains("specs/broken.yaml:3:"), "{text}");
    let first = reports[0].findings.first().expect("a finding");
    let location = first.location.as_ref().expect("location");
    let expected = format!(
        "specs/oas30-petstore.yaml:{}:{} {} {} ",
        location.line, location.column, first.severity, first.rule
    );
    assert!(text.contains(&expected), "{expected}");
}
