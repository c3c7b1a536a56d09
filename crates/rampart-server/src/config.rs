//! `rampart.toml` as `rampart serve` reads it: the gateway's file (every key `rampart gateway`
//! reads, unchanged) plus three sections of its own, `[server]`, `[store]` and `[pipeline]`
//! (reference: `docs/configuration.md`).
//!
//! Why the file is split by lines before parsing rather than read into one struct with
//! `#[serde(flatten)]`: flattening makes serde buffer the document, and toml's errors then lose
//! their position. Each half is parsed from the whole text with the other half's lines blanked,
//! so an error in either still names its line and column in the user's file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rampart_gateway::GatewayConfig;
use rampart_gateway::config::line_and_column;
use serde::Deserialize;

/// Sections only `rampart serve` reads.
const SERVE_SECTIONS: [&str; 3] = ["server", "store", "pipeline"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: String, line: usize, column: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Everything `rampart serve` runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub gateway: GatewayConfig,
    pub server: ServerConfig,
    pub store: StoreConfig,
    pub pipeline: PipelineConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServeSections {
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    store: StoreConfig,
    #[serde(default)]
    pipeline: PipelineConfig,
}

/// `[server]`: the control plane.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The REST API and the dashboard; keep it off the public interface.
    pub listen: SocketAddr,
    /// Serve the web dashboard at `/`.
    pub dashboard: bool,
    /// Failed token checks a minute from one address before it is answered 429.
    pub auth_failures_per_minute: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
            dashboard: true,
            auth_failures_per_minute: 10,
        }
    }
}

/// `[store]`: the SQLite database.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreConfig {
    pub path: PathBuf,
    /// Per-minute traffic counters older than this are pruned.
    pub traffic_retention_days: u32,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { path: PathBuf::from("rampart.db"), traffic_retention_days: 30 }
    }
}

/// `[pipeline]`: analysis of the tap and of watched files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// How often what arrived is analysed and saved.
    pub interval_ms: u64,
    /// Exchanges waiting for analysis; beyond that the copies are dropped and counted.
    pub queue: usize,
    /// Declared OpenAPI specs loaded at start.
    pub specs: Vec<PathBuf>,
    /// HAR or Exchange JSONL files, or directories of them, ingested as they appear or grow.
    pub watch: Vec<PathBuf>,
    pub watch_interval_ms: u64,
    /// Classify sensitive data in bodies.
    pub sensitive: bool,
    /// Keep requests for static assets (scripts, styles, images) in the inventory.
    pub include_static: bool,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            interval_ms: 5000,
            queue: 20_000,
            specs: Vec::new(),
            watch: Vec::new(),
            watch_interval_ms: 2000,
            sensitive: true,
            include_static: false,
        }
    }
}

impl ServeConfig {
    /// The defaults with one catch-all route to `upstream`.
    pub fn with_upstream(upstream: &str) -> ServeConfig {
        let mut gateway = GatewayConfig::default();
        gateway.routes.push(rampart_gateway::config::RouteConfig {
            name: Some("default".to_owned()),
            host: None,
            path_prefix: "/".to_owned(),
            upstream: upstream.to_owned(),
            mode: rampart_gateway::Mode::Monitor,
            auth: Default::default(),
            mask: Vec::new(),
        });
        ServeConfig {
            gateway,
            server: ServerConfig::default(),
            store: StoreConfig::default(),
            pipeline: PipelineConfig::default(),
        }
    }

    pub fn load(path: &Path) -> Result<ServeConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        ServeConfig::parse(&shown, &text)
    }

    /// Parses and checks a file; `path` only names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<ServeConfig, ConfigError> {
        // Syntax first, on the whole text, so a broken line is reported once and exactly.
        if let Err(error) = text.parse::<toml::Table>() {
            return Err(syntax(path, text, &error));
        }
        let (gateway_text, serve_text) = split(text);
        let gateway = GatewayConfig::parse(path, &gateway_text).map_err(from_gateway_error)?;
        let sections: ServeSections =
            toml::from_str(&serve_text).map_err(|error| syntax(path, &serve_text, &error))?;
        let config = ServeConfig {
            gateway,
            server: sections.server,
            store: sections.store,
            pipeline: sections.pipeline,
        };
        config.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
        Ok(config)
    }

    /// Only the gateway's half of a file (`rampart gateway --config` on a file written for
    /// `rampart serve`): the serve-only sections are left out, unread.
    pub fn load_gateway(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        if let Err(error) = text.parse::<toml::Table>() {
            return Err(syntax(&shown, &text, &error));
        }
        let (gateway_text, _) = split(&text);
        GatewayConfig::parse(&shown, &gateway_text).map_err(from_gateway_error)
    }

    /// What serde cannot say.
    pub fn check(&self) -> Result<(), String> {
        self.gateway.check()?;
        if self.gateway.routes.is_empty() {
            return Err("routes: at least one [[routes]] entry with an `upstream` is needed".to_owned());
        }
        let gateway_ports = [self.gateway.listen, self.gateway.admin_listen];
        if self.server.listen.port() != 0 && gateway_ports.contains(&self.server.listen) {
            return Err(format!(
                "server.listen: {} is already the gateway's listen or admin_listen",
                self.server.listen
            ));
        }
        if self.server.auth_failures_per_minute == 0 {
            return Err("server.auth_failures_per_minute: at least 1".to_owned());
        }
        if self.pipeline.interval_ms < 100 {
            return Err("pipeline.interval_ms: at least 100".to_owned());
        }
        if self.pipeline.queue == 0 {
            return Err("pipeline.queue: at least 1".to_owned());
        }
        if self.pipeline.watch_interval_ms < 100 {
            return Err("pipeline.watch_interval_ms: at least 100".to_owned());
        }
        if self.store.traffic_retention_days == 0 {
            return Err("store.traffic_retention_days: at least 1".to_owned());
        }
        if self.store.path.as_os_str().is_empty() {
            return Err("store.path: must name a file".to_owned());
        }
        for (index, spec) in self.pipeline.specs.iter().enumerate() {
            if !spec.is_file() {
                return Err(format!("pipeline.specs[{index}]: {} is not a readable file", spec.display()));
            }
        }
        Ok(())
    }
}

fn from_gateway_error(error: rampart_gateway::ConfigError) -> ConfigError {
    match error {
        rampart_gateway::ConfigError::Syntax { path, line, column, message } => {
            ConfigError::Syntax { path, line, column, message }
        }
        rampart_gateway::ConfigError::Invalid { path, message } => ConfigError::Invalid { path, message },
        rampart_gateway::ConfigError::Read { path, source } => ConfigError::Read { path, source },
    }
}

fn syntax(path: &str, text: &str, error: &toml::de::Error) -> ConfigError {
    let (line, column) = error.span().map_or((0, 0), |span| line_and_column(text, span.start));
    ConfigError::Syntax { path: path.to_owned(), line, column, message: error.message().to_owned() }
}

/// The text twice, line for line: once with the serve-only sections blanked (the gateway's
/// half), once with everything else blanked.
fn split(text: &str) -> (String, String) {
    let mut gateway = String::with_capacity(text.len());
    let mut serve = String::with_capacity(text.len());
    let mut in_serve_section = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(header) = table_header(trimmed) {
            in_serve_section = is_serve_key(header);
        }
        // A dotted key at the top (`server.listen = …`) belongs to its section too.
        let serve_line = in_serve_section || (table_header(trimmed).is_none() && is_serve_key(trimmed));
        let (keep, blank) = if serve_line { (&mut serve, &mut gateway) } else { (&mut gateway, &mut serve) };
        keep.push_str(line);
        if line.ends_with('\n') {
            blank.push('\n');
        }
    }
    (gateway, serve)
}

/// The name inside `[name]` or `[[name]]`, when the line is a table header.
fn table_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let end = inner.find(']')?;
    Some(inner[..end].trim())
}

fn is_serve_key(text: &str) -> bool {
    let name = text.split(['.', '=', ' ', '\t']).next().unwrap_or("").trim_matches('"');
    SERVE_SECTIONS.contains(&name)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::Strategy;

    use super::*;

    proptest::proptest! {
        /// The split never moves a line: both halves have the input's lines, each input line is
        /// kept whole in exactly one half and blank in the other — so positions in errors hold.
        #[test]
        fn splitting_keeps_every_line_in_its_place(lines in proptest::collection::vec(
            proptest::prop_oneof![
                "[a-z_.\\[\\] =\"0-9]{0,30}",
                proptest::sample::select(vec![
                    "[server]", "[store]", "[pipeline]", "[[routes]]", "[detect]", "server.listen = 1",
                    "[ server ]", "[[pipeline.x]]", "listen = \"127.0.0.1:1\"",
                ]).prop_map(str::to_owned),
            ],
            0..40,
        )) {
            let text = lines.join("\n");
            let (gateway, serve) = split(&text);
            let g: Vec<&str> = gateway.split('\n').collect();
            let s: Vec<&str> = serve.split('\n').collect();
            let input: Vec<&str> = text.split('\n').collect();
            proptest::prop_assert_eq!(g.len(), input.len());
            proptest::prop_assert_eq!(s.len(), input.len());
            for ((line, g), s) in input.iter().zip(&g).zip(&s) {
                proptest::prop_assert!((g == line && s.is_empty()) || (s == line && g.is_empty()), "{line:?} -> {g:?} / {s:?}");
            }
        }
    }

    #[test]
    fn a_minimal_file_needs_only_an_upstream() {
        let config =
            ServeConfig::parse("rampart.toml", "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n").unwrap();
        assert_eq!(config.gateway.routes.len(), 1);
        assert_eq!(config.server.listen, SocketAddr::from(([127, 0, 0, 1], 9090)));
        assert_eq!(config.store.path, PathBuf::from("rampart.db"));
        assert_eq!(config.pipeline.interval_ms, 5000);
    }

    #[test]
    fn serve_sections_and_gateway_sections_mix() {
        let text = r#"
listen = "127.0.0.1:8081"

[server]
listen = "127.0.0.1:9191"
dashboard = false

[[routes]]
upstream = "http://127.0.0.1:3000"

[store]
path = "/var/lib/rampart/rampart.db"

[detect]
monitor = true

[pipeline]
interval_ms = 1000
watch = ["/var/log/rampart"]
"#;
        let config = ServeConfig::parse("rampart.toml", text).unwrap();
        assert_eq!(config.gateway.listen.port(), 8081);
        assert_eq!(config.server.listen.port(), 9191);
        assert!(!config.server.dashboard);
        assert!(config.gateway.detect.monitor);
        assert_eq!(config.store.path, PathBuf::from("/var/lib/rampart/rampart.db"));
        assert_eq!(config.pipeline.interval_ms, 1000);
        assert_eq!(config.pipeline.watch, vec![PathBuf::from("/var/log/rampart")]);
    }

    #[test]
    fn errors_name_the_line_in_either_half() {
        let text = "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n\n[server]\nlisten = \"nowhere\"\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.starts_with("rampart.toml:5:"), "{error}");

        let text = "[server]\nlisten = \"127.0.0.1:9191\"\n\n[[routes]]\nupstream = \"http://127.0.0.1:3000\"\nmode = \"blocking\"\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.starts_with("rampart.toml:6:"), "{error}");

        let text = "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[pipeline]\nintervall_ms = 10\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.starts_with("rampart.toml:4:") && error.contains("intervall_ms"), "{error}");

        let text = "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[pipeline\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.starts_with("rampart.toml:3:"), "{error}");
    }

    #[test]
    fn the_gateway_reads_the_same_file_without_the_serve_sections() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rampart.toml");
        std::fs::write(&path, "[server]\nlisten = \"127.0.0.1:9191\"\n[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[store]\npath = \"x.db\"\n")
            .unwrap();
        let gateway = ServeConfig::load_gateway(&path).unwrap();
        assert_eq!(gateway.routes.len(), 1);
        std::fs::write(
            &path,
            "[server]\nlisten = \"127.0.0.1:9191\"\n[[routes]]\nupstreem = \"http://127.0.0.1:3000\"\n",
        )
        .unwrap();
        let error = ServeConfig::load_gateway(&path).unwrap_err().to_string();
        assert!(error.contains(":4:") && error.contains("upstreem"), "{error}");
    }

    #[test]
    fn checks_what_serde_cannot() {
        let error = ServeConfig::parse("rampart.toml", "[server]\nlisten = \"127.0.0.1:9191\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("routes"), "{error}");
        let text =
            "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[server]\nlisten = \"127.0.0.1:8080\"\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.contains("server.listen"), "{error}");
        let text =
            "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[server]\nauth_failures_per_minute = 0\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.contains("server.auth_failures_per_minute"), "{error}");
        let text = "[[routes]]\nupstream = \"http://127.0.0.1:3000\"\n[pipeline]\nspecs = [\"/nonexistent/spec.yaml\"]\n";
        let error = ServeConfig::parse("rampart.toml", text).unwrap_err().to_string();
        assert!(error.contains("pipeline.specs[0]"), "{error}");
    }
}
