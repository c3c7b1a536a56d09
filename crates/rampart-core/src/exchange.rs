//! The Exchange: one HTTP request, its response if any, and where and when it was seen.
//!
//! The serde form of [`Exchange`] *is* the Exchange JSON Lines format (one object per line),
//! documented in `docs/exchange-jsonl.md`. Field names are stable; new optional fields may be added
//! within a format version; anything else bumps [`EXCHANGE_FORMAT_VERSION`].

use std::borrow::Cow;
use std::net::IpAddr;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Response header the gateway puts on the answers it makes itself instead of the upstream (a
/// refusal), with the refusal's reason id (`blocked-ip`, `rate-limited`, `sqli`, …): analysis
/// reading the tap can tell what the API answered from what the gateway did.
pub const GATEWAY_REFUSAL_HEADER: &str = "x-rampart-refusal";

/// Refusal reasons of the gateway that are enforcement against the client (a block or a rate
/// limit in force), not an answer about the request itself.
pub const ENFORCEMENT_REFUSALS: [&str; 5] =
    ["blocked-ip", "blocked-identity", "blocked-token", "rate-limited", "rate-limited-by-decision"];

/// The reason, when the gateway refused this exchange to enforce a block or a rate limit on its
/// client: the API never saw it, and it says nothing about the API or about the request's
/// content — discovery, posture and the detectors keep such exchanges out.
pub fn enforcement_refusal(exchange: &Exchange) -> Option<&str> {
    let reason = exchange.response.as_ref()?.header(GATEWAY_REFUSAL_HEADER)?;
    ENFORCEMENT_REFUSALS.contains(&reason).then_some(reason)
}

/// Version written in the `v` field of every Exchange JSON line.
pub const EXCHANGE_FORMAT_VERSION: u32 = 1;

fn format_version() -> u32 {
    EXCHANGE_FORMAT_VERSION
}

/// One request and its response (if one came back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// Format version of this record; readers reject versions they do not know.
    #[serde(default = "format_version")]
    pub v: u32,
    /// Optional identifier given by the source (gateway request id, HAR entry id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When the request started.
    pub started_at: DateTime<Utc>,
    /// Total time from request start to the end of the response, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    #[serde(default)]
    pub client: Client,
    #[serde(default)]
    pub source: Source,
    pub request: Request,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
}

/// Who sent the request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// A stable identity for the caller when the source knows it (JWT `sub`, API key id,
    /// session). Never a raw credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// SHA-256 fingerprint (first 16 bytes, lower-case hex) of the bearer token, API key or
    /// session cookie the request carried — the same fingerprint the blocklist's `token`
    /// entries use; never the credential itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Where an exchange came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Har,
    Jsonl,
    Gateway,
    Log,
    #[default]
    Other,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    #[serde(default)]
    pub kind: SourceKind,
    /// File name, gateway listener or stream name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Index of the record in its source (HAR entry index, JSONL line number), 0-based.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
}

/// The request half of an exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Upper-case HTTP method.
    pub method: String,
    /// `http` or `https`.
    #[serde(default = "default_scheme")]
    pub scheme: String,
    /// Host as the client addressed it, with a port only when it is not the scheme's default.
    pub host: String,
    /// Path without the query string, percent-encoding as sent.
    pub path: String,
    /// Query parameters in order, percent-decoded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// Headers in order; names as sent (compare case-insensitively).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

fn default_scheme() -> String {
    "https".to_owned()
}

/// The response half of an exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub status: u16,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A message body: text when it is valid UTF-8, base64 otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base64: Option<String>,
    /// Size of the whole body on the wire, when known (it may exceed what is kept here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// True when only a prefix of the body was kept.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl Body {
    /// A body from raw bytes: kept as text when it is UTF-8, as base64 otherwise.
    pub fn from_bytes(bytes: &[u8]) -> Body {
        let size = Some(bytes.len() as u64);
        match std::str::from_utf8(bytes) {
            Ok(text) => Body { text: Some(text.to_owned()), size, ..Body::default() },
            Err(_) => Body {
                base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                size,
                ..Body::default()
            },
        }
    }

    /// A text body.
    pub fn from_text(text: impl Into<String>) -> Body {
        let text = text.into();
        Body { size: Some(text.len() as u64), text: Some(text), ..Body::default() }
    }

    /// The body's bytes. `None` when the base64 form does not decode.
    pub fn bytes(&self) -> Option<Cow<'_, [u8]>> {
        if let Some(text) = &self.text {
            return Some(Cow::Borrowed(text.as_bytes()));
        }
        match &self.base64 {
            Some(b64) => base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok().map(Cow::Owned),
            None => Some(Cow::Borrowed(&[])),
        }
    }

    /// The body as text when it is (or decodes to) UTF-8.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self.bytes()? {
            Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(Cow::Borrowed),
            Cow::Owned(v) => String::from_utf8(v).ok().map(Cow::Owned),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(str::is_empty) && self.base64.as_deref().is_none_or(str::is_empty)
    }
}

/// First value of a header, compared case-insensitively.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// Media type of the body without parameters, lower-cased (`application/json`).
    pub fn content_type(&self) -> Option<String> {
        self.header("content-type").map(media_type)
    }
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn content_type(&self) -> Option<String> {
        self.header("content-type").map(media_type)
    }
}

/// `application/json; charset=utf-8` → `application/json`.
pub fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// True for `application/json`, `application/problem+json`, `application/vnd.x+json`, `text/json`,
/// compared case-insensitively (media types are; `Application/JSON` is JSON).
pub fn is_json_media_type(media: &str) -> bool {
    media.eq_ignore_ascii_case("application/json")
        || media.eq_ignore_ascii_case("text/json")
        || (media.len() > 5 && media.as_bytes()[media.len() - 5..].eq_ignore_ascii_case(b"+json"))
}

/// Percent-decodes a query component, `+` meaning space as in HTML forms. A stray `%` stays as
/// it is; when the decoded bytes are not UTF-8 the component is kept as sent rather than mangled
/// with replacement characters.
pub fn decode_query_component(raw: &str) -> String {
    if !raw.contains(['%', '+']) {
        return raw.to_owned();
    }
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let pair = bytes
                    .get(i + 1)
                    .copied()
                    .and_then(hex_value)
                    .zip(bytes.get(i + 2).copied().and_then(hex_value));
                match pair {
                    Some((high, low)) => {
                        decoded.push(high << 4 | low);
                        i += 3;
                    }
                    None => {
                        decoded.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                decoded.push(b' ');
                i += 1;
            }
            other => {
                decoded.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap_or_else(|_| raw.to_owned())
}

/// Splits a raw query string into decoded `(name, value)` pairs, in order; empty segments
/// (`a=1&&b=2`) are skipped and a segment without `=` is a name with an empty value.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('=') {
            Some((name, value)) => (decode_query_component(name), decode_query_component(value)),
            None => (decode_query_component(segment), String::new()),
        })
        .collect()
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_query_components() {
        assert_eq!(
            parse_query("q=caf%C3%A9+au+lait&empty=&flag&&a%3Db=c%26d"),
            vec![
                ("q".to_owned(), "café au lait".to_owned()),
                ("empty".to_owned(), String::new()),
                ("flag".to_owned(), String::new()),
                ("a=b".to_owned(), "c&d".to_owned()),
            ]
        );
        assert_eq!(decode_query_component("100%"), "100%");
        assert_eq!(decode_query_component("%zz%4"), "%zz%4");
        assert_eq!(decode_query_component("%FF%FE"), "%FF%FE", "non-UTF-8 stays as sent");
    }

    use super::*;

    #[test]
    fn exchange_round_trips_through_json_lines() {
        let line = r#"{"v":1,"started_at":"2026-11-29T10:00:00.120Z","duration_ms":12.5,
            "client":{"ip":"203.0.113.7"},"source":{"kind":"gateway","name":"edge-1"},
            "request":{"method":"GET","scheme":"https","host":"api.bank.example","path":"/v1/accounts/8812345",
              "query":[["page","2"]],"headers":[["Authorization","Bearer x"]]},
            "response":{"status":200,"headers":[["Content-Type","application/json; charset=utf-8"]],
              "body":{"text":"{\"id\":8812345}"}}}"#;
        let ex: Exchange = serde_json::from_str(line).unwrap();
        assert_eq!(ex.client.credential, None, "an older line without the field still reads");
        assert_eq!(ex.request.query, vec![("page".to_owned(), "2".to_owned())]);
        assert_eq!(ex.request.header("authorization"), Some("Bearer x"));
        let resp = ex.response.as_ref().unwrap();
        assert_eq!(resp.content_type().as_deref(), Some("application/json"));
        let again: Exchange = serde_json::from_str(&serde_json::to_string(&ex).unwrap()).unwrap();
        assert_eq!(again, ex);
    }

    #[test]
    fn client_credential_is_written_only_when_known() {
        let mut client = Client { ip: Some("203.0.113.7".parse().unwrap()), ..Client::default() };
        assert_eq!(serde_json::to_string(&client).unwrap(), r#"{"ip":"203.0.113.7"}"#);
        client.credential = Some("ba7816bf8f01cfea414140de5dae2223".to_owned());
        let json = serde_json::to_string(&client).unwrap();
        assert_eq!(json, r#"{"ip":"203.0.113.7","credential":"ba7816bf8f01cfea414140de5dae2223"}"#);
        assert_eq!(serde_json::from_str::<Client>(&json).unwrap(), client);
    }

    #[test]
    fn binary_bodies_are_kept_as_base64() {
        let body = Body::from_bytes(&[0xff, 0x00, 0x10]);
        assert!(body.text.is_none());
        assert_eq!(body.bytes().unwrap().as_ref(), &[0xff, 0x00, 0x10]);
        assert!(body.as_text().is_none());
        let bad = Body { base64: Some("%%%".into()), ..Body::default() };
        assert!(bad.bytes().is_none());
    }
}
