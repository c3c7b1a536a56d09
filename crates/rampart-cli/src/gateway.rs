//! `rampart gateway`: puts the gateway in front of an upstream, from flags alone or from a
//! `rampart.toml` (flags override the file).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use rampart_core::SensitiveType;
use rampart_gateway::config::{GatewayConfig, Mode, RouteConfig};
use rampart_gateway::{Checks, TapTarget};

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// Address clients connect to.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Upstream the default route (`/`) forwards to, e.g. http://127.0.0.1:3000.
    #[arg(long)]
    upstream: Option<String>,
    /// Configuration file (routes, TLS, limits, checks); see docs/gateway.md.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Write every exchange as Exchange JSONL here (what `rampart discover` reads).
    #[arg(long)]
    tap: Option<PathBuf>,
    /// Health, readiness and metrics address.
    #[arg(long)]
    admin_listen: Option<SocketAddr>,
    /// Mode of every route's checks: `monitor` (log only) or `block`.
    #[arg(long, value_parser = parse_mode)]
    mode: Option<Mode>,
    /// Sensitive types masked in every JSON response (repeat or comma-separate), e.g. card-number.
    #[arg(long, value_delimiter = ',')]
    mask: Vec<SensitiveType>,
    /// OpenAPI 3.0/3.1 spec requests and responses are validated against (repeatable).
    #[arg(long)]
    spec: Vec<PathBuf>,
    /// Detectors only report: no client is blocked or rate-limited by detection
    /// (`[detect] monitor = true`).
    #[arg(long, conflicts_with = "no_detect")]
    monitor: bool,
    /// Turn behavioural detection off (`[detect] enabled = false`); it is on by default.
    #[arg(long)]
    no_detect: bool,
    /// Append every alert (opened, updated, closed) here as one JSON line (`[alerts] file`).
    #[arg(long, value_name = "FILE", conflicts_with = "no_detect")]
    alerts: Option<PathBuf>,
    /// Check the configuration and exit.
    #[arg(long)]
    check_config: bool,
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    match text {
        "monitor" => Ok(Mode::Monitor),
        "block" => Ok(Mode::Block),
        other => Err(format!("{other:?}: expected `monitor` or `block`")),
    }
}

pub fn run(args: GatewayArgs) -> anyhow::Result<ExitCode> {
    let config = configure(&args)?;
    // Requests are served on the gateway's own threads (one per core); this runtime only runs the
    // admin listener and background work (JWKS refresh, blocklist reloads): one thread is enough.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        let checks = Checks::from_config(&config)
            .await
            .map_err(|message| anyhow::anyhow!("configuration: {message}"))?;
        let detection = rampart_gateway::detection::describe(&config.detect);
        if args.check_config {
            eprintln!("configuration is valid: {} route(s); {detection}", config.routes.len());
            return Ok(ExitCode::SUCCESS);
        }
        let alerts = match (&config.alerts.file, config.detect.enabled) {
            (Some(path), true) => format!(", alerts to {}", path.display()),
            _ => String::new(),
        };
        let gateway = rampart_gateway::start(config, checks, TapTarget::FromConfig).await?;
        eprintln!(
            "rampart gateway listening on http://{} (admin on http://{})",
            gateway.addr, gateway.admin_addr
        );
        eprintln!("{detection}{alerts}");
        shutdown_signal().await;
        eprintln!("shutting down: draining requests in flight");
        gateway.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// The file (if any), then the flags on top.
fn configure(args: &GatewayArgs) -> anyhow::Result<GatewayConfig> {
    let mut config = match &args.config {
        // The same file `rampart serve` reads: its `[server]`, `[store]`, `[pipeline]` are not ours.
        Some(path) => rampart_server::ServeConfig::load_gateway(path)?,
        None => GatewayConfig::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(admin) = args.admin_listen {
        config.admin_listen = admin;
    }
    if let Some(upstream) = &args.upstream {
        // The flag's route is the catch-all; routes from the file keep their own prefixes.
        config.routes.retain(|route| route.path_prefix != "/" || route.host.is_some());
        config.routes.push(RouteConfig {
            name: Some("default".to_owned()),
            host: None,
            path_prefix: "/".to_owned(),
            upstream: upstream.clone(),
            mode: Mode::Monitor,
            auth: Default::default(),
            mask: Vec::new(),
        });
    }
    if let Some(mode) = args.mode {
        for route in &mut config.routes {
            route.mode = mode;
        }
    }
    for kind in &args.mask {
        if !config.masking.types.contains(kind) {
            config.masking.types.push(*kind);
        }
    }
    if !args.spec.is_empty() {
        config.validate.get_or_insert_with(Default::default).specs.extend(args.spec.iter().cloned());
    }
    if let Some(tap) = &args.tap {
        config.tap.file = Some(tap.clone());
    }
    if args.no_detect {
        config.detect.enabled = false;
    }
    if args.monitor {
        config.detect.monitor = true;
    }
    if let Some(alerts) = &args.alerts {
        config.alerts.file = Some(alerts.clone());
    }
    if !config.detect.enabled && (args.monitor || args.alerts.is_some()) {
        eprintln!(
            "warning: --monitor and --alerts have no effect: [detect] enabled = false in the configuration"
        );
    }
    if config.routes.is_empty() {
        anyhow::bail!("no upstream: give --upstream URL or [[routes]] in --config");
    }
    config.check().map_err(|message| anyhow::anyhow!("configuration: {message}"))?;
    Ok(config)
}

pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
