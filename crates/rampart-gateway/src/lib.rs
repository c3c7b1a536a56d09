//! Rampart's data plane: `rampart gateway`, an inline reverse proxy in front of a bank's APIs.
//!
//! Every request goes through the same phases ([`proxy`]): the client is identified (trusted
//! proxies only — [`forwarded`]), blocked callers are refused before anything is read, the route
//! is chosen ([`route`]), the body is read within size and time limits, the checks run
//! ([`checks`]: authentication, rate limits, the positive security model, injection signatures),
//! the request is forwarded over a pooled connection, and the response is checked, masked
//! ([`masking`]), copied to the tap ([`tap`]), logged ([`access_log`]) and counted ([`metrics`]).
//! With `[detect]` on (the default), the tap feeds the behavioural detectors in process
//! ([`detection`]) and their decisions reach the blocklist checked in the first phase: the loop
//! from an attack's first requests to its 403s closes within the gateway.
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
pub mod detection;
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
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use rampart_sensitive::{Classifier, ClassifierConfig};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot, watch};

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
    #[error("detection: {0}")]
    Detection(#[from] detection::DetectionError),
    #[error("sensitive-data engine: {0}")]
    Classifier(String),
    #[error("serving thread: {0}")]
    Worker(String),
}

/// Where the tap's copies go.
pub enum TapTarget {
    /// As the config says: to the detection thread when `[detect]` is enabled (which also
    /// writes `[tap] file`, if any), else to the `[tap] file` writer, else nowhere.
    FromConfig,
    /// An in-process receiver that takes every copy (tests, embeddings); in-process detection
    /// does not run then, as it would need the same copies.
    Channel(Tap),
    /// As [`TapTarget::FromConfig`], and every exchange, alert and decision is also handed to
    /// the sink (`rampart serve`'s analysis), whether or not detection is enabled.
    Analysis(Arc<dyn detection::AnalysisSink>),
}

/// A gateway that is serving. Dropping it stops the serving threads too (without waiting).
pub struct RunningGateway {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    metrics: Arc<metrics::Metrics>,
    draining: Arc<AtomicBool>,
    stop_workers: watch::Sender<bool>,
    stop_admin: Option<oneshot::Sender<()>>,
    workers: Vec<JoinHandle<()>>,
    /// The tap writer, or the detection thread (which writes the tap file too).
    tap_thread: Option<JoinHandle<()>>,
}

impl RunningGateway {
    pub fn metrics(&self) -> &Arc<metrics::Metrics> {
        &self.metrics
    }

    /// Stops accepting, drains in-flight requests (bounded by `shutdown_drain_ms`), flushes the tap.
    pub async fn shutdown(mut self) {
        // Not ready any more (load balancers stop sending), then stop accepting and drain.
        self.draining.store(true, Ordering::SeqCst);
        tracing::info!("shutting down: draining in-flight requests");
        let _ = self.stop_workers.send(true);
        if let Some(stop) = self.stop_admin.take() {
            let _ = stop.send(());
        }
        let workers = std::mem::take(&mut self.workers);
        let tap_thread = self.tap_thread.take();
        // The serving threads hold the last tap senders: once they are done, the tap writer
        // flushes and ends.
        let _ = tokio::task::spawn_blocking(move || {
            for worker in workers {
                let _ = worker.join();
            }
            if let Some(thread) = tap_thread {
                let _ = thread.join();
            }
        })
        .await;
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        let _ = self.stop_workers.send(true);
    }
}

/// Binds both listeners and starts serving: `config.worker_threads()` threads, each with its own
/// single-threaded event loop and upstream pool, accepting from the same listening socket.
/// Why threads of their own rather than one work-stealing runtime: a request, its upstream
/// connection and its response then live on one thread, with no cross-thread wake-ups (futex
/// calls and context switches were a fifth of the gateway's CPU time under load).
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
    let detect =
        config.detect.enabled.then(|| config.detection_config()).transpose().map_err(GatewayError::Config)?;
    let (tap, tap_thread, detection) = match (tap, detect) {
        (TapTarget::Channel(tap), detect) => {
            if detect.is_some() {
                tracing::info!("the tap goes to the caller's channel: in-process detection is not started");
            }
            (Some(tap), None, None)
        }
        (TapTarget::Analysis(sink), detect) => {
            let (tap, receiver, tap_stats) = Tap::channel(config.tap.queue);
            let outputs = detection::Outputs {
                tap_file: config.tap.file.clone(),
                alerts_file: config.alerts.file.clone(),
                sink: Some(sink),
            };
            let with_engine = detect.is_some();
            let (thread, stats) =
                detection::spawn(detect, receiver, tap_stats, &outputs, checks.decisions())?;
            (Some(tap), Some(thread), with_engine.then_some(stats))
        }
        (TapTarget::FromConfig, Some(detect)) => {
            // Detection needs every exchange, so the tap runs whether or not a file is set; the
            // detection thread writes the file itself, from the same records.
            let (tap, receiver, tap_stats) = Tap::channel(config.tap.queue);
            let outputs = detection::Outputs {
                tap_file: config.tap.file.clone(),
                alerts_file: config.alerts.file.clone(),
                sink: None,
            };
            let (thread, stats) =
                detection::spawn(Some(detect), receiver, tap_stats, &outputs, checks.decisions())?;
            (Some(tap), Some(thread), Some(stats))
        }
        (TapTarget::FromConfig, None) => match &config.tap.file {
            Some(path) => {
                let (tap, thread, _) = Tap::to_file(path, config.tap.queue)
                    .map_err(|source| GatewayError::Tap { path: path.display().to_string(), source })?;
                (Some(tap), Some(thread), None)
            }
            None => (None, None, None),
        },
    };
    let access_log = config.access_log.enabled.then(|| AccessLog::stdout(16_384));
    let tls = config.tls.as_ref().map(server::tls_acceptor).transpose()?;
    let bind_error = |addr: SocketAddr| move |source| server::ServeError::Bind { addr, source };
    let listener = server::bind(config.listen).map_err(bind_error(config.listen))?;
    let admin_listener =
        TcpListener::bind(config.admin_listen).await.map_err(bind_error(config.admin_listen))?;
    let addr = listener.local_addr().map_err(bind_error(config.listen))?;
    let admin_addr = admin_listener.local_addr().map_err(bind_error(config.admin_listen))?;
    let mut metrics = metrics::Metrics::new(router.routes().iter().map(|r| r.name.clone()).collect());
    if let Some(stats) = detection {
        metrics = metrics.with_detection(stats);
    }
    let admin_state = Arc::new(server::AdminState {
        metrics: Arc::new(metrics),
        tap: tap.as_ref().map(|tap| tap.stats().clone()),
        draining: Arc::new(AtomicBool::new(false)),
    });
    let proxy = Proxy::new(&config, router, admin_state.metrics.clone(), masker, checks, tap, access_log);
    let (stop_workers, stop_rx) = watch::channel(false);
    let connections = Arc::new(Semaphore::new(config.limits.max_connections.max(1)));
    let config = Arc::new(config);
    let mut workers = Vec::new();
    let mut ready = Vec::new();
    // One proxy per serving thread: copies of the first, each with its own upstream pool.
    let mut proxies: Vec<Proxy> = (1..config.worker_threads()).map(|_| proxy.for_another_thread()).collect();
    proxies.push(proxy);
    for (index, proxy) in proxies.into_iter().enumerate() {
        let listener = listener.try_clone().map_err(bind_error(addr))?;
        let worker = Worker {
            proxy: Arc::new(proxy),
            config: config.clone(),
            tls: tls.clone(),
            connections: connections.clone(),
            stop: stop_rx.clone(),
        };
        let (ready_tx, ready_rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("rampart-worker-{index}"))
            .spawn(move || worker.run(listener, ready_tx))
            .map_err(|e| GatewayError::Worker(e.to_string()))?;
        workers.push(thread);
        ready.push(ready_rx);
    }
    // Only the serving threads hold the socket now: it must not outlive them.
    drop(listener);
    for ready in ready {
        match ready.await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => return Err(GatewayError::Worker(message)),
            Err(_) => return Err(GatewayError::Worker("a serving thread ended while starting".to_owned())),
        }
    }
    let (stop_admin, admin_stop_rx) = oneshot::channel::<()>();
    let metrics = admin_state.metrics.clone();
    let draining = admin_state.draining.clone();
    tokio::spawn(server::serve_admin(admin_listener, admin_state, async move {
        let _ = admin_stop_rx.await;
    }));
    tracing::info!(%addr, %admin_addr, workers = workers.len(), "gateway listening");
    Ok(RunningGateway {
        addr,
        admin_addr,
        metrics,
        draining,
        stop_workers,
        stop_admin: Some(stop_admin),
        workers,
        tap_thread,
    })
}

/// One serving thread: a single-threaded runtime that accepts from its copy of the listening
/// socket until told to stop, then drains its connections.
struct Worker {
    proxy: Arc<Proxy>,
    config: Arc<GatewayConfig>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    connections: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
}

impl Worker {
    fn run(self, listener: std::net::TcpListener, ready: oneshot::Sender<Result<(), String>>) {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => {
                let _ = ready.send(Err(format!("starting a serving thread: {error}")));
                return;
            }
        };
        let Worker { proxy, config, tls, connections, mut stop } = self;
        runtime.block_on(async move {
            let listener = match TcpListener::from_std(listener) {
                Ok(listener) => listener,
                Err(error) => {
                    let _ = ready.send(Err(format!("listening: {error}")));
                    return;
                }
            };
            let _ = ready.send(Ok(()));
            server::serve(listener, proxy, &config, tls, connections, async move {
                // A dropped sender (the gateway dropped) stops the thread as `true` does.
                let _ = stop.wait_for(|stop| *stop).await;
            })
            .await;
        });
    }
}
