//! HAR 1.2 writing. Reading lives in the crate root ([`crate::read_har`]).
//!
//! The writer streams: it writes the `log` prelude, then one entry per line as the exchanges come,
//! so recording a long traffic run never holds it in memory. What HAR cannot say natively is kept
//! in `_`-prefixed fields (allowed by the HAR spec) that this crate's reader understands:
//! `_id` (the exchange id), `postData._encoding: "base64"` (a binary request body) and
//! `content._truncated`. An exchange without a response is written as HAR tools do for failed
//! requests: `status: 0` with `_error`.

use std::io::{self, BufWriter, Write};

use chrono::SecondsFormat;
use rampart_core::{Body, Exchange};
use serde::Serialize;

use crate::url::encode_pairs;

#[derive(Serialize)]
struct NameValue<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HarEntry<'a> {
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    started_date_time: String,
    time: f64,
    request: HarRequest<'a>,
    response: HarResponse<'a>,
    cache: Empty,
    timings: Timings,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HarRequest<'a> {
    method: &'a str,
    url: String,
    http_version: &'static str,
    cookies: Vec<NameValue<'a>>,
    headers: Vec<NameValue<'a>>,
    query_string: Vec<NameValue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData<'a>>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData<'a> {
    mime_type: &'a str,
    text: &'a str,
    #[serde(rename = "_encoding", skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HarResponse<'a> {
    status: u16,
    status_text: &'static str,
    http_version: &'static str,
    cookies: Vec<NameValue<'a>>,
    headers: Vec<NameValue<'a>>,
    content: Content<'a>,
    #[serde(rename = "redirectURL")]
    redirect_url: &'a str,
    headers_size: i64,
    body_size: i64,
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    error: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content<'a> {
    size: i64,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    #[serde(rename = "_truncated", skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
}

fn name_values(pairs: &[(String, String)]) -> Vec<NameValue<'_>> {
    pairs.iter().map(|(name, value)| NameValue { name, value }).collect()
}

/// Cookies of a `Cookie` request header (`a=1; b=2`).
fn request_cookies(headers: &[(String, String)]) -> Vec<NameValue<'_>> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, value)| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| NameValue { name: name.trim(), value: value.trim() })
        .collect()
}

/// The `name=value` part of each `Set-Cookie` response header.
fn response_cookies(headers: &[(String, String)]) -> Vec<NameValue<'_>> {
    headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.split(';').next()?.trim().split_once('='))
        .map(|(name, value)| NameValue { name: name.trim(), value: value.trim() })
        .collect()
}

fn body_size(body: Option<&Body>) -> i64 {
    body.map_or(0, |body| {
        let kept = body.bytes().map_or(0, |bytes| bytes.len() as u64);
        i64::try_from(body.size.unwrap_or(kept)).unwrap_or(i64::MAX)
    })
}

/// (text, encoding) for a body: text as is, binary as base64.
fn body_text(body: &Body) -> (Option<&str>, Option<&'static str>) {
    match (&body.text, &body.base64) {
        (Some(text), _) => (Some(text), None),
        (None, Some(b64)) => (Some(b64), Some("base64")),
        (None, None) => (None, None),
    }
}

fn status_text(status: u16) -> &'static str {
    http::StatusCode::from_u16(status).ok().and_then(|code| code.canonical_reason()).unwrap_or("")
}

fn har_entry(exchange: &Exchange) -> HarEntry<'_> {
    let request = &exchange.request;
    let mut url = format!("{}://{}{}", request.scheme, request.host, request.path);
    if !request.query.is_empty() {
        url.push('?');
        url.push_str(&encode_pairs(request.query.iter().map(|(n, v)| (n.as_str(), v.as_str()))));
    }
    let post_data = request.body.as_ref().and_then(|body| {
        let (text, encoding) = body_text(body);
        Some(PostData { mime_type: request.header("content-type").unwrap_or(""), text: text?, encoding })
    });
    let duration = exchange.duration_ms.unwrap_or(0.0);
    let response = match &exchange.response {
        Some(response) => {
            let (text, encoding) = response.body.as_ref().map_or((None, None), body_text);
            HarResponse {
                status: response.status,
                status_text: status_text(response.status),
                http_version: "HTTP/1.1",
                cookies: response_cookies(&response.headers),
                headers: name_values(&response.headers),
                content: Content {
                    size: body_size(response.body.as_ref()),
                    mime_type: response.header("content-type").unwrap_or(""),
                    text,
                    encoding,
                    truncated: response.body.as_ref().is_some_and(|body| body.truncated),
                },
                redirect_url: response.header("location").unwrap_or(""),
                headers_size: -1,
                body_size: body_size(response.body.as_ref()),
                error: None,
            }
        }
        None => HarResponse {
            status: 0,
            status_text: "",
            http_version: "",
            cookies: Vec::new(),
            headers: Vec::new(),
            content: Content { size: 0, mime_type: "", text: None, encoding: None, truncated: false },
            redirect_url: "",
            headers_size: -1,
            body_size: -1,
            error: Some("no response"),
        },
    };
    HarEntry {
        id: exchange.id.as_deref(),
        started_date_time: exchange.started_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        time: duration,
        request: HarRequest {
            method: &request.method,
            url,
            http_version: "HTTP/1.1",
            cookies: request_cookies(&request.headers),
            headers: name_values(&request.headers),
            query_string: name_values(&request.query),
            post_data,
            headers_size: -1,
            body_size: body_size(request.body.as_ref()),
        },
        response,
        cache: Empty {},
        timings: Timings { send: 0.0, wait: duration, receive: 0.0 },
    }
}

/// Writes a HAR 1.2 document with one entry per exchange, streaming (one entry per line).
///
/// `creator` is the `log.creator.name` (for example `rampart-demo`).
pub fn write_har(
    w: impl Write,
    creator: &str,
    exchanges: impl IntoIterator<Item = Exchange>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, w);
    out.write_all(b"{\"log\":{\"version\":\"1.2\",\"creator\":")?;
    serde_json::to_writer(
        &mut out,
        &serde_json::json!({ "name": creator, "version": env!("CARGO_PKG_VERSION") }),
    )?;
    out.write_all(b",\"entries\":[")?;
    for (index, exchange) in exchanges.into_iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut out, &har_entry(&exchange))?;
    }
    out.write_all(b"\n]}}\n")?;
    out.flush()
}
