//! Shared helpers: one signing key per test process, an API on an ephemeral port, a tiny client.

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, OnceLock};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rampart_demo::data::Dataset;
use rampart_demo::jwt::SigningKeys;
use rampart_demo::{AppState, Clock, Mode};
use serde_json::Value;

pub const SEED: u64 = 20_261_130;
pub const CUSTOMERS: usize = 120;

/// The production key size, generated once per test binary from the seed.
pub fn keys() -> Arc<SigningKeys> {
    static KEYS: OnceLock<Arc<SigningKeys>> = OnceLock::new();
    KEYS.get_or_init(|| Arc::new(SigningKeys::from_demo_seed(SEED, SigningKeys::DEFAULT_BITS).unwrap()))
        .clone()
}

pub struct TestApi {
    pub base: String,
    pub state: AppState,
    client: Client<HttpConnector, Full<Bytes>>,
}

pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub json: Value,
    /// The body as text (lossy UTF-8).
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The flawed bank, as `AppState::new` makes it.
pub async fn start() -> TestApi {
    serve(AppState::new(Dataset::generate(SEED, CUSTOMERS), keys(), Clock::System)).await
}

/// The bank in `mode`.
pub async fn start_mode(mode: Mode) -> TestApi {
    serve(AppState::with_mode(Dataset::generate(SEED, CUSTOMERS), keys(), Clock::System, mode)).await
}

async fn serve(state: AppState) -> TestApi {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(rampart_demo::serve(listener, state.clone()));
    TestApi { base, state, client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()) }
}

impl TestApi {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let mut builder = hyper::Request::builder().method(method).uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder.body(Full::new(Bytes::from(body.unwrap_or("").to_owned()))).unwrap();
        let response = self.client.request(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// Sends a JSON body with the customer's token.
    pub async fn send_json(&self, method: &str, path: &str, token: &str, body: &Value) -> Reply {
        let auth = format!("Bearer {token}");
        let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        self.call(method, path, &headers, Some(&body.to_string())).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, &[("Authorization", &format!("Bearer {token}"))], None).await
    }

    /// Logs customer `index` in with the password grant and returns the access token.
    pub async fn token_for(&self, index: usize) -> String {
        let data = self.state.dataset();
        let c = &data.customers[index];
        let (client_id, secret, _) = &data.clients[0];
        let form = format!(
            "grant_type=password&username={}&password={}&client_id={client_id}&client_secret={secret}",
            c.username,
            c.password.replace('!', "%21")
        );
        let reply = self
            .call(
                "POST",
                "/oauth/token",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                Some(&form),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.json);
        reply.json["access_token"].as_str().unwrap().to_owned()
    }
}
