//! `rampart`: API security for banks, in one binary.
//!
//! This crate only wires things together: it parses arguments, opens sources and stores, runs
//! the analysis stages (which live in their own crates and do no I/O), draws progress, and turns
//! results into tables, files and exit codes. Errors meet `anyhow` here and nowhere else.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod classify;
mod demo;
mod detect;
mod discover;
mod findings;
mod gateway;
mod scan;
mod serve;
mod table;

#[derive(Parser)]
#[command(
    name = "rampart",
    version,
    about = "API security for banks: discover and catalogue APIs from traffic, find sensitive data."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress bars or summaries on stderr (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Log filter for diagnostics on stderr, e.g. `info` or `rampart_ingest=debug` (default: warn, or RUST_LOG).
    #[arg(long, global = true)]
    log: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Build the API inventory from traffic files (HAR 1.2 or Exchange JSONL).
    Discover(discover::DiscoverArgs),
    /// List the passive security findings (OWASP API Top 10 2023) of traffic files, or of the last run stored in the database.
    Findings(findings::FindingsArgs),
    /// Find sensitive data (cards, IBANs, APAC national IDs, contacts, secrets) in a JSON or text file.
    Classify(classify::ClassifyArgs),
    /// Run the inline gateway: a reverse proxy that validates, authenticates, limits, blocks,
    /// masks and taps API traffic.
    Gateway(gateway::GatewayArgs),
    /// Audit OpenAPI 3.0/3.1 specs for security weaknesses (OWASP API Top 10 2023): text, JSON
    /// or SARIF; `--fail-on` sets the exit code for CI.
    Audit(audit::AuditArgs),
    /// Test a running API against the OWASP API Top 10 (2023) with crafted requests, as two or
    /// more identities: text, JSON, SARIF, JUnit or HTML; `--fail-on` sets the exit code for CI.
    Scan(scan::ScanArgs),
    /// Run the behavioural detectors (credential stuffing, takeover, enumeration, scraping,
    /// floods, probing, flow abuse) over recorded traffic and list the alerts and the decisions
    /// the gateway would have made; `--fail-on` sets the exit code.
    Detect(detect::DetectArgs),
    /// Run the platform in one process: the gateway, the analysis pipeline (discovery, sensitive
    /// data, posture, detection), the SQLite store, and the control plane (REST API and web
    /// dashboard).
    Serve(serve::ServeArgs),
    /// Create, list and revoke the control plane's access tokens (roles viewer, operator, admin).
    Token(serve::TokenArgs),
    /// Check a rampart.toml.
    Config(serve::ConfigArgs),
    /// The demo bank with Rampart in front of it and simulated customers and attackers: open the
    /// printed dashboard URL. Ctrl-C stops it.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo prints its own story (URL, token, what each attacker met); the detectors' log
    // lines would scroll it away, so it logs errors only unless asked otherwise.
    let quiet_demo = matches!(cli.command, Command::Demo(_)) && std::env::var_os("RUST_LOG").is_none();
    init_logging(cli.log.as_deref().or(quiet_demo.then_some("error")));
    let ui = Ui { quiet: cli.quiet, terminal: std::io::stderr().is_terminal() };
    let result = match cli.command {
        Command::Discover(args) => discover::run(args, &ui),
        Command::Findings(args) => findings::run(args, &ui),
        Command::Classify(args) => classify::run(args, &ui),
        Command::Gateway(args) => gateway::run(args),
        Command::Audit(args) => audit::run(args, &ui),
        Command::Scan(args) => scan::run(args, &ui),
        Command::Detect(args) => detect::run(args, &ui),
        Command::Serve(args) => serve::run(args),
        Command::Token(args) => serve::token(args),
        Command::Config(args) => serve::config(args),
        Command::Demo(args) => demo::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: Option<&str>) {
    use tracing_subscriber::EnvFilter;
    let filter = match filter {
        Some(f) => EnvFilter::try_new(f).unwrap_or_else(|_| EnvFilter::new("warn")),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Write to stdout. A reader that went away (`rampart discover … | head`) is not an error of
/// ours: the command ends quietly instead of panicking as `print!` would.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(err) => Err(anyhow::Error::new(err).context("cannot write to standard output")),
    }
}

/// How chatty to be on stderr.
pub struct Ui {
    pub quiet: bool,
    pub terminal: bool,
}

impl Ui {
    /// Progress bars only make sense on a terminal.
    pub fn show_progress(&self) -> bool {
        !self.quiet && self.terminal
    }
}
