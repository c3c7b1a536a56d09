//! The gateway as a client and an upstream see it: forwarding, masking, limits, the tap, and
//! behaviour under faults (upstream down or slow, slow clients, malformed HTTP, idle
//! connections, shutdown with requests in flight).

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{config, get, post, send, upstream};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use rampart_core::SensitiveType;
use rampart_gateway::tap::Tap;
use rampart_gateway::{Checks, TapTarget, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn requests_and_responses_pass_through_with_forwarding_headers() {
    let upstream = upstream().await;
    let gateway = start(config(upstream), Checks::default(), TapTarget::FromConfig).await.unwrap();
    let answer = post(gateway.addr, "/v2/echo?page=2", r#"{"amount":"12.50"}"#).await;
    assert_eq!(answer.status, StatusCode::OK);
    let echoed: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(echoed["body"], r#"{"amount":"12.50"}"#);
    assert_eq!(echoed["path"], "/v2/echo?page=2");
    assert_eq!(echoed["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(echoed["headers"]["x-forwarded-proto"], "http");
    assert!(echoed["headers"]["x-request-id"].as_str().is_some_and(|id| id.len() == 36));
    assert_eq!(answer.headers["x-request-id"], echoed["headers"]["x-request-id"].as_str().unwrap());
    // Unmasked route: the upstream's body is returned byte for byte.
    assert_eq!(get(gateway.addr, "/v2/customers/me").await.body, common::CUSTOMER);
    gateway.shutdown().await;
}

#[tokio::test]
async fn chosen_types_are_masked_in_json_responses() {
    let upstream = upstream().await;
    let mut config = config(upstream);
    config.routes[0].mask = vec![SensitiveType::CardNumber, SensitiveType::SgNric];
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    let answer = get(gateway.addr, "/v2/customers/me").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        !answer.body.contains("4111 1111 1111 1111") && !answer.body.contains("S1234567D"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("4111 11** **** 1111") && answer.body.contains("wei.ming@example.sg"),
        "{}",
        answer.body
    );
    assert_eq!(answer.headers["content-length"], answer.body.len().to_string().as_str());
    assert_eq!(gateway.metrics().decisions("masked"), 1);
    gateway.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_forwarding() {
    let upstream = upstream().await;
    let mut config = config(upstream);
    config.limits.max_request_body_bytes = 1024;
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    let answer = post(gateway.addr, "/v2/echo", &"x".repeat(4096)).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(problem["reason"], "body-too-large");
    assert_eq!(problem["status"], 413);
    // Chunked, without a length: refused once the limit is crossed.
    let chunks = futures_stream(vec![Bytes::from(vec![b'a'; 800]), Bytes::from(vec![b'b'; 800])]);
    let request = Request::post(format!("http://{}/v2/echo", gateway.addr)).body(chunks).unwrap();
    let response = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http()
        .request(request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(gateway.metrics().decisions("body-too-large"), 2);
    gateway.shutdown().await;
}

/// A request body sent in chunks, without a length.
struct Chunks(std::collections::VecDeque<Bytes>);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

fn futures_stream(chunks: Vec<Bytes>) -> Chunks {
    Chunks(chunks.into_iter().collect())
}

#[tokio::test]
async fn upstream_down_answers_502_and_slow_upstream_504() {
    // A port nothing listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let gateway = start(config(closed), Checks::default(), TapTarget::FromConfig).await.unwrap();
    let answer = get(gateway.addr, "/v2/customers/me").await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert!(answer.body.contains("upstream-unavailable"));
    gateway.shutdown().await;

    let upstream = upstream().await;
    let mut config = config(upstream);
    config.timeouts.upstream_response_ms = 200;
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    let answer = get(gateway.addr, "/v2/slow?ms=5000").await;
    assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT);
    assert!(answer.body.contains("upstream-timeout"));
    // And it keeps serving.
    assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    gateway.shutdown().await;
}

#[tokio::test]
async fn slow_loris_clients_are_cut_off_and_others_still_served() {
    let upstream = upstream().await;
    let mut config = config(upstream);
    config.timeouts.header_read_ms = 300;
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    let mut slow = TcpStream::connect(gateway.addr).await.unwrap();
    slow.write_all(b"GET /v2/customers/me HTTP/1.1\r\nHost: bank\r\nX-Slow: ").await.unwrap();
    // Meanwhile a normal client is served.
    assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    // The slow one is closed (read returns EOF or an error, possibly after a 408), well within
    // a generous bound — a hung connection would make this read wait forever.
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the slow client's connection was not closed");
    gateway.shutdown().await;
}

#[tokio::test]
async fn malformed_http_gets_400_and_the_gateway_keeps_serving() {
    let upstream = upstream().await;
    let gateway = start(config(upstream), Checks::default(), TapTarget::FromConfig).await.unwrap();
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        b"\x16\x03\x01\x00\xa5binary",
    ] {
        let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
        stream.write_all(garbage).await.unwrap();
        let mut buffer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
        let text = String::from_utf8_lossy(&buffer);
        assert!(text.is_empty() || text.starts_with("HTTP/1.1 4"), "{garbage:?} → {text}");
    }
    assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    gateway.shutdown().await;
}

#[tokio::test]
async fn thousands_of_idle_connections_do_not_stop_service() {
    let upstream = upstream().await;
    let mut config = config(upstream);
    config.limits.max_connections = 1500;
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    let mut idle = Vec::new();
    for _ in 0..1200 {
        idle.push(TcpStream::connect(gateway.addr).await.unwrap());
    }
    assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    // Beyond the cap, connections are closed at once, and served again once others go.
    for _ in 0..400 {
        if let Ok(stream) = TcpStream::connect(gateway.addr).await {
            idle.push(stream);
        }
    }
    let metrics = gateway.metrics().clone();
    common::eventually("a connection beyond the cap to be closed", || {
        metrics.rejected_connections.load(std::sync::atomic::Ordering::Relaxed) > 0
    })
    .await;
    drop(idle);
    let mut served = false;
    for _ in 0..50 {
        let answer = tokio::time::timeout(Duration::from_secs(2), async {
            let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<Bytes>>();
            client.get(format!("http://{}/v2/customers/me", gateway.addr).parse().unwrap()).await
        })
        .await;
        if let Ok(Ok(response)) = answer
            && response.status() == StatusCode::OK
        {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served);
    gateway.shutdown().await;
}

#[tokio::test]
async fn shutdown_drains_requests_in_flight() {
    let upstream = upstream().await;
    let gateway = start(config(upstream), Checks::default(), TapTarget::FromConfig).await.unwrap();
    let addr = gateway.addr;
    let before = common::DRAIN_REQUESTS_STARTED.load(std::sync::atomic::Ordering::SeqCst);
    let in_flight = tokio::spawn(async move { get(addr, "/v2/slow?ms=400&tag=drain").await });
    // Shut down only once the request is at the upstream, i.e. truly in flight.
    common::eventually("the request to reach the upstream", || {
        common::DRAIN_REQUESTS_STARTED.load(std::sync::atomic::Ordering::SeqCst) > before
    })
    .await;
    gateway.shutdown().await;
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, r#"{"slow":true}"#);
    assert!(TcpStream::connect(addr).await.is_err(), "still accepting after shutdown");
}

#[tokio::test]
async fn h2c_clients_are_served() {
    let upstream = upstream().await;
    let gateway = start(config(upstream), Checks::default(), TapTarget::FromConfig).await.unwrap();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<Full<Bytes>>();
    let response =
        client.get(format!("http://{}/v2/customers/me", gateway.addr).parse().unwrap()).await.unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, common::CUSTOMER.as_bytes());
    gateway.shutdown().await;
}

#[tokio::test]
async fn the_tap_sees_every_exchange_without_credentials() {
    let upstream = upstream().await;
    let (tap, receiver, _stats) = Tap::channel(64);
    let gateway = start(config(upstream), Checks::default(), TapTarget::Channel(tap)).await.unwrap();
    let request = Request::get(format!("http://{}/v2/customers/me?page=1", gateway.addr))
        .header("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjLTEifQ.c2lnbmF0dXJlLXNlY3JldA")
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(send(request).await.status, StatusCode::OK);
    gateway.shutdown().await;
    let exchanges: Vec<_> = receiver.try_iter().map(rampart_gateway::tap::TapRecord::into_exchange).collect();
    assert_eq!(exchanges.len(), 1);
    let exchange = &exchanges[0];
    assert_eq!(exchange.request.path, "/v2/customers/me");
    assert_eq!(exchange.request.query, vec![("page".to_owned(), "1".to_owned())]);
    assert_eq!(exchange.response.as_ref().unwrap().status, 200);
    let body = exchange.response.as_ref().unwrap().body.as_ref().unwrap();
    assert_eq!(body.text.as_deref(), Some(common::CUSTOMER));
    let line = serde_json::to_string(exchange).unwrap();
    assert!(!line.contains("c2lnbmF0dXJlLXNlY3JldA"), "{line}");
}

#[tokio::test]
async fn the_tap_file_is_exchange_jsonl_that_discovery_reads() {
    let upstream = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tap.jsonl");
    let mut config = config(upstream);
    config.tap.file = Some(path.clone());
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    for _ in 0..5 {
        assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    }
    assert_eq!(post(gateway.addr, "/v2/echo", r#"{"a":1}"#).await.status, StatusCode::OK);
    gateway.shutdown().await;
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    for line in lines {
        let exchange: rampart_core::Exchange = serde_json::from_str(line).unwrap();
        assert_eq!(exchange.source.kind, rampart_core::SourceKind::Gateway);
    }
}

#[tokio::test]
async fn a_full_tap_queue_drops_copies_and_never_delays_requests() {
    let upstream = upstream().await;
    // A queue of one that nobody reads: every copy after the first is dropped.
    let (tap, _receiver, stats) = Tap::channel(1);
    let gateway = start(config(upstream), Checks::default(), TapTarget::Channel(tap)).await.unwrap();
    for _ in 0..20 {
        assert_eq!(get(gateway.addr, "/v2/customers/me").await.status, StatusCode::OK);
    }
    assert_eq!(stats.offered.load(std::sync::atomic::Ordering::Relaxed), 20);
    assert_eq!(stats.dropped.load(std::sync::atomic::Ordering::Relaxed), 19);
    let metrics = reqwest_free_get(gateway.admin_addr, "/metrics").await;
    assert!(metrics.contains("rampart_tap_dropped_total 19"), "{metrics}");
    gateway.shutdown().await;
}

/// A plain GET over one HTTP/1.1 connection, for the admin listener.
async fn reqwest_free_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    reply
}

#[tokio::test]
async fn health_and_readiness_answer_on_the_admin_listener() {
    let upstream = upstream().await;
    let gateway = start(config(upstream), Checks::default(), TapTarget::FromConfig).await.unwrap();
    assert!(reqwest_free_get(gateway.admin_addr, "/healthz").await.starts_with("HTTP/1.1 200"));
    assert!(reqwest_free_get(gateway.admin_addr, "/readyz").await.starts_with("HTTP/1.1 200"));
    gateway.shutdown().await;
}
