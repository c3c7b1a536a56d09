//! The tap: a copy of every exchange for the analysis pipeline, through a bounded queue.
//!
//! A request never waits for the tap: `offer` is a non-blocking send, and when the queue is full
//! the copy is dropped and counted (the count is a metric). The writer runs on its own thread,
//! so a slow disk slows the tap, not the traffic. Credentials are masked before a copy leaves
//! the request path: the tap file is analysis data, not a credential store.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use http::HeaderMap;
use rampart_core::{Body, Exchange};

/// Counters of the tap, shared with the metrics endpoint.
#[derive(Debug, Default)]
pub struct TapStats {
    pub offered: AtomicU64,
    pub dropped: AtomicU64,
    pub written: AtomicU64,
    pub write_errors: AtomicU64,
}

/// The sending side, cloned into every request.
#[derive(Debug, Clone)]
pub struct Tap {
    sender: SyncSender<Exchange>,
    stats: Arc<TapStats>,
}

impl Tap {
    /// A tap whose exchanges arrive on the returned receiver (the in-process analysis pipeline,
    /// or tests).
    pub fn channel(queue: usize) -> (Tap, Receiver<Exchange>, Arc<TapStats>) {
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
    pub fn offer(&self, exchange: Exchange) -> bool {
        self.stats.offered.fetch_add(1, Ordering::Relaxed);
        match self.sender.try_send(exchange) {
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

/// Lowers the calling thread's scheduling priority: the tap and the access log are copies of
/// traffic, and on a busy machine the threads serving requests should win the CPU from them
/// (tail latency), while they still keep up on average (their queues absorb bursts).
pub(crate) fn yield_to_request_threads() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` and `setpriority` take no pointers; on Linux a thread id names one thread
    // for `PRIO_PROCESS`. A failure only leaves the priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

fn write_jsonl(receiver: Receiver<Exchange>, mut out: BufWriter<File>, stats: &TapStats) {
    yield_to_request_threads();
    // Block for the first exchange, drain what else is queued, then flush once: a busy tap
    // writes in large batches, an idle one leaves nothing unflushed.
    while let Ok(first) = receiver.recv() {
        let mut next = Some(first);
        while let Some(exchange) = next.take() {
            let written = serde_json::to_writer(&mut out, &exchange)
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"));
            match written {
                Ok(()) => stats.written.fetch_add(1, Ordering::Relaxed),
                Err(error) => {
                    tracing::warn!(%error, "tap: writing an exchange failed");
                    stats.write_errors.fetch_add(1, Ordering::Relaxed)
                }
            };
            next = receiver.try_recv().ok();
        }
        if let Err(error) = out.flush() {
            tracing::warn!(%error, "tap: flushing failed");
            stats.write_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    let _ = out.flush();
}

/// A body as the tap keeps it: at most `max` bytes, with the whole size and a truncation mark.
pub fn tap_body(bytes: &[u8], whole_size: u64, max: usize) -> Option<Body> {
    if whole_size == 0 && bytes.is_empty() {
        return None;
    }
    let kept = &bytes[..bytes.len().min(max)];
    // Cut at a character boundary so a text body stays text.
    let kept = match std::str::from_utf8(kept) {
        Ok(_) => kept,
        Err(e) if e.error_len().is_none() && std::str::from_utf8(bytes).is_ok() => &kept[..e.valid_up_to()],
        Err(_) => kept,
    };
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
        .map(|(name, value)| {
            let text = String::from_utf8_lossy(value.as_bytes());
            let kept = match name.as_str() {
                "authorization" | "proxy-authorization" => mask_authorization(&text),
                "cookie" | "set-cookie" => mask_cookie(&text),
                "x-api-key" | "api-key" | "apikey" | "x-auth-token" => "<redacted>".to_owned(),
                _ => text.into_owned(),
            };
            (name.as_str().to_owned(), kept)
        })
        .collect()
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

    #[test]
    fn a_full_queue_drops_and_counts_without_waiting() {
        let (tap, receiver, stats) = Tap::channel(2);
        let exchange = || Exchange {
            v: 1,
            id: None,
            started_at: chrono::Utc::now(),
            duration_ms: None,
            client: Default::default(),
            source: Default::default(),
            request: rampart_core::Request {
                method: "GET".into(),
                scheme: "http".into(),
                host: "bank".into(),
                path: "/".into(),
                query: vec![],
                headers: vec![],
                body: None,
            },
            response: None,
        };
        assert!(tap.offer(exchange()));
        assert!(tap.offer(exchange()));
        assert!(!tap.offer(exchange()));
        assert_eq!(stats.dropped.load(Ordering::Relaxed), 1);
        assert_eq!(stats.offered.load(Ordering::Relaxed), 3);
        assert_eq!(receiver.try_iter().count(), 2);
    }
}
