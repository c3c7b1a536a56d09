//! The API's JSON shapes (`docs/control-plane-api.md`, "Shapes"), built from the pipeline's
//! snapshot and the store's rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rampart_core::{Endpoint, Finding, SchemaNode, Severity};
use rampart_posture::Assessment;
use rampart_store::{DecisionRow, FindingState, FindingStatus, TokenRecord};
use serde_json::{Value, json};

use crate::pipeline::{LoadedSpec, Snapshot};

/// Endpoints the lists show: those that only ever answered 404/405 and no spec declares are
/// scanners' guesses, kept in the store but not listed (as `rampart discover` does).
pub fn listed(endpoint: &Endpoint) -> bool {
    !(endpoint.answered_only_not_found() && endpoint.spec.is_none())
}

/// The five levels of a 0–100 risk score.
pub fn risk_level(score: u32) -> &'static str {
    match score {
        80.. => "critical",
        60..=79 => "high",
        40..=59 => "medium",
        20..=39 => "low",
        _ => "info",
    }
}

pub fn spec_status(endpoint: &Endpoint) -> Option<String> {
    endpoint
        .spec
        .as_ref()
        .and_then(|s| serde_json::to_value(s.status).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
}

fn label<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Sensitive data types an endpoint accepted or returned.
pub fn sensitive_types(endpoint: &Endpoint) -> BTreeSet<String> {
    let s = &endpoint.sensitive;
    s.accepted.keys().chain(s.returned.keys()).map(label).collect()
}

/// A finding's status, `open` when nobody changed it.
pub fn status_of(id: &str, states: &HashMap<String, FindingState>) -> FindingStatus {
    states.get(id).map_or(FindingStatus::Open, |state| state.status)
}

pub fn endpoint_ref(key: &rampart_core::EndpointKey) -> Value {
    json!({
        "id": rampart_store::endpoint_id(key),
        "host": key.host,
        "method": key.method,
        "path": key.path_template,
    })
}

pub fn endpoint_summary(
    endpoint: &Endpoint,
    snapshot: &Snapshot,
    states: &HashMap<String, FindingState>,
) -> Value {
    let key = &endpoint.key;
    let score = snapshot.assessment.risk_of(key).map_or(0, |r| r.score);
    let mut open = 0;
    let mut worst: Option<Severity> = None;
    for (finding, id) in snapshot.findings_of(key) {
        if status_of(id, states) == FindingStatus::Open {
            open += 1;
            worst = worst.max(Some(finding.severity));
        }
    }
    let mut auth: Vec<String> = endpoint.auth.schemes.iter().map(|s| label(&s.kind)).collect();
    auth.dedup();
    let statuses: BTreeMap<String, u64> =
        endpoint.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    json!({
        "id": rampart_store::endpoint_id(key),
        "host": key.host,
        "method": key.method,
        "path": key.path_template,
        "calls": endpoint.calls,
        "first_seen": endpoint.first_seen,
        "last_seen": endpoint.last_seen,
        "spec_status": spec_status(endpoint),
        "drift": endpoint.spec.as_ref().map_or(0, |s| s.drift.len()),
        "auth": auth,
        "unauthenticated": endpoint.auth.unauthenticated_success > 0,
        "sensitive_types": sensitive_types(endpoint),
        "risk": {"score": score, "level": risk_level(score)},
        "findings": {"open": open, "max_severity": worst.map(|s| s.as_str())},
        "statuses": statuses,
    })
}

/// Every field of the endpoint's bodies where sensitive data was seen, with a masked sample.
pub fn sensitive_fields(endpoint: &Endpoint) -> Vec<Value> {
    let mut fields = Vec::new();
    for node in endpoint.request_bodies.values() {
        walk(node, "$", &mut |path, node| push_fields(&mut fields, "request", None, path, node));
    }
    for (status, bodies) in &endpoint.responses {
        for node in bodies.values() {
            walk(node, "$", &mut |path, node| {
                push_fields(&mut fields, "response", Some(*status), path, node)
            });
        }
    }
    fields
}

fn push_fields(fields: &mut Vec<Value>, location: &str, status: Option<u16>, path: &str, node: &SchemaNode) {
    for (kind, count) in &node.sensitive {
        let sample = node.string.as_ref().and_then(|s| s.examples.first()).cloned();
        fields.push(json!({
            "location": location,
            "status": status.map(|s| s.to_string()),
            "path": path,
            "type": label(kind),
            "count": count,
            "sample": sample,
        }));
    }
}

fn walk(node: &SchemaNode, path: &str, visit: &mut dyn FnMut(&str, &SchemaNode)) {
    visit(path, node);
    if let Some(object) = &node.object {
        for (name, child) in &object.properties {
            walk(child, &format!("{path}.{name}"), visit);
        }
    }
    if let Some(array) = &node.array {
        walk(&array.items, &format!("{path}[]"), visit);
    }
}

/// One endpoint as `docs/inventory-json.md` describes it (`rampart discover --format json`, and
/// the control plane's endpoint detail): its stored form plus rendered JSON Schemas and latency
/// percentiles, which is what a consumer wants without re-implementing the statistics, and its
/// risk score (with its parts) and finding counts by severity.
pub fn endpoint_json(e: &Endpoint, assessment: &Assessment) -> serde_json::Value {
    let mut value = serde_json::to_value(e).unwrap_or(serde_json::Value::Null);
    if let Some(obj) = value.as_object_mut() {
        if let Some(risk) = assessment.risk_of(&e.key) {
            obj.insert("risk".into(), serde_json::to_value(risk).unwrap_or(serde_json::Value::Null));
        }
        let counts = assessment.counts_of(&e.key);
        let mut findings = serde_json::Map::new();
        findings.insert("total".into(), counts.iter().sum::<usize>().into());
        for sev in Severity::ALL {
            findings.insert(sev.as_str().into(), counts[sev as usize].into());
        }
        obj.insert("findings".into(), findings.into());
        let quantiles: serde_json::Map<String, serde_json::Value> =
            [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)]
                .into_iter()
                .filter_map(|(name, q)| {
                    e.latency.quantile(q).map(|v| (name.to_owned(), serde_json::json!(v)))
                })
                .collect();
        obj.insert("latency_ms".into(), quantiles.into());
        let request: serde_json::Map<String, serde_json::Value> =
            e.request_bodies.iter().map(|(m, s)| (m.clone(), rampart_openapi::json_schema(s))).collect();
        let responses: serde_json::Map<String, serde_json::Value> = e
            .responses
            .iter()
            .map(|(status, bodies)| {
                let by_media: serde_json::Map<String, serde_json::Value> =
                    bodies.iter().map(|(m, s)| (m.clone(), rampart_openapi::json_schema(s))).collect();
                (status.to_string(), by_media.into())
            })
            .collect();
        obj.insert("json_schemas".into(), serde_json::json!({ "request": request, "responses": responses }));
    }
    value
}

pub fn finding_view(finding: &Finding, id: &str, state: Option<&FindingState>) -> Value {
    json!({
        "id": id,
        "status": state.map_or("open", |s| s.status.as_str()),
        "note": state.and_then(|s| s.note.clone()),
        "status_changed_at": state.map(|s| s.changed_at),
        "status_changed_by": state.map(|s| s.changed_by.clone()),
        "rule": finding.rule,
        "owasp": finding.owasp.id(),
        "owasp_title": finding.owasp.title(),
        "severity": finding.severity.as_str(),
        "title": finding.title,
        "endpoint": finding.endpoint.as_ref().map(endpoint_ref),
        "evidence": finding.evidence,
        "fix": finding.fix,
    })
}

pub fn decision_view(row: &DecisionRow, now: DateTime<Utc>) -> Value {
    json!({
        "id": row.id,
        "target": {"kind": row.kind, "value": row.value},
        "action": row.action,
        "per_minute": row.per_minute,
        "reason": row.reason,
        "source": row.source,
        "detector": row.detector,
        "alert_id": row.alert_id,
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "lifted_at": row.lifted_at,
        "lifted_by": row.lifted_by,
        "active": row.is_active(now),
    })
}

pub fn token_view(token: &TokenRecord) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "role": token.role.as_str(),
        "created_at": token.created_at,
        "created_by": token.created_by,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    })
}

pub fn spec_info(spec: &LoadedSpec) -> Value {
    json!({
        "id": spec.row.id,
        "name": spec.row.name,
        "title": spec.title,
        "version": spec.version,
        "operations": spec.document.operations.len(),
        "sha256": spec.row.sha256,
        "uploaded_at": spec.row.uploaded_at,
        "uploaded_by": spec.row.uploaded_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_levels_cover_the_scale() {
        assert_eq!(risk_level(0), "info");
        assert_eq!(risk_level(20), "low");
        assert_eq!(risk_level(59), "medium");
        assert_eq!(risk_level(60), "high");
        assert_eq!(risk_level(100), "critical");
    }
}
