//! The access log: one JSON line per request, with the decision and its reason, written by a
//! thread of its own through a bounded queue (a blocked stdout must not block traffic; lines
//! that do not fit are counted). The query string is not logged — it carries identifiers and
//! tokens — only the names of its parameters.

use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AccessRecord<'a> {
    pub ts: String,
    pub request_id: &'a str,
    pub client_ip: IpAddr,
    pub method: &'a str,
    pub host: &'a str,
    pub path: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub query_params: Vec<&'a str>,
    pub route: Option<&'a str>,
    pub status: u16,
    pub duration_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_ms: Option<f64>,
    pub bytes_in: u64,
    pub bytes_out: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<&'a str>,
    /// `allow`, `block`, `monitor` (a check failed but the route only reports).
    pub decision: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AccessLog {
    sender: SyncSender<String>,
    dropped: Arc<AtomicU64>,
}

impl AccessLog {
    /// Lines go to standard output.
    pub fn stdout(queue: usize) -> AccessLog {
        let (log, receiver) = AccessLog::channel(queue);
        let _ = std::thread::Builder::new()
            .name("rampart-access-log".to_owned())
            .spawn(move || write_lines(receiver));
        log
    }

    /// Lines arrive on the receiver (tests).
    pub fn channel(queue: usize) -> (AccessLog, Receiver<String>) {
        let (sender, receiver) = sync_channel(queue.max(1));
        (AccessLog { sender, dropped: Arc::default() }, receiver)
    }

    pub fn log(&self, record: &AccessRecord<'_>) {
        let Ok(line) = serde_json::to_string(record) else { return };
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) = self.sender.try_send(line) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

fn write_lines(receiver: Receiver<String>) {
    crate::tap::yield_to_request_threads();
    let stdout = std::io::stdout();
    while let Ok(line) = receiver.recv() {
        let mut out = stdout.lock();
        let _ = out.write_all(line.as_bytes());
        let _ = out.write_all(b"\n");
        for line in receiver.try_iter() {
            let _ = out.write_all(line.as_bytes());
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }
}
