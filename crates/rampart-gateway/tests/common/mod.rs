//! A small upstream bank API and an HTTP client for the gateway's integration tests.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_gateway::config::{GatewayConfig, RouteConfig};
use tokio::net::TcpListener;

pub const CUSTOMER: &str = r#"{"customerId":"C-1001","name":"Tan Wei Ming","nric":"S1234567D","email":"wei.ming@example.sg","cards":[{"cardNumber":"4111 1111 1111 1111","expiry":"12/27"}],"balance":1200.5}"#;

/// Requests for `/v2/slow?…tag=drain` that reached the upstream (the shutdown test waits on it).
pub static DRAIN_REQUESTS_STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Polls until `done` holds; the deadline only turns a hang into a failure, it times nothing.
pub async fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Starts the upstream; returns its address.
pub async fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            tokio::spawn(async move {
                let service = service_fn(bank);
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

async fn bank(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let json = |status: StatusCode, text: String| {
        Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(text)))
            .unwrap()
    };
    let query = parts.uri.query().unwrap_or("");
    let response = match (parts.method.as_str(), parts.uri.path()) {
        ("GET", "/v2/customers/me") => json(StatusCode::OK, CUSTOMER.to_owned()),
        ("POST", "/v2/echo") => {
            let headers: serde_json::Map<String, serde_json::Value> = parts
                .headers
                .iter()
                .map(|(k, v)| {
                    (k.as_str().to_owned(), serde_json::Value::String(v.to_str().unwrap_or("").to_owned()))
                })
                .collect();
            let echoed = serde_json::json!({"headers": headers, "body": String::from_utf8_lossy(&body), "path": parts.uri.to_string()});
            json(StatusCode::OK, echoed.to_string())
        }
        ("GET", "/v2/slow") => {
            if query.contains("tag=drain") {
                DRAIN_REQUESTS_STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            let ms = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("ms="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(500);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            json(StatusCode::OK, r#"{"slow":true}"#.to_owned())
        }
        ("GET", "/v2/big") => {
            let items: Vec<String> =
                (0..20_000).map(|i| format!(r#"{{"id":{i},"cardNumber":"4111 1111 1111 1111"}}"#)).collect();
            json(StatusCode::OK, format!("[{}]", items.join(",")))
        }
        _ => json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#.to_owned()),
    };
    Ok(response)
}

/// A gateway config in front of `upstream`, on free ports.
pub fn config(upstream: SocketAddr) -> GatewayConfig {
    let mut config = GatewayConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        ..GatewayConfig::default()
    };
    config.access_log.enabled = false;
    config.routes.push(RouteConfig {
        name: Some("bank".to_owned()),
        host: None,
        path_prefix: "/".to_owned(),
        upstream: format!("http://{upstream}"),
        mode: Default::default(),
        auth: Default::default(),
        mask: Vec::new(),
    });
    config
}

pub fn client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

pub async fn send(request: Request<Full<Bytes>>) -> Answer {
    let response = client().request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer { status: parts.status, headers: parts.headers, body: String::from_utf8_lossy(&body).into_owned() }
}

pub async fn get(addr: SocketAddr, path: &str) -> Answer {
    send(Request::get(format!("http://{addr}{path}")).body(Full::new(Bytes::new())).unwrap()).await
}

pub async fn post(addr: SocketAddr, path: &str, body: &str) -> Answer {
    send(
        Request::post(format!("http://{addr}{path}"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap(),
    )
    .await
}
