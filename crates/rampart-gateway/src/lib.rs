//! Rampart's data plane: `rampart gateway`, an inline reverse proxy in front of a bank's APIs.
//!
//! Every request goes through the same phases ([`proxy`]): the client is identified (trusted
//! proxies only — [`forwarded`]), blocked callers are refused before anything is read, the route
//! is chosen ([`route`]), the body is read within size and time limits, the checks run
//! ([`checks`]: authentication, rate limits, the positive security model, injection signatures),
//! the request is forwarded over a pooled connection, and the response is checked, masked
//! ([`masking`]), copied to the tap ([`tap`]), logged ([`access_log`]) and counted ([`metrics`]).
//!
//! Why hyper 1.x with hyper-util rather than Pingora: the gateway's needs (h1 + h2/h2c on one
//! port, rustls, pooled upstream connections, per-phase timeouts, graceful drain) are all in
//! hyper-util's `auto` server and legacy client, which build in well under a minute here and
//! are already in the workspace; Pingora needs `cmake`, marks its rustls backend experimental
//! and took 3m41s to build on this 2-core machine (CRATES.md). Throughput is measured against
//! nginx by `bench/gateway.sh`.

pub mod access_log;
pub mod body;
pub mod checks;
pub mod config;
pub mod forwarded;
pub mod masking;
pub mod metrics;
pub mod problem;
pub mod proxy;
pub mod route;
pub mod server;
pub mod tap;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

use rampart_sensitive::{Classifier, ClassifierConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use checks::Checks;
pub use config::{ConfigError, GatewayConfig, Mode};

use crate::access_log::AccessLog;
use crate::masking::ResponseMasker;
use crate::proxy::Proxy;
use crate::route::Router;
use crate::tap::Tap;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Serve(#[from] server::ServeError),
    #[error("tap file {path}: {source}")]
    Tap { path: String, source: std::io::Error },
    #[error("sensitive-data engine: {0}")]
    Classifier(String),
}

/// Where the tap's copies go.
pub enum TapTarget {
    /// The `[tap] file` of the config, if any.
    FromConfig,
    /// An in-process receiver (tests, and the analysis pipeline later).
    Channel(Tap),
}

/// A gateway that is serving.
pub struct RunningGateway {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    proxy: Arc<Proxy>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    tap_thread: Option<JoinHandle<()>>,
}

impl RunningGateway {
    pub fn metrics(&self) -> &Arc<metrics::Metrics> {
        self.proxy.metrics()
    }

    /// Stops accepting, drains in-flight requests (bounded by `shutdown_drain_ms`), flushes the tap.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
        drop(self.proxy);
        if let Some(thread) = self.tap_thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// Binds both listeners and starts serving.
pub async fn start(
    config: GatewayConfig,
    checks: Checks,
    tap: TapTarget,
) -> Result<RunningGateway, GatewayError> {
    config.check().map_err(GatewayError::Config)?;
    let router = Router::new(&config.routes, &config.masking.types).map_err(GatewayError::Config)?;
    if router.is_empty() {
        return Err(GatewayError::Config("no route: give --upstream or a [[routes]] entry".to_owned()));
    }
    let classifier = Classifier::try_new(ClassifierConfig::default())
        .map_err(|e| GatewayError::Classifier(e.to_string()))?;
    let masker = ResponseMasker::new(Arc::new(classifier));
    let (tap, tap_thread) = match tap {
        TapTarget::Channel(tap) => (Some(tap), None),
        TapTarget::FromConfig => match &config.tap.file {
            Some(path) => {
                let (tap, thread, _) = Tap::to_file(path, config.tap.queue)
                    .map_err(|source| GatewayError::Tap { path: path.display().to_string(), source })?;
                (Some(tap), Some(thread))
            }
            None => (None, None),
        },
    };
    let access_log = config.access_log.enabled.then(|| AccessLog::stdout(16_384));
    let tls = config.tls.as_ref().map(server::tls_acceptor).transpose()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| server::ServeError::Bind { addr: config.listen, source })?;
    let admin_listener = TcpListener::bind(config.admin_listen)
        .await
        .map_err(|source| server::ServeError::Bind { addr: config.admin_listen, source })?;
    let addr =
        listener.local_addr().map_err(|source| server::ServeError::Bind { addr: config.listen, source })?;
    let admin_addr = admin_listener
        .local_addr()
        .map_err(|source| server::ServeError::Bind { addr: config.admin_listen, source })?;
    let proxy = Arc::new(Proxy::new(&config, router, masker, checks, tap, access_log));
    let draining = Arc::new(AtomicBool::new(false));
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let (admin_stop_tx, admin_stop_rx) = oneshot::channel::<()>();
    tokio::spawn(server::serve_admin(admin_listener, proxy.clone(), draining.clone(), async move {
        let _ = admin_stop_rx.await;
    }));
    let serving = proxy.clone();
    let task = tokio::spawn(async move {
        server::serve(listener, serving, &config, tls, draining, async move {
            let _ = shutdown_rx.await;
        })
        .await;
        let _ = admin_stop_tx.send(());
    });
    tracing::info!(%addr, %admin_addr, "gateway listening");
    Ok(RunningGateway { addr, admin_addr, proxy, shutdown: Some(shutdown_tx), task, tap_thread })
}
