//! An HTTPS target with a self-signed certificate: `--insecure` lets the scan proceed, and the
//! TLS test still reports the certificate; without `--insecure` no request gets through.

mod common;

use std::sync::Arc;
use std::time::Duration;

use rampart_scanner::plan;
use rampart_scanner::{Callback, ClientConfig, Outcome, ScanOptions, Target};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncWriteExt;

const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Tls, version: "1"}
paths:
  /status: {get: {responses: {'200': {description: ok, content: {application/json: {schema: {type: object}}}}}}}
"#;

/// A TLS 1.2/1.3 server on 127.0.0.1 answering `{"ok": true}` to anything.
async fn https_server() -> u16 {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap_or_else(|e| panic!("{e}"));
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
    let config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("{e}"))
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap_or_else(|e| panic!("{e}"));
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut stream) = acceptor.accept(tcp).await else { return };
                if common::read_head(&mut stream).await.is_none() {
                    return;
                }
                let body = "{\"ok\": true}";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncache-control: no-store\r\nstrict-transport-security: max-age=31536000\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    port
}

fn options(port: u16, insecure: bool) -> ScanOptions {
    let spec = rampart_openapi::parse_spec("tls.yaml", SPEC).unwrap_or_else(|e| panic!("{e}"));
    let target = Target::parse(&format!("https://localhost:{port}")).unwrap_or_else(|e| panic!("{e}"));
    let identities = rampart_scanner::identities::parse(
        "ids.toml",
        "[[identity]]\nname = \"a\"\nbearer = \"t-a\"\n",
        &|_| None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ScanOptions {
        client: ClientConfig {
            target,
            timeout: Duration::from_secs(5),
            max_body: 64 * 1024,
            budget: 200,
            rate: 0.0,
            dry_run: false,
            insecure_tls: insecure,
            user_agent: "rampart-scan-test".into(),
        },
        operations: plan::operations(&spec, ""),
        spec_label: "tls.yaml".into(),
        identities,
        seed: 1,
        allow_writes: false,
        only: ["tls", "security-headers"].iter().map(|s| s.to_string()).collect(),
        callback: Callback::Off,
        burst: 0,
    }
}

#[tokio::test]
async fn a_self_signed_certificate_is_reported_and_insecure_lets_the_scan_through() {
    let port = https_server().await;

    let (report, _) = rampart_scanner::scan(options(port, true), Box::new(|_, _| {}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The crawl got through over TLS, so the headers test had an answer to read.
    let crawl =
        report.tests.iter().find(|t| t.test == "crawl").unwrap_or_else(|| panic!("{:#?}", report.tests));
    assert!(crawl.requests >= 1 && report.stats.transport_errors == 0, "{:?}", report.stats);
    let tls = report.findings.iter().find(|f| f.rule == "tls-certificate-invalid");
    let tls = tls.unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(tls.operation, "TLS");
    assert!(tls.description.contains(&format!("localhost:{port}")), "{}", tls.description);
    // The server sends HSTS, nosniff and no-store: nothing to say about headers.
    assert!(!report.findings.iter().any(|f| f.rule == "missing-security-headers"), "{:#?}", report.findings);
    assert!(report.tests.iter().any(|t| t.test == "tls" && t.outcome == Outcome::Failed));

    // Without --insecure the untrusted certificate stops every request.
    let (strict, _) = rampart_scanner::scan(options(port, false), Box::new(|_, _| {}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(strict.stats.transport_errors >= 1, "{:?}", strict.stats);
    assert!(strict.findings.iter().any(|f| f.rule == "tls-certificate-invalid"));
}
