//! The tap: a copy of every exchange for the analysis pipeline, through a bounded queue.
//!
//! A request never waits for the tap: `offer` is a non-blocking send, and when the queue is full
//! the copy is dropped and counted (the count is a metric). What the request path hands over is
//! a [`TapRecord`], cheap to make (reference-counted bodies and header maps, no JSON); the
//! [`Exchange`] is built from it off the request path. The file writer runs on its own thread
//! and polls the queue rather than blocking on it, so that a busy gateway never pays a thread
//! wake-up per request; a slow disk slows the tap, not the traffic. Credentials are masked when
//! the record becomes an Exchange: the tap file is analysis data, not a credential store.

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
use http::HeaderMap;
use rampart_core::exchange::parse_query;
use rampart_core::{Body, Exchange, SourceKind};

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
        Exchange {
            v: rampart_core::EXCHANGE_FORMAT_VERSION,
            id: Some(self.request_id),
            started_at: self.started_at,
            duration_ms: Some(self.elapsed.as_secs_f64() * 1000.0),
            client: rampart_core::Client { ip: Some(self.client_ip), identity: self.identity },
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
    if kept.len() < bytes.len() {
        out.extend_from_slice(b",\"truncated\":true");
    }
    out.push(b'}');
    Ok(())
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
    let mut body = Body::from_bytes(kept);
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
            let direct = direct_line(&case);
            proptest::prop_assert_eq!(direct, serde_line(same_record(&case)));
        }
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
