//! The SSRF callback listener: a tiny HTTP server on 127.0.0.1 that remembers the path of
//! every request it gets. The SSRF test puts a unique token in each URL it plants, so a hit
//! names the operation and parameter that made the target call out. It answers `200 ok` and
//! closes; it reads at most 8 KiB of each request and never more than a few seconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct CallbackServer {
    port: u16,
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Woken on every hit, so a test waits for one instead of polling.
    arrived: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
}

/// One request the listener got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub method: String,
    pub path: String,
    /// The peer's address (the target's side of the connection).
    pub from: String,
}

impl CallbackServer {
    pub async fn start() -> std::io::Result<CallbackServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorded = hits.clone();
        let arrived = Arc::new(tokio::sync::Notify::new());
        let wake = arrived.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, peer)) = listener.accept().await else { continue };
                let recorded = recorded.clone();
                let wake = wake.clone();
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 8192];
                    let mut filled = 0;
                    let read = async {
                        while filled < buffer.len() {
                            match stream.read(&mut buffer[filled..]).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => filled += n,
                            }
                            if buffer[..filled].windows(4).any(|w| w == b"\r\n\r\n") {
                                break;
                            }
                        }
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(3), read).await;
                    let head = String::from_utf8_lossy(&buffer[..filled]);
                    let mut parts = head.lines().next().unwrap_or("").split(' ');
                    let method = parts.next().unwrap_or("").to_string();
                    let path = parts.next().unwrap_or("").to_string();
                    if !path.is_empty()
                        && let Ok(mut hits) = recorded.lock()
                        && hits.len() < 10_000
                    {
                        hits.push(Hit { method, path, from: peer.to_string() });
                        wake.notify_waiters();
                    }
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                        .await;
                });
            }
        });
        Ok(CallbackServer { port, hits, arrived, task })
    }

    /// The URL to plant for `token`.
    pub fn url(&self, token: &str) -> String {
        format!("http://127.0.0.1:{}/rampart-ssrf/{token}", self.port)
    }

    /// The hits for `token`, waiting up to `patience` for the first: a target may fetch after
    /// it answers (a queue, a verification job).
    pub async fn wait_for(&self, token: &str, patience: Duration) -> Vec<Hit> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            // Registered before looking, so a hit between the look and the wait still wakes us.
            let arrived = self.arrived.notified();
            let hits = self.hits_for(token);
            if !hits.is_empty() {
                return hits;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return Vec::new();
            }
        }
    }

    /// The hits whose path carries `token`.
    pub fn hits_for(&self, token: &str) -> Vec<Hit> {
        let needle = format!("/rampart-ssrf/{token}");
        self.hits
            .lock()
            .map(|h| h.iter().filter(|hit| hit.path.starts_with(&needle)).cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hits_are_recorded_by_token() {
        let server = CallbackServer::start().await.unwrap_or_else(|e| panic!("{e}"));
        let url = server.url("op1-p2");
        let address = url.trim_start_matches("http://").split('/').next().unwrap_or("").to_string();
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap_or_else(|e| panic!("{e}"));
        stream
            .write_all(b"GET /rampart-ssrf/op1-p2?x=1 HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        assert!(answer.starts_with("HTTP/1.1 200"));
        assert_eq!(server.hits_for("op1-p2").len(), 1);
        assert!(server.hits_for("other").is_empty());
    }

    #[tokio::test]
    async fn a_waiter_wakes_on_the_hit_and_gives_up_without_one() {
        let server = CallbackServer::start().await.unwrap_or_else(|e| panic!("{e}"));
        let url = server.url("late");
        let address = url.trim_start_matches("http://").split('/').next().unwrap_or("").to_string();
        let (hits, ()) = tokio::join!(server.wait_for("late", Duration::from_secs(30)), async {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap_or_else(|e| panic!("{e}"));
            stream
                .write_all(b"GET /rampart-ssrf/late HTTP/1.1\r\n\r\n")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer).await;
        });
        assert_eq!(hits.len(), 1);
        assert!(server.wait_for("never", Duration::from_millis(50)).await.is_empty());
    }
}
