//! rampart-injection: finds SQL injection and XSS in what a client sends — query parameters,
//! path segments, selected headers and cookies, JSON and form bodies — so the gateway can block
//! the request and the detectors can count the attempt. No I/O: request parts in, hits out.
//!
//! # How a request is read
//!
//! * **Every place a value hides.** Query and form parameters are URL-decoded (`+` as space)
//!   and decoded again while `%XX` escapes remain (double and triple encoding), each distinct
//!   form judged. JSON bodies are walked as a stream — string values *and* member names —
//!   without building a `serde_json::Value`, to a bounded depth and value count; each hit
//!   names its JSON pointer (`/payee/reference`). Path segments, `User-Agent`, `Referer` and
//!   each cookie value are read when configured.
//! * **Normal traffic is cheap.** A value of letters, digits, `-_.@+/:`, non-ASCII text
//!   (names in Chinese, Thai, …) or shorter than 2 bytes cannot carry either attack and never
//!   reaches the engine: most ids, amounts, currencies, dates, emails, UUIDs and JWT parts stop
//!   at one byte scan.
//! * **Fingerprints, not regexes.** The engine ([`engine::InjectionEngine`]) is
//!   `libinjectionrs` (pinned `=0.1.1`), a pure-Rust port of libinjection: SQL is tokenized in
//!   each quoting context and the token-class fingerprint looked up in libinjection's table of
//!   known attack shapes; XSS is an HTML5 tokenizer that flags dangerous tags, attributes and
//!   URL schemes. That is why `O'Brien` or "select the best plan or cancel" pass while `1' OR
//!   '1'='1` does not. The engine sits behind a trait so it can be replaced; our regression
//!   corpus (`tests/data/`) is what any replacement must pass.
//! * **Never the raw value.** A hit carries a snippet truncated to 64 characters with long
//!   digit runs masked, so logs and alerts do not become a copy of customer data.
//!
//! Dependencies: `libinjectionrs` (the engine; the C-binding crate cannot build offline),
//! `serde_json` (streaming walk of bodies), `http` (the gateway's `HeaderMap`), `memchr`
//! (byte scans). URL decoding is our own ([`decode`]): it must keep invalid escapes as servers
//! do, treat `+` per context, and repeat while escapes remain.

pub mod decode;
pub mod engine;
mod json;

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;
use serde::{Deserialize, Serialize};

pub use engine::{InjectionEngine, LibInjection};

/// Which attack a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectionKind {
    Sqli,
    Xss,
}

/// Where in the request the value was.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "in", content = "name", rename_all = "snake_case")]
pub enum Location {
    /// A query parameter, by decoded name (a hit in the name itself is reported here too).
    Query(String),
    /// A path segment.
    Path,
    /// A header, by lower-case name.
    Header(String),
    /// A cookie, by name.
    Cookie(String),
    /// A JSON body value or member name, by JSON pointer (RFC 6901).
    JsonBody(String),
    /// A form body field, by decoded name.
    FormBody(String),
    /// A body that claimed JSON but did not parse, read as one value.
    RawBody,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Query(name) => write!(f, "query parameter {name:?}"),
            Location::Path => f.write_str("path"),
            Location::Header(name) => write!(f, "header {name}"),
            Location::Cookie(name) => write!(f, "cookie {name:?}"),
            Location::JsonBody(pointer) => write!(f, "body {pointer}"),
            Location::FormBody(name) => write!(f, "form field {name:?}"),
            Location::RawBody => f.write_str("body"),
        }
    }
}

/// One value that looks like an attack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectionHit {
    pub kind: InjectionKind,
    pub location: Location,
    /// libinjection's SQL fingerprint (`s&sos`, `1UEok`, …); `None` for XSS.
    pub fingerprint: Option<String>,
    /// The decoded value, truncated and with long digit runs masked.
    pub snippet: String,
}

/// The `[injection]` section of rampart.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InjectionConfig {
    pub enabled: bool,
    pub sqli: bool,
    pub xss: bool,
    pub inspect_query: bool,
    pub inspect_path: bool,
    pub inspect_body: bool,
    /// Headers whose values are inspected; `cookie` is split into its cookies.
    pub headers: Vec<String>,
    /// Bodies larger than this are not inspected (cap request bodies at the gateway to at most this).
    pub max_body_bytes: usize,
    /// JSON nesting deeper than this is skipped.
    pub max_json_depth: usize,
    /// Values inspected per request, over all locations; the rest are skipped.
    pub max_values: usize,
    /// Bytes of each value handed to the engine.
    pub max_value_bytes: usize,
}

impl Default for InjectionConfig {
    fn default() -> Self {
        InjectionConfig {
            enabled: true,
            sqli: true,
            xss: true,
            inspect_query: true,
            inspect_path: true,
            inspect_body: true,
            headers: vec!["user-agent".into(), "referer".into(), "cookie".into()],
            max_body_bytes: 256 * 1024,
            max_json_depth: 32,
            max_values: 2048,
            max_value_bytes: 8192,
        }
    }
}

/// A config the inspector cannot run with, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    pub field: String,
    pub message: String,
}

/// Bytes that never make either attack on their own: a value made only of these is skipped.
/// `/` and `:` keep URLs and times cheap; `javascript:` vectors need `(` or `` ` `` or
/// entities to run and those are not in the set.
const fn safe_bytes() -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0usize;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'@' | b'+' | b'/' | b':')
            || b >= 0x80;
        byte += 1;
    }
    table
}
static SAFE: [bool; 256] = safe_bytes();
const MIN_INTERESTING_LEN: usize = 2;

fn obviously_safe(value: &[u8]) -> bool {
    value.len() < MIN_INTERESTING_LEN || value.iter().all(|&b| SAFE[b as usize])
}

/// Inspects requests; build once, share behind an `Arc`.
pub struct Inspector {
    config: InjectionConfig,
    header_names: Vec<http::HeaderName>,
    engine: Box<dyn InjectionEngine>,
}

impl fmt::Debug for Inspector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inspector").field("config", &self.config).finish()
    }
}

/// Per-request state: hits so far and the remaining value budget.
pub(crate) struct Scan<'a> {
    inspector: &'a Inspector,
    hits: Vec<InjectionHit>,
    values_left: usize,
}

impl Inspector {
    /// Validates the config and uses [`LibInjection`].
    pub fn new(config: InjectionConfig) -> Result<Inspector, ConfigError> {
        Inspector::with_engine(config, Box::new(LibInjection::new()))
    }

    /// Same with another engine.
    pub fn with_engine(
        config: InjectionConfig,
        engine: Box<dyn InjectionEngine>,
    ) -> Result<Inspector, ConfigError> {
        let positive = [
            ("injection.max_body_bytes", config.max_body_bytes),
            ("injection.max_json_depth", config.max_json_depth),
            ("injection.max_values", config.max_values),
            ("injection.max_value_bytes", config.max_value_bytes),
        ];
        for (field, value) in positive {
            if value == 0 {
                return Err(ConfigError {
                    field: field.to_owned(),
                    message: "must be at least 1".to_owned(),
                });
            }
        }
        let mut header_names = Vec::new();
        for (index, name) in config.headers.iter().enumerate() {
            let parsed = http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| ConfigError {
                field: format!("injection.headers[{index}]"),
                message: format!("{name:?} is not a header name"),
            })?;
            header_names.push(parsed);
        }
        Ok(Inspector { config, header_names, engine })
    }

    /// Looks for SQL injection and XSS in every configured part of the request.
    /// `path_and_query` is the request target as received (`/a/b?x=1`).
    pub fn inspect(
        &self,
        method: &http::Method,
        path_and_query: &str,
        headers: &HeaderMap,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<InjectionHit> {
        let config = &self.config;
        if !config.enabled || !(config.sqli || config.xss) {
            return Vec::new();
        }
        let mut scan = Scan { inspector: self, hits: Vec::new(), values_left: config.max_values };
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        if config.inspect_path {
            for segment in path.split('/') {
                scan.check_encoded(segment.as_bytes(), false, || Location::Path);
            }
        }
        if config.inspect_query
            && let Some(query) = query
        {
            scan.check_pairs(query.as_bytes(), b'&', Location::Query);
        }
        for name in &self.header_names {
            for value in headers.get_all(name) {
                if name == http::header::COOKIE {
                    scan.check_pairs(value.as_bytes(), b';', |cookie| {
                        Location::Cookie(cookie.trim().to_owned())
                    });
                } else {
                    scan.check_value(value.as_bytes(), || Location::Header(name.as_str().to_owned()));
                }
            }
        }
        if config.inspect_body && !body.is_empty() {
            self.inspect_body(&mut scan, content_type, body);
        }
        if !scan.hits.is_empty() {
            tracing::debug!(
                %method,
                hits = scan.hits.len(),
                first = %scan.hits[0].location,
                "injection attempt"
            );
        }
        scan.hits
    }

    fn inspect_body(&self, scan: &mut Scan<'_>, content_type: Option<&str>, body: &[u8]) {
        if body.len() > self.config.max_body_bytes {
            tracing::debug!(len = body.len(), "body over injection.max_body_bytes, not inspected");
            return;
        }
        let media =
            content_type.and_then(|ct| ct.split(';').next()).map(|media| media.trim().to_ascii_lowercase());
        let media = media.as_deref();
        let looks_json = || matches!(body.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['));
        let is_json = match media {
            Some(media) => media == "application/json" || media.ends_with("+json"),
            None => looks_json(),
        };
        if is_json {
            if json::walk(scan, body, self.config.max_json_depth).is_err() {
                // Lenient backends may accept what serde rejects: judge the whole body.
                scan.check_value(body, || Location::RawBody);
            }
        } else if media == Some("application/x-www-form-urlencoded") {
            scan.check_pairs(body, b'&', Location::FormBody);
        }
    }
}

fn snippet(value: &[u8]) -> String {
    const MAX_CHARS: usize = 64;
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(MAX_CHARS + 3);
    let mut digits_run = 0usize;
    for (count, ch) in text.chars().enumerate() {
        if count == MAX_CHARS {
            out.push('…');
            break;
        }
        if ch.is_ascii_digit() {
            digits_run += 1;
        } else {
            digits_run = 0;
        }
        // Runs of 5+ digits may be account or card numbers: keep the first four of a run only.
        out.push(if digits_run > 4 {
            '*'
        } else if ch.is_control() {
            '?'
        } else {
            ch
        });
    }
    out
}

/// Every XSS vector needs markup (`<`, `>`), an attribute (`=`), quotes to break out of one,
/// an entity (`&`) or a scheme (`:`). Prose, names and addresses without these skip the
/// HTML tokenizer, the most expensive half of the engine.
fn could_be_xss(value: &[u8]) -> bool {
    value.iter().any(|b| matches!(b, b'<' | b'>' | b'=' | b':' | b'"' | b'\'' | b'`' | b'&'))
}

/// libinjection judges `javascript:` only inside HTML it parses; a bare value that starts
/// with a script scheme is an XSS vector wherever the app puts it into `href`/`src`
/// (redirect URIs, profile links). Browsers ignore leading spaces and control bytes and
/// tabs/newlines inside the scheme, so we do too.
fn starts_with_script_scheme(value: &[u8]) -> bool {
    const SCHEMES: [&[u8]; 3] = [b"javascript:", b"vbscript:", b"data:text/html"];
    let mut letters = value
        .iter()
        .skip_while(|&&b| b <= b' ')
        .filter(|&&b| !matches!(b, b'\t' | b'\n' | b'\r'))
        .map(u8::to_ascii_lowercase);
    let mut prefix = [0u8; 14];
    let mut len = 0;
    for slot in prefix.iter_mut() {
        match letters.next() {
            Some(b) => {
                *slot = b;
                len += 1;
            }
            None => break,
        }
    }
    SCHEMES.iter().any(|scheme| prefix[..len].starts_with(scheme))
}

impl Scan<'_> {
    /// Judges one decoded value once, reporting at most one hit per kind.
    pub(crate) fn check_value(&mut self, value: &[u8], location: impl Fn() -> Location) {
        if obviously_safe(value) {
            return;
        }
        if self.values_left == 0 {
            return;
        }
        self.values_left -= 1;
        let config = &self.inspector.config;
        let value = &value[..value.len().min(config.max_value_bytes)];
        let engine = &self.inspector.engine;
        if config.sqli
            && let Some(fingerprint) = engine.sqli_fingerprint(value)
        {
            self.push(InjectionKind::Sqli, location(), Some(fingerprint), value);
        }
        if config.xss && could_be_xss(value) && (engine.is_xss(value) || starts_with_script_scheme(value)) {
            self.push(InjectionKind::Xss, location(), None, value);
        }
    }

    fn push(&mut self, kind: InjectionKind, location: Location, fingerprint: Option<String>, value: &[u8]) {
        let duplicate = self.hits.iter().any(|hit| hit.kind == kind && hit.location == location);
        if !duplicate {
            self.hits.push(InjectionHit { kind, location, fingerprint, snippet: snippet(value) });
        }
    }

    /// Judges a URL-encoded value in each distinct decoding (raw escapes are not judged: the
    /// application sees at least one decoding).
    pub(crate) fn check_encoded(&mut self, raw: &[u8], plus_as_space: bool, location: impl Fn() -> Location) {
        if obviously_safe(raw) && !(plus_as_space && raw.contains(&b'+')) {
            return;
        }
        let mut current: Cow<'_, [u8]> = decode::decode_once(raw, plus_as_space);
        for _ in 0..decode::MAX_DECODE_ROUNDS {
            self.check_value(&current, &location);
            if !decode::has_escape(&current) {
                break;
            }
            current = Cow::Owned(decode::decode_once(&current, false).into_owned());
        }
    }

    /// Judges every name and value of `name=value` pairs (query, form, cookies).
    fn check_pairs(&mut self, text: &[u8], separator: u8, location: impl Fn(String) -> Location) {
        for (name, value) in decode::split_pairs(text, separator) {
            let display_name = || {
                let decoded = decode::decode_once(name, true);
                let mut text = String::from_utf8_lossy(&decoded).into_owned();
                if text.len() > 64 {
                    let mut end = 64;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.truncate(end);
                }
                location(text)
            };
            self.check_encoded(name, true, display_name);
            self.check_encoded(value, true, display_name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspector() -> Inspector {
        Inspector::new(InjectionConfig::default()).unwrap()
    }

    #[test]
    fn safe_values_skip_the_engine() {
        for value in ["ACTIVE", "2026-06-01T10:00:00Z", "jane.doe@bank.example", "12.50", "王小明", "a"] {
            assert!(obviously_safe(value.as_bytes()), "{value}");
        }
        for value in ["1'", "a b", "<b>", "x=1"] {
            assert!(!obviously_safe(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn script_schemes_are_recognised_through_browser_leniency() {
        for value in ["javascript:alert(1)", "  JaVa\tScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4="]
        {
            assert!(starts_with_script_scheme(value.as_bytes()), "{value}");
        }
        for value in ["https://bank.example/", "java", "my javascript: notes"] {
            assert!(!starts_with_script_scheme(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn snippet_truncates_and_masks_digit_runs() {
        assert_eq!(snippet(b"card 4111111111111111' or 1=1"), "card 4111************' or 1=1");
        let long = "x".repeat(100);
        assert_eq!(snippet(long.as_bytes()).chars().count(), 65);
        assert_eq!(snippet(b"a\nb"), "a?b");
    }

    #[test]
    fn query_hit_names_the_parameter_and_decodes_twice() {
        let hits = inspector().inspect(
            &http::Method::GET,
            "/accounts?sort=name&filter=1%2527%2520OR%2520%25271%2527%253D%25271",
            &HeaderMap::new(),
            None,
            b"",
        );
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0].kind, InjectionKind::Sqli);
        assert_eq!(hits[0].location, Location::Query("filter".into()));
        assert!(hits[0].fingerprint.is_some());
    }

    #[test]
    fn config_errors_name_the_field() {
        let config = InjectionConfig {
            headers: vec!["user-agent".into(), "bad header".into()],
            ..InjectionConfig::default()
        };
        let error = Inspector::new(config).unwrap_err();
        assert_eq!(error.field, "injection.headers[1]");
        let config = InjectionConfig { max_values: 0, ..InjectionConfig::default() };
        assert_eq!(Inspector::new(config).unwrap_err().field, "injection.max_values");
    }

    #[test]
    fn disabled_kinds_are_not_reported() {
        let config = InjectionConfig { xss: false, ..InjectionConfig::default() };
        let inspector = Inspector::new(config).unwrap();
        let hits = inspector.inspect(
            &http::Method::GET,
            "/search?q=%3Cscript%3Ealert(1)%3C/script%3E&id=1%27%20or%20%271%27%3D%271",
            &HeaderMap::new(),
            None,
            b"",
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, InjectionKind::Sqli);
    }
}
