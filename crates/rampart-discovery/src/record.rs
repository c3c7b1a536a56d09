//! Folding one exchange into its endpoint's observations.
//!
//! [`record_exchange`] is called once per exchange after the path has been templated; it touches
//! everything about the endpoint except path parameters (the engine fills those, since only it
//! knows which segment became which parameter). Names and media types coming from traffic are
//! normalised without allocating when they already are normal, and every per-endpoint map keyed
//! by a client-chosen name is capped, so a hostile client can grow an endpoint by a bounded amount.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use rampart_core::inventory::NO_RESPONSE_STATUS;
use rampart_core::{
    Body, Endpoint, Exchange, ParamObservation, Request, SchemaNode, SensitiveExposure, SensitiveType,
};

use crate::auth;
use crate::classify::ValueClassifier;
use crate::schema::{self, BodyError, InferenceLimits, Scratch, is_json_media, observe_body_with};

/// Media type recorded for a body sent without `Content-Type` that does not look like JSON.
const UNKNOWN_MEDIA: &str = "application/octet-stream";
const FORM_MEDIA: &str = "application/x-www-form-urlencoded";
/// Longest API version label recorded.
const MAX_VERSION_LEN: usize = 32;
/// Content types kept per endpoint direction; beyond that new ones are not counted.
const MAX_MEDIA_TYPES: usize = 32;

/// How much of an exchange is examined.
#[derive(Clone)]
pub struct RecordConfig {
    pub limits: InferenceLimits,
    /// Bodies larger than this are not parsed; JSON and form ones count as unparsed.
    pub max_body_bytes: usize,
    /// The sensitive-data engine every recorded value goes through; none: no classification.
    pub classifier: Option<Arc<dyn ValueClassifier>>,
}

impl Default for RecordConfig {
    fn default() -> Self {
        RecordConfig { limits: InferenceLimits::default(), max_body_bytes: 1024 * 1024, classifier: None }
    }
}

impl std::fmt::Debug for RecordConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordConfig")
            .field("limits", &self.limits)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("classifier", &self.classifier.is_some())
            .finish()
    }
}

/// Record what one exchange shows about `endpoint` (all but path parameters).
pub fn record_exchange(endpoint: &mut Endpoint, ex: &Exchange, cfg: &RecordConfig) {
    endpoint.calls += 1;
    endpoint.first_seen = Some(endpoint.first_seen.map_or(ex.started_at, |t| t.min(ex.started_at)));
    endpoint.last_seen = Some(endpoint.last_seen.map_or(ex.started_at, |t| t.max(ex.started_at)));
    let status = ex.response.as_ref().map(|r| r.status);
    *endpoint.statuses.entry(status.unwrap_or(NO_RESPONSE_STATUS)).or_default() += 1;
    if let Some(ms) = ex.duration_ms.filter(|ms| ms.is_finite() && *ms >= 0.0) {
        endpoint.latency.record(ms);
    }

    let request_media = ex.request.header("content-type").map(media_type_of);
    if let Some(media) = &request_media {
        count_capped(&mut endpoint.request_content_types, media, MAX_MEDIA_TYPES);
    }
    let response_media = ex.response.as_ref().and_then(|r| r.header("content-type")).map(media_type_of);
    if let Some(media) = &response_media {
        count_capped(&mut endpoint.response_content_types, media, MAX_MEDIA_TYPES);
    }

    let creds = auth::classify(&ex.request);
    auth::record_auth(&mut endpoint.auth, &creds, status);

    if let Some(version) = detect_api_version(&ex.request) {
        count_capped(&mut endpoint.api_versions, &version, MAX_MEDIA_TYPES);
    }

    let mut scratch = Scratch::with_classifier(cfg.classifier.clone());
    let max_names = cfg.limits.max_properties;
    let query = ex.request.query.iter().filter(|(name, _)| !auth::is_api_key_query_param(name));
    record_params(
        &mut endpoint.query_params,
        query.map(|(n, v)| (Cow::Borrowed(n.as_str()), v.as_str())),
        max_names,
        &cfg.limits,
        &mut scratch,
    );
    let headers = ex.request.headers.iter().filter(|(name, _)| is_header_param(name));
    record_params(
        &mut endpoint.header_params,
        headers.map(|(n, v)| (lower_ascii(n), v.as_str())),
        max_names,
        &cfg.limits,
        &mut scratch,
    );

    match prepare_body(ex.request.body.as_ref(), request_media.as_deref(), cfg) {
        PreparedBody::Absent => {}
        PreparedBody::Unparsed => endpoint.unparsed_bodies += 1,
        PreparedBody::Ready { media, bytes } => {
            if !observe_into(&mut endpoint.request_bodies, &media, &bytes, &cfg.limits, &mut scratch) {
                endpoint.unparsed_bodies += 1;
            }
        }
    }
    // What the request carried: parameters and body.
    count_kinds(&mut endpoint.sensitive.accepted, scratch.found.iter().map(|(kind, _)| *kind));
    scratch.found.clear();

    if let Some(resp) = &ex.response {
        match prepare_body(resp.body.as_ref(), response_media.as_deref(), cfg) {
            PreparedBody::Absent => {}
            PreparedBody::Unparsed => endpoint.unparsed_bodies += 1,
            PreparedBody::Ready { media, bytes } => {
                let bodies = endpoint.responses.entry(resp.status).or_default();
                if !observe_into(bodies, &media, &bytes, &cfg.limits, &mut scratch) {
                    endpoint.unparsed_bodies += 1;
                }
                if bodies.is_empty() {
                    endpoint.responses.remove(&resp.status);
                }
            }
        }
        record_returned(&mut endpoint.sensitive, &scratch.found, creds.is_none());
    }
}

/// One call per kind, however many values of it the call carried.
fn count_kinds(counts: &mut BTreeMap<SensitiveType, u64>, kinds: impl Iterator<Item = SensitiveType>) {
    let mut kinds: Vec<SensitiveType> = kinds.collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        *counts.entry(kind).or_default() += 1;
    }
}

/// What a response carried: each kind once per call; to an unauthenticated caller; and in bulk,
/// when several records of the kind came back in arrays.
fn record_returned(exposure: &mut SensitiveExposure, found: &[(SensitiveType, bool)], unauthenticated: bool) {
    if found.is_empty() {
        return;
    }
    count_kinds(&mut exposure.returned, found.iter().map(|(kind, _)| *kind));
    if unauthenticated {
        count_kinds(&mut exposure.returned_unauthenticated, found.iter().map(|(kind, _)| *kind));
    }
    let mut in_arrays: Vec<SensitiveType> =
        found.iter().filter(|(_, in_array)| *in_array).map(|(k, _)| *k).collect();
    in_arrays.sort_unstable();
    let bulk = in_arrays.chunk_by(|a, b| a == b).filter(|run| run.len() >= 2).map(|run| run[0]);
    count_kinds(&mut exposure.returned_in_bulk, bulk);
    for run in in_arrays.chunk_by(|a, b| a == b).filter(|run| run.len() >= 2) {
        let most = exposure.returned_max_records.entry(run[0]).or_default();
        *most = (*most).max(run.len() as u64);
    }
}

/// `Application/JSON; charset=utf-8` → `application/json`, borrowed when already lower-case.
fn media_type_of(content_type: &str) -> Cow<'_, str> {
    lower_ascii(content_type.split(';').next().unwrap_or("").trim())
}

fn lower_ascii(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

fn count_capped(map: &mut BTreeMap<String, u64>, key: &str, cap: usize) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < cap {
        map.insert(key.to_owned(), 1);
    }
}

/// Observe each `(name, value)`; a name counts once per call however often it repeats, and at most
/// `max_names` distinct names are kept per endpoint.
fn record_params<'a>(
    params: &mut BTreeMap<String, ParamObservation>,
    pairs: impl Iterator<Item = (Cow<'a, str>, &'a str)>,
    max_names: usize,
    limits: &InferenceLimits,
    scratch: &mut Scratch,
) {
    let mut counted: Vec<Cow<'a, str>> = Vec::new();
    for (name, value) in pairs.take(max_names) {
        let first_in_call = !counted.contains(&name);
        if !params.contains_key(name.as_ref()) {
            if params.len() >= max_names || name.len() > schema::MAX_NAME_LEN {
                continue;
            }
            let owned = name.clone().into_owned();
            params.insert(
                owned.clone(),
                ParamObservation { name: owned, seen: 0, schema: SchemaNode::default() },
            );
        }
        let Some(param) = params.get_mut(name.as_ref()) else {
            continue;
        };
        if first_in_call {
            param.seen += 1;
        }
        scratch.set_field(&param.name);
        schema::observe_text_value_with(&mut param.schema, value, limits.max_examples, scratch);
        if first_in_call {
            counted.push(name);
        }
    }
}

/// Request headers that are standard HTTP, browser, proxy or tracing plumbing, not API inputs.
pub fn is_standard_header(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "host",
        "user-agent",
        "connection",
        "keep-alive",
        "cookie",
        "authorization",
        "proxy-authorization",
        "proxy-connection",
        "cache-control",
        "pragma",
        "origin",
        "referer",
        "forwarded",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "upgrade-insecure-requests",
        "dnt",
        "priority",
        "via",
        "expect",
        "range",
        "max-forwards",
        "early-data",
        "x-requested-with",
        "x-real-ip",
        "true-client-ip",
        "x-client-ip",
        "traceparent",
        "tracestate",
        "baggage",
        "b3",
        "x-amzn-trace-id",
        "x-cloud-trace-context",
        "content-length",
    ];
    const PREFIXES: &[&str] =
        &[":", "accept", "content-", "sec-", "x-forwarded-", "if-", "x-b3-", "x-envoy-", "cf-", "x-datadog-"];
    EXACT.iter().any(|h| name.eq_ignore_ascii_case(h))
        || PREFIXES
            .iter()
            .any(|p| name.len() >= p.len() && name.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
}

/// Headers recorded as parameters: not plumbing, and not a credential (those count as auth).
pub fn is_header_param(name: &str) -> bool {
    !name.is_empty() && !is_standard_header(name) && !auth::is_api_key_header(name)
}

/// The API version a request asks for: a `v2` / `v2.1` path segment; else an `api-version`,
/// `x-api-version` or `accept-version` header; else an `api-version` or `version` query
/// parameter; else a vendor media type (`application/vnd.bank.v2+json`) in `Content-Type` or
/// `Accept`. Bare numbers are prefixed (`2` → `v2`) so all sources agree.
pub fn detect_api_version(request: &Request) -> Option<String> {
    if let Some(seg) = request.path.split('/').find(|s| is_version_label(s)) {
        return Some(seg.to_ascii_lowercase());
    }
    for header in ["api-version", "x-api-version", "accept-version"] {
        if let Some(v) = request.header(header).and_then(normalize_version) {
            return Some(v);
        }
    }
    for (name, value) in &request.query {
        if (name.eq_ignore_ascii_case("api-version") || name.eq_ignore_ascii_case("version"))
            && let Some(v) = normalize_version(value)
        {
            return Some(v);
        }
    }
    for header in ["content-type", "accept"] {
        if let Some(v) = request.header(header).and_then(vendor_media_version) {
            return Some(v);
        }
    }
    None
}

/// `v2`, `V3`, `v1.1`.
fn is_version_label(s: &str) -> bool {
    let Some(rest) = s.strip_prefix(['v', 'V']) else {
        return false;
    };
    is_numeric_version(rest)
}

/// `2`, `2.1`.
fn is_numeric_version(s: &str) -> bool {
    let (major, minor) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit());
    digits(major) && minor.is_none_or(digits)
}

fn normalize_version(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty()
        || v.len() > MAX_VERSION_LEN
        || !v.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        return None;
    }
    if is_numeric_version(v) {
        return Some(format!("v{v}"));
    }
    Some(if is_version_label(v) { v.to_ascii_lowercase() } else { v.to_owned() })
}

/// `application/vnd.bank.v2+json` → `v2` (any media type of a comma-separated list).
fn vendor_media_version(value: &str) -> Option<String> {
    value.split(',').find_map(|media| {
        let media = media.split(';').next()?.trim();
        let (_, subtype) = media.split_once('/')?;
        if !subtype.get(..4)?.eq_ignore_ascii_case("vnd.") {
            return None;
        }
        subtype.split(['.', '+', '-']).find(|p| is_version_label(p)).map(str::to_ascii_lowercase)
    })
}

enum PreparedBody<'a> {
    Absent,
    Unparsed,
    Ready { media: Cow<'a, str>, bytes: Cow<'a, [u8]> },
}

fn prepare_body<'a>(body: Option<&'a Body>, media: Option<&str>, cfg: &RecordConfig) -> PreparedBody<'a> {
    let Some(body) = body.filter(|b| !b.is_empty()) else {
        return PreparedBody::Absent;
    };
    let kept_len =
        body.text.as_ref().map_or(0, String::len) + body.base64.as_ref().map_or(0, |b| b.len() / 4 * 3);
    let too_big = body.truncated || kept_len > cfg.max_body_bytes;
    let bytes = if too_big { None } else { body.bytes() };
    let media: Cow<'a, str> = match media {
        Some(m) if !m.is_empty() => Cow::Owned(m.to_owned()),
        _ => match &bytes {
            Some(b)
                if b.iter().find(|c| !c.is_ascii_whitespace()).is_some_and(|c| matches!(c, b'{' | b'[')) =>
            {
                Cow::Borrowed("application/json")
            }
            _ => Cow::Borrowed(UNKNOWN_MEDIA),
        },
    };
    let parsed_kind = is_json_media(&media) || media == FORM_MEDIA;
    match bytes {
        Some(bytes) => PreparedBody::Ready { media, bytes },
        None if parsed_kind => PreparedBody::Unparsed,
        // A large or undecodable binary body: its presence is all there is to know.
        None => PreparedBody::Ready { media, bytes: Cow::Borrowed(&[]) },
    }
}

/// Observe a body under its media type; false when a JSON/form body did not parse.
fn observe_into(
    bodies: &mut BTreeMap<String, SchemaNode>,
    media: &str,
    bytes: &[u8],
    limits: &InferenceLimits,
    scratch: &mut Scratch,
) -> bool {
    let fresh = !bodies.contains_key(media);
    if fresh && bodies.len() >= MAX_MEDIA_TYPES {
        return true;
    }
    if fresh {
        bodies.insert(media.to_owned(), SchemaNode::default());
    }
    let Some(node) = bodies.get_mut(media) else { return true };
    let ok = match observe_body_with(node, bytes, media, limits, scratch) {
        Ok(()) => true,
        Err(BodyError::Unsupported(_)) => {
            node.seen += 1;
            true
        }
        Err(_) => false,
    };
    if fresh && node.seen == 0 {
        bodies.remove(media);
    }
    ok
}

/// Sorted top-level property names of the endpoint's 2xx JSON response bodies, joined by `,`;
/// for top-level arrays, `[` followed by the item objects' names. Siblings with the same shape
/// are likely the same resource, which is what the templater asks.
pub fn response_shape(endpoint: &Endpoint) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut array = false;
    for bodies in endpoint.responses.range(200..300).map(|(_, b)| b) {
        for (_, node) in bodies.iter().filter(|(media, _)| is_json_media(media)) {
            if let Some(obj) = &node.object {
                names.extend(obj.properties.keys().map(String::as_str));
            } else if let Some(items) = node.array.as_ref().and_then(|a| a.items.object.as_ref()) {
                array = true;
                names.extend(items.properties.keys().map(String::as_str));
            }
        }
    }
    if names.is_empty() && !array {
        // No JSON to compare: what kind of content answers is the next best evidence
        // (`/image/png` and `/image/jpeg` are two routes; `/files/{id}` answers PDFs throughout).
        let mut media: Vec<&str> = endpoint
            .responses
            .range(200..300)
            .flat_map(|(_, bodies)| bodies.keys())
            .map(String::as_str)
            .filter(|m| !is_json_media(m))
            .collect();
        media.sort_unstable();
        media.dedup();
        return if media.is_empty() { String::new() } else { format!("media:{}", media.join(",")) };
    }
    names.sort_unstable();
    names.dedup();
    let joined = names.join(",");
    if array { format!("[{joined}") } else { joined }
}

#[cfg(test)]
mod tests {
    use rampart_core::{EndpointKey, Response, StringFormat};

    use super::*;

    fn exchange(json: &str) -> Exchange {
        serde_json::from_str(json).unwrap()
    }

    fn endpoint() -> Endpoint {
        Endpoint::new(EndpointKey {
            host: "api.bank.example".into(),
            method: "GET".into(),
            path_template: "/v2/accounts/{accountId}".into(),
        })
    }

    fn request_with(path: &str, query: &[(&str, &str)], headers: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            scheme: "https".into(),
            host: "api.bank.example".into(),
            path: path.into(),
            query: query.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: None,
        }
    }

    #[test]
    fn detects_api_versions_from_every_source() {
        let v = |path: &str, query: &[(&str, &str)], headers: &[(&str, &str)]| {
            detect_api_version(&request_with(path, query, headers))
        };
        assert_eq!(v("/v2/accounts", &[], &[]).as_deref(), Some("v2"));
        assert_eq!(v("/api/V1.1/accounts", &[], &[]).as_deref(), Some("v1.1"));
        assert_eq!(v("/accounts", &[], &[("Api-Version", "3")]).as_deref(), Some("v3"));
        assert_eq!(v("/accounts", &[], &[("x-api-version", "2024-01-01")]).as_deref(), Some("2024-01-01"));
        assert_eq!(v("/accounts", &[("version", "v4")], &[]).as_deref(), Some("v4"));
        let vendor = [("Accept", "text/html, application/vnd.bank.v5+json; q=0.9")];
        assert_eq!(v("/accounts", &[], &vendor).as_deref(), Some("v5"));
        assert_eq!(v("/video/v2x", &[], &[("accept-version", "<script>")]), None);
        assert_eq!(v("/vault/items", &[], &[("Accept", "application/json")]), None);
    }

    #[test]
    fn only_api_headers_become_parameters() {
        for h in [
            "Host",
            "User-Agent",
            "Accept-Language",
            "Content-Type",
            "Sec-Fetch-Mode",
            "X-Forwarded-For",
            "If-None-Match",
            ":authority",
            "Cookie",
            "traceparent",
        ] {
            assert!(!is_header_param(h), "{h}");
        }
        for h in ["Idempotency-Key", "X-Request-Id", "X-API-Version", "X-Correlation-Id", "X-Channel"] {
            assert!(is_header_param(h), "{h}");
        }
        assert!(!is_header_param("X-API-Key"), "API keys are auth, not parameters");
    }

    #[test]
    fn records_one_exchange() {
        let mut ep = endpoint();
        let ex = exchange(
            r#"{"started_at":"2026-11-29T10:00:00Z","duration_ms":12.5,
            "request":{"method":"GET","host":"api.bank.example","path":"/v2/accounts/8812345",
              "query":[["page","2"],["expand","owner"],["expand","limits"],["api_key","k_live_1"]],
              "headers":[["Accept","application/json"],["X-Request-Id","3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"],
                         ["Idempotency-Key","k-1"],["x-api-key","k_live_2"],["Authorization","Bearer opaque-token-123"]]},
            "response":{"status":200,"headers":[["Content-Type","Application/JSON; charset=utf-8"]],
              "body":{"text":"{\"id\":\"8812345\",\"balance\":10.5}"}}}"#,
        );
        record_exchange(&mut ep, &ex, &RecordConfig::default());
        assert_eq!(ep.calls, 1);
        assert_eq!(ep.statuses.get(&200), Some(&1));
        assert_eq!(ep.latency.count(), 1);
        assert_eq!(ep.response_content_types.get("application/json"), Some(&1));
        assert_eq!(ep.api_versions.get("v2"), Some(&1));
        assert_eq!(ep.query_params.keys().collect::<Vec<_>>(), ["expand", "page"]);
        assert_eq!(ep.query_params["expand"].seen, 1, "a repeated name is one call");
        assert_eq!(ep.query_params["expand"].schema.seen, 2, "both values are observed");
        assert!(ep.query_params["page"].schema.integer.is_some());
        assert_eq!(ep.header_params.keys().collect::<Vec<_>>(), ["idempotency-key", "x-request-id"]);
        let id = ep.header_params["x-request-id"].schema.string.as_ref().unwrap();
        assert_eq!(id.common_format(), Some(StringFormat::Uuid));
        let kinds: Vec<_> = ep.auth.schemes.iter().map(|s| (s.kind, s.name.as_deref())).collect();
        assert_eq!(
            kinds,
            [
                (rampart_core::AuthKind::Bearer, None),
                (rampart_core::AuthKind::ApiKeyHeader, Some("x-api-key")),
                (rampart_core::AuthKind::ApiKeyQuery, Some("api_key")),
            ]
        );
        let body = &ep.responses[&200]["application/json"];
        assert_eq!(body.object.as_ref().unwrap().properties.len(), 2);
        assert_eq!(response_shape(&ep), "balance,id");
        assert!(ep.request_bodies.is_empty());
    }

    #[test]
    fn exchanges_without_response_count_under_status_zero() {
        let mut ep = endpoint();
        let mut ex = exchange(
            r#"{"started_at":"2026-11-29T10:00:05Z","request":{"method":"GET","host":"h","path":"/v2/accounts/1"}}"#,
        );
        record_exchange(&mut ep, &ex, &RecordConfig::default());
        ex.started_at = "2026-11-29T09:00:00Z".parse().unwrap();
        record_exchange(&mut ep, &ex, &RecordConfig::default());
        assert_eq!(ep.statuses.get(&NO_RESPONSE_STATUS), Some(&2));
        assert_eq!(ep.first_seen, Some("2026-11-29T09:00:00Z".parse().unwrap()));
        assert_eq!(ep.last_seen, Some("2026-11-29T10:00:05Z".parse().unwrap()));
        assert_eq!(ep.auth.unauthenticated_calls, 2);
        assert_eq!(ep.auth.unauthenticated_success, 0);
        assert_eq!(ep.latency.count(), 0);
    }

    #[test]
    fn bad_big_and_binary_bodies() {
        let mut ep = endpoint();
        let cfg = RecordConfig { max_body_bytes: 64, ..RecordConfig::default() };
        let mut ex = exchange(
            r#"{"started_at":"2026-11-29T10:00:00Z",
            "request":{"method":"POST","host":"h","path":"/v2/payments","headers":[["content-type","application/json"]],
              "body":{"text":"{\"amount\":"}},
            "response":{"status":201}}"#,
        );
        record_exchange(&mut ep, &ex, &cfg);
        assert_eq!(ep.unparsed_bodies, 1);
        assert!(ep.request_bodies.is_empty(), "a broken body leaves no empty schema behind");

        ex.request.body = Some(Body::from_text(format!("{{\"memo\":\"{}\"}}", "x".repeat(100))));
        record_exchange(&mut ep, &ex, &cfg);
        assert_eq!(ep.unparsed_bodies, 2, "over max_body_bytes");

        ex.request.body = Some(Body::from_text(r#"{"amount":25}"#));
        ex.request.headers.clear();
        ex.response = Some(Response {
            status: 200,
            headers: vec![("Content-Type".into(), "application/pdf".into())],
            body: Some(Body::from_bytes(&[0x25, 0x50, 0x44, 0x46, 0xff, 0x00])),
        });
        record_exchange(&mut ep, &ex, &cfg);
        assert_eq!(ep.unparsed_bodies, 2);
        assert_eq!(ep.request_bodies["application/json"].seen, 1, "JSON sniffed without content-type");
        assert_eq!(ep.responses[&200]["application/pdf"].seen, 1, "binary body: presence only");
        assert_eq!(response_shape(&ep), "media:application/pdf", "without JSON, the media type is the shape");
    }

    #[test]
    fn response_shape_of_lists_uses_item_properties() {
        let mut ep = endpoint();
        let ex = exchange(
            r#"{"started_at":"2026-11-29T10:00:00Z","request":{"method":"GET","host":"h","path":"/v2/accounts"},
            "response":{"status":200,"headers":[["content-type","application/json"]],
              "body":{"text":"[{\"id\":1,\"type\":\"SAVINGS\"},{\"id\":2,\"currency\":\"SGD\"}]"}}}"#,
        );
        record_exchange(&mut ep, &ex, &RecordConfig::default());
        assert_eq!(response_shape(&ep), "[currency,id,type");
    }

    #[test]
    fn hostile_parameter_names_are_bounded() {
        let mut ep = endpoint();
        let query: Vec<(String, String)> = (0..5_000).map(|i| (format!("p{i}"), i.to_string())).collect();
        let mut ex = exchange(
            r#"{"started_at":"2026-11-29T10:00:00Z","request":{"method":"GET","host":"h","path":"/"}}"#,
        );
        ex.request.query = query;
        record_exchange(&mut ep, &ex, &RecordConfig::default());
        assert_eq!(ep.query_params.len(), RecordConfig::default().limits.max_properties);
    }
}
