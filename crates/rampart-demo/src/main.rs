//! `rampart-demo`: run the demo bank API (flawed or fixed), drive traffic at it (ordinary
//! customers, or the live demo's attackers), record a HAR sample, or print the identities a
//! scanner uses against it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use rampart_demo::attackers::{self, Attacker, AttackerConfig};
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
        /// Play journeys until Ctrl-C (in budgets of `--requests`), keeping only counts, at
        /// `--rate` (20 requests a second by default); prints the counts at the end.
        #[arg(long, conflicts_with = "har")]
        continuous: bool,
        /// Requests a second, all simulated customers together (default: as fast as the API
        /// answers, or 20 with `--continuous`).
        #[arg(long)]
        rate: Option<f64>,
        /// Ordinary customers only: no password-guessing burst, no snooping customer, and the
        /// two accounts the attackers use left alone.
        #[arg(long)]
        benign_only: bool,
    },
    /// Run the live demo's attackers (credential stuffer, BOLA enumerator, SQL injector,
    /// scraper) against the API or a gateway in front of it, each from its own address in
    /// `X-Forwarded-For`, until Ctrl-C; prints what each sent and how it was answered.
    Attack {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        target: String,
        /// Must match the `--seed` the API was started with.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Must match the `--customers` the API was started with.
        #[arg(long, default_value_t = 300)]
        customers: usize,
        /// Only these attackers (comma-separated): credential-stuffer, enumerator, injector,
        /// scraper. Default: all four.
        #[arg(long, value_delimiter = ',')]
        only: Vec<Attacker>,
        /// Seconds before the first attacker starts.
        #[arg(long, default_value_t = 0)]
        start_delay_secs: u64,
        /// Seconds between one attacker's start and the next's.
        #[arg(long, default_value_t = 5)]
        stagger_secs: u64,
        /// Seconds between two rounds of one attacker.
        #[arg(long, default_value_t = 15)]
        round_pause_secs: u64,
        /// Stop each attacker after this many requests instead of at Ctrl-C.
        #[arg(long)]
        requests: Option<u64>,
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

/// A stop signal that turns `true` at Ctrl-C.
fn stop_on_ctrl_c() -> tokio::sync::watch::Receiver<bool> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        match tokio::signal::ctrl_c().await {
            Ok(()) => {
                tracing::info!("Ctrl-C: stopping");
                let _ = stop.send(true);
            }
            Err(e) => {
                // Ctrl-C then ends the process the default way; dropping the sender would stop
                // the run at once.
                tracing::warn!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
                drop(stop);
            }
        }
    });
    stopped
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
        Command::Traffic {
            target,
            customers,
            requests,
            seed,
            har,
            forwarded_for,
            continuous,
            rate,
            benign_only,
        } => {
            let rate = rate.or(continuous.then_some(traffic::DEMO_REQUESTS_PER_SECOND));
            let config = TrafficConfig {
                target,
                seed,
                customers,
                requests,
                simulated_clock: None,
                forwarded_for,
                pace: rate.and_then(traffic::pace_for_rate),
                keep_exchanges: !continuous,
                benign_only,
            };
            if continuous {
                let summary = traffic::run_until(&config, stop_on_ctrl_c()).await?;
                println!("{}", serde_json::to_string_pretty(&summary)?);
                return Ok(());
            }
            let exchanges = traffic::run(&config).await?;
            eprintln!("sent {} requests", exchanges.len());
            if let Some(path) = har {
                write_har(&path, exchanges)?;
            }
        }
        Command::Attack {
            target,
            seed,
            customers,
            only,
            start_delay_secs,
            stagger_secs,
            round_pause_secs,
            requests,
        } => {
            let config = AttackerConfig {
                target,
                seed,
                customers,
                start_delay: Duration::from_secs(start_delay_secs),
                stagger: Duration::from_secs(stagger_secs),
                round_pause: Duration::from_secs(round_pause_secs),
                attackers: if only.is_empty() { Attacker::ALL.to_vec() } else { only },
                max_requests: requests,
            };
            let summary = attackers::run_attackers(&config, stop_on_ctrl_c()).await?;
            println!("{}", serde_json::to_string_pretty(&summary)?);
        }
        Command::Record { har, requests, customers, seed } => {
            let exchanges = traffic::record(&RecordOptions { seed, customers, requests, keys: None }).await?;
            write_har(&har, exchanges)?;
        }
    }
    Ok(())
}
