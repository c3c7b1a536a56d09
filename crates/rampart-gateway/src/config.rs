//! `rampart.toml`: what the gateway listens on, where it forwards, and what it checks on the way.
//!
//! Every section has defaults, so `rampart gateway --listen … --upstream …` runs without a file.
//! Unknown keys are errors (a misspelt `mode = "blok"` must not silently mean monitor), and
//! every error names the file, line and column.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use rampart_core::SensitiveType;
use serde::{Deserialize, Serialize};

/// What a check does when it fails: report only, or refuse the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Log, count and let the request through.
    #[default]
    Monitor,
    /// Refuse with the check's status code and a problem+json body.
    Block,
}

/// Whether a route needs an authenticated caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthRequirement {
    /// Credentials, when present, must be valid; none is fine.
    #[default]
    Optional,
    /// A valid JWT or API key is required.
    Required,
    /// Credentials are not checked (public routes, health checks).
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Where clients connect.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Health, readiness and Prometheus metrics; keep it off the public interface.
    #[serde(default = "default_admin_listen")]
    pub admin_listen: SocketAddr,
    /// Threads serving requests, each with its own event loop and upstream connection pool
    /// (a connection stays on the thread that accepted it); 0, the default, means one per core.
    #[serde(default)]
    pub workers: usize,
    /// Upstreams, chosen by host and longest path prefix.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    #[serde(default)]
    pub forwarding: ForwardingConfig,
    #[serde(default)]
    pub timeouts: TimeoutConfig,
    #[serde(default)]
    pub limits: LimitConfig,
    #[serde(default)]
    pub tap: TapConfig,
    #[serde(default)]
    pub masking: MaskingConfig,
    #[serde(default)]
    pub access_log: AccessLogConfig,
    /// The positive security model: OpenAPI specs requests and responses are checked against.
    #[serde(default)]
    pub validate: Option<rampart_validate::ValidateConfig>,
    /// JWT and API-key checks.
    #[serde(default)]
    pub auth: Option<rampart_auth::AuthConfig>,
    /// GCRA limits; on by default, with strict limits on login and token endpoints.
    #[serde(default)]
    pub rate_limits: rampart_limits::RateLimitConfig,
    /// Blocked and allowed IPs, CIDRs, identities and tokens (files reloaded when they change).
    #[serde(default)]
    pub blocklist: rampart_limits::BlocklistConfig,
    /// SQL injection and XSS signatures on parameters and bodies.
    #[serde(default)]
    pub injection: rampart_injection::InjectionConfig,
    /// Behavioural detection over the tap (crate `rampart-detect`), on by default: its
    /// decisions reach the blocklist while the gateway runs. The section is the library's own
    /// `DetectConfig`, unchanged, so that `rampart detect` reads the same `[detect]`.
    #[serde(default)]
    pub detect: rampart_detect::DetectConfig,
    /// Where the gateway writes detection's alerts: kept out of `[detect]`, which holds only
    /// what the engine itself reads.
    #[serde(default)]
    pub alerts: AlertsConfig,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn default_admin_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 9901))
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: default_listen(),
            admin_listen: default_admin_listen(),
            workers: 0,
            routes: Vec::new(),
            tls: None,
            forwarding: ForwardingConfig::default(),
            timeouts: TimeoutConfig::default(),
            limits: LimitConfig::default(),
            tap: TapConfig::default(),
            masking: MaskingConfig::default(),
            access_log: AccessLogConfig::default(),
            validate: None,
            auth: None,
            rate_limits: Default::default(),
            blocklist: Default::default(),
            injection: Default::default(),
            detect: Default::default(),
            alerts: AlertsConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Shown in logs and metrics; defaults to the path prefix.
    #[serde(default)]
    pub name: Option<String>,
    /// Only requests for this host (the `Host` header, port ignored); any host when absent.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default = "default_prefix")]
    pub path_prefix: String,
    /// `http://host:port` (optionally with a base path the request path is appended to).
    pub upstream: String,
    /// Default mode of this route's checks (validation, injection).
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub auth: AuthRequirement,
    /// Sensitive types masked in this route's JSON responses, on top of `[masking] types`.
    #[serde(default)]
    pub mask: Vec<SensitiveType>,
}

fn default_prefix() -> String {
    "/".to_owned()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardingConfig {
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed (load balancers in
    /// front of the gateway). From anyone else those headers are replaced, never trusted.
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
}

/// Time limits on every phase, in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutConfig {
    /// From connection (or the previous request) to the end of the request headers: what stops
    /// slow-loris clients.
    pub header_read_ms: u64,
    /// Reading the whole request body.
    pub request_body_ms: u64,
    pub upstream_connect_ms: u64,
    /// From sending the request upstream to the end of the response body.
    pub upstream_response_ms: u64,
    /// An idle keep-alive connection is closed after this.
    pub idle_ms: u64,
    /// On shutdown, in-flight requests get this long to finish.
    pub shutdown_drain_ms: u64,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        TimeoutConfig {
            header_read_ms: 10_000,
            request_body_ms: 30_000,
            upstream_connect_ms: 2_000,
            upstream_response_ms: 30_000,
            idle_ms: 60_000,
            shutdown_drain_ms: 30_000,
        }
    }
}

impl TimeoutConfig {
    pub fn header_read(&self) -> Duration {
        Duration::from_millis(self.header_read_ms)
    }
    pub fn request_body(&self) -> Duration {
        Duration::from_millis(self.request_body_ms)
    }
    pub fn upstream_connect(&self) -> Duration {
        Duration::from_millis(self.upstream_connect_ms)
    }
    pub fn upstream_response(&self) -> Duration {
        Duration::from_millis(self.upstream_response_ms)
    }
    pub fn idle(&self) -> Duration {
        Duration::from_millis(self.idle_ms)
    }
    pub fn shutdown_drain(&self) -> Duration {
        Duration::from_millis(self.shutdown_drain_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitConfig {
    /// Request line and headers together.
    pub max_header_bytes: usize,
    pub max_headers: usize,
    /// Larger request bodies get 413 before anything is forwarded.
    pub max_request_body_bytes: usize,
    /// JSON responses up to this size are buffered for masking and validation; larger ones
    /// stream through unchanged (and are counted).
    pub max_buffered_response_bytes: usize,
    /// Connections beyond this are accepted and closed at once.
    pub max_connections: usize,
}

impl Default for LimitConfig {
    fn default() -> Self {
        LimitConfig {
            max_header_bytes: 16 * 1024,
            max_headers: 100,
            max_request_body_bytes: 1024 * 1024,
            max_buffered_response_bytes: 4 * 1024 * 1024,
            max_connections: 10_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TapConfig {
    /// Exchange JSONL written here (what `rampart discover` reads); `--tap` sets it too.
    pub file: Option<PathBuf>,
    /// Exchanges waiting for the writer; when full, copies are dropped and counted — a request
    /// never waits for the tap.
    pub queue: usize,
    /// Bodies kept per exchange, each way; longer ones are kept as a prefix, marked truncated.
    pub max_body_bytes: usize,
}

impl Default for TapConfig {
    fn default() -> Self {
        TapConfig { file: None, queue: 8192, max_body_bytes: 64 * 1024 }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaskingConfig {
    /// Sensitive types masked in every route's JSON responses (`card-number`, `sg-nric`, …).
    pub types: Vec<SensitiveType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessLogConfig {
    /// One JSON line per request on standard output.
    pub enabled: bool,
}

impl Default for AccessLogConfig {
    fn default() -> Self {
        AccessLogConfig { enabled: true }
    }
}

/// `[alerts]`: the output of the gateway's detection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Every alert (opened, updated, closed) as one JSON line, appended; `--alerts` sets it too.
    /// Alerts are logged (open ones at warn) whether or not a file is given.
    pub file: Option<PathBuf>,
}

/// A configuration that could not be read or does not hold together.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: String, line: usize, column: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl GatewayConfig {
    /// How many serving threads to run: `workers`, or one per core when it is 0.
    pub fn worker_threads(&self) -> usize {
        match self.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }

    pub fn load(path: &Path) -> Result<GatewayConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        GatewayConfig::parse(&shown, &text)
    }

    /// Parses and checks a configuration; `path` only names it in errors.
    pub fn parse(path: &str, text: &str) -> Result<GatewayConfig, ConfigError> {
        let config: GatewayConfig = toml::from_str(text).map_err(|error| {
            let (line, column) = error.span().map_or((0, 0), |span| line_and_column(text, span.start));
            ConfigError::Syntax { path: path.to_owned(), line, column, message: error.message().to_owned() }
        })?;
        config.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
        Ok(config)
    }

    /// What serde cannot say: upstream URLs, prefixes, limits that make sense together.
    pub fn check(&self) -> Result<(), String> {
        for (index, route) in self.routes.iter().enumerate() {
            let at = format!("routes[{index}]");
            crate::route::Upstream::parse(&route.upstream).map_err(|e| format!("{at}.upstream: {e}"))?;
            if !route.path_prefix.starts_with('/') {
                return Err(format!("{at}.path_prefix: must start with `/` (got {:?})", route.path_prefix));
            }
        }
        if self.limits.max_header_bytes < 1024 {
            return Err("limits.max_header_bytes: at least 1024".to_owned());
        }
        if self.tap.queue == 0 {
            return Err("tap.queue: at least 1".to_owned());
        }
        if self.listen == self.admin_listen && self.listen.port() != 0 {
            return Err("admin_listen: must differ from listen".to_owned());
        }
        if self.detect.enabled {
            // The error of `DetectConfig::validate` already reads `detect.FIELD: …`.
            self.detection_config()?.validate().map_err(|error| error.to_string())?;
        }
        Ok(())
    }

    /// The `[detect]` section as the engine runs it: the `[blocklist] allow` networks are added
    /// to `detect.allow`, so that a partner or a health checker is not even alerted on (the
    /// blocklist already exempts it from every detector decision).
    pub fn detection_config(&self) -> Result<rampart_detect::DetectConfig, String> {
        let mut detect = self.detect.clone();
        for (index, value) in self.blocklist.allow.iter().enumerate() {
            let net = match rampart_limits::BlockTarget::parse("ip", value) {
                Ok(rampart_limits::BlockTarget::Ip(ip)) => IpNet::from(ip),
                Ok(rampart_limits::BlockTarget::Cidr(net)) => net,
                Ok(_) => return Err(format!("blocklist.allow[{index}]: {value:?} is not an IP or a CIDR")),
                Err(message) => return Err(format!("blocklist.allow[{index}]: {message}")),
            };
            if !detect.allow.contains(&net) {
                detect.allow.push(net);
            }
        }
        Ok(detect)
    }
}

/// 1-based line and column of byte `offset` (also for the files that embed the gateway's).
pub fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_reads() {
        let config = GatewayConfig::parse(
            "rampart.toml",
            r#"
listen = "127.0.0.1:8443"
admin_listen = "127.0.0.1:9902"

[[routes]]
name = "bank"
path_prefix = "/v2"
upstream = "http://127.0.0.1:3000"
mode = "block"
auth = "required"
mask = ["card-number", "sg-nric"]

[forwarding]
trusted_proxies = ["10.0.0.0/8", "::1/128"]

[timeouts]
header_read_ms = 5000

[tap]
queue = 100
"#,
        )
        .unwrap();
        assert_eq!(config.routes[0].mode, Mode::Block);
        assert_eq!(config.routes[0].mask, vec![SensitiveType::CardNumber, SensitiveType::SgNric]);
        assert_eq!(config.timeouts.header_read_ms, 5000);
        assert_eq!(config.timeouts.upstream_connect_ms, 2000);
        assert_eq!(config.forwarding.trusted_proxies.len(), 2);
    }

    #[test]
    fn the_example_configuration_reads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rampart.toml");
        let config = GatewayConfig::load(&path).unwrap();
        assert_eq!(config.routes.len(), 2);
        assert!(config.auth.is_some() && config.validate.is_some());
        assert_eq!(config.blocklist.entries.len(), 1);
    }

    #[test]
    fn errors_name_the_line_and_the_field() {
        let error = GatewayConfig::parse(
            "g.toml",
            "listen = \"127.0.0.1:1\"\n[[routes]]\nupstream = \"http://x:1\"\nmode = \"blok\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("g.toml:4:"), "{error}");
        assert!(error.contains("blok"), "{error}");
        let error = GatewayConfig::parse("g.toml", "[timeouts]\nheader_read = 5\n").unwrap_err().to_string();
        assert!(error.starts_with("g.toml:2:") && error.contains("header_read"), "{error}");
        let error =
            GatewayConfig::parse("g.toml", "[[routes]]\nupstream = \"ftp://x\"\n").unwrap_err().to_string();
        assert!(error.contains("routes[0].upstream"), "{error}");
    }

    #[test]
    fn detection_is_on_by_default_and_its_errors_name_the_field() {
        let config = GatewayConfig::parse("g.toml", "").unwrap();
        assert!(config.detect.enabled && !config.detect.monitor);
        assert_eq!(config.alerts.file, None);
        let config = GatewayConfig::parse(
            "g.toml",
            "[detect]\nmonitor = true\ndecision_ttl_secs = 60\n[detect.credential]\nusernames_per_ip = 8\n\
             [alerts]\nfile = \"alerts.jsonl\"\n",
        )
        .unwrap();
        assert!(config.detect.monitor);
        assert_eq!(config.detect.credential.usernames_per_ip, 8);
        assert_eq!(config.alerts.file.as_deref(), Some(Path::new("alerts.jsonl")));
        let error = GatewayConfig::parse("g.toml", "[detect.credential]\nusernames_per_ip = 0\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("detect.credential.usernames_per_ip"), "{error}");
        let error = GatewayConfig::parse("g.toml", "[detect]\nmonitr = true\n").unwrap_err().to_string();
        assert!(error.starts_with("g.toml:2:") && error.contains("monitr"), "{error}");
        // Switched off, its thresholds are not checked.
        GatewayConfig::parse("g.toml", "[detect]\nenabled = false\ndecision_ttl_secs = 0\n").unwrap();
    }

    #[test]
    fn the_blocklist_allowlist_is_the_detectors_allowlist_too() {
        let config = GatewayConfig::parse(
            "g.toml",
            "[blocklist]\nallow = [\"192.0.2.10\", \"198.51.100.0/24\"]\n[detect]\nallow = [\"10.0.0.0/8\"]\n",
        )
        .unwrap();
        let detect = config.detection_config().unwrap();
        let allow: Vec<String> = detect.allow.iter().map(ToString::to_string).collect();
        assert_eq!(allow, ["10.0.0.0/8", "192.0.2.10/32", "198.51.100.0/24"]);
        let error =
            GatewayConfig::parse("g.toml", "[blocklist]\nallow = [\"nope\"]\n").unwrap_err().to_string();
        assert!(error.contains("blocklist.allow[0]"), "{error}");
    }
}
