//! SARIF 2.1.0 for code scanning and SARIF viewers: one run of `rampart-scan`, the rules the
//! findings used (OWASP page as `helpUri`, `security-severity` for GitHub), one result per
//! finding with its operation as a logical location, the proving exchange as the result's
//! `webRequest` / `webResponse` (§3.46, §3.47; every exchange under `properties.exchanges`),
//! the finding id as partial fingerprint, and the warnings as tool execution notifications.
//!
//! The physical location is the URL of the first request, written relative to the target's
//! origin with `uriBaseId` `TARGET` (resolved by `run.originalUriBaseIds`): GitHub code scanning
//! refuses `https:` artifact URIs ("unrecognized SARIF location URI scheme"), and needs a
//! physical location on every result.

use std::collections::BTreeMap;

use rampart_core::{OwaspApi2023, Severity};
use serde_json::{Map, Value, json};

use super::by_severity;
use crate::model::{RecordedExchange, RecordedRequest, RecordedResponse, ScanFinding, ScanReport};

const TOOL_NAME: &str = "rampart-scan";
const INFORMATION_URI: &str = "https://owasp.org/API-Security/editions/2023/en/0x11-t10/";
/// The `uriBaseId` of locations on the target.
const TARGET_BASE: &str = "TARGET";

/// A rule as its findings describe it: the first finding (highest severity first) gives the
/// category and the fix, the highest severity the default level.
struct Rule<'a> {
    id: &'a str,
    owasp: OwaspApi2023,
    severity: Severity,
    cwe: Option<u32>,
    fix: &'a str,
}

fn rules<'a>(findings: &[&'a ScanFinding]) -> Vec<Rule<'a>> {
    let mut rules: Vec<Rule<'a>> = Vec::new();
    for finding in findings {
        match rules.iter_mut().find(|r| r.id == finding.rule) {
            Some(rule) => {
                rule.severity = rule.severity.max(finding.severity);
                rule.cwe = rule.cwe.or(finding.cwe);
            }
            None => rules.push(Rule {
                id: &finding.rule,
                owasp: finding.owasp,
                severity: finding.severity,
                cwe: finding.cwe,
                fix: &finding.fix,
            }),
        }
    }
    rules
}

/// `bola-read` → `BolaRead`.
fn pascal_case(rule: &str) -> String {
    rule.split(['-', '_', ' '])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// `bola-read` → `bola read`.
fn words(rule: &str) -> String {
    rule.replace(['-', '_'], " ")
}

fn rule_descriptor(rule: &Rule<'_>) -> Value {
    let owasp = format!("{}:2023", rule.owasp.id());
    let mut tags = vec!["security".to_string(), owasp.clone()];
    if let Some(cwe) = rule.cwe {
        tags.push(format!("CWE-{cwe}"));
        // What GitHub shows as the alert's CWE.
        tags.push(format!("external/cwe/cwe-{cwe}"));
    }
    let summary = format!("{}: {}", rule.owasp.title(), words(rule.id));
    json!({
        "id": rule.id,
        "name": pascal_case(rule.id),
        "shortDescription": { "text": summary },
        "fullDescription": {
            "text": format!("{summary}. Proven by the Rampart active scanner (OWASP API Security Top 10 2023: {owasp} {}).", rule.owasp.title()),
        },
        "help": {
            "text": format!("Fix: {}\n\nOWASP {owasp} {}: {}", rule.fix, rule.owasp.title(), rule.owasp.url()),
            "markdown": format!("**Fix:** {}\n\n[OWASP {owasp} – {}]({})", rule.fix, rule.owasp.title(), rule.owasp.url()),
        },
        "helpUri": rule.owasp.url(),
        "defaultConfiguration": { "level": rule.severity.sarif_level() },
        "properties": {
            "tags": tags,
            "security-severity": rule.severity.security_severity(),
            "precision": "high",
        },
    })
}

/// The `scheme://authority` of a URL, and the rest (`/path?query`).
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let scheme_end = url.find("://")?;
    let authority_start = scheme_end + 3;
    let rest_start = url[authority_start..].find(['/', '?', '#']).map_or(url.len(), |i| authority_start + i);
    Some((&url[..rest_start], &url[rest_start..]))
}

/// A string as a URI reference: unreserved and reserved characters and valid `%XX` escapes
/// kept, everything else (spaces, braces, non-ASCII …) percent-encoded.
fn uri_escape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let valid_escape = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte) || valid_escape {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The physical location of a finding: the path of its first request (else of the target),
/// relative to the target's origin, without query or fragment.
fn artifact_location(report: &ScanReport, finding: &ScanFinding, origin: Option<&str>) -> Value {
    let url = finding.exchanges.first().map_or(report.target.as_str(), |e| e.request.url.as_str());
    let relative = |path: &str| {
        let path = path.split(['?', '#']).next().unwrap_or("");
        let path = uri_escape(path.trim_start_matches('/'));
        if path.is_empty() { "./".to_string() } else { path }
    };
    match (split_origin(url), origin) {
        (Some((url_origin, rest)), Some(origin)) if url_origin.eq_ignore_ascii_case(origin) => {
            json!({ "uri": relative(rest), "uriBaseId": TARGET_BASE })
        }
        // Not on the target (or not a URL at all): `host/path`, relative, as a last resort.
        (Some((url_origin, rest)), _) => {
            let host = url_origin.split("://").nth(1).unwrap_or(url_origin).replace(':', "_");
            json!({ "uri": relative(&format!("{host}{rest}")) })
        }
        (None, _) => json!({ "uri": relative(url) }),
    }
}

/// Headers as a SARIF object; repeated names joined with `, ` as HTTP allows.
fn headers(list: &[(String, String)]) -> Value {
    let mut object = Map::new();
    for (name, value) in list {
        let existing = object.iter_mut().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        match existing {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                object.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    Value::Object(object)
}

fn web_request(request: &RecordedRequest) -> Value {
    let mut value = json!({ "method": request.method, "target": request.url });
    if let Some(object) = value.as_object_mut() {
        if !request.headers.is_empty() {
            object.insert("headers".into(), headers(&request.headers));
        }
        if let Some(body) = &request.body {
            object.insert("body".into(), json!({ "text": body }));
        }
    }
    value
}

fn web_response(exchange: &RecordedExchange) -> Value {
    let Some(response) = &exchange.response else {
        let mut value = json!({ "noResponseReceived": true });
        if let (Some(error), Some(object)) = (&exchange.error, value.as_object_mut()) {
            object.insert("properties".into(), json!({ "error": error }));
        }
        return value;
    };
    let RecordedResponse { status, headers: list, body, truncated } = response;
    let mut value = json!({ "statusCode": status });
    if let Some(object) = value.as_object_mut() {
        if let Some(phrase) = super::reason_phrase(*status) {
            object.insert("reasonPhrase".into(), json!(phrase));
        }
        if !list.is_empty() {
            object.insert("headers".into(), headers(list));
        }
        if let Some(body) = body {
            object.insert("body".into(), json!({ "text": body }));
        }
        if *truncated {
            object.insert("properties".into(), json!({ "truncated": true }));
        }
    }
    value
}

fn result(
    report: &ScanReport,
    finding: &ScanFinding,
    rule_index: Option<usize>,
    origin: Option<&str>,
) -> Value {
    let message = if finding.description.trim().is_empty() {
        finding.title.clone()
    } else {
        format!("{}\n\n{}", finding.title, finding.description)
    };
    let mut properties = json!({
        "severity": finding.severity.as_str(),
        "security-severity": finding.severity.security_severity(),
        "owasp": finding.owasp.id(),
        "operation": finding.operation,
        "identities": finding.identities,
        "fix": finding.fix,
    });
    if let Some(object) = properties.as_object_mut() {
        if let Some(parameter) = &finding.parameter {
            object.insert("parameter".into(), json!(parameter));
        }
        if let Some(cwe) = finding.cwe {
            object.insert("cwe".into(), json!(format!("CWE-{cwe}")));
        }
        if !finding.evidence.is_empty() {
            object.insert("evidence".into(), json!(finding.evidence));
        }
        if !finding.exchanges.is_empty() {
            let exchanges: Vec<Value> = finding
                .exchanges
                .iter()
                .map(|e| {
                    json!({
                        "webRequest": web_request(&e.request),
                        "webResponse": web_response(e),
                        "elapsedMs": e.elapsed_ms,
                    })
                })
                .collect();
            object.insert("exchanges".into(), Value::Array(exchanges));
        }
    }
    let mut value = json!({
        "ruleId": finding.rule,
        "level": finding.severity.sarif_level(),
        "message": { "text": message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(report, finding, origin),
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{ "fullyQualifiedName": finding.operation, "kind": "function" }],
        }],
        "partialFingerprints": { "rampartFinding/v1": finding.id },
        "properties": properties,
    });
    if let Some(object) = value.as_object_mut() {
        if let Some(index) = rule_index {
            object.insert("ruleIndex".into(), json!(index));
        }
        if let Some(first) = finding.exchanges.first() {
            object.insert("webRequest".into(), web_request(&first.request));
            object.insert("webResponse".into(), web_response(first));
        }
    }
    value
}

/// `startTimeUtc` and `endTimeUtc` of the invocation, when `started_at` is RFC 3339.
fn times(report: &ScanReport) -> Option<(String, String)> {
    let start = chrono::DateTime::parse_from_rfc3339(&report.started_at).ok()?.with_timezone(&chrono::Utc);
    let elapsed = chrono::Duration::milliseconds(i64::try_from(report.stats.elapsed_ms).ok()?);
    let end = start.checked_add_signed(elapsed)?;
    let format = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    Some((format(start), format(end)))
}

pub fn render(report: &ScanReport) -> String {
    let findings = by_severity(report);
    let rules = rules(&findings);
    let origin = split_origin(&report.target).map(|(origin, _)| origin);
    let results: Vec<Value> = findings
        .iter()
        .map(|finding| result(report, finding, rules.iter().position(|r| r.id == finding.rule), origin))
        .collect();
    let notifications: Vec<Value> = report
        .warnings
        .iter()
        .map(|warning| json!({ "level": "warning", "message": { "text": warning } }))
        .collect();

    let mut invocation = json!({
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
    });
    if let (Some((start, end)), Some(object)) = (times(report), invocation.as_object_mut()) {
        object.insert("startTimeUtc".into(), json!(start));
        object.insert("endTimeUtc".into(), json!(end));
    }
    let identities: BTreeMap<&str, &str> =
        report.identities.iter().map(|(name, role)| (name.as_str(), role.as_str())).collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "fullName": "Rampart active API security scanner",
                "version": report.version,
                "informationUri": INFORMATION_URI,
                "rules": rules.iter().map(rule_descriptor).collect::<Vec<_>>(),
            }
        },
        "invocations": [invocation],
        "results": results,
        "properties": {
            "target": report.target,
            "spec": report.spec,
            "seed": report.seed,
            "allowWrites": report.allow_writes,
            "identities": identities,
            "stats": report.stats,
        },
    });
    if let (Some(origin), Some(object)) = (origin, run.as_object_mut()) {
        object.insert(
            "originalUriBaseIds".into(),
            json!({ TARGET_BASE: {
                "uri": format!("{origin}/"),
                "description": { "text": "The origin of the scanned API." },
            } }),
        );
    }
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_split_off_the_path() {
        assert_eq!(
            split_origin("https://api.bank.example:8443/v2/a?x=1"),
            Some(("https://api.bank.example:8443", "/v2/a?x=1"))
        );
        assert_eq!(split_origin("http://h"), Some(("http://h", "")));
        assert_eq!(split_origin("http://h?q"), Some(("http://h", "?q")));
        assert_eq!(split_origin("/relative"), None);
    }

    #[test]
    fn uris_are_escaped_but_existing_escapes_kept() {
        assert_eq!(uri_escape("v2/accounts/{id}/a b"), "v2/accounts/%7Bid%7D/a%20b");
        assert_eq!(uri_escape("caf%C3%A9/é/100%"), "caf%C3%A9/%C3%A9/100%25");
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("jwt-alg-none-accepted"), "JwtAlgNoneAccepted");
        assert_eq!(words("bola-read"), "bola read");
    }

    #[test]
    fn repeated_headers_are_joined() {
        let list = vec![
            ("Set-Cookie".to_string(), "a=1".to_string()),
            ("Vary".to_string(), "Origin".to_string()),
            ("set-cookie".to_string(), "b=2".to_string()),
        ];
        assert_eq!(headers(&list), json!({ "Set-Cookie": "a=1, b=2", "Vary": "Origin" }));
    }
}
