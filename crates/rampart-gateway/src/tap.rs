//! The tap: a copy of every exchange for the analysis pipeline, through a bounded queue.
//!
//! A request never waits for the tap: `offer` is a non-blocking send, and when the queue is full
//! the copy is dropped and counted (the count is a metric). What the request path hands over is
//! a [`TapRecord`], cheap to make (reference-counted bodies and header maps, no JSON); the
//! [`Exchange`] is built from it off the request path. The file writer runs on its own thread
//! and polls the queue rather than blocking on it, so that a busy gateway never pays a thread
//! wake-up per request; a slow disk slows the tap, not the traffic. Credentials are masked when
//! the record becomes an Exchange — headers (keeping a fingerprint) and the values of credential
//! fields in bodies (`password`, `pin`, `access_token`, …): the tap file is analysis data, not a
//! credential store. What
//! the Exchange keeps of the credential is its fingerprint (`client.credential`, see
//! [`credential_fingerprint`]), so detectors can follow one token across IPs and their token
//! decisions match what the blocklist compares; it is computed in the writer, off the request
//! path.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, header};
use rampart_auth::Fingerprint;
use rampart_core::exchange::parse_query;
use rampart_core::{Body, Exchange, SourceKind};
use rampart_sensitive::credentials::redact_credentials;

/// Counters of the tap, shared with the metrics endpoint.
#[derive(Debug, Default)]
pub struct TapStats {
    pub offered: AtomicU64,
    pub dropped: AtomicU64,
    pub written: AtomicU64,
    pub write_errors: AtomicU64,
}

/// One exchange as the request path hands it to the tap: the parts of the request and response,
/// shared rather than copied. [`TapRecord::into_exchange`] turns it into an [`Exchange`].
#[derive(Debug)]
pub struct TapRecord {
    pub request_id: String,
    pub started_at: DateTime<Utc>,
    pub elapsed: Duration,
    pub client_ip: IpAddr,
    pub identity: Option<String>,
    /// `https` when TLS terminated at the gateway.
    pub scheme: &'static str,
    pub method: http::Method,
    pub uri: http::Uri,
    pub host: Option<String>,
    pub request_headers: HeaderMap,
    pub request_body: Bytes,
    pub status: u16,
    pub response_headers: HeaderMap,
    /// `None` when the response was streamed through rather than buffered.
    pub response_body: Option<Bytes>,
    /// Bodies are kept up to this many bytes.
    pub max_body: usize,
}

impl TapRecord {
    /// The Exchange of this record: query decoded, bodies cut to `max_body`, credentials masked.
    pub fn into_exchange(self) -> Exchange {
        let query = self.uri.query().map(parse_query).unwrap_or_default();
        let credential = credential_fingerprint(&self.request_headers).map(|fingerprint| {
            fingerprint_hex(&fingerprint).iter().map(|&digit| char::from(digit)).collect()
        });
        Exchange {
            v: rampart_core::EXCHANGE_FORMAT_VERSION,
            id: Some(self.request_id),
            started_at: self.started_at,
            duration_ms: Some(self.elapsed.as_secs_f64() * 1000.0),
            client: rampart_core::Client { ip: Some(self.client_ip), identity: self.identity, credential },
            source: rampart_core::Source {
                kind: SourceKind::Gateway,
                name: Some("rampart-gateway".to_owned()),
                entry: None,
            },
            request: rampart_core::Request {
                method: self.method.as_str().to_owned(),
                scheme: self.scheme.to_owned(),
                host: self.host.unwrap_or_default(),
                path: self.uri.path().to_owned(),
                query,
                headers: tap_headers(&self.request_headers),
                body: tap_body(&self.request_body, self.request_body.len() as u64, self.max_body),
            },
            response: Some(rampart_core::Response {
                status: self.status,
                headers: tap_headers(&self.response_headers),
                body: self.response_body.and_then(|b| tap_body(&b, b.len() as u64, self.max_body)),
            }),
        }
    }
}

impl TapRecord {
    /// Appends the record as one line of Exchange JSONL (with its newline): the same bytes as
    /// serialising [`TapRecord::into_exchange`] with serde, without building the Exchange
    /// first — no copy of a header or a body, which was most of the tap's cost per request.
    pub fn write_jsonl(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"v\":");
        serde_json::to_writer(&mut *out, &rampart_core::EXCHANGE_FORMAT_VERSION)?;
        out.extend_from_slice(b",\"id\":");
        serde_json::to_writer(&mut *out, &self.request_id)?;
        out.extend_from_slice(b",\"started_at\":");
        serde_json::to_writer(&mut *out, &self.started_at)?;
        out.extend_from_slice(b",\"duration_ms\":");
        serde_json::to_writer(&mut *out, &(self.elapsed.as_secs_f64() * 1000.0))?;
        out.extend_from_slice(b",\"client\":{\"ip\":");
        serde_json::to_writer(&mut *out, &self.client_ip)?;
        if let Some(identity) = &self.identity {
            out.extend_from_slice(b",\"identity\":");
            serde_json::to_writer(&mut *out, identity)?;
        }
        if let Some(fingerprint) = credential_fingerprint(&self.request_headers) {
            // Hex digits need no JSON escaping.
            out.extend_from_slice(b",\"credential\":\"");
            out.extend_from_slice(&fingerprint_hex(&fingerprint));
            out.push(b'"');
        }
        out.extend_from_slice(b"},\"source\":{\"kind\":\"gateway\",\"name\":\"rampart-gateway\"}");
        out.extend_from_slice(b",\"request\":{\"method\":");
        serde_json::to_writer(&mut *out, self.method.as_str())?;
        out.extend_from_slice(b",\"scheme\":");
        serde_json::to_writer(&mut *out, self.scheme)?;
        out.extend_from_slice(b",\"host\":");
        serde_json::to_writer(&mut *out, self.host.as_deref().unwrap_or(""))?;
        out.extend_from_slice(b",\"path\":");
        serde_json::to_writer(&mut *out, self.uri.path())?;
        let query = self.uri.query().map(parse_query).unwrap_or_default();
        if !query.is_empty() {
            out.extend_from_slice(b",\"query\":");
            serde_json::to_writer(&mut *out, &query)?;
        }
        write_headers(out, &self.request_headers)?;
        write_body(out, &self.request_body, self.max_body)?;
        out.extend_from_slice(b"},\"response\":{\"status\":");
        serde_json::to_writer(&mut *out, &self.status)?;
        write_headers(out, &self.response_headers)?;
        if let Some(body) = &self.response_body {
            write_body(out, body, self.max_body)?;
        }
        out.extend_from_slice(b"}}\n");
        Ok(())
    }
}

fn write_headers(out: &mut Vec<u8>, headers: &HeaderMap) -> serde_json::Result<()> {
    if headers.is_empty() {
        return Ok(());
    }
    out.extend_from_slice(b",\"headers\":[");
    for (index, (name, value)) in headers.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, &(name.as_str(), tap_header_value(name, value)))?;
    }
    out.push(b']');
    Ok(())
}

/// `,"body":{…}` as [`tap_body`] keeps it, or nothing for an empty body.
fn write_body(out: &mut Vec<u8>, bytes: &[u8], max: usize) -> serde_json::Result<()> {
    let Some(kept) = kept_body(bytes, max) else { return Ok(()) };
    let truncated = kept.len() < bytes.len();
    let redacted = redact_credentials(kept);
    let kept = redacted.as_deref().unwrap_or(kept);
    out.extend_from_slice(b",\"body\":{");
    match std::str::from_utf8(kept) {
        Ok(text) => {
            out.extend_from_slice(b"\"text\":");
            serde_json::to_writer(&mut *out, text)?;
        }
        Err(_) => {
            out.extend_from_slice(b"\"base64\":\"");
            let start = out.len();
            out.resize(start + base64::encoded_len(kept.len(), true).unwrap_or(0), 0);
            let written = base64::Engine::encode_slice(
                &base64::engine::general_purpose::STANDARD,
                kept,
                &mut out[start..],
            )
            .unwrap_or(0);
            out.truncate(start + written);
            out.push(b'"');
        }
    }
    out.extend_from_slice(b",\"size\":");
    serde_json::to_writer(&mut *out, &(bytes.len() as u64))?;
    if truncated {
        out.extend_from_slice(b",\"truncated\":true");
    }
    out.push(b'}');
    Ok(())
}

/// The fingerprint of the credential a request carried, for `client.credential`: the token of
/// an `Authorization: Bearer` header (read as the authenticator reads it, so the fingerprint is
/// the one its identities and the blocklist's `token` entries carry), else an `x-api-key`
/// header, else a session cookie (see [`session_cookie`]). HTTP Basic credentials are never
/// fingerprinted: a password's hash is reversed by guessing. The SHA-256 runs once per call, on
/// at most one credential.
pub fn credential_fingerprint(headers: &HeaderMap) -> Option<Fingerprint> {
    if let Some(token) = headers.get(header::AUTHORIZATION).and_then(|value| bearer_token(value.as_bytes())) {
        return Some(Fingerprint::of(token));
    }
    if let Some(key) = headers.get("x-api-key").map(|value| value.as_bytes()).filter(|key| !key.is_empty()) {
        return Some(Fingerprint::of(key));
    }
    session_cookie(headers).map(Fingerprint::of)
}

/// The token of a `Bearer` authorization value: the scheme (any case) then a space, the token
/// trimmed of spaces. `None` for another scheme (Basic, Digest) or an empty token.
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    const SCHEME: &[u8] = b"bearer";
    let rest = value.get(SCHEME.len()..)?;
    if !value[..SCHEME.len()].eq_ignore_ascii_case(SCHEME) || rest.first() != Some(&b' ') {
        return None;
    }
    Some(rest.trim_ascii()).filter(|token| !token.is_empty())
}

/// The value of the request's session cookie: the first cookie named like a session (`session`,
/// `sessionid`, `sid`, `jsessionid`, `phpsessid`, `connect.sid`, or containing `session`),
/// else the first whose name contains `token` or `auth`. CSRF cookies are skipped: they are
/// per-session nonces, not credentials. Names compare ASCII-case-insensitively.
pub fn session_cookie(headers: &HeaderMap) -> Option<&[u8]> {
    let mut fallback = None;
    for value in headers.get_all(header::COOKIE) {
        for pair in value.as_bytes().split(|&b| b == b';') {
            let Some(equals) = pair.iter().position(|&b| b == b'=') else { continue };
            let (name, value) = (pair[..equals].trim_ascii(), pair[equals + 1..].trim_ascii());
            if value.is_empty() || contains(name, b"csrf") || contains(name, b"xsrf") {
                continue;
            }
            const SESSION_NAMES: [&[u8]; 5] =
                [b"sid", b"sessionid", b"jsessionid", b"phpsessid", b"connect.sid"];
            if contains(name, b"session")
                || SESSION_NAMES.iter().any(|known| name.eq_ignore_ascii_case(known))
            {
                return Some(value);
            }
            if fallback.is_none() && (contains(name, b"token") || contains(name, b"auth")) {
                fallback = Some(value);
            }
        }
    }
    fallback
}

/// ASCII-case-insensitive substring test on a cookie name (short: a window scan is cheapest).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle))
}

/// A fingerprint as 32 lower-case hex digits, the form `rampart_auth::token_fingerprint` gives,
/// without a formatter call per byte (the tap runs at tens of thousands of records a second).
fn fingerprint_hex(fingerprint: &Fingerprint) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 32];
    for (pair, byte) in hex.chunks_exact_mut(2).zip(fingerprint.0) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0x0f)];
    }
    hex
}

/// The sending side, cloned into every serving thread.
#[derive(Debug, Clone)]
pub struct Tap {
    sender: SyncSender<TapRecord>,
    stats: Arc<TapStats>,
}

impl Tap {
    /// A tap whose exchanges arrive on the returned receiver (the in-process analysis pipeline,
    /// or tests).
    pub fn channel(queue: usize) -> (Tap, Receiver<TapRecord>, Arc<TapStats>) {
        let (sender, receiver) = sync_channel(queue.max(1));
        let stats = Arc::new(TapStats::default());
        (Tap { sender, stats: stats.clone() }, receiver, stats)
    }

    /// A tap writing Exchange JSONL to `path` (appending), from a thread of its own. The
    /// thread ends, after flushing, when every `Tap` clone is dropped.
    pub fn to_file(path: &Path, queue: usize) -> std::io::Result<(Tap, JoinHandle<()>, Arc<TapStats>)> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        let (tap, receiver, stats) = Tap::channel(queue);
        let writer_stats = stats.clone();
        let handle = std::thread::Builder::new().name("rampart-tap".to_owned()).spawn(move || {
            write_jsonl(receiver, BufWriter::with_capacity(256 * 1024, file), &writer_stats)
        })?;
        Ok((tap, handle, stats))
    }

    /// Queues a copy; never blocks. Returns false (and counts a drop) when the queue is full.
    pub fn offer(&self, record: TapRecord) -> bool {
        self.stats.offered.fetch_add(1, Ordering::Relaxed);
        match self.sender.try_send(record) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    pub fn stats(&self) -> &Arc<TapStats> {
        &self.stats
    }
}

/// Lowers the calling thread's scheduling priority: the access log is a copy of traffic, and on
/// a busy machine the threads serving requests should win the CPU from it (tail latency), while
/// it still keeps up on average (its queue absorbs bursts).
pub(crate) fn yield_to_request_threads() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` and `setpriority` take no pointers; on Linux a thread id names one thread
    // for `PRIO_PROCESS`. A failure only leaves the priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// How long the writer sleeps when the queue is empty. At 50,000 requests/s that is ~100
/// exchanges waiting, far below any sensible queue size.
const POLL_INTERVAL: Duration = Duration::from_millis(2);
/// After this many empty polls in a row (about a second), the writer blocks until the next
/// exchange instead: an idle gateway does not wake 500 times a second.
const IDLE_POLLS_BEFORE_BLOCKING: u32 = 500;

fn write_jsonl(receiver: Receiver<TapRecord>, mut out: BufWriter<File>, stats: &TapStats) {
    // At the serving threads' priority, unlike the access log: at a lower one it was starved at
    // peak load and fell behind (11% of copies dropped in a 10 s wrk run), and catching up in
    // long bursts cost more CPU per exchange than keeping pace (bench/gateway.sh).
    let mut idle_polls = 0;
    let mut unflushed = false;
    let mut line = Vec::with_capacity(8 * 1024);
    loop {
        let record = match receiver.try_recv() {
            Ok(record) => record,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                // The queue is drained: write the batch out.
                if unflushed {
                    if let Err(error) = out.flush() {
                        tracing::warn!(%error, "tap: flushing failed");
                        stats.write_errors.fetch_add(1, Ordering::Relaxed);
                    }
                    unflushed = false;
                }
                // Polling, not blocking: a sender then never has to wake this thread.
                if idle_polls < IDLE_POLLS_BEFORE_BLOCKING {
                    idle_polls += 1;
                    std::thread::sleep(POLL_INTERVAL);
                    continue;
                }
                match receiver.recv() {
                    Ok(record) => record,
                    Err(_) => break,
                }
            }
        };
        idle_polls = 0;
        line.clear();
        let written =
            record.write_jsonl(&mut line).map_err(std::io::Error::from).and_then(|()| out.write_all(&line));
        match written {
            Ok(()) => stats.written.fetch_add(1, Ordering::Relaxed),
            Err(error) => {
                tracing::warn!(%error, "tap: writing an exchange failed");
                stats.write_errors.fetch_add(1, Ordering::Relaxed)
            }
        };
        unflushed = true;
    }
    let _ = out.flush();
}

/// The prefix of a body the tap keeps: at most `max` bytes, cut at a character boundary so that
/// a text body stays text. `None` for an empty body.
fn kept_body(bytes: &[u8], max: usize) -> Option<&[u8]> {
    if bytes.is_empty() {
        return None;
    }
    let kept = &bytes[..bytes.len().min(max)];
    Some(match std::str::from_utf8(kept) {
        Ok(_) => kept,
        Err(e) if e.error_len().is_none() && std::str::from_utf8(bytes).is_ok() => &kept[..e.valid_up_to()],
        Err(_) => kept,
    })
}

/// A body as the tap keeps it: at most `max` bytes, with the whole size and a truncation mark.
pub fn tap_body(bytes: &[u8], whole_size: u64, max: usize) -> Option<Body> {
    if whole_size == 0 && bytes.is_empty() {
        return None;
    }
    let kept = kept_body(bytes, max).unwrap_or_default();
    let redacted = redact_credentials(kept);
    let mut body = Body::from_bytes(redacted.as_deref().unwrap_or(kept));
    body.size = Some(whole_size);
    body.truncated = (kept.len() as u64) < whole_size;
    Some(body)
}

/// Headers as the tap keeps them, with credentials masked: a JWT keeps its header and claims
/// (what discovery reads) but not its signature; other credentials keep only their scheme.
pub fn tap_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), tap_header_value(name, value).into_owned()))
        .collect()
}

/// One header's value as the tap keeps it (borrowed unless it is masked or not UTF-8).
fn tap_header_value<'a>(name: &http::HeaderName, value: &'a http::HeaderValue) -> Cow<'a, str> {
    let text = String::from_utf8_lossy(value.as_bytes());
    match name.as_str() {
        "authorization" | "proxy-authorization" => Cow::Owned(mask_authorization(&text)),
        "cookie" | "set-cookie" => Cow::Owned(mask_cookie(&text)),
        "x-api-key" | "api-key" | "apikey" | "x-auth-token" => Cow::Borrowed("<redacted>"),
        _ => text,
    }
}

fn mask_authorization(value: &str) -> String {
    let (scheme, credential) = value.split_once(' ').unwrap_or((value, ""));
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") && credential.starts_with("eyJ") {
        let mut parts = credential.splitn(3, '.');
        if let (Some(header), Some(claims), Some(_signature)) = (parts.next(), parts.next(), parts.next()) {
            return format!("{scheme} {header}.{claims}.redacted");
        }
    }
    format!("{scheme} <redacted>")
}

fn mask_cookie(value: &str) -> String {
    value
        .split(';')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) => format!("{}=<redacted>", name.trim()),
            None => pair.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn credentials_never_reach_the_tap() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl"),
        );
        headers.insert("cookie", HeaderValue::from_static("session=abc123; theme=dark"));
        headers.insert("x-api-key", HeaderValue::from_static("sk_live_0123456789"));
        headers.insert("accept", HeaderValue::from_static("application/json"));
        let kept = tap_headers(&headers);
        let joined = format!("{kept:?}");
        assert!(
            !joined.contains("c2lnbmF0dXJl") && !joined.contains("abc123") && !joined.contains("sk_live"),
            "{joined}"
        );
        assert!(joined.contains("eyJzdWIiOiJjdXN0LTEifQ"), "claims stay for discovery: {joined}");
        assert!(joined.contains("application/json"));
        let basic = tap_headers(&HeaderMap::from_iter([(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        )]));
        assert_eq!(basic[0].1, "Basic <redacted>");
    }

    #[test]
    fn bodies_are_cut_at_a_character_boundary_and_marked() {
        let text = "{\"name\":\"陳大文\"}";
        let body = tap_body(text.as_bytes(), text.len() as u64, 12).unwrap();
        assert!(body.truncated);
        assert_eq!(body.size, Some(text.len() as u64));
        assert!(body.text.as_deref().is_some_and(|t| text.starts_with(t)));
        assert!(tap_body(b"", 0, 10).is_none());
    }

    fn record(path_and_query: &str) -> TapRecord {
        let mut request_headers = HeaderMap::new();
        request_headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl"),
        );
        request_headers.insert("content-type", HeaderValue::from_static("application/json"));
        let mut response_headers = HeaderMap::new();
        response_headers.insert("content-type", HeaderValue::from_static("application/json"));
        TapRecord {
            request_id: "req-1".to_owned(),
            started_at: chrono::Utc::now(),
            elapsed: Duration::from_micros(1500),
            client_ip: IpAddr::from([203, 0, 113, 7]),
            identity: Some("cust-1".to_owned()),
            scheme: "https",
            method: http::Method::POST,
            uri: path_and_query.parse().unwrap(),
            host: Some("api.bank.example".to_owned()),
            request_headers,
            request_body: Bytes::from_static(br#"{"amount":"12.50"}"#),
            status: 201,
            response_headers,
            response_body: Some(Bytes::from_static(br#"{"paymentId":"p-1","status":"ACCEPTED"}"#)),
            max_body: 20,
        }
    }

    #[test]
    fn a_record_becomes_an_exchange_with_credentials_masked_and_bodies_cut() {
        let exchange = record("/v2/payments?currency=SGD&note=rent%20nov&flag").into_exchange();
        assert_eq!(exchange.id.as_deref(), Some("req-1"));
        assert_eq!(exchange.source.kind, SourceKind::Gateway);
        assert_eq!(exchange.client.identity.as_deref(), Some("cust-1"));
        assert_eq!(exchange.request.method, "POST");
        assert_eq!(exchange.request.scheme, "https");
        assert_eq!(exchange.request.host, "api.bank.example");
        assert_eq!(exchange.request.path, "/v2/payments");
        assert_eq!(
            exchange.request.query,
            vec![
                ("currency".to_owned(), "SGD".to_owned()),
                ("note".to_owned(), "rent nov".to_owned()),
                ("flag".to_owned(), String::new())
            ]
        );
        let line = serde_json::to_string(&exchange).unwrap();
        assert!(!line.contains("c2lnbmF0dXJl"), "{line}");
        let request_body = exchange.request.body.unwrap();
        assert_eq!(request_body.text.as_deref(), Some(r#"{"amount":"12.50"}"#));
        let response = exchange.response.unwrap();
        assert_eq!(response.status, 201);
        let response_body = response.body.unwrap();
        assert!(response_body.truncated, "39 bytes kept to 20");
        assert_eq!(response_body.size, Some(39));
        assert_eq!(exchange.duration_ms, Some(1.5));
    }

    #[test]
    fn passwords_and_issued_tokens_never_reach_the_tap() {
        let mut login = record("/oauth/token");
        login.request_body =
            Bytes::from_static(br#"{"username":"ana@mail.example","password":"Winter2026!"}"#);
        login.response_body =
            Some(Bytes::from_static(br#"{"access_token":"eyJhbGciOi.eyJzdWIi.c2ln","token_type":"Bearer"}"#));
        login.max_body = 4096;
        let direct = direct_line(&login);
        let serde = serde_line(login);
        assert_eq!(direct, serde);
        assert!(!direct.contains("Winter2026") && !direct.contains("c2ln"), "{direct}");
        // The field stays: analysis sees that a login carried a password, and that a token came back.
        assert!(direct.contains(r#"\"password\":\"<redacted>\""#), "{direct}");
        assert!(direct.contains(r#"\"access_token\":\"<redacted>\""#), "{direct}");
        assert!(direct.contains("ana@mail.example"));
    }

    fn serde_line(record: TapRecord) -> String {
        let mut line = serde_json::to_string(&record.into_exchange()).unwrap();
        line.push('\n');
        line
    }

    fn direct_line(record: &TapRecord) -> String {
        let mut out = Vec::new();
        record.write_jsonl(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn same_record(record: &TapRecord) -> TapRecord {
        TapRecord {
            request_id: record.request_id.clone(),
            identity: record.identity.clone(),
            method: record.method.clone(),
            uri: record.uri.clone(),
            host: record.host.clone(),
            request_headers: record.request_headers.clone(),
            request_body: record.request_body.clone(),
            response_headers: record.response_headers.clone(),
            response_body: record.response_body.clone(),
            ..*record
        }
    }

    #[test]
    fn the_direct_jsonl_line_is_the_serde_line_of_the_exchange() {
        let mut cases =
            vec![record("/v2/payments?currency=SGD&note=rent%20nov&&flag&q=%E4%BD%A0+x"), record("/")];
        let mut binary = record("/v2/statements/2026-10");
        binary.request_body = Bytes::new();
        binary.response_body = Some(Bytes::from_static(&[0x25, 0x50, 0x44, 0x46, 0xff, 0xfe, 0x00, 0x01]));
        binary.identity = None;
        binary.host = None;
        binary.client_ip = "2001:db8::7".parse().unwrap();
        binary.response_headers.insert("set-cookie", HeaderValue::from_static("session=s3cr3t; Path=/"));
        binary.request_headers.insert("x-api-key", HeaderValue::from_static("sk_live_123"));
        binary.request_headers.append("x-note", HeaderValue::from_bytes(b"caf\xe9 \"quoted\"").unwrap());
        cases.push(binary);
        let mut streamed = record("/v2/accounts");
        streamed.response_body = None;
        streamed.request_headers.clear();
        streamed.response_headers.clear();
        cases.push(streamed);
        let mut cut_in_a_character = record("/v2/customers/me");
        cut_in_a_character.response_body = Some(Bytes::from("{\"name\":\"陳大文\"}"));
        cut_in_a_character.max_body = 12;
        cases.push(cut_in_a_character);
        for case in cases {
            let direct = direct_line(&case);
            assert_eq!(direct, serde_line(case));
            let parsed: Exchange = serde_json::from_str(direct.trim_end()).unwrap();
            assert_eq!(parsed.source.kind, SourceKind::Gateway);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_direct_line_matches_serde_for_any_record(
            path in "/[a-z0-9/%._~-]{0,30}",
            query in proptest::option::of("[a-zA-Z0-9=&%+._-]{0,40}"),
            header_value in proptest::collection::vec(0x20u8..0x7f, 0..40),
            odd_header_value in proptest::collection::vec(0x80u8..=0xff, 0..10),
            request_body in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
            response_text in ".{0,64}",
            max_body in 0usize..80,
            identity in proptest::option::of("[ -~]{0,20}"),
            status in 100u16..600,
            authorization in proptest::option::of("(Bearer|bearer|Basic|Digest) ?[ -~]{0,30}"),
            cookie in proptest::option::of(
                "[A-Za-z_.-]{0,12}=[!-:<-~]{0,12}(; [A-Za-z_.-]{1,12}=[!-:<-~]{0,8}){0,3}"
            ),
        ) {
            let target = match &query { Some(q) => format!("{path}?{q}"), None => path.clone() };
            let Ok(uri) = target.parse::<http::Uri>() else { return Ok(()) };
            let mut case = record("/");
            case.uri = uri;
            case.identity = identity;
            case.status = status;
            case.max_body = max_body;
            case.request_body = Bytes::from(request_body);
            case.response_body = Some(Bytes::from(response_text));
            if let Ok(value) = HeaderValue::from_bytes(&header_value) {
                case.request_headers.append("x-custom", value);
            }
            if let Ok(value) = HeaderValue::from_bytes(&odd_header_value) {
                case.response_headers.append("x-odd", value);
            }
            case.request_headers.remove("authorization");
            if let Some(value) = authorization.and_then(|text| HeaderValue::from_str(&text).ok()) {
                case.request_headers.insert("authorization", value);
            }
            if let Some(value) = cookie.and_then(|text| HeaderValue::from_str(&text).ok()) {
                case.request_headers.insert("cookie", value);
            }
            let direct = direct_line(&case);
            proptest::prop_assert_eq!(direct, serde_line(same_record(&case)));
        }
    }

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl";

    fn credential_of(pairs: &[(&'static str, &'static str)]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        credential_fingerprint(&headers).map(|fingerprint| fingerprint.to_hex())
    }

    #[test]
    fn the_credential_fingerprint_is_the_blocklist_token_fingerprint() {
        let bearer = rampart_auth::token_fingerprint(JWT);
        assert_eq!(
            credential_of(&[(
                "authorization",
                "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl"
            )]),
            Some(bearer.clone())
        );
        // Read as the authenticator reads it: any case of the scheme, spaces around the token.
        assert_eq!(
            credential_of(&[(
                "authorization",
                "bEaReR   eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl  "
            )]),
            Some(bearer.clone())
        );
        // The bearer token wins over an API key and a session cookie.
        assert_eq!(
            credential_of(&[
                ("cookie", "sessionid=abc"),
                ("x-api-key", "sk_live_1"),
                ("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjdXN0LTEifQ.c2lnbmF0dXJl")
            ]),
            Some(bearer)
        );
        let api_key = rampart_auth::token_fingerprint("sk_live_1");
        assert_eq!(credential_of(&[("cookie", "sessionid=abc"), ("x-api-key", "sk_live_1")]), Some(api_key));
        assert_eq!(credential_of(&[("accept", "*/*")]), None);
        assert_eq!(credential_of(&[("authorization", "Bearer   ")]), None);
        assert_eq!(credential_of(&[("authorization", "Bearerx abc")]), None);
        // The hex form is the one `token_fingerprint` gives (and the blocklist stores).
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", HeaderValue::from_static("abc"));
        let fingerprint = credential_fingerprint(&headers).unwrap();
        assert_eq!(&fingerprint_hex(&fingerprint), b"ba7816bf8f01cfea414140de5dae2223");
    }

    #[test]
    fn basic_credentials_are_never_fingerprinted() {
        assert_eq!(credential_of(&[("authorization", "Basic dXNlcjpwYXNz")]), None);
        // A session cookie beside Basic credentials is still the session's credential.
        assert_eq!(
            credential_of(&[("authorization", "Basic dXNlcjpwYXNz"), ("cookie", "JSESSIONID=node0abc")]),
            Some(rampart_auth::token_fingerprint("node0abc"))
        );
        let mut record = record("/v2/accounts");
        record.request_headers.insert("authorization", HeaderValue::from_static("Basic dXNlcjpwYXNz"));
        let line = direct_line(&record);
        assert!(!line.contains("credential"), "{line}");
        assert_eq!(record.into_exchange().client.credential, None);
    }

    #[test]
    fn session_cookies_are_found_by_name_and_csrf_cookies_skipped() {
        let fp = |value: &str| Some(rampart_auth::token_fingerprint(value));
        assert_eq!(credential_of(&[("cookie", "theme=dark; PHPSESSID=p1; sid=s1")]), fp("p1"));
        assert_eq!(
            credential_of(&[("cookie", "theme=dark"), ("cookie", "connect.sid=s%3Aabc")]),
            fp("s%3Aabc")
        );
        assert_eq!(
            credential_of(&[("cookie", "csrftoken=c1; auth_token=t1; __Host-app_session=a1")]),
            fp("a1")
        );
        assert_eq!(credential_of(&[("cookie", "XSRF-TOKEN=x1; remember_token=r1; authz=z1")]), fp("r1"));
        assert_eq!(credential_of(&[("cookie", "sessionid=; theme=dark; lang")]), None);
    }

    #[test]
    fn the_tap_line_carries_the_credential_fingerprint() {
        let record = record("/v2/accounts");
        let line = direct_line(&record);
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        let fingerprint = rampart_auth::token_fingerprint(JWT);
        assert_eq!(parsed["client"]["credential"], fingerprint.as_str());
        assert_eq!(line, serde_line(same_record(&record)));
        assert_eq!(record.into_exchange().client.credential, Some(fingerprint));
    }

    #[test]
    fn a_full_queue_drops_and_counts_without_waiting() {
        let (tap, receiver, stats) = Tap::channel(2);
        let exchange = || record("/");
        assert!(tap.offer(exchange()));
        assert!(tap.offer(exchange()));
        assert!(!tap.offer(exchange()));
        assert_eq!(stats.dropped.load(Ordering::Relaxed), 1);
        assert_eq!(stats.offered.load(Ordering::Relaxed), 3);
        assert_eq!(receiver.try_iter().count(), 2);
    }
}
