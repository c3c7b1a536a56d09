//! One function per route of `docs/control-plane-api.md`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use rampart_core::{OwaspApi2023, Severity};
use rampart_detect::Alert;
use rampart_store::{AlertFilter, AlertRow, DecisionRow, FindingState, FindingStatus, Role};
use serde::Deserialize;
use serde_json::{Value, json};

use super::views::{self, endpoint_summary, listed};
use super::{ApiError, ApiState, Caller};
use crate::pipeline::Event;

type Api = State<Arc<ApiState>>;

fn query<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    query.map(|Query(q)| q).map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
}

fn body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(b)| b).map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(rejection.body_text())
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })
}

fn page(limit: Option<u32>, offset: Option<u32>) -> Result<(u32, u32), ApiError> {
    let limit = limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest("limit: between 1 and 500".to_owned()));
    }
    Ok((limit, offset.unwrap_or(0)))
}

fn list(total: u64, items: Vec<Value>) -> Json<Value> {
    Json(json!({"total": total, "items": items}))
}

/// Free text people write (notes, reasons, names): bounded, and without control characters
/// (a line break in a note is fine), so the audit log and the dashboard show what was written.
fn check_len(field: &str, value: &str, max: usize) -> Result<(), ApiError> {
    if value.chars().count() > max {
        return Err(ApiError::BadRequest(format!("{field}: at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ApiError::BadRequest(format!("{field}: control characters are not allowed")));
    }
    Ok(())
}

async fn finding_states(state: &Arc<ApiState>) -> Result<HashMap<String, FindingState>, ApiError> {
    state.with_store(|store| Ok(store.finding_states()?)).await
}

async fn audit(state: &Arc<ApiState>, caller: &Caller, action: &'static str, target: String, detail: Value) {
    let actor = caller.actor();
    let ip = caller.ip.to_string();
    let written = state
        .with_store(move |store| {
            Ok(store.append_audit(Utc::now(), &actor, action, &target, &detail, Some(&ip))?)
        })
        .await;
    if let Err(error) = written {
        tracing::error!(%error, action, "control plane: writing the audit log failed");
    }
}

pub async fn whoami(Extension(caller): Extension<Caller>) -> Json<Value> {
    Json(json!({"token_id": caller.token.id, "name": caller.token.name, "role": caller.token.role.as_str()}))
}

pub async fn overview(State(state): Api) -> Result<Json<Value>, ApiError> {
    let snapshot = state.shared.snapshot();
    let states = finding_states(&state).await?;
    let now = Utc::now();
    let since = now - Duration::minutes(60);
    let (traffic, alerts_open, alerts_total, decisions_active) = state
        .with_store(move |store| {
            Ok((
                store.traffic(None, since)?,
                store.alert_count(true)?,
                store.alert_count(false)?,
                store.decisions(true, now, 1, 0)?.0,
            ))
        })
        .await?;
    let mut hosts: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for endpoint in snapshot.inventory.endpoints.iter().filter(|e| listed(e)) {
        let host = hosts.entry(endpoint.key.host.as_str()).or_default();
        if endpoint.calls > 0 {
            host.0 += 1;
            host.1 += endpoint.calls;
            *counts.entry("total").or_default() += 1;
        }
        match views::spec_status(endpoint).as_deref() {
            Some("documented") => *counts.entry("documented").or_default() += 1,
            Some("shadow") => *counts.entry("shadow").or_default() += 1,
            Some("zombie") => *counts.entry("zombie").or_default() += 1,
            Some("unused") => *counts.entry("unused").or_default() += 1,
            _ => {}
        }
        if endpoint.spec.as_ref().is_some_and(|s| !s.drift.is_empty()) {
            *counts.entry("drifted").or_default() += 1;
        }
        if !views::sensitive_types(endpoint).is_empty() {
            *counts.entry("sensitive").or_default() += 1;
        }
        if endpoint.auth.unauthenticated_success > 0 {
            *counts.entry("unauthenticated").or_default() += 1;
        }
    }
    let count = |name: &str| counts.get(name).copied().unwrap_or(0);
    let mut by_severity: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_owasp: BTreeMap<&str, u64> = BTreeMap::new();
    let mut open = 0;
    for (finding, id) in snapshot.assessment.findings.iter().zip(&snapshot.finding_ids) {
        if views::status_of(id, &states) == FindingStatus::Open && snapshot.finding_listed(finding) {
            open += 1;
            *by_severity.entry(finding.severity.as_str()).or_default() += 1;
            *by_owasp.entry(finding.owasp.id()).or_default() += 1;
        }
    }
    let stats = &state.shared.stats;
    Ok(Json(json!({
        "generated_at": now,
        "hosts": hosts.iter().filter(|(_, (n, _))| *n > 0).map(|(host, (endpoints, calls))| json!({"host": host, "endpoints": endpoints, "calls": calls})).collect::<Vec<_>>(),
        "endpoints": {
            "total": count("total"), "documented": count("documented"), "shadow": count("shadow"),
            "zombie": count("zombie"), "unused": count("unused"), "drifted": count("drifted"),
            "sensitive": count("sensitive"), "unauthenticated": count("unauthenticated"),
        },
        "findings": {"open": open, "by_severity": by_severity, "by_owasp": by_owasp},
        "alerts": {"open": alerts_open, "total": alerts_total},
        "decisions": {"active": decisions_active},
        "traffic": traffic.iter().map(|b| json!({"minute": b.minute, "requests": b.requests, "refused": b.refused, "errors": b.errors, "alerts": b.alerts})).collect::<Vec<_>>(),
        "pipeline": {
            "exchanges": stats.exchanges.load(Ordering::Relaxed),
            "last_analysis_at": snapshot.analysed_at,
            "dropped": stats.dropped.load(Ordering::Relaxed),
        },
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointQuery {
    q: Option<String>,
    host: Option<String>,
    method: Option<String>,
    spec_status: Option<String>,
    sensitive: Option<bool>,
    auth: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

pub async fn endpoints(
    State(state): Api,
    params: Result<Query<EndpointQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let (limit, offset) = page(params.limit, params.offset)?;
    if let Some(status) = &params.spec_status
        && !["documented", "shadow", "zombie", "unused", "undeclared"].contains(&status.as_str())
    {
        return Err(ApiError::BadRequest(
            "spec_status: one of documented, shadow, zombie, unused, undeclared".to_owned(),
        ));
    }
    if params.auth.as_deref().is_some_and(|a| a != "none") {
        return Err(ApiError::BadRequest("auth: only `none` is supported".to_owned()));
    }
    let sort = params.sort.as_deref().unwrap_or("risk");
    if !["risk", "calls", "last_seen", "path"].contains(&sort) {
        return Err(ApiError::BadRequest("sort: one of risk, calls, last_seen, path".to_owned()));
    }
    let ascending = match params.order.as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(ApiError::BadRequest("order: asc or desc".to_owned())),
    };
    let snapshot = state.shared.snapshot();
    let states = finding_states(&state).await?;
    let needle = params.q.as_deref().map(str::to_ascii_lowercase);
    let mut matched: Vec<&rampart_core::Endpoint> = snapshot
        .inventory
        .endpoints
        .iter()
        .filter(|e| listed(e))
        .filter(|e| {
            needle.as_deref().is_none_or(|n| {
                format!("{} {}{}", e.key.method, e.key.host, e.key.path_template)
                    .to_ascii_lowercase()
                    .contains(n)
            })
        })
        .filter(|e| params.host.as_deref().is_none_or(|h| e.key.host.eq_ignore_ascii_case(h)))
        .filter(|e| params.method.as_deref().is_none_or(|m| e.key.method.eq_ignore_ascii_case(m)))
        .filter(|e| match params.spec_status.as_deref() {
            None => true,
            Some("undeclared") => e.spec.is_none(),
            Some(status) => views::spec_status(e).as_deref() == Some(status),
        })
        .filter(|e| params.sensitive != Some(true) || !views::sensitive_types(e).is_empty())
        .filter(|e| params.auth.is_none() || e.auth.unauthenticated_success > 0)
        .collect();
    let risk = |e: &rampart_core::Endpoint| snapshot.assessment.risk_of(&e.key).map_or(0, |r| r.score);
    matched.sort_by(|a, b| {
        let order = match sort {
            "calls" => a.calls.cmp(&b.calls),
            "last_seen" => a.last_seen.cmp(&b.last_seen),
            "path" => {
                (&a.key.path_template, &a.key.method).cmp(&(&b.key.path_template, &b.key.method)).reverse()
            }
            _ => risk(a).cmp(&risk(b)).then(a.calls.cmp(&b.calls)),
        };
        if ascending { order } else { order.reverse() }
    });
    let total = matched.len() as u64;
    let items = matched
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|e| endpoint_summary(e, &snapshot, &states))
        .collect();
    Ok(list(total, items))
}

pub async fn endpoint(State(state): Api, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let snapshot = state.shared.snapshot();
    let Some(endpoint) =
        snapshot.inventory.endpoints.iter().find(|e| rampart_store::endpoint_id(&e.key) == id)
    else {
        return Err(ApiError::NotFound(format!("no endpoint {id}")));
    };
    let states = finding_states(&state).await?;
    let since = Utc::now() - Duration::minutes(60);
    let endpoint_id = id.clone();
    let traffic = state.with_store(move |store| Ok(store.traffic(Some(&endpoint_id), since)?)).await?;
    let mut view = endpoint_summary(endpoint, &snapshot, &states);
    let findings: Vec<Value> = snapshot
        .findings_of(&endpoint.key)
        .map(|(f, fid)| views::finding_view(f, fid, states.get(fid)))
        .collect();
    if let Value::Object(map) = &mut view {
        map.insert("endpoint".to_owned(), views::endpoint_json(endpoint, &snapshot.assessment));
        map.insert("sensitive_fields".to_owned(), Value::Array(views::sensitive_fields(endpoint)));
        map.insert("findings".to_owned(), Value::Array(findings));
        map.insert(
            "traffic".to_owned(),
            traffic
                .iter()
                .map(|b| json!({"minute": b.minute, "requests": b.requests, "refused": b.refused, "errors": b.errors}))
                .collect(),
        );
    }
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingQuery {
    status: Option<String>,
    severity: Option<String>,
    owasp: Option<String>,
    endpoint: Option<String>,
    q: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

pub async fn findings(
    State(state): Api,
    params: Result<Query<FindingQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let (limit, offset) = page(params.limit, params.offset)?;
    let status: Option<FindingStatus> = params
        .status
        .as_deref()
        .map(|s| s.parse().map_err(|_| ApiError::BadRequest("status: open, accepted or fixed".to_owned())))
        .transpose()?;
    let severity: Option<Severity> = params
        .severity
        .as_deref()
        .map(|s| {
            s.parse()
                .map_err(|_| ApiError::BadRequest("severity: info, low, medium, high or critical".to_owned()))
        })
        .transpose()?;
    let owasp: Option<OwaspApi2023> = params
        .owasp
        .as_deref()
        .map(|s| s.parse().map_err(|_| ApiError::BadRequest("owasp: API1 … API10".to_owned())))
        .transpose()?;
    let snapshot = state.shared.snapshot();
    let states = finding_states(&state).await?;
    let needle = params.q.as_deref().map(str::to_ascii_lowercase);
    let matched: Vec<Value> = snapshot
        .assessment
        .findings
        .iter()
        .zip(&snapshot.finding_ids)
        .filter(|(f, _)| snapshot.finding_listed(f))
        .filter(|(_, id)| status.is_none_or(|s| views::status_of(id, &states) == s))
        .filter(|(f, _)| severity.is_none_or(|min| f.severity >= min))
        .filter(|(f, _)| owasp.is_none_or(|o| f.owasp == o))
        .filter(|(f, _)| {
            params
                .endpoint
                .as_deref()
                .is_none_or(|e| f.endpoint.as_ref().is_some_and(|k| rampart_store::endpoint_id(k) == e))
        })
        .filter(|(f, _)| {
            needle.as_deref().is_none_or(|n| {
                let path = f
                    .endpoint
                    .as_ref()
                    .map_or(String::new(), |k| format!("{} {}", k.method, k.path_template));
                format!("{} {} {path}", f.rule, f.title).to_ascii_lowercase().contains(n)
            })
        })
        .map(|(f, id)| views::finding_view(f, id, states.get(id)))
        .collect();
    let total = matched.len() as u64;
    Ok(list(total, matched.into_iter().skip(offset as usize).take(limit as usize).collect()))
}

pub async fn finding(State(state): Api, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let snapshot = state.shared.snapshot();
    let states = finding_states(&state).await?;
    snapshot
        .assessment
        .findings
        .iter()
        .zip(&snapshot.finding_ids)
        .find(|(_, fid)| **fid == id)
        .map(|(f, fid)| Json(views::finding_view(f, fid, states.get(fid))))
        .ok_or_else(|| ApiError::NotFound(format!("no finding {id}")))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingStatusChange {
    status: String,
    #[serde(default)]
    note: Option<String>,
}

pub async fn set_finding_status(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    change: Result<Json<FindingStatusChange>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let change = body(change)?;
    let status: FindingStatus = change
        .status
        .parse()
        .map_err(|_| ApiError::Unprocessable("status: open, accepted or fixed".to_owned()))?;
    if let Some(note) = &change.note {
        check_len("note", note, 2000)?;
    }
    let snapshot = state.shared.snapshot();
    let Some((finding, _)) =
        snapshot.assessment.findings.iter().zip(&snapshot.finding_ids).find(|(_, fid)| **fid == id)
    else {
        return Err(ApiError::NotFound(format!("no finding {id}")));
    };
    let new_state = FindingState {
        status,
        note: change.note.clone(),
        changed_at: Utc::now(),
        changed_by: caller.actor(),
    };
    let saved = new_state.clone();
    let finding_id = id.clone();
    state.with_store(move |store| Ok(store.set_finding_state(&finding_id, &saved)?)).await?;
    audit(
        &state,
        &caller,
        "finding.status",
        id.clone(),
        json!({"status": status.as_str(), "note": change.note, "rule": finding.rule}),
    )
    .await;
    Ok(Json(views::finding_view(finding, &id, Some(&new_state))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertQuery {
    state: Option<String>,
    detector: Option<String>,
    limit: Option<u32>,
    offset: Option<u32>,
}

fn alert_view(row: &AlertRow, decisions: &HashMap<String, bool>) -> Value {
    let mut view = serde_json::from_str::<Alert>(&row.data)
        .ok()
        .and_then(|alert| serde_json::to_value(alert).ok())
        .unwrap_or_else(
            || json!({"id": row.id, "detector": row.detector, "summary": "(alert not readable)"}),
        );
    if let Value::Object(map) = &mut view {
        map.insert(
            "decision".to_owned(),
            decisions.get(&row.id).map_or(Value::Null, |active| json!({"id": row.id, "active": active})),
        );
    }
    view
}

async fn decision_activity(state: &Arc<ApiState>) -> Result<HashMap<String, bool>, ApiError> {
    let now = Utc::now();
    let (_, rows) = state.with_store(move |store| Ok(store.decisions(false, now, 500, 0)?)).await?;
    // An alert may have had several decisions (renewed, lifted, decided again): it shows as
    // blocked while any of them is in force.
    let mut activity: HashMap<String, bool> = HashMap::new();
    for row in &rows {
        if let Some(alert) = &row.alert_id {
            *activity.entry(alert.clone()).or_insert(false) |= row.is_active(now);
        }
    }
    Ok(activity)
}

pub async fn alerts(
    State(state): Api,
    params: Result<Query<AlertQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let (limit, offset) = page(params.limit, params.offset)?;
    if params.state.as_deref().is_some_and(|s| s != "open" && s != "closed") {
        return Err(ApiError::BadRequest("state: open or closed".to_owned()));
    }
    let filter = AlertFilter { state: params.state, detector: params.detector, limit, offset };
    let (total, rows) = state.with_store(move |store| Ok(store.alerts(&filter)?)).await?;
    let decisions = decision_activity(&state).await?;
    Ok(list(total, rows.iter().map(|row| alert_view(row, &decisions)).collect()))
}

pub async fn alert(State(state): Api, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let lookup = id.clone();
    let row = state.with_store(move |store| Ok(store.alert(&lookup)?)).await?;
    let row = row.ok_or_else(|| ApiError::NotFound(format!("no alert {id}")))?;
    let decisions = decision_activity(&state).await?;
    Ok(Json(alert_view(&row, &decisions)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    active: Option<bool>,
    limit: Option<u32>,
    offset: Option<u32>,
}

pub async fn decisions(
    State(state): Api,
    params: Result<Query<DecisionQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let (limit, offset) = page(params.limit, params.offset)?;
    let now = Utc::now();
    let active = params.active.unwrap_or(true);
    let (total, rows) =
        state.with_store(move |store| Ok(store.decisions(active, now, limit, offset)?)).await?;
    Ok(list(total, rows.iter().map(|row| views::decision_view(row, now)).collect()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    kind: String,
    value: String,
    action: String,
    #[serde(default)]
    per_minute: Option<u32>,
    reason: String,
    #[serde(default)]
    expires_in_seconds: Option<u32>,
}

pub async fn add_decision(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    new: Result<Json<NewDecision>, JsonRejection>,
) -> Result<Response, ApiError> {
    let new = body(new)?;
    check_len("value", &new.value, 512)?;
    check_len("reason", &new.reason, 500)?;
    let target = rampart_limits::BlockTarget::parse(&new.kind, &new.value)
        .map_err(|message| ApiError::Unprocessable(format!("{}: {message}", new.kind)))?;
    let action = match (new.action.as_str(), new.per_minute) {
        ("block", _) => rampart_limits::Enforcement::Block,
        ("rate-limit", Some(per_minute)) if (1..=100_000).contains(&per_minute) => {
            rampart_limits::Enforcement::RateLimit { per_minute }
        }
        ("rate-limit", _) => {
            return Err(ApiError::Unprocessable(
                "per_minute: 1 … 100000 is needed with rate-limit".to_owned(),
            ));
        }
        _ => return Err(ApiError::Unprocessable("action: block or rate-limit".to_owned())),
    };
    let seconds = new.expires_in_seconds.unwrap_or(3600);
    if !(1..=2_592_000).contains(&seconds) {
        return Err(ApiError::Unprocessable("expires_in_seconds: 1 … 2592000 (30 days)".to_owned()));
    }
    let now = Utc::now();
    let id = rampart_store::random_id("api-", 12)?;
    let reason =
        if new.reason.trim().is_empty() { format!("added by {}", caller.token.name) } else { new.reason };
    let decision = rampart_limits::Decision {
        target,
        reason,
        source: rampart_limits::EntrySource::Api,
        action,
        expires_at: Some(now + Duration::seconds(i64::from(seconds))),
        id: Some(id.clone()),
    };
    let mut row = crate::pipeline::decision_row(&decision, None);
    row.created_at = now;
    if let Some(blocklist) = &state.blocklist {
        blocklist.add_decision(decision, now);
    }
    let saved = row.clone();
    state.with_store(move |store| Ok(store.save_decisions(&[saved])?)).await?;
    audit(&state, &caller, "decision.add", id, views::decision_view(&row, now)).await;
    Ok((StatusCode::CREATED, Json(views::decision_view(&row, now))).into_response())
}

pub async fn lift_decision(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let now = Utc::now();
    let by = caller.actor();
    let lookup = id.clone();
    let lifted: Option<DecisionRow> =
        state.with_store(move |store| Ok(store.lift_decision(&lookup, &by, now)?)).await?;
    let Some(row) = lifted else {
        return Err(ApiError::NotFound(format!("no decision {id}")));
    };
    let removed = state.blocklist.as_ref().is_some_and(|blocklist| blocklist.remove_decision(&id, now));
    audit(
        &state,
        &caller,
        "decision.lift",
        id.clone(),
        json!({"target": {"kind": row.kind, "value": row.value}, "removed_from_gateway": removed}),
    )
    .await;
    Ok(Json(views::decision_view(&row, now)))
}

pub async fn specs(State(state): Api) -> Json<Value> {
    let snapshot = state.shared.snapshot();
    let items: Vec<Value> = snapshot.specs.iter().map(views::spec_info).collect();
    list(items.len() as u64, items)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    name: Option<String>,
}

pub async fn upload_spec(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    params: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let params = query(params)?;
    let name = params.name.unwrap_or_else(|| "openapi.yaml".to_owned());
    check_len("name", &name, 200)?;
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest("name: a file name, without directories".to_owned()));
    }
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::BadRequest("the document is not UTF-8 text".to_owned()))?;
    let (document, title, version) =
        crate::pipeline::parse_spec(&name, &text).map_err(ApiError::Unprocessable)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("application/json"))
        .map_or("application/yaml", |_| "application/json")
        .to_owned();
    let actor = caller.actor();
    let stored_name = name.clone();
    let row = state
        .with_store(move |store| {
            Ok(store.add_spec(&stored_name, &content_type, &text, &actor, Utc::now())?)
        })
        .await?;
    state.pipeline.event(Event::SpecsChanged);
    let info = views::spec_info(&crate::pipeline::LoadedSpec { row: row.clone(), document, title, version });
    audit(&state, &caller, "spec.upload", row.id.clone(), json!({"name": name, "sha256": row.sha256})).await;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

pub async fn spec(State(state): Api, Path(id): Path<String>) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let row = state.with_store(move |store| Ok(store.spec(&lookup)?)).await?;
    let row = row.ok_or_else(|| ApiError::NotFound(format!("no spec {id}")))?;
    let disposition = format!("attachment; filename=\"{}\"", row.name.replace('"', ""));
    Ok((
        [(header::CONTENT_TYPE, row.content_type.clone()), (header::CONTENT_DISPOSITION, disposition)],
        row.content,
    )
        .into_response())
}

pub async fn delete_spec(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let lookup = id.clone();
    let deleted = state.with_store(move |store| Ok(store.delete_spec(&lookup)?)).await?;
    if !deleted {
        return Err(ApiError::NotFound(format!("no spec {id}")));
    }
    state.pipeline.event(Event::SpecsChanged);
    audit(&state, &caller, "spec.delete", id, json!({})).await;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn spec_diff(State(state): Api) -> Result<Json<Value>, ApiError> {
    let snapshot = state.shared.snapshot();
    let states = finding_states(&state).await?;
    let mut sections: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    let mut drift = Vec::new();
    for endpoint in snapshot.inventory.endpoints.iter().filter(|e| listed(e)) {
        let Some(spec) = &endpoint.spec else { continue };
        let status = views::spec_status(endpoint).unwrap_or_default();
        if status == "unused" {
            sections.entry("unused").or_default().push(json!({
                "id": rampart_store::endpoint_id(&endpoint.key),
                "method": endpoint.key.method,
                "host": endpoint.key.host,
                "path": endpoint.key.path_template,
                "spec": spec.spec_file,
            }));
            continue;
        }
        let summary = endpoint_summary(endpoint, &snapshot, &states);
        if !spec.drift.is_empty() {
            let items: Vec<String> =
                spec.drift.iter().map(|d| format!("{}: {}", d.location, d.detail)).collect();
            drift.push(json!({"endpoint": summary.clone(), "items": items}));
        }
        let section = match status.as_str() {
            "documented" => "documented",
            "shadow" => "shadow",
            "zombie" => "zombie",
            _ => continue,
        };
        sections.entry(section).or_default().push(summary);
    }
    let mut take = |name: &str| Value::Array(sections.remove(name).unwrap_or_default());
    Ok(Json(json!({
        "specs": snapshot.specs.iter().map(views::spec_info).collect::<Vec<_>>(),
        "documented": take("documented"),
        "shadow": take("shadow"),
        "zombie": take("zombie"),
        "unused": take("unused"),
        "drift": drift,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconstructedQuery {
    host: Option<String>,
}

pub async fn reconstructed_spec(
    State(state): Api,
    params: Result<Query<ReconstructedQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let snapshot = state.shared.snapshot();
    let mut calls: BTreeMap<&str, u64> = BTreeMap::new();
    for endpoint in snapshot.inventory.endpoints.iter().filter(|e| e.calls > 0) {
        *calls.entry(endpoint.key.host.as_str()).or_default() += endpoint.calls;
    }
    let host = match params.host.as_deref() {
        Some(host) => calls
            .keys()
            .find(|h| h.eq_ignore_ascii_case(host))
            .copied()
            .ok_or_else(|| ApiError::NotFound(format!("no traffic seen for host {host}")))?,
        None => calls
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(h, _)| *h)
            .ok_or_else(|| ApiError::NotFound("no traffic analysed yet".to_owned()))?,
    };
    Ok(Json(rampart_openapi::export_openapi(&snapshot.inventory, host)))
}

pub async fn metrics(State(state): Api) -> Result<Json<Value>, ApiError> {
    let stats = &state.shared.stats;
    let (path, size) = state.with_store(|store| Ok((store.path().to_owned(), store.size_bytes()))).await?;
    let gateway = state.gateway_metrics.as_ref().map(|m| m.snapshot());
    Ok(Json(json!({
        "uptime_seconds": state.started.elapsed().as_secs(),
        "gateway": gateway.clone().and_then(|g| g.get("gateway").cloned()),
        "detection": gateway.and_then(|g| g.get("detection").cloned()),
        "pipeline": {
            "exchanges": stats.exchanges.load(Ordering::Relaxed),
            "dropped": stats.dropped.load(Ordering::Relaxed),
            "analysis_runs": stats.analysis_runs.load(Ordering::Relaxed),
            "last_analysis_at": state.shared.snapshot().analysed_at,
            "alerts_saved": stats.alerts_saved.load(Ordering::Relaxed),
            "decisions_saved": stats.decisions_saved.load(Ordering::Relaxed),
            "store_errors": stats.store_errors.load(Ordering::Relaxed),
            "files_ingested": stats.files_ingested.load(Ordering::Relaxed),
            "ingest_errors": stats.ingest_errors.load(Ordering::Relaxed),
        },
        "store": {"path": path, "size_bytes": size},
    })))
}

pub async fn tokens(State(state): Api) -> Result<Json<Value>, ApiError> {
    let tokens = state.with_store(|store| Ok(store.list_tokens()?)).await?;
    Ok(list(tokens.len() as u64, tokens.iter().map(views::token_view).collect()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    name: String,
    role: String,
    #[serde(default)]
    expires_in_days: Option<u32>,
}

pub async fn create_token(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    new: Result<Json<NewTokenRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let new = body(new)?;
    check_len("name", &new.name, 100)?;
    if new.name.trim().is_empty() {
        return Err(ApiError::Unprocessable("name: must not be empty".to_owned()));
    }
    let role: Role = new
        .role
        .parse()
        .map_err(|_| ApiError::Unprocessable("role: viewer, operator or admin".to_owned()))?;
    let expires_at = match new.expires_in_days {
        Some(days @ 1..=3650) => Some(Utc::now() + Duration::days(i64::from(days))),
        Some(_) => return Err(ApiError::Unprocessable("expires_in_days: 1 … 3650".to_owned())),
        None => None,
    };
    let actor = caller.actor();
    let name = new.name.clone();
    let created = state
        .with_store(move |store| Ok(store.create_token(&name, role, expires_at, &actor, Utc::now())?))
        .await?;
    audit(
        &state,
        &caller,
        "token.create",
        created.record.id.clone(),
        json!({"name": created.record.name, "role": role.as_str(), "expires_at": expires_at}),
    )
    .await;
    let mut view = views::token_view(&created.record);
    if let Value::Object(map) = &mut view {
        map.insert("token".to_owned(), Value::String(created.secret));
    }
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn revoke_token(
    State(state): Api,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let lookup = id.clone();
    let (revoked, token) = state
        .with_store(move |store| {
            let revoked = store.revoke_token(&lookup, Utc::now())?;
            Ok((revoked, store.token(&lookup)?))
        })
        .await?;
    let token = token.ok_or_else(|| ApiError::NotFound(format!("no token {id}")))?;
    if revoked {
        audit(&state, &caller, "token.revoke", id, json!({"name": token.name})).await;
    }
    Ok(Json(views::token_view(&token)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    limit: Option<u32>,
    offset: Option<u32>,
}

pub async fn audit_log(
    State(state): Api,
    params: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(params)?;
    let (limit, offset) = page(params.limit, params.offset)?;
    let (total, entries) = state.with_store(move |store| Ok(store.audit_log(limit, offset)?)).await?;
    Ok(list(total, entries.iter().map(|e| serde_json::to_value(e).unwrap_or(Value::Null)).collect()))
}
