//! TLS for HTTPS targets: the client configuration every request uses, and the handshake
//! inspection behind the TLS test (API8): is the certificate trusted and valid for the host,
//! which protocol versions are offered. rustls speaks only TLS 1.2 and 1.3, so a server that
//! still offers 1.0 or 1.1 cannot be caught here; the test says so rather than pass silently.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn roots() -> rustls::RootCertStore {
    rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }
}

/// The client configuration for scan requests: webpki roots, or any certificate when
/// `insecure` (a staging host with a private CA).
pub fn client_config(insecure: bool) -> Result<rustls::ClientConfig, String> {
    build(insecure, &[&rustls::version::TLS13, &rustls::version::TLS12])
}

fn build(
    insecure: bool,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<rustls::ClientConfig, String> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .map_err(|e| format!("TLS configuration: {e}"))?;
    // No ALPN here: the HTTPS connector sets it (and refuses a config that already has it).
    Ok(if insecure {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAny)).with_no_client_auth()
    } else {
        builder.with_root_certificates(roots()).with_no_client_auth()
    })
}

/// Accepts any certificate: only for `--insecure`, and the TLS test still reports an untrusted one.
#[derive(Debug)]
struct AcceptAny;

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

/// What the handshakes showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFacts {
    /// `None` when the certificate verified against the webpki roots for the host; else why not.
    pub certificate_problem: Option<String>,
    pub tls13: bool,
    pub tls12: bool,
}

/// Handshakes with `host:port`: once verifying, then TLS 1.3 only and TLS 1.2 only.
pub async fn inspect(host: &str, port: u16, timeout: Duration) -> Result<TlsFacts, String> {
    let both = [&rustls::version::TLS13, &rustls::version::TLS12];
    let verified = handshake(host, port, timeout, build(false, &both)?).await;
    let certificate_problem = match &verified {
        Ok(()) => None,
        Err(e) if e.contains("certificate") || e.contains("Certificate") || e.contains("UnknownIssuer") => {
            Some(e.clone())
        }
        Err(e) => {
            // Not a certificate problem: is the host reachable over TLS at all?
            handshake(host, port, timeout, build(true, &both)?).await.map_err(|_| e.clone())?;
            None
        }
    };
    let tls13 = handshake(host, port, timeout, build(true, &[&rustls::version::TLS13])?).await.is_ok();
    let tls12 = handshake(host, port, timeout, build(true, &[&rustls::version::TLS12])?).await.is_ok();
    Ok(TlsFacts { certificate_problem, tls13, tls12 })
}

async fn handshake(
    host: &str,
    port: u16,
    timeout: Duration,
    config: rustls::ClientConfig,
) -> Result<(), String> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| format!("invalid server name: {e}"))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let attempt = async {
        let tcp = tokio::net::TcpStream::connect((host, port)).await.map_err(|e| format!("connect: {e}"))?;
        connector.connect(name, tcp).await.map(|_| ()).map_err(|e| e.to_string())
    };
    tokio::time::timeout(timeout, attempt).await.map_err(|_| "TLS handshake timed out".to_string())?
}
