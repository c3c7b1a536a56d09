//! `rampart demo`: the demo bank, Rampart in front of it, and the demo's customers and
//! attackers, in one command — what a new user runs first (the README's run command).
//!
//! Everything runs in this process on loopback: the bank (`rampart-demo`'s API, flawed mode:
//! shadow and zombie endpoints, a card endpoint that returns full card numbers), `rampart serve`
//! on its defaults with the bank's declared spec, the traffic generator's ordinary customers
//! (each its own address through `X-Forwarded-For`, which the gateway trusts from loopback),
//! and four attackers (credential stuffing, ID enumeration, SQL injection, scraping) that the
//! detectors find and the gateway blocks. Ctrl-C stops the generators, then the platform (which
//! saves its analysis), then the bank.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::Utc;
use clap::Args;
use rampart_demo::attackers::{Attacker, AttackerConfig};
use rampart_demo::data::Dataset;
use rampart_demo::jwt::SigningKeys;
use rampart_demo::state::{AppState, Clock};
use rampart_demo::traffic::TrafficConfig;
use rampart_server::ServeConfig;
use rampart_store::{Role, SqliteStore};
use tokio::sync::watch;

/// The demo bank's declared spec, compiled in so the demo runs from any directory.
const BANK_SPEC: &str = include_str!("../../../examples/bank-api.openapi.yaml");

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the gateway listens (the demo bank is reached through it) [default: 127.0.0.1:8080,
    /// or a free port when that one is taken].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The dashboard and API [default: 127.0.0.1:9090, or a free port when that one is taken].
    #[arg(long)]
    control_listen: Option<SocketAddr>,
    /// Keep the demo's database here (default: a new temporary one each run).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Simulated customers in the bank's book.
    #[arg(long, default_value_t = 300)]
    customers: usize,
    /// Requests a second of the ordinary customers, all together.
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    /// Seconds before the first attacker starts (the inventory fills first).
    #[arg(long, default_value_t = 10)]
    attack_after: u64,
    /// No attackers: ordinary customers only.
    #[arg(long)]
    no_attackers: bool,
    /// Stop by itself after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    duration: Option<u64>,
}

const SEED: u64 = 42;

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if args.customers < 10 {
        anyhow::bail!("--customers: at least 10");
    }
    let runtime = crate::serve::runtime()?;
    runtime.block_on(demo(args))
}

async fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let temporary = match &args.db {
        Some(_) => None,
        None => Some(tempfile::tempdir().context("creating a temporary directory for the demo's database")?),
    };
    let db = match (&args.db, &temporary) {
        (Some(db), _) => db.clone(),
        (None, Some(dir)) => dir.path().join("rampart-demo.db"),
        (None, None) => PathBuf::from("rampart-demo.db"),
    };

    eprintln!("starting the demo bank ({} customers)…", args.customers);
    let keys = tokio::task::spawn_blocking(|| SigningKeys::from_demo_seed(SEED, SigningKeys::DEFAULT_BITS))
        .await
        .context("creating the bank's signing key")?
        .context("creating the bank's signing key")?;
    let state = AppState::new(Dataset::generate(SEED, args.customers), Arc::new(keys), Clock::System);
    let bank_listener =
        tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the demo bank to 127.0.0.1")?;
    let bank_addr = bank_listener.local_addr()?;
    let bank = tokio::spawn(rampart_demo::serve(bank_listener, state));

    let (token, config) = prepare(&args, &db, bank_addr)?;
    let server = rampart_server::start(config).await.context("starting rampart serve")?;
    let gateway = format!("http://{}", server.gateway_addr);

    let (stop, stopped) = watch::channel(false);
    let customers = TrafficConfig {
        target: gateway.clone(),
        seed: SEED,
        customers: args.customers,
        requests: 1000,
        simulated_clock: None,
        forwarded_for: true,
        pace: rampart_demo::traffic::pace_for_rate(args.rate),
        keep_exchanges: false,
        benign_only: true,
    };
    let customers_stop = stopped.clone();
    let customers =
        tokio::spawn(async move { rampart_demo::traffic::run_until(&customers, customers_stop).await });
    let attackers = (!args.no_attackers).then(|| {
        let config = AttackerConfig {
            target: gateway.clone(),
            seed: SEED,
            customers: args.customers,
            start_delay: Duration::from_secs(args.attack_after),
            ..AttackerConfig::default()
        };
        let stop = stopped.clone();
        tokio::spawn(async move { rampart_demo::attackers::run_attackers(&config, stop).await })
    });

    let dashboard = format!("http://{}/#token={token}", server.control_addr);
    eprintln!();
    eprintln!("Rampart demo is running (Ctrl-C stops it)");
    eprintln!("  dashboard   {dashboard}");
    eprintln!(
        "  API token   {token}   (admin; e.g. curl -H 'Authorization: Bearer {token}' http://{}/api/v1/overview)",
        server.control_addr
    );
    eprintln!("  bank API    {gateway}  (through the gateway; the bank itself is on {bank_addr})");
    eprintln!("  database    {}", db.display());
    eprintln!(
        "  traffic     {} customers at {} requests/s{}",
        args.customers,
        args.rate,
        if args.no_attackers {
            String::new()
        } else {
            format!(
                "; attackers from {}s: {}",
                args.attack_after,
                Attacker::ALL
                    .iter()
                    .map(|a| format!("{} ({})", a.name(), a.address()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    eprintln!(
        "  within a minute the dashboard shows the inventory, the shadow and zombie endpoints, the card"
    );
    eprintln!("  endpoint that over-shares, and the attackers being blocked (Attacks page).");
    // The URL on stdout too, for scripts.
    crate::emit(&format!("{dashboard}\n"))?;

    match args.duration {
        Some(seconds) => {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(seconds)) => {}
                _ = crate::gateway::shutdown_signal() => {}
            }
        }
        None => crate::gateway::shutdown_signal().await,
    }
    eprintln!("stopping: traffic, then the platform (saving its analysis), then the bank");
    let _ = stop.send(true);
    match customers.await {
        Ok(Ok(summary)) => eprintln!("  customers: {} requests", summary.sent),
        Ok(Err(error)) => eprintln!("  customers stopped with an error: {error}"),
        Err(error) => eprintln!("  customers: {error}"),
    }
    if let Some(attackers) = attackers {
        match attackers.await {
            Ok(Ok(summary)) => {
                for (attacker, stats) in &summary.attackers {
                    eprintln!(
                        "  {:<18} sent {:>6}, reached the bank {:>6}, refused by the gateway {:>6}",
                        attacker.name(),
                        stats.sent,
                        stats.answered,
                        stats.refused
                    );
                }
            }
            Ok(Err(error)) => eprintln!("  attackers stopped with an error: {error}"),
            Err(error) => eprintln!("  attackers: {error}"),
        }
    }
    server.shutdown().await;
    bank.abort();
    if args.db.is_some() {
        eprintln!("the demo's database is kept in {}", db.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The store with the bank's spec declared and an admin token, and the platform's config.
fn prepare(args: &DemoArgs, db: &std::path::Path, bank: SocketAddr) -> anyhow::Result<(String, ServeConfig)> {
    let mut store =
        SqliteStore::open(db).with_context(|| format!("cannot open the database {}", db.display()))?;
    store.add_spec("bank-api.openapi.yaml", "application/yaml", BANK_SPEC, "rampart demo", Utc::now())?;
    let token = store.create_token(
        "demo-admin",
        Role::Admin,
        Some(Utc::now() + chrono::Duration::days(1)),
        "rampart demo",
        Utc::now(),
    )?;
    store.append_audit(
        Utc::now(),
        "rampart demo",
        "token.create",
        &token.record.id,
        &serde_json::json!({"name": "demo-admin", "role": "admin"}),
        None,
    )?;
    drop(store);

    let mut config = ServeConfig::with_upstream(&format!("http://{bank}"));
    config.gateway.listen = args.listen.unwrap_or_else(|| default_or_free(8080));
    config.gateway.admin_listen = SocketAddr::from(([127, 0, 0, 1], 0));
    // The simulated customers and attackers come through the generator on loopback, each with
    // its own address in X-Forwarded-For.
    config.gateway.forwarding.trusted_proxies = vec!["127.0.0.1/32".parse().context("loopback network")?];
    // The demo prints its own summary; a line per request would drown it.
    config.gateway.access_log.enabled = false;
    config.server.listen = args.control_listen.unwrap_or_else(|| default_or_free(9090));
    config.store.path = db.to_path_buf();
    // A livelier dashboard than the default 5 s.
    config.pipeline.interval_ms = 2000;
    config.check().map_err(|message| anyhow::anyhow!("configuration: {message}"))?;
    Ok((token.secret, config))
}

/// `127.0.0.1:port`, or an ephemeral port when something else holds that one (a second demo, a
/// development server): the demo should start wherever it is run. Ports given on the command
/// line are used as given.
fn default_or_free(port: u16) -> SocketAddr {
    let preferred = SocketAddr::from(([127, 0, 0, 1], port));
    match std::net::TcpListener::bind(preferred) {
        Ok(_) => preferred,
        Err(_) => {
            eprintln!("note: 127.0.0.1:{port} is in use; the demo takes a free port instead");
            SocketAddr::from(([127, 0, 0, 1], 0))
        }
    }
}
