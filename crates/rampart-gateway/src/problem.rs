//! Refusals as RFC 9457 problem details: a stable `type` per reason, so a client (or a bank's
//! SIEM) can tell a rate limit from a blocked IP without parsing prose, and, for a refusal by a
//! blocklist entry or a detector's decision, the id of that decision to quote.

use std::fmt;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::{Serialize, Serializer};

use crate::body::{GatewayBody, full};

/// Where the `type` URIs of Rampart's problems live; the reason id is appended.
const TYPE_BASE: &str = "https://rampart.dev/problems/";

#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type", serialize_with = "type_uri")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    /// The request id, to find the access-log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
    /// Machine-readable reason id (`rate-limited`, `jwt-expired`, …).
    reason: &'a str,
    /// The id of the blocklist entry or run-time decision that refused the request (for a
    /// detector, its alert id such as `credential-stuffing/ip:203.0.113.7/1732900000`).
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a str>,
}

/// `TYPE_BASE` + reason, written straight into the output: no intermediate `String` per refusal.
fn type_uri<S: Serializer>(reason: &&str, serializer: S) -> Result<S::Ok, S::Error> {
    struct TypeUri<'a>(&'a str);
    impl fmt::Display for TypeUri<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(TYPE_BASE)?;
            f.write_str(self.0)
        }
    }
    serializer.collect_str(&TypeUri(reason))
}

/// A problem+json response for `reason`.
pub fn problem(
    status: StatusCode,
    reason: &str,
    detail: Option<&str>,
    request_id: Option<&str>,
) -> Response<GatewayBody> {
    problem_with_decision(status, reason, detail, request_id, None)
}

/// A problem+json response for `reason`, naming the blocklist entry or decision (`decision`)
/// that refused the request.
pub fn problem_with_decision(
    status: StatusCode,
    reason: &str,
    detail: Option<&str>,
    request_id: Option<&str>,
    decision: Option<&str>,
) -> Response<GatewayBody> {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = Problem {
        kind: reason,
        title,
        status: status.as_u16(),
        detail,
        instance: request_id,
        reason,
        decision,
    };
    // One allocation, sized for a typical refusal, instead of growing from empty.
    let mut bytes = Vec::with_capacity(256);
    if serde_json::to_writer(&mut bytes, &body).is_err() {
        bytes = b"{}".to_vec();
    }
    let mut response = Response::new(full(Bytes::from(bytes)));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    mark_refusal(response.headers_mut(), reason);
    response
}

/// Names the gateway's refusal in a response header too: the tap keeps the headers of refusals,
/// not their bodies, and detection must not take the gateway's own 403s and 429s for the API's.
pub fn mark_refusal(headers: &mut http::HeaderMap, reason: &str) {
    if let Ok(value) = HeaderValue::from_str(reason) {
        headers.insert(REFUSAL_HEADER.clone(), value);
    }
}

static REFUSAL_HEADER: http::HeaderName =
    http::HeaderName::from_static(rampart_core::exchange::GATEWAY_REFUSAL_HEADER);

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_json(response: Response<GatewayBody>) -> serde_json::Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_decision_refusal_names_the_decision() {
        let id = "credential-stuffing/ip:203.0.113.7/1732900000";
        let response = problem_with_decision(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited-by-decision",
            Some("credential stuffing"),
            Some("req-1"),
            Some(id),
        );
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        // Detection reading the tap tells the gateway's refusals from the API's answers by it.
        assert_eq!(response.headers()["x-rampart-refusal"], "rate-limited-by-decision");
        let json = body_json(response).await;
        assert_eq!(json["type"], "https://rampart.dev/problems/rate-limited-by-decision");
        assert_eq!(json["status"], 429);
        assert_eq!(json["title"], "Too Many Requests");
        assert_eq!(json["reason"], "rate-limited-by-decision");
        assert_eq!(json["decision"], id);
        assert_eq!(json["instance"], "req-1");
    }

    #[tokio::test]
    async fn other_refusals_have_no_decision_field() {
        let json = body_json(problem(StatusCode::NOT_FOUND, "no-route", None, None)).await;
        assert_eq!(
            json,
            serde_json::json!({
                "type": "https://rampart.dev/problems/no-route",
                "title": "Not Found",
                "status": 404,
                "reason": "no-route",
            })
        );
    }
}
