//! TLS termination with rustls: HTTP/1.1 and HTTP/2 chosen by ALPN on the same port.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::{config, upstream};
use http::{Request, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_gateway::config::TlsConfig;
use rampart_gateway::{Checks, TapTarget, start};
use rustls_pki_types::{CertificateDer, ServerName};

async fn tls_gateway(dir: &tempfile::TempDir) -> (rampart_gateway::RunningGateway, CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec!["api.bank.test".to_owned()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.key_pair.serialize_pem()).unwrap();
    let mut config = config(upstream().await);
    config.tls = Some(TlsConfig { cert: cert_path, key: key_path });
    let gateway = start(config, Checks::default(), TapTarget::FromConfig).await.unwrap();
    (gateway, certified.cert.der().clone())
}

async fn connect(
    gateway: &rampart_gateway::RunningGateway,
    root: &CertificateDer<'static>,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(gateway.addr).await.unwrap();
    connector.connect(ServerName::try_from("api.bank.test").unwrap(), tcp).await.unwrap()
}

#[tokio::test]
async fn https_with_http1_and_http2_by_alpn() {
    let dir = tempfile::tempdir().unwrap();
    let (gateway, root) = tls_gateway(&dir).await;

    let stream = connect(&gateway, &root, b"http/1.1").await;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(connection);
    let request = Request::get("/v2/customers/me")
        .header("host", "api.bank.test")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_11);

    let stream = connect(&gateway, &root, b"h2").await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await.unwrap();
    tokio::spawn(connection);
    let request =
        Request::get("https://api.bank.test/v2/customers/me").body(Full::new(Bytes::new())).unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.version(), Version::HTTP_2);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, common::CUSTOMER.as_bytes());
    gateway.shutdown().await;
}

#[tokio::test]
async fn a_bad_certificate_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let mut config = config(upstream().await);
    config.tls = Some(TlsConfig { cert: cert.clone(), key: cert.clone() });
    let error = start(config, Checks::default(), TapTarget::FromConfig).await.err().unwrap().to_string();
    assert!(error.contains("cert.pem"), "{error}");
}
