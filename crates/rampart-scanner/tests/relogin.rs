//! Access tokens expire mid-scan: an identity with a login flow logs in again on a 401 and the
//! request is retried, so the tests keep seeing the API as that identity.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rampart_scanner::plan;
use rampart_scanner::{Callback, ClientConfig, ScanOptions, Target};
use tokio::io::AsyncWriteExt;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Expiring, version: "1"}
paths:
  /login:
    post:
      security: []
      requestBody: {content: {application/json: {schema: {type: object, properties: {username: {type: string}, password: {type: string}}}}}}
      responses: {'200': {description: ok}}
  /profile: {get: {security: [{bearer: []}], responses: {'200': {description: ok}}}}
  /items: {get: {security: [{bearer: []}], responses: {'200': {description: ok}}}}
components: {securitySchemes: {bearer: {type: http, scheme: bearer}}}
"#;

/// Tokens `t1`, `t2`, …; a token answers at most three requests, then 401.
async fn expiring_server() -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    let logins = Arc::new(AtomicU64::new(0));
    let uses = Arc::new(AtomicU64::new(0));
    let counter = logins.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { continue };
            let (logins, uses) = (counter.clone(), uses.clone());
            tokio::spawn(async move {
                let Some(head) = common::read_head(&mut stream).await else { return };
                let head = head.to_ascii_lowercase();
                let (status, body) = if head.starts_with("post /login") {
                    let n = logins.fetch_add(1, Ordering::SeqCst) + 1;
                    uses.store(0, Ordering::SeqCst);
                    ("200 OK", format!("{{\"token\": \"t{n}-0123456789\"}}"))
                } else {
                    let current =
                        format!("authorization: bearer t{}-0123456789", logins.load(Ordering::SeqCst));
                    if head.contains(&current) && uses.fetch_add(1, Ordering::SeqCst) < 3 {
                        ("200 OK", "{\"items\": [{\"id\": \"x1\"}], \"user\": \"alice\"}".to_string())
                    } else {
                        ("401 Unauthorized", "{\"error\": \"token expired\"}".to_string())
                    }
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (base, logins)
}

#[tokio::test]
async fn an_expired_token_is_renewed_by_logging_in_again() {
    let (base, logins) = expiring_server().await;
    let spec = rampart_openapi::parse_spec("expiring.yaml", SPEC).unwrap_or_else(|e| panic!("{e}"));
    let identities = rampart_scanner::identities::parse(
        "ids.toml",
        "[[identity]]\nname = \"alice\"\n[identity.login]\npath = \"/login\"\njson = { username = \"alice\", password = \"pw-alice-1\" }\ntoken = \"/token\"\n",
        &|_| None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ScanOptions {
        client: ClientConfig {
            target: Target::parse(&base).unwrap_or_else(|e| panic!("{e}")),
            timeout: Duration::from_secs(2),
            max_body: 64 * 1024,
            budget: 200,
            rate: 0.0,
            dry_run: false,
            insecure_tls: false,
            user_agent: "rampart-scan-test".into(),
        },
        operations: plan::operations(&spec, ""),
        spec_label: "expiring.yaml".into(),
        identities,
        seed: 1,
        allow_writes: false,
        only: ["cors"].iter().map(|s| s.to_string()).collect(),
        callback: Callback::Off,
        burst: 0,
    };
    let (report, _) =
        rampart_scanner::scan(options, Box::new(|_, _| {})).await.unwrap_or_else(|e| panic!("{e}"));
    // The crawl (2 reads) and the CORS test (2 reads) outlive one token: the identity logged in
    // again instead of seeing 401s; the guard keeps it to one renewal in this short scan.
    assert_eq!(logins.load(Ordering::SeqCst), 2, "{:#?}", report.tests);
    let cors: Vec<_> = report.tests.iter().filter(|t| t.test == "cors").collect();
    assert_eq!(cors.len(), 2, "both reads had a 2xx baseline: {:#?}", report.tests);
}
