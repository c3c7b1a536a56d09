//! A target that misbehaves — answers late or never, resets connections, sends endless or huge
//! bodies, invalid JSON, redirects to other hosts — slows nothing down and crashes nothing:
//! the scan finishes, counts what went wrong and says so.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rampart_scanner::plan;
use rampart_scanner::{Callback, ClientConfig, Outcome, ScanOptions, Target};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Misbehaving, version: "1"}
paths:
  /slow: {get: {responses: {'200': {description: ok}}}}
  /reset: {get: {responses: {'200': {description: ok}}}}
  /endless: {get: {responses: {'200': {description: ok}}}}
  /badjson: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object}}}}}}}
  /away: {get: {responses: {'302': {description: elsewhere}}}}
  /items/{id}: {get: {parameters: [{name: id, in: path, required: true, schema: {type: integer}}], responses: {'200': {description: ok}}}}
"#;

/// A raw HTTP/1.1 server whose every path misbehaves in its own way; counts requests.
async fn misbehaving_server() -> (String, Arc<AtomicU64>, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    let slow = Arc::new(AtomicU64::new(0));
    let slow_counter = slow.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { continue };
            let counter = counter.clone();
            let slow_counter = slow_counter.clone();
            tokio::spawn(async move {
                let Some(head) = common::read_head(&mut stream).await else { return };
                counter.fetch_add(1, Ordering::Relaxed);
                let path = head.split(' ').nth(1).unwrap_or("/").to_string();
                if path.starts_with("/slow") {
                    slow_counter.fetch_add(1, Ordering::Relaxed);
                    // Never answers (the scan's deadline ends the exchange).
                    std::future::pending::<()>().await;
                } else if path.starts_with("/reset") {
                    drop(stream);
                } else if path.starts_with("/endless") {
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n").await;
                    let chunk = format!("{:x}\r\n{}\r\n", 8192, "[".repeat(8192));
                    loop {
                        if stream.write_all(chunk.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                } else if path.starts_with("/away") {
                    let _ = stream.write_all(b"HTTP/1.1 302 Found\r\nlocation: http://evil.example/steal\r\ncontent-length: 0\r\n\r\n").await;
                } else {
                    let body = "{\"id\": 1, \"name\": \"x\", \"broken\": [1, 2,";
                    let _ = stream
                        .write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len()).as_bytes())
                        .await;
                }
            });
        }
    });
    (base, count, slow)
}

#[tokio::test]
async fn a_misbehaving_target_is_survived_and_reported() {
    let (base, count, slow_hits) = misbehaving_server().await;
    let spec = rampart_openapi::parse_spec("misbehaving.yaml", SPEC).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::parse(&base).unwrap_or_else(|e| panic!("{e}"));
    let operations = plan::operations(&spec, &target.base_path);
    assert_eq!(operations.len(), 6);
    let identities = rampart_scanner::identities::parse(
        "ids.toml",
        "[[identity]]\nname = \"a\"\nbearer = \"t-a\"\n[[identity]]\nname = \"b\"\nbearer = \"t-b\"\n",
        &|_| None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ScanOptions {
        client: ClientConfig {
            target,
            timeout: Duration::from_millis(800),
            max_body: 64 * 1024,
            budget: 400,
            rate: 0.0,
            dry_run: false,
            insecure_tls: false,
            user_agent: "rampart-scan-test".into(),
        },
        operations,
        spec_label: "misbehaving.yaml".into(),
        identities,
        seed: 3,
        allow_writes: false,
        only: Default::default(),
        callback: Callback::Off,
        burst: 3,
    };
    let started = std::time::Instant::now();
    let (report, _) =
        rampart_scanner::scan(options, Box::new(|_, _| {})).await.unwrap_or_else(|e| panic!("{e}"));
    let elapsed = started.elapsed();
    let stats = &report.stats;
    assert!(stats.transport_errors > 0, "{stats:?}");
    assert!(stats.truncated_responses > 0, "{stats:?}");
    assert!(stats.off_target_redirects > 0, "{stats:?}");
    assert_eq!(stats.out_of_scope_refused, 0);
    assert!(
        stats.requests_sent <= 400
            && stats.requests_sent == count.load(Ordering::Relaxed).max(stats.requests_sent)
    );
    // The hanging operation cost one deadline: later tests on it were skipped, not waited for.
    assert_eq!(slow_hits.load(Ordering::Relaxed), 1, "{:#?}", report.tests);
    assert!(report.tests.iter().any(|t| t.operation == "GET /slow" && t.outcome == Outcome::Skipped));
    assert!(
        report.warnings.iter().any(|w| w.contains("redirects led off the target")),
        "{:?}",
        report.warnings
    );
    assert!(report.warnings.iter().any(|w| w.contains("got no response")), "{:?}", report.warnings);
    // Bounded: every slow exchange is cut at the deadline (not a timing assertion on the target,
    // a sanity bound far above what the deadlines allow).
    assert!(elapsed < Duration::from_secs(120), "{elapsed:?}");
    for format in [
        rampart_scanner::report::Format::Text,
        rampart_scanner::report::Format::Sarif,
        rampart_scanner::report::Format::Junit,
        rampart_scanner::report::Format::Html,
    ] {
        assert!(!rampart_scanner::report::render(&report, format).is_empty());
    }
}
