//! `rampart serve`, `rampart token` and `rampart config check`: the platform in one process, the
//! tokens of its control plane, and its configuration file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use clap::{Args, Subcommand};
use rampart_server::ServeConfig;
use rampart_store::{Role, SqliteStore};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// `rampart.toml`: the gateway's keys plus `[server]`, `[store]` and `[pipeline]`
    /// (docs/configuration.md).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The upstream of a catch-all route (enough to start without a file).
    #[arg(long)]
    upstream: Option<String>,
    /// Where clients connect (the gateway's `listen`).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The control plane: REST API and dashboard (`[server] listen`).
    #[arg(long)]
    control_listen: Option<SocketAddr>,
    /// The SQLite database (`[store] path`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Declared OpenAPI specs to compare the traffic with (`[pipeline] specs`).
    #[arg(long)]
    spec: Vec<PathBuf>,
    /// Files or directories of HAR / Exchange JSONL to ingest as they appear (`[pipeline] watch`).
    #[arg(long)]
    watch: Vec<PathBuf>,
}

pub fn serve_config(
    config_path: Option<&Path>,
    upstream: Option<&str>,
    db: Option<&Path>,
) -> anyhow::Result<ServeConfig> {
    let mut config = match config_path {
        Some(path) => ServeConfig::load(path)?,
        None => match upstream {
            Some(upstream) => ServeConfig::with_upstream(upstream),
            None => anyhow::bail!(
                "no upstream: give --upstream URL or --config rampart.toml with a [[routes]] entry"
            ),
        },
    };
    if let (Some(upstream), Some(_)) = (upstream, config_path) {
        // The flag's route is the catch-all; routes from the file keep their own prefixes.
        config.gateway.routes.retain(|route| route.path_prefix != "/" || route.host.is_some());
        let mut catch_all = ServeConfig::with_upstream(upstream).gateway.routes;
        config.gateway.routes.append(&mut catch_all);
    }
    if let Some(db) = db {
        config.store.path = db.to_path_buf();
    }
    Ok(config)
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = serve_config(args.config.as_deref(), args.upstream.as_deref(), args.db.as_deref())?;
    if let Some(listen) = args.listen {
        config.gateway.listen = listen;
    }
    if let Some(listen) = args.control_listen {
        config.server.listen = listen;
    }
    config.pipeline.specs.extend(args.spec);
    config.pipeline.watch.extend(args.watch);
    config.check().map_err(|message| anyhow::anyhow!("configuration: {message}"))?;
    let first_token = first_admin_token(&config.store.path)?;
    let runtime = runtime()?;
    runtime.block_on(async move {
        let server = rampart_server::start(config).await?;
        eprintln!("rampart serve");
        eprintln!("  gateway        http://{}", server.gateway_addr);
        eprintln!("  dashboard/API  http://{}/", server.control_addr);
        eprintln!("  admin/metrics  http://{}/metrics", server.admin_addr);
        if let Some(secret) = first_token {
            eprintln!(
                "  first admin token (shown once, on standard output; more with `rampart token create`)"
            );
            crate::emit(&format!("{secret}\n"))?;
        }
        eprintln!("ready (Ctrl-C or SIGTERM stops)");
        crate::gateway::shutdown_signal().await;
        eprintln!("shutting down: draining requests in flight, saving the analysis");
        server.shutdown().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// A runtime for the control plane and background work; requests are served on the gateway's
/// own threads.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// On a store without any token, an admin token is created so that the dashboard can be
/// opened at all; its secret is returned to be shown once.
fn first_admin_token(db: &Path) -> anyhow::Result<Option<String>> {
    let mut store =
        SqliteStore::open(db).with_context(|| format!("cannot open the database {}", db.display()))?;
    if !store.list_tokens()?.is_empty() {
        return Ok(None);
    }
    let token = store.create_token("initial-admin", Role::Admin, None, "rampart serve", Utc::now())?;
    store.append_audit(
        Utc::now(),
        "rampart serve",
        "token.create",
        &token.record.id,
        &serde_json::json!({"name": token.record.name, "role": "admin", "reason": "no token existed"}),
        None,
    )?;
    Ok(Some(token.secret))
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    /// The database of `rampart serve` (default: `[store] path` of --config, else rampart.db).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Read the database path from this rampart.toml.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token and print it (only its SHA-256 is stored: it cannot be shown again).
    Create {
        #[arg(long)]
        name: String,
        /// viewer (read), operator (+ finding status, decisions, specs) or admin (+ tokens, audit log).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Days until it expires (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id (`tok_…`).
    Revoke { id: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse::<Role>().map_err(|error| error.to_string())
}

fn actor() -> String {
    format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()))
}

pub fn token(args: TokenArgs) -> anyhow::Result<ExitCode> {
    let db = match (&args.db, &args.config) {
        (Some(db), _) => db.clone(),
        (None, Some(config)) => ServeConfig::load(config)?.store.path,
        (None, None) => PathBuf::from("rampart.db"),
    };
    let mut store =
        SqliteStore::open(&db).with_context(|| format!("cannot open the database {}", db.display()))?;
    match args.command {
        TokenCommand::Create { name, role, expires_days } => {
            if name.trim().is_empty() || name.chars().count() > 100 {
                anyhow::bail!("--name: 1 to 100 characters");
            }
            let expires_at = match expires_days {
                Some(days @ 1..=3650) => Some(Utc::now() + chrono::Duration::days(i64::from(days))),
                Some(_) => anyhow::bail!("--expires-days: 1 to 3650"),
                None => None,
            };
            let token = store.create_token(&name, role, expires_at, &actor(), Utc::now())?;
            store.append_audit(
                Utc::now(),
                &actor(),
                "token.create",
                &token.record.id,
                &serde_json::json!({"name": name, "role": role.as_str(), "expires_at": expires_at}),
                None,
            )?;
            eprintln!(
                "created {} token {} ({name}) in {}; it is shown once:",
                role.as_str(),
                token.record.id,
                db.display()
            );
            crate::emit(&format!("{}\n", token.secret))?;
        }
        TokenCommand::List => {
            let mut out =
                format!("{:<17} {:<9} {:<26} {:<26} {}\n", "ID", "ROLE", "CREATED", "EXPIRES", "NAME");
            for token in store.list_tokens()? {
                let expires = match (token.revoked_at, token.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    (None, Some(at)) => at.format("%Y-%m-%d %H:%M").to_string(),
                    (None, None) => "never".to_owned(),
                };
                out.push_str(&format!(
                    "{:<17} {:<9} {:<26} {:<26} {}\n",
                    token.id,
                    token.role.as_str(),
                    token.created_at.format("%Y-%m-%d %H:%M"),
                    expires,
                    token.name
                ));
            }
            crate::emit(&out)?;
        }
        TokenCommand::Revoke { id } => {
            if !store.revoke_token(&id, Utc::now())? {
                eprintln!("error: no token {id} in force in {}", db.display());
                return Ok(ExitCode::from(2));
            }
            store.append_audit(Utc::now(), &actor(), "token.revoke", &id, &serde_json::json!({}), None)?;
            eprintln!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate a rampart.toml and print what `rampart serve` would run (exit 2 when invalid).
    Check {
        #[arg(long, default_value = "rampart.toml")]
        config: PathBuf,
    },
}

pub fn config(args: ConfigArgs) -> anyhow::Result<ExitCode> {
    let ConfigCommand::Check { config: path } = args.command;
    let config = match ServeConfig::load(&path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    // What only starting would show: specs the validator cannot load, JWKS, the blocklist files.
    let runtime = runtime()?;
    let checks = runtime.block_on(rampart_gateway::Checks::from_config(&config.gateway));
    if let Err(message) = checks {
        eprintln!("error: {}: {message}", path.display());
        return Ok(ExitCode::from(2));
    }
    let mut out = format!("{}: valid\n", path.display());
    out.push_str(&format!(
        "  gateway        {} (admin {})\n",
        config.gateway.listen, config.gateway.admin_listen
    ));
    for route in &config.gateway.routes {
        out.push_str(&format!(
            "    route {:<10} {}{} -> {} ({:?})\n",
            route.name.as_deref().unwrap_or("-"),
            route.host.as_deref().unwrap_or("*"),
            route.path_prefix,
            route.upstream,
            route.mode
        ));
    }
    out.push_str(&format!(
        "  control plane  {} (dashboard {})\n",
        config.server.listen,
        if config.server.dashboard { "on" } else { "off" }
    ));
    out.push_str(&format!("  store          {}\n", config.store.path.display()));
    out.push_str(&format!(
        "  pipeline       every {} ms, {} spec(s), {} watched path(s)\n",
        config.pipeline.interval_ms,
        config.pipeline.specs.len(),
        config.pipeline.watch.len()
    ));
    out.push_str(&format!("  {}\n", rampart_gateway::detection::describe(&config.gateway.detect)));
    crate::emit(&out)?;
    Ok(ExitCode::SUCCESS)
}
