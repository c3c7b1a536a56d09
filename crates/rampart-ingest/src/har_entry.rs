//! One HAR entry → one [`Exchange`], tolerant of what real tools write.
//!
//! Each entry is parsed on its own straight into the tolerant types of `har_model` and then read
//! field by field with lenient accessors (numbers as strings, `null` for strings, `-1` sizes, missing optional
//! fields), so that one odd entry never kills the rest of the file, and the error can name the
//! field. Only what makes an entry unusable is an error: no request, no URL, no method, no
//! usable start time.

use std::borrow::Cow;

use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use rampart_core::exchange::{decode_query_component, parse_query};
use rampart_core::{Body, Exchange, Request, Response, Source, SourceKind};

use crate::IngestError;
use crate::har_model::{Entry, HarRequest, HarResponse, List, NameValue, Obj, Scalar};
use crate::url::{encode_pairs, normalize_host, split_url};

type FieldResult<T> = Result<T, IngestError>;

/// `[{name, value}, ...]` as pairs, skipping items without a name.
fn name_values(list: &List<NameValue<'_>>) -> Vec<(String, String)> {
    list.items
        .iter()
        .filter_map(|item| {
            let name = item.name.lenient_str()?;
            let value = item.value.lenient_str().unwrap_or_default();
            Some((name.into_owned(), value.into_owned()))
        })
        .collect()
}

/// Drops HTTP/2 pseudo-headers (`:authority`, `:path`, ...): not headers the application sees.
fn without_pseudo_headers(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.into_iter().filter(|(name, _)| !name.starts_with(':') && !name.is_empty()).collect()
}

fn pseudo_header<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Accepts the RFC 3339 timestamps browsers write, and the variants seen in the wild: offsets
/// without a colon (`+0100`), a space instead of `T`, no offset at all (taken as UTC), and epoch
/// milliseconds as a number.
pub(crate) fn parse_started(value: &Scalar<'_>) -> Result<DateTime<Utc>, String> {
    if let Scalar::Num(number) = value
        && let Some(number) = number.as_f64()
    {
        // Below 1e11 it can only be seconds (1e11 s is the year 5138).
        let millis = if number.abs() < 1e11 { number * 1000.0 } else { number };
        return Utc.timestamp_millis_opt(millis as i64).single().ok_or_else(|| "out of range".to_owned());
    }
    let Scalar::Str(text) = value else {
        return Err(if *value == Scalar::Null { "missing".to_owned() } else { "not a string".to_owned() });
    };
    let text = text.trim();
    if text.is_empty() {
        return Err("missing".to_owned());
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Ok(parsed.with_timezone(&Utc));
    }
    let normalised = text.replacen(' ', "T", 1);
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(parsed) = DateTime::parse_from_str(&normalised, format) {
            return Ok(parsed.with_timezone(&Utc));
        }
    }
    let without_z = normalised.strip_suffix(['Z', 'z']).unwrap_or(&normalised);
    NaiveDateTime::parse_from_str(without_z, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|naive| naive.and_utc())
        .map_err(|_| "not an RFC 3339 date-time".to_owned())
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines.iter().find_map(|engine| engine.decode(&compact).ok())
}

/// A body from a HAR `text` and its `encoding`; `size` is the size the HAR claims.
fn body_from_text(text: &str, encoding: Option<&str>, size: Option<u64>, field: &str) -> Option<Body> {
    let mut body = if encoding.is_some_and(|e| e.trim().eq_ignore_ascii_case("base64")) {
        match decode_base64(text) {
            Some(bytes) => Body::from_bytes(&bytes),
            None => {
                tracing::debug!(field, "body marked base64 does not decode; dropped");
                return None;
            }
        }
    } else {
        Body::from_text(text)
    };
    if size.is_some() {
        body.size = size;
    }
    Some(body)
}

/// Rebuilds a body from form `params` when a tool kept only those (Burp, some Chrome exports).
fn body_from_params(fields: &[NameValue<'_>], mime_type: &str) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let boundary = mime_type
        .to_ascii_lowercase()
        .starts_with("multipart/")
        .then(|| {
            mime_type.split(';').find_map(|param| {
                let (key, value) = param.trim().split_once('=')?;
                key.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_owned())
            })
        })
        .flatten();
    let text = |scalar: &Scalar<'_>| scalar.lenient_str().map(Cow::into_owned).unwrap_or_default();
    match boundary {
        Some(boundary) => {
            let mut body = String::new();
            for f in fields {
                body.push_str(&format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                    text(&f.name)
                ));
                if let Some(file_name) = f.file_name.non_empty() {
                    body.push_str(&format!("; filename=\"{file_name}\""));
                }
                body.push_str("\r\n");
                if let Some(content_type) = f.content_type.non_empty() {
                    body.push_str(&format!("Content-Type: {content_type}\r\n"));
                }
                body.push_str(&format!("\r\n{}\r\n", text(&f.value)));
            }
            body.push_str(&format!("--{boundary}--\r\n"));
            Some(body)
        }
        None => {
            let pairs: Vec<(String, String)> =
                fields.iter().map(|f| (text(&f.name), text(&f.value))).collect();
            Some(encode_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))))
        }
    }
}

fn request_body(request: &HarRequest<'_>) -> Option<Body> {
    let post = request.post_data.0.as_ref()?;
    let encoding = post.encoding.lenient_str().or_else(|| post.underscore_encoding.lenient_str());
    let mime_type = post.mime_type.lenient_str().unwrap_or_default();
    let size = request.body_size.lenient_size();
    let text = post.text.lenient_str();
    // "Has params" looks at the raw array: a list of non-objects still stands for params.
    let has_params = post.params.raw_len > 0;
    match (text, has_params) {
        (Some(text), true) if text.is_empty() => {
            body_from_params(&post.params.items, &mime_type).map(Body::from_text)
        }
        (Some(text), _) => body_from_text(&text, encoding.as_deref(), size, "request.postData.text"),
        (None, true) => body_from_params(&post.params.items, &mime_type).map(Body::from_text),
        (None, false) => None,
    }
}

/// A `Cookie` header rebuilt from the `cookies` list, for tools that list cookies but strip the
/// header; never added when the header is there (the cookies would be counted twice).
fn cookie_header(cookies: &List<NameValue<'_>>) -> Option<String> {
    let pairs = name_values(cookies);
    (!pairs.is_empty()).then(|| pairs.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
}

fn parse_request(request: &HarRequest<'_>) -> FieldResult<Request> {
    let method = request
        .method
        .non_empty()
        .ok_or_else(|| IngestError::in_field("request.method", "missing"))?
        .trim()
        .to_ascii_uppercase();
    if !method.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(IngestError::in_field("request.method", "not an HTTP method token"));
    }
    let url = request.url.non_empty().ok_or_else(|| IngestError::in_field("request.url", "missing"))?;
    let all_headers = name_values(&request.headers);
    let parts = split_url(&url);
    let scheme = parts
        .scheme
        .map(str::to_ascii_lowercase)
        .or_else(|| pseudo_header(&all_headers, ":scheme").map(str::to_ascii_lowercase))
        .unwrap_or_else(|| "https".to_owned());
    let authority = parts
        .authority
        .filter(|a| !a.is_empty())
        .or_else(|| pseudo_header(&all_headers, ":authority"))
        .or_else(|| pseudo_header(&all_headers, "host"))
        .ok_or_else(|| {
            IngestError::in_field("request.url", "no host in the URL nor in :authority or Host")
        })?;
    let host = normalize_host(authority, &scheme);
    if host.is_empty() {
        return Err(IngestError::in_field("request.url", "empty host"));
    }
    // A request-target is absolute-path form; a scheme-less URL can leave a relative one.
    let path = if parts.path.starts_with('/') { parts.path.to_owned() } else { format!("/{}", parts.path) };
    let query = match parts.query.filter(|q| !q.is_empty()) {
        Some(raw) => parse_query(raw),
        None => name_values(&request.query_string)
            .into_iter()
            .map(|(name, value)| (decode_query_component(&name), decode_query_component(&value)))
            .collect(),
    };
    let mut headers = without_pseudo_headers(all_headers);
    if !has_header(&headers, "cookie")
        && let Some(cookie) = cookie_header(&request.cookies)
    {
        headers.push(("Cookie".to_owned(), cookie));
    }
    let body = request_body(request);
    if body.is_some()
        && !has_header(&headers, "content-type")
        && let Some(mime) = request.post_data.0.as_ref().and_then(|p| p.mime_type.non_empty())
    {
        headers.push(("Content-Type".to_owned(), mime.into_owned()));
    }
    Ok(Request { method, scheme, host, path, query, headers, body })
}

/// `None` when no response came back: no response object, status 0 (how browsers record a
/// failed request, with `_error`), or a status that is not an HTTP status.
fn parse_response(response: Option<&HarResponse<'_>>) -> Option<Response> {
    let response = response?;
    let status = response.status.lenient_f64()?;
    if !(100.0..=999.0).contains(&status) || status.fract() != 0.0 {
        return None;
    }
    let mut headers = without_pseudo_headers(name_values(&response.headers));
    if !has_header(&headers, "set-cookie") {
        for (name, value) in name_values(&response.cookies) {
            headers.push(("Set-Cookie".to_owned(), format!("{name}={value}")));
        }
    }
    let content = response.content.0.as_ref();
    let body = content.and_then(|content| {
        let size = content.size.lenient_size();
        let encoding = content.encoding.lenient_str();
        let truncated = content.truncated == Scalar::Bool(true);
        match content.text.lenient_str() {
            Some(text) => body_from_text(&text, encoding.as_deref(), size, "response.content.text")
                .map(|body| Body { truncated: truncated || body.truncated, ..body }),
            // The tool saw a body but did not keep it (Chrome "omit content", size limits).
            None if size.is_some_and(|s| s > 0) => Some(Body { size, truncated: true, ..Body::default() }),
            None => None,
        }
    });
    if body.is_some()
        && !has_header(&headers, "content-type")
        && let Some(mime) = content.and_then(|c| c.mime_type.non_empty())
    {
        headers.push(("Content-Type".to_owned(), mime.into_owned()));
    }
    Some(Response { status: status as u16, headers, body })
}

/// Converts a parsed HAR entry (`None`: the JSON value was not an object). `source` is left as
/// `kind: har` without name or index; the reader fills them in.
pub(crate) fn entry_to_exchange(entry: Option<&Entry<'_>>) -> FieldResult<Exchange> {
    let entry = entry.ok_or_else(|| IngestError::new("", "entry is not a JSON object"))?;
    let request = entry.request.0.as_ref().ok_or_else(|| IngestError::in_field("request", "missing"))?;
    let request = parse_request(request)?;
    let started_at = parse_started(&entry.started_date_time)
        .map_err(|message| IngestError::in_field("startedDateTime", message))?;
    let duration_ms = entry.time.lenient_f64().filter(|t| *t >= 0.0);
    let id = entry.id.non_empty().map(Cow::into_owned);
    Ok(Exchange {
        v: rampart_core::EXCHANGE_FORMAT_VERSION,
        id,
        started_at,
        duration_ms,
        client: rampart_core::Client::default(),
        source: Source { kind: SourceKind::Har, name: None, entry: None },
        request,
        response: parse_response(entry.response.0.as_ref()),
    })
}

/// Parses one entry's JSON text, reporting syntax and depth errors as errors of this entry.
pub(crate) fn entry_json_to_exchange(entry_json: &str) -> FieldResult<Exchange> {
    let entry: Obj<Entry<'_>> = serde_json::from_str(entry_json).map_err(|error| {
        IngestError::new("", format!("invalid JSON: {}", error_message(&error)))
            .at_position(error.line() as u64, error.column() as u64)
    })?;
    entry_to_exchange(entry.0.as_ref())
}

/// serde_json's message without its trailing " at line L column C" (we keep those separately).
pub(crate) fn error_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) if error.line() > 0 => text[..i].to_owned(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn started(value: Value) -> String {
        let text = value.to_string();
        let scalar: Scalar<'_> = serde_json::from_str(&text).unwrap();
        parse_started(&scalar).map(|t| t.to_rfc3339()).unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn start_times_in_the_variants_tools_write() {
        assert_eq!(started(json!("2024-05-14T09:12:33.412Z")), "2024-05-14T09:12:33.412+00:00");
        assert_eq!(started(json!("2024-05-14T11:12:33.412+02:00")), "2024-05-14T09:12:33.412+00:00");
        assert_eq!(started(json!("2024-05-14T11:12:33.412+0200")), "2024-05-14T09:12:33.412+00:00");
        assert_eq!(started(json!("2024-05-14 09:12:33")), "2024-05-14T09:12:33+00:00");
        assert_eq!(started(json!("2024-05-14T09:12:33.123456+00:00")), "2024-05-14T09:12:33.123456+00:00");
        assert_eq!(started(json!(1_715_677_953_412_i64)), "2024-05-14T09:12:33.412+00:00");
        assert_eq!(started(json!(1_715_677_953)), "2024-05-14T09:12:33+00:00");
        assert_eq!(started(json!(null)), "error: missing");
        assert_eq!(started(json!("")), "error: missing");
        assert_eq!(started(json!("14/05/2024")), "error: not an RFC 3339 date-time");
        assert_eq!(started(json!(["x"])), "error: not a string");
        assert!(started(json!(1e300)).starts_with("error"));
    }

    /// Converts an entry given as a JSON value, through its text as the reader does.
    fn entry_to_exchange(entry: &Value) -> FieldResult<Exchange> {
        entry_json_to_exchange(&entry.to_string())
    }

    fn entry(request: Value, response: Value) -> Value {
        json!({ "startedDateTime": "2024-05-14T09:12:33Z", "request": request, "response": response })
    }

    #[test]
    fn relative_url_takes_its_host_from_authority_and_query_from_query_string() {
        let exchange = entry_to_exchange(&entry(
            json!({
                "method": "get",
                "url": "/v1/search",
                "headers": [
                    { "name": ":authority", "value": "API.example:443" },
                    { "name": ":scheme", "value": "https" }
                ],
                "queryString": [{ "name": "q", "value": "a%20b" }, { "name": "n", "value": 5 }]
            }),
            json!(null),
        ))
        .unwrap();
        assert_eq!(exchange.request.method, "GET");
        assert_eq!(exchange.request.host, "api.example");
        assert_eq!(exchange.request.path, "/v1/search");
        assert_eq!(exchange.request.query, vec![("q".into(), "a b".into()), ("n".into(), "5".into())]);
        assert!(exchange.request.headers.is_empty());
        assert!(exchange.response.is_none());
    }

    #[test]
    fn url_query_wins_over_query_string() {
        let exchange = entry_to_exchange(&entry(
            json!({ "method": "GET", "url": "https://a.example/x?q=url", "queryString": [{ "name": "q", "value": "list" }] }),
            json!({ "status": 200 }),
        ))
        .unwrap();
        assert_eq!(exchange.request.query, vec![("q".into(), "url".into())]);
    }

    #[test]
    fn unusable_entries_name_the_field() {
        let no_host =
            entry_to_exchange(&entry(json!({ "method": "GET", "url": "/x" }), json!(null))).unwrap_err();
        assert_eq!(no_host.field.as_deref(), Some("request.url"));
        let no_request =
            entry_to_exchange(&json!({ "startedDateTime": "2024-05-14T09:12:33Z" })).unwrap_err();
        assert_eq!(no_request.to_string(), "request: missing");
        let bad_method =
            entry_to_exchange(&entry(json!({ "method": "GE T", "url": "https://a.example/" }), json!(null)))
                .unwrap_err();
        assert_eq!(bad_method.field.as_deref(), Some("request.method"));
        let no_time =
            entry_to_exchange(&json!({ "request": { "method": "GET", "url": "https://a.example/" } }))
                .unwrap_err();
        assert_eq!(no_time.to_string(), "startedDateTime: missing");
    }

    #[test]
    fn odd_statuses_mean_no_response_and_bad_base64_drops_only_the_body() {
        let request = json!({ "method": "GET", "url": "https://a.example/" });
        for status in [json!(0), json!(-1), json!("abc"), json!(70_000), json!(200.5), json!(null)] {
            let exchange = entry_to_exchange(&entry(request.clone(), json!({ "status": status }))).unwrap();
            assert!(exchange.response.is_none(), "status {status}");
        }
        let broken = entry_to_exchange(&entry(
            request,
            json!({ "status": "200", "content": { "size": 3, "text": "%%%", "encoding": "base64" } }),
        ))
        .unwrap();
        let response = broken.response.unwrap();
        assert_eq!(response.status, 200);
        assert!(response.body.is_none());
    }

    #[test]
    fn omitted_content_is_a_truncated_body_with_its_size() {
        let exchange = entry_to_exchange(&entry(
            json!({ "method": "GET", "url": "https://a.example/" }),
            json!({ "status": 200, "content": { "size": 5120, "mimeType": "application/json", "comment": "omitted" } }),
        ))
        .unwrap();
        let response = exchange.response.unwrap();
        let body = response.body.unwrap();
        assert_eq!((body.size, body.truncated, body.text), (Some(5120), true, None));
        assert_eq!(response.headers, vec![("Content-Type".to_owned(), "application/json".to_owned())]);
    }

    #[test]
    fn syntax_and_depth_errors_are_errors_of_the_entry() {
        let error = entry_json_to_exchange("{\"request\": ").unwrap_err();
        assert!(error.message.starts_with("invalid JSON: EOF"), "{error}");
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(5000), "]".repeat(5000));
        let error = entry_json_to_exchange(&deep).unwrap_err();
        assert!(error.message.contains("recursion limit exceeded"), "{error}");
    }
}
