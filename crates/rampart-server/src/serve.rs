//! Starting and stopping everything `rampart serve` runs, in the order that gets the gateway
//! answering first: after a restart (or a crash) the bank's traffic flows again as soon as the
//! listeners are bound, while the analysis reloads what the store holds beside it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::Utc;
use rampart_gateway::{Checks, RunningGateway, TapTarget};
use rampart_store::{DecisionRow, SqliteStore};
use tokio::sync::oneshot;

use crate::ServeError;
use crate::api::ApiState;
use crate::config::ServeConfig;
use crate::pipeline::PipelineHandle;
use crate::watch::Watcher;

/// Everything that is running.
pub struct RunningServer {
    /// Where clients reach the APIs through the gateway.
    pub gateway_addr: SocketAddr,
    /// The gateway's health, readiness and Prometheus metrics.
    pub admin_addr: SocketAddr,
    /// The REST API and the dashboard.
    pub control_addr: SocketAddr,
    gateway: RunningGateway,
    pipeline: PipelineHandle,
    pipeline_thread: JoinHandle<()>,
    watcher: Option<(std::sync::mpsc::Sender<()>, JoinHandle<()>)>,
    control_stop: oneshot::Sender<()>,
    control_task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// The pipeline, to flush it (tests) or feed it.
    pub fn pipeline(&self) -> &PipelineHandle {
        &self.pipeline
    }

    pub fn gateway(&self) -> &RunningGateway {
        &self.gateway
    }

    /// Stops in the order that loses nothing: the control plane, the watcher, the gateway
    /// (draining requests in flight and its tap), then the pipeline, which analyses and saves
    /// what is left before it ends.
    pub async fn shutdown(self) {
        let RunningServer { gateway, pipeline, pipeline_thread, watcher, control_stop, control_task, .. } =
            self;
        let _ = control_stop.send(());
        let _ = control_task.await;
        if let Some((stop, thread)) = watcher {
            let _ = stop.send(());
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        gateway.shutdown().await;
        drop(pipeline);
        let _ = tokio::task::spawn_blocking(move || pipeline_thread.join()).await;
    }
}

/// Opens the store, starts the gateway, the pipeline, the watcher and the control plane.
pub async fn start(config: ServeConfig) -> Result<RunningServer, ServeError> {
    config.check().map_err(ServeError::Config)?;
    let path = config.store.path.clone();
    let open = |path: &std::path::Path| {
        SqliteStore::open(path)
            .map_err(|source| ServeError::Store { what: "opening the store", source: Box::new(source) })
    };
    let mut store = open(&path)?;
    // Declared specs of the config file go to the store, beside the uploaded ones.
    for spec in &config.pipeline.specs {
        let text = std::fs::read_to_string(spec).map_err(|source| ServeError::Io {
            what: format!("reading the spec {}", spec.display()),
            source,
        })?;
        let name =
            spec.file_name().map_or_else(|| spec.display().to_string(), |n| n.to_string_lossy().into_owned());
        crate::pipeline::parse_spec(&name, &text).map_err(|message| {
            ServeError::Config(format!("pipeline.specs: {}: {message}", spec.display()))
        })?;
        let content_type = if name.ends_with(".json") { "application/json" } else { "application/yaml" };
        store.add_spec(&name, content_type, &text, "config", Utc::now()).map_err(|source| {
            ServeError::Store { what: "saving a declared spec", source: Box::new(source) }
        })?;
    }
    let now = Utc::now();
    let (_, active) = store
        .decisions(true, now, 100_000, 0)
        .map_err(|source| ServeError::Store { what: "loading the decisions", source: Box::new(source) })?;

    let checks = Checks::from_config(&config.gateway).await.map_err(ServeError::Config)?;
    let blocklist = checks.decisions();
    if let Some(blocklist) = &blocklist {
        let restored: Vec<rampart_limits::Decision> = active.iter().filter_map(restore).collect();
        if !restored.is_empty() {
            tracing::info!(decisions = restored.len(), "decisions in force restored from the store");
            blocklist.add_decisions(restored, now);
        }
    }
    let control_store = open(&path)?;
    let (pipeline, pipeline_thread) =
        crate::pipeline::spawn(config.pipeline.clone(), store, config.store.traffic_retention_days)?;
    let gateway = rampart_gateway::start(
        config.gateway.clone(),
        checks,
        TapTarget::Analysis(Arc::new(pipeline.clone())),
    )
    .await?;

    let watcher = if config.pipeline.watch.is_empty() {
        None
    } else {
        let watcher = Watcher::new(
            config.pipeline.watch.clone(),
            Duration::from_millis(config.pipeline.watch_interval_ms),
            open(&path)?,
            pipeline.clone(),
        );
        let (stop, stopped) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("rampart-watch".to_owned())
            .spawn(move || watcher.run(stopped))
            .map_err(|source| ServeError::Io { what: "starting the watcher".to_owned(), source })?;
        Some((stop, thread))
    };

    let state = ApiState::new(
        control_store,
        pipeline.clone(),
        blocklist,
        Some(gateway.metrics().clone()),
        config.server.auth_failures_per_minute,
    )
    .map_err(ServeError::Config)?;
    let router = crate::api::router(Arc::new(state), config.server.dashboard);
    let listener = tokio::net::TcpListener::bind(config.server.listen).await.map_err(|source| {
        ServeError::Io { what: format!("binding the control plane to {}", config.server.listen), source }
    })?;
    let control_addr = listener.local_addr().map_err(|source| ServeError::Io {
        what: "reading the control plane's address".to_owned(),
        source,
    })?;
    let (control_stop, stopped) = oneshot::channel::<()>();
    let control_task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "control plane stopped");
        }
    });
    tracing::info!(gateway = %gateway.addr, control = %control_addr, "rampart serve is running");
    Ok(RunningServer {
        gateway_addr: gateway.addr,
        admin_addr: gateway.admin_addr,
        control_addr,
        gateway,
        pipeline,
        pipeline_thread,
        watcher,
        control_stop,
        control_task,
    })
}

/// A stored decision in force, for the blocklist again.
fn restore(row: &DecisionRow) -> Option<rampart_limits::Decision> {
    let target = match rampart_limits::BlockTarget::parse(&row.kind, &row.value) {
        Ok(target) => target,
        Err(message) => {
            tracing::warn!(decision = %row.id, %message, "stored decision not restored");
            return None;
        }
    };
    let action = match (row.action.as_str(), row.per_minute) {
        ("rate-limit", Some(per_minute)) => rampart_limits::Enforcement::RateLimit { per_minute },
        _ => rampart_limits::Enforcement::Block,
    };
    Some(rampart_limits::Decision {
        target,
        reason: row.reason.clone(),
        source: if row.source == "detector" {
            rampart_limits::EntrySource::Detector
        } else {
            rampart_limits::EntrySource::Api
        },
        action,
        expires_at: row.expires_at,
        id: Some(row.id.clone()),
    })
}
