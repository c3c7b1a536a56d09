//! `rampart-demo`: run the demo bank API (flawed or fixed), drive traffic at it, record a HAR
//! sample, or print the identities a scanner uses against it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rampart_demo::data::Dataset;
use rampart_demo::jwt::SigningKeys;
use rampart_demo::traffic::{self, RecordOptions, TrafficConfig};
use rampart_demo::{AppState, Clock, Mode};

#[derive(Parser)]
#[command(name = "rampart-demo", version, about = "A demo open-banking API and its traffic generator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the demo bank API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seed of the generated customers and accounts.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 300)]
        customers: usize,
        /// `flawed` keeps the planted weaknesses; `fixed` serves the same endpoints safely.
        #[arg(long, default_value_t = Mode::Flawed)]
        mode: Mode,
    },
    /// Print the identities TOML `rampart scan` uses against the demo bank: two customers and
    /// the ops admin.
    Identities {
        /// Must match the `--seed` the API was started with.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Must match the `--customers` the API was started with.
        #[arg(long, default_value_t = 300)]
        customers: usize,
    },
    /// Print the flaws planted for `rampart scan` (flawed mode), one per line, tab-separated:
    /// OWASP category, class, method, path template (`*` = any path).
    PlantedFlaws,
    /// Drive a running demo API with simulated customers.
    Traffic {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        target: String,
        /// Must match the `--customers` the API was started with.
        #[arg(long, default_value_t = 300)]
        customers: usize,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Must match the `--seed` the API was started with.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Write the exchanges as HAR here.
        #[arg(long)]
        har: Option<PathBuf>,
        /// Send `X-Forwarded-For` with each simulated caller's address, so that a gateway that
        /// trusts this machine as a proxy tells the simulated customers apart.
        #[arg(long)]
        forwarded_for: bool,
    },
    /// Start the API in-process, drive it with a simulated clock and write a reproducible HAR.
    Record {
        #[arg(long)]
        har: PathBuf,
        #[arg(long, default_value_t = 3000)]
        requests: usize,
        #[arg(long, default_value_t = 300)]
        customers: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

fn write_har(path: &PathBuf, exchanges: Vec<rampart_core::Exchange>) -> anyhow::Result<()> {
    let count = exchanges.len();
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    traffic::write_har(file, exchanges).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {count} exchanges to {}", path.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { listen, seed, customers, mode } => {
            let keys =
                tokio::task::spawn_blocking(|| SigningKeys::generate(SigningKeys::DEFAULT_BITS)).await??;
            let state =
                AppState::with_mode(Dataset::generate(seed, customers), Arc::new(keys), Clock::System, mode);
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            tracing::info!(address = %listener.local_addr()?, seed, customers, %mode, "demo bank API listening");
            rampart_demo::serve(listener, state).await?;
        }
        Command::Identities { seed, customers } => {
            print!("{}", rampart_demo::identities::identities_toml(&Dataset::generate(seed, customers)));
        }
        Command::PlantedFlaws => {
            let lines: String = rampart_demo::scan_planted_flaws()
                .into_iter()
                .map(|(owasp, class, method, template)| format!("{owasp}\t{class}\t{method}\t{template}\n"))
                .collect();
            print!("{lines}");
        }
        Command::Traffic { target, customers, requests, seed, har, forwarded_for } => {
            let config =
                TrafficConfig { target, seed, customers, requests, simulated_clock: None, forwarded_for };
            let exchanges = traffic::run(&config).await?;
            eprintln!("sent {} requests", exchanges.len());
            if let Some(path) = har {
                write_har(&path, exchanges)?;
            }
        }
        Command::Record { har, requests, customers, seed } => {
            let exchanges = traffic::record(&RecordOptions { seed, customers, requests, keys: None }).await?;
            write_har(&har, exchanges)?;
        }
    }
    Ok(())
}
