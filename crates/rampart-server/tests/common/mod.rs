//! What the control plane's tests share: a server on ephemeral ports over a temporary store,
//! tokens of each role, and a small HTTP client.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rampart_server::ServeConfig;
use rampart_store::{Role, SqliteStore};

pub struct Tokens {
    pub viewer: String,
    pub operator: String,
    pub admin: String,
}

impl Tokens {
    pub fn of(&self, role: Role) -> &str {
        match role {
            Role::Viewer => &self.viewer,
            Role::Operator => &self.operator,
            Role::Admin => &self.admin,
        }
    }
}

/// Tokens of each role, created in the store at `db`.
pub fn tokens(db: &Path) -> Tokens {
    let mut store = SqliteStore::open(db).unwrap();
    let now = chrono::Utc::now();
    let mut create = |name: &str, role| store.create_token(name, role, None, "test", now).unwrap().secret;
    Tokens {
        viewer: create("soc-analyst", Role::Viewer),
        operator: create("soc-oncall", Role::Operator),
        admin: create("platform-admin", Role::Admin),
    }
}

/// A configuration on ephemeral loopback ports in front of `upstream`, storing in `dir`.
pub fn config(upstream: &str, dir: &Path) -> ServeConfig {
    let mut config = ServeConfig::with_upstream(upstream);
    config.gateway.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.gateway.admin_listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.gateway.workers = 1;
    config.gateway.access_log.enabled = false;
    config.server.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    config.store.path = dir.join("rampart.db");
    config.pipeline.interval_ms = 200;
    config
}

pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}

pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Http {
    pub fn new() -> Http {
        Http::from(None)
    }

    /// A client whose connections come from `ip` (127.0.0.0/8 addresses on loopback), so that
    /// the gateway sees another client.
    pub fn from(ip: Option<&str>) -> Http {
        let mut connector = HttpConnector::new();
        connector.set_local_address(ip.map(|ip| ip.parse().unwrap()));
        Http { client: Client::builder(TokioExecutor::new()).build(connector) }
    }

    pub async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<(&str, String)>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(url);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some((content_type, body)) => {
                request = request.header("content-type", content_type);
                Bytes::from(body)
            }
            None => Bytes::new(),
        };
        let response = self.client.request(request.body(Full::new(body)).unwrap()).await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    pub async fn get(&self, url: &str, token: &str) -> Reply {
        self.send("GET", url, Some(token), None).await
    }

    pub async fn json(&self, method: &str, url: &str, token: &str, body: serde_json::Value) -> Reply {
        self.send(method, url, Some(token), Some(("application/json", body.to_string()))).await
    }
}

/// Waits until `check` holds, polling; panics with `what` after 30 s.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The demo bank (flawed mode) on an ephemeral loopback port, its book generated from `seed`.
pub async fn demo_bank(seed: u64, customers: usize) -> SocketAddr {
    use rampart_demo::jwt::SigningKeys;
    let keys =
        tokio::task::spawn_blocking(move || SigningKeys::from_demo_seed(seed, SigningKeys::DEFAULT_BITS))
            .await
            .unwrap()
            .unwrap();
    let state = rampart_demo::state::AppState::new(
        rampart_demo::data::Dataset::generate(seed, customers),
        std::sync::Arc::new(keys),
        rampart_demo::state::Clock::System,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(rampart_demo::serve(listener, state));
    addr
}
