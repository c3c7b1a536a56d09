//! Refusals as RFC 9457 problem details: a stable `type` per reason, so a client (or a bank's
//! SIEM) can tell a rate limit from a blocked IP without parsing prose.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::body::{GatewayBody, full};

#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    /// The request id, to find the access-log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
    /// Machine-readable reason id (`rate-limited`, `jwt-expired`, …).
    reason: &'a str,
}

/// A problem+json response for `reason`.
pub fn problem(
    status: StatusCode,
    reason: &str,
    detail: Option<&str>,
    request_id: Option<&str>,
) -> Response<GatewayBody> {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = Problem {
        kind: format!("https://rampart.dev/problems/{reason}"),
        title,
        status: status.as_u16(),
        detail,
        instance: request_id,
        reason,
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(full(Bytes::from(bytes)));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
