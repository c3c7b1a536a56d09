//! SARIF 2.1.0, as GitHub code scanning takes it: every rule in `tool.driver.rules` with its
//! OWASP page as `helpUri` and a `security-severity`; results with `ruleId`, `ruleIndex`,
//! `level`, a relative `artifactLocation.uri`, `region.startLine` / `startColumn`, the JSON
//! pointer as a logical location, and a stable `partialFingerprints` entry. Files that could not
//! be audited become `toolExecutionNotifications` of the invocation.

use rampart_core::Finding;
use serde_json::{Value, json};

use crate::FileReport;
use crate::rules::RULES;

/// A file name as a relative URI reference: forward slashes, reserved characters escaped.
pub fn artifact_uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A stable fingerprint of a finding: FNV-1a of file, rule and pointer (not the line, which
/// moves when the file is edited above it).
fn fingerprint(file: &str, finding: &Finding) -> String {
    let pointer = finding.location.as_ref().map(|l| l.pointer.as_str()).unwrap_or("");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in file.bytes().chain([0]).chain(finding.rule.bytes()).chain([0]).chain(pointer.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn location(file: &str, line: u32, column: u32, pointer: &str) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": artifact_uri(file), "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": line.max(1), "startColumn": column.max(1) },
        },
    });
    if !pointer.is_empty()
        && let Some(object) = location.as_object_mut()
    {
        object
            .insert("logicalLocations".into(), json!([{ "fullyQualifiedName": pointer, "kind": "member" }]));
    }
    location
}

pub fn render(reports: &[FileReport]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": rule.id.split('-').map(|w| {
                    let mut chars = w.chars();
                    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
                }).collect::<String>(),
                "shortDescription": { "text": rule.summary },
                "fullDescription": { "text": format!("{} OWASP API Security Top 10 2023: {} {}.", rule.summary, rule.owasp.id(), rule.owasp.title()) },
                "help": {
                    "text": format!("{}\n\nFix: {}", rule.summary, rule.fix),
                    "markdown": format!("{}\n\n**Fix:** {}\n\n[OWASP {} – {}]({})", rule.summary, rule.fix, rule.owasp.id(), rule.owasp.title(), rule.owasp.url()),
                },
                "helpUri": rule.owasp.url(),
                "defaultConfiguration": { "level": rule.severity.sarif_level() },
                "properties": {
                    "tags": ["security", "openapi", format!("owasp-api-2023-{}", rule.owasp.id().to_ascii_lowercase())],
                    "security-severity": rule.severity.security_severity(),
                    "precision": "high",
                },
            })
        })
        .collect();

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        for finding in &report.findings {
            let rule_index = RULES.iter().position(|r| r.id == finding.rule);
            let (line, column, pointer) = finding
                .location
                .as_ref()
                .map(|l| (l.line, l.column, l.pointer.as_str()))
                .unwrap_or((1, 1, ""));
            let mut result = json!({
                "ruleId": finding.rule,
                "level": finding.severity.sarif_level(),
                "message": { "text": finding.title },
                "locations": [location(&report.file, line, column, pointer)],
                "partialFingerprints": { "rampartFinding/v1": fingerprint(&report.file, finding) },
                "properties": {
                    "severity": finding.severity.as_str(),
                    "security-severity": finding.severity.security_severity(),
                    "owasp": finding.owasp.id(),
                    "fix": finding.fix,
                },
            });
            if let (Some(index), Some(object)) = (rule_index, result.as_object_mut()) {
                object.insert("ruleIndex".into(), json!(index));
            }
            // Serialised one by one: a spec with 50 000 findings must not build one huge tree.
            results.push(serde_json::to_string(&result).unwrap_or_else(|_| "{}".to_string()));
        }
        for error in &report.errors {
            notifications.push(json!({
                "level": "error",
                "message": { "text": format!("{}: {}", report.file, error.message) },
                "locations": [location(&report.file, error.line, error.column, &error.pointer)],
            }));
        }
    }
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "rampart-audit",
                    "fullName": "Rampart OpenAPI security audit",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://owasp.org/API-Security/editions/2023/en/0x11-t10/",
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": [RESULTS_PLACEHOLDER],
        }],
    });
    let skeleton = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    let placeholder = format!("\"{RESULTS_PLACEHOLDER}\"");
    let mut text = String::with_capacity(skeleton.len() + results.iter().map(|r| r.len() + 8).sum::<usize>());
    match skeleton.split_once(&placeholder) {
        Some((before, after)) => {
            text.push_str(before);
            for (i, result) in results.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push_str("\n        ");
                text.push_str(result);
            }
            text.push_str(after);
        }
        None => text.push_str(&skeleton),
    }
    text.push('\n');
    text
}

/// Stands for the results in the skeleton document until they are spliced in.
const RESULTS_PLACEHOLDER: &str = "@@rampart-sarif-results@@";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_with_escapes() {
        assert_eq!(artifact_uri("./specs/my api.yaml"), "specs/my%20api.yaml");
        assert_eq!(artifact_uri("specs\\a#b.json"), "specs/a%23b.json");
    }
}
