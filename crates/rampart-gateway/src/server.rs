//! Listeners: the public one (HTTP/1.1 and HTTP/2 — h2 over TLS by ALPN, h2c by prior
//! knowledge — on one port), and the admin one (health, readiness, metrics).
//!
//! Slow clients cannot hold resources: headers must arrive within `header_read_ms` (which also
//! closes idle keep-alive connections), bodies within `request_body_ms`, and connections beyond
//! `max_connections` are closed at once. On shutdown the listener stops accepting and in-flight
//! requests get `shutdown_drain_ms` to finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::body::{GatewayBody, full};
use crate::config::{GatewayConfig, TlsConfig};
use crate::proxy::Proxy;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("listening on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("TLS: {0}")]
    Tls(String),
}

/// Loads the certificate chain and key for TLS termination (ALPN h2 and http/1.1).
pub fn tls_acceptor(config: &TlsConfig) -> Result<TlsAcceptor, ServeError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&config.cert)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", config.cert.display())))?
        .collect::<Result<_, _>>()
        .map_err(|e| ServeError::Tls(format!("{}: {e}", config.cert.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!("{}: no certificate found", config.cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(&config.key)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", config.key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::Tls(format!("{}: {e}", config.cert.display())))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server)))
}

/// Binds the public listening socket (backlog 1024, `SO_REUSEADDR` so a restart does not wait for
/// TIME_WAIT), returned as a std socket in non-blocking mode: every serving thread registers its
/// own clone of it with its own event loop. No `SO_REUSEPORT`: a second gateway started on the
/// same port by mistake must fail, not silently take half the connections.
pub fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)?.into_std()
}

/// Serves one thread's share of the public listener until `shutdown` resolves, then drains
/// that thread's connections. `connections` is the permit pool of all threads together.
pub async fn serve(
    listener: TcpListener,
    proxy: Arc<Proxy>,
    config: &GatewayConfig,
    tls: Option<TlsAcceptor>,
    connections: Arc<Semaphore>,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.timeouts.header_read())
        .max_buf_size(config.limits.max_header_bytes.max(8192))
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(config.limits.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(config.timeouts.idle() / 2))
        .keep_alive_timeout(config.timeouts.header_read());
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let max_headers = config.limits.max_headers;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            proxy.metrics.rejected_connections.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let proxy = proxy.clone();
        let builder = builder.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        let header_timeout = config.timeouts.header_read();
        tokio::spawn(async move {
            let metrics = proxy.metrics.clone();
            metrics.open_connections.fetch_add(1, Ordering::Relaxed);
            let service = service_fn(move |request: Request<Incoming>| {
                let proxy = proxy.clone();
                async move {
                    if request.headers().len() > max_headers {
                        return Ok::<_, std::convert::Infallible>(crate::problem::problem(
                            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "too-many-headers",
                            None,
                            None,
                        ));
                    }
                    Ok(proxy.handle(request, peer).await)
                }
            });
            match tls {
                Some(acceptor) => {
                    // The handshake is bounded like the headers: a client that stalls in it is a
                    // slow-loris client too.
                    match tokio::time::timeout(header_timeout, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let connection = builder.serve_connection(TokioIo::new(stream), service);
                            let _ = watcher.watch(connection.into_owned()).await;
                        }
                        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
                None => serve_plain(stream, &builder, service, watcher).await,
            }
            metrics.open_connections.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    drop(listener);
    tracing::debug!("shutting down: draining in-flight requests");
    if tokio::time::timeout(config.timeouts.shutdown_drain(), graceful.shutdown()).await.is_err() {
        tracing::warn!("drain timeout reached; closing remaining connections");
    }
}

async fn serve_plain<S>(
    stream: TcpStream,
    builder: &auto::Builder<TokioExecutor>,
    service: S,
    watcher: hyper_util::server::graceful::Watcher,
) where
    S: hyper::service::Service<
            Request<Incoming>,
            Response = Response<GatewayBody>,
            Error = std::convert::Infallible,
        > + Send
        + 'static,
    S::Future: Send + 'static,
{
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let _ = watcher.watch(connection.into_owned()).await;
}

/// What the admin listener reports on: counters and whether the gateway is draining. It holds no
/// part of the data path (a tap sender here would keep the tap open after shutdown).
pub struct AdminState {
    pub metrics: Arc<crate::metrics::Metrics>,
    pub tap: Option<Arc<crate::tap::TapStats>>,
    pub draining: Arc<AtomicBool>,
}

/// The admin listener: `/healthz` (alive), `/readyz` (serving, not draining), `/metrics`.
pub async fn serve_admin(listener: TcpListener, state: Arc<AdminState>, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
            () = &mut shutdown => return,
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(admin(&request, &state)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn admin(request: &Request<Incoming>, state: &AdminState) -> Response<GatewayBody> {
    let (status, content_type, body) = match request.uri().path() {
        "/healthz" => (StatusCode::OK, "text/plain", "ok\n".to_owned()),
        "/readyz" if state.draining.load(Ordering::SeqCst) => {
            (StatusCode::SERVICE_UNAVAILABLE, "text/plain", "draining\n".to_owned())
        }
        "/readyz" => (StatusCode::OK, "text/plain", "ready\n".to_owned()),
        "/metrics" => {
            (StatusCode::OK, "text/plain; version=0.0.4", state.metrics.render(state.tap.as_deref()))
        }
        _ => (StatusCode::NOT_FOUND, "text/plain", "not found\n".to_owned()),
    };
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    if let Ok(value) = header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}
