//! Block decisions: IPs, CIDRs, identities and token fingerprints, with an allowlist that wins
//! over IP and CIDR blocks and over every detector decision.
//!
//! Reads never take a lock: [`Blocklist::is_blocked`] loads two `Arc` snapshots through
//! `arc-swap` — the *base* layer (config and files, rebuilt on reload) and the *decision*
//! layer (detector and API decisions, rebuilt on each batch) — and answers from hash maps.
//! CIDRs sit in one hash map per prefix length, probed longest first: a lookup costs one
//! probe per distinct prefix length in use (a handful in practice, at most 33 for IPv4 and 129
//! for IPv6), independent of how many networks are listed. Writers serialise on a mutex that
//! readers never touch.
//!
//! # Enforcement
//!
//! Every entry carries an [`Enforcement`]. Config and block-file entries always
//! [`Enforcement::Block`]; a run-time [`Decision`] may instead say
//! [`Enforcement::RateLimit`]: the matching clients may make `per_minute` requests a minute
//! (all requests matching the decision share that budget; a burst of `per_minute` from idle)
//! until the decision expires. [`Blocklist::is_blocked`] reports such an entry as a hit with
//! that action, and the caller then charges the request with
//! [`Blocklist::check_decision_rate`], which keeps one GCRA per decision (keyed by the hash of
//! its entry id and what it matched) in the same bounded, sharded table the rate limiter uses
//! ([`crate::rate`]). When several entries match a request, a block wins over any rate limit (a
//! rate-limited IP must not shadow a blocked identity), and among rate limits the strictest is
//! reported.
//!
//! # Allowlist
//!
//! An allowlisted IP (config `allow`, `allow` lines of block files) is exempt from
//! * every IP and CIDR entry, whatever its source, and
//! * every entry whose source is [`EntrySource::Detector`], whatever its target (identity,
//!   token too) and its action: a detector can wrongly flag a partner or a health checker, and
//!   an operator who allowlisted it has said it must keep working.
//!
//! Identity and token entries from config, files and the API still apply from an allowlisted
//! address: a retired account or a leaked token stays blocked wherever it comes from.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::ConfigError;
use crate::blockfile::{LineError, ParsedEntry, parse_block_file};
use crate::rate::KeyTable;

type FastState = foldhash::quality::RandomState;

/// Longest identity accepted in an entry; longer ones are certainly not identities.
const MAX_IDENTITY_LEN: usize = 512;

/// Where an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    Config,
    File,
    Detector,
    Api,
}

impl fmt::Display for EntrySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntrySource::Config => "config",
            EntrySource::File => "file",
            EntrySource::Detector => "detector",
            EntrySource::Api => "api",
        })
    }
}

/// What an entry blocks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum BlockTarget {
    Ip(IpAddr),
    Cidr(IpNet),
    Identity(String),
    /// Lower-case hex fingerprint of a bearer token (the gateway's hash of it, never the token).
    TokenFingerprint(String),
}

impl BlockTarget {
    /// Parses a `kind` (`ip`, `cidr`, `identity`, `token`) and its value. `ip` also takes a
    /// CIDR; a host-length CIDR becomes an IP; host bits of a CIDR are cleared.
    pub fn parse(kind: &str, value: &str) -> Result<BlockTarget, String> {
        match kind {
            "ip" | "cidr" => {
                if value.contains('/') {
                    let net: IpNet =
                        value.parse().map_err(|_| format!("{:?} is not a CIDR", shorten(value)))?;
                    let net = net.trunc();
                    if net.prefix_len() == net.max_prefix_len() {
                        Ok(BlockTarget::Ip(net.addr()))
                    } else {
                        Ok(BlockTarget::Cidr(net))
                    }
                } else if kind == "cidr" {
                    Err(format!("{:?} is not a CIDR (missing /len)", shorten(value)))
                } else {
                    value
                        .parse()
                        .map(BlockTarget::Ip)
                        .map_err(|_| format!("{:?} is not an IP address", shorten(value)))
                }
            }
            "identity" => {
                if value.is_empty() || value.len() > MAX_IDENTITY_LEN {
                    Err(format!("identity must be 1..={MAX_IDENTITY_LEN} bytes"))
                } else {
                    Ok(BlockTarget::Identity(value.to_owned()))
                }
            }
            "token" => {
                if value.len() < 8 || value.len() > 128 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    Err("token fingerprint must be 8 to 128 hex digits".to_owned())
                } else {
                    Ok(BlockTarget::TokenFingerprint(value.to_ascii_lowercase()))
                }
            }
            other => Err(format!(
                "unknown kind {:?} (expected ip, cidr, identity, token or allow)",
                shorten(other)
            )),
        }
    }
}

fn shorten(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// What an entry does to the requests it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Enforcement {
    /// Refuse every request (403).
    #[default]
    Block,
    /// Let the matching requests through at `per_minute` a minute together (burst `per_minute`
    /// from idle), refusing the rest (429).
    RateLimit { per_minute: u32 },
}

impl Enforcement {
    /// Whether this enforcement is stricter than `other`: a block over any rate limit, a lower
    /// rate over a higher one.
    pub fn outranks(self, other: Enforcement) -> bool {
        match (self, other) {
            (Enforcement::Block, Enforcement::RateLimit { .. }) => true,
            (Enforcement::RateLimit { per_minute: mine }, Enforcement::RateLimit { per_minute: theirs }) => {
                mine < theirs
            }
            _ => false,
        }
    }

    /// The budget of a rate limit; `None` for a block.
    pub fn per_minute(self) -> Option<u32> {
        match self {
            Enforcement::Block => None,
            Enforcement::RateLimit { per_minute } => Some(per_minute),
        }
    }

    /// A limit of zero requests is a block; say so, so that lookups and the rate table never
    /// see a zero budget.
    fn normalised(self) -> Enforcement {
        match self {
            Enforcement::RateLimit { per_minute: 0 } => Enforcement::Block,
            other => other,
        }
    }
}

impl fmt::Display for Enforcement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Enforcement::Block => f.write_str("block"),
            Enforcement::RateLimit { per_minute } => write!(f, "rate limit {per_minute}/min"),
        }
    }
}

/// One entry in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEntry {
    /// `config:entries[N]`, `FILE:LINE` (or the line's `id=`), `decision:N` (or the decision's id).
    pub id: Arc<str>,
    pub target: BlockTarget,
    pub reason: Arc<str>,
    pub source: EntrySource,
    /// Always [`Enforcement::Block`] for config and file entries.
    pub action: Enforcement,
    pub created: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl BlockEntry {
    fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|until| until > now)
    }

    /// Which of two entries for the same target to keep: the one that lasts longer.
    fn outlasts(&self, other: &BlockEntry) -> bool {
        match (self.expires_at, other.expires_at) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(mine), Some(theirs)) => mine > theirs,
        }
    }
}

/// What a lookup matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedOn {
    Ip,
    Cidr(IpNet),
    Identity,
    TokenFingerprint,
}

/// An entry that applies to a request, and why. With [`Enforcement::Block`] the request must
/// be refused; with [`Enforcement::RateLimit`] it must be charged to the decision's budget
/// ([`Blocklist::check_decision_rate`]) and refused only when over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHit {
    /// The entry's id; for detector decisions the alert id, which a refused client and the
    /// SIEM can quote.
    pub entry_id: Arc<str>,
    pub reason: Arc<str>,
    pub source: EntrySource,
    pub action: Enforcement,
    pub expires_at: Option<DateTime<Utc>>,
    pub matched: MatchedOn,
}

/// A block or rate limit decided at run time by a detector or through the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub target: BlockTarget,
    pub reason: String,
    pub source: EntrySource,
    /// Block, or rate-limit to `per_minute`; a rate limit of 0 is stored as a block.
    pub action: Enforcement,
    /// Detector decisions should always expire; `None` lasts until removed or restarted.
    pub expires_at: Option<DateTime<Utc>>,
    /// Stable id for the decision (an alert id); one is assigned when absent.
    pub id: Option<String>,
}

/// A request over the budget of a rate-limit decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("over the rate of decision {entry_id} ({per_minute}/min), retry after {retry_after:?}")]
pub struct DecisionThrottled {
    pub entry_id: Arc<str>,
    /// The decision's budget; 0 when the hit was a block, which has none.
    pub per_minute: u32,
    pub retry_after: Duration,
}

impl DecisionThrottled {
    /// The `Retry-After` header value: whole seconds, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        crate::rate::retry_after_secs(self.retry_after)
    }
}

/// Where detectors send their decisions; implemented by [`Blocklist`] in process and, in a
/// distributed setup, by a publisher to the other gateways.
pub trait DecisionSink: Send + Sync {
    fn add(&self, decision: Decision);
}

/// One `[[blocklist.entries]]` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryConfig {
    /// `ip`, `cidr`, `identity` or `token`.
    pub kind: String,
    pub value: String,
    #[serde(default)]
    pub reason: String,
    /// RFC 3339 expiry.
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

/// The `[blocklist]` section of rampart.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlocklistConfig {
    /// Block files (format in [`crate::blockfile`]), reloaded when their mtime or size changes.
    pub files: Vec<PathBuf>,
    /// How often the watcher polls the files and prunes expired entries.
    pub watch_interval_secs: u64,
    /// IPs and CIDRs never blocked by IP or CIDR entries, nor blocked or rate-limited by any
    /// detector decision (partners, health checkers).
    pub allow: Vec<String>,
    pub entries: Vec<EntryConfig>,
    /// Most run-time decisions kept; beyond it the oldest are dropped.
    pub max_decisions: usize,
}

impl Default for BlocklistConfig {
    fn default() -> Self {
        BlocklistConfig {
            files: Vec::new(),
            watch_interval_secs: 10,
            allow: Vec::new(),
            entries: Vec::new(),
            max_decisions: 100_000,
        }
    }
}

/// What reading one file produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub path: PathBuf,
    pub entries: usize,
    pub allow: usize,
    pub expired: usize,
    pub skipped: usize,
    /// The first malformed lines, each naming file and line.
    pub errors: Vec<LineError>,
    /// The file could not be read; its previous entries stay in force.
    pub read_error: Option<String>,
}

/// What a (re)load produced, per file read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub files: Vec<FileReport>,
}

impl LoadReport {
    pub fn skipped_lines(&self) -> usize {
        self.files.iter().map(|file| file.skipped).sum()
    }
}

/// Counts for metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlocklistStats {
    pub base_entries: usize,
    pub allow_entries: usize,
    pub decisions: usize,
}

/// One hash map per prefix length, longest first. v4 addresses live in the top 32 bits so
/// one masking rule serves both families (kept in separate tables).
#[derive(Default)]
struct PrefixTable {
    by_len: Vec<(u8, HashMap<u128, u32, FastState>)>,
}

fn mask(bits: u128, len: u8) -> u128 {
    if len == 0 { 0 } else { bits & (u128::MAX << (128 - u32::from(len))) }
}

fn ip_bits(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(v4) => (true, u128::from(u32::from(v4)) << 96),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            // ::ffff:a.b.c.d is the v4 client on a dual-stack socket: match v4 entries.
            Some(v4) => (true, u128::from(u32::from(v4)) << 96),
            None => (false, u128::from(v6)),
        },
    }
}

fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

impl PrefixTable {
    fn slot(&mut self, len: u8) -> &mut HashMap<u128, u32, FastState> {
        let position = match self.by_len.binary_search_by(|(l, _)| len.cmp(l)) {
            Ok(position) => position,
            Err(position) => {
                self.by_len.insert(position, (len, HashMap::default()));
                position
            }
        };
        &mut self.by_len[position].1
    }
}

/// An immutable, indexed set of entries.
#[derive(Default)]
struct Snapshot {
    entries: Vec<BlockEntry>,
    ips: HashMap<IpAddr, u32, FastState>,
    v4: PrefixTable,
    v6: PrefixTable,
    identities: HashMap<Box<str>, u32, FastState>,
    tokens: HashMap<Box<str>, u32, FastState>,
}

impl Snapshot {
    fn build<'a>(entries: impl IntoIterator<Item = &'a BlockEntry>, now: DateTime<Utc>) -> Snapshot {
        let mut snapshot = Snapshot::default();
        for entry in entries {
            if !entry.is_live(now) {
                continue;
            }
            let Ok(index) = u32::try_from(snapshot.entries.len()) else {
                break;
            };
            let existing = match &entry.target {
                BlockTarget::Ip(ip) => snapshot.ips.insert(canonical_ip(*ip), index),
                BlockTarget::Cidr(net) => {
                    let (is_v4, bits) = ip_bits(net.network());
                    let len = match net {
                        IpNet::V6(v6) if is_v4 => v6.prefix_len().saturating_sub(96),
                        _ => net.prefix_len(),
                    };
                    let table = if is_v4 { &mut snapshot.v4 } else { &mut snapshot.v6 };
                    table.slot(len).insert(mask(bits, len), index)
                }
                BlockTarget::Identity(identity) => {
                    snapshot.identities.insert(identity.as_str().into(), index)
                }
                BlockTarget::TokenFingerprint(fingerprint) => {
                    snapshot.tokens.insert(fingerprint.as_str().into(), index)
                }
            };
            snapshot.entries.push(entry.clone());
            // Same target twice (a file and a detector, say): keep the longer-lasting entry.
            if let Some(previous) = existing
                && snapshot.entries[previous as usize].outlasts(entry)
            {
                snapshot.put_back(&entry.target, previous);
            }
        }
        snapshot
    }

    fn put_back(&mut self, target: &BlockTarget, index: u32) {
        match target {
            BlockTarget::Ip(ip) => {
                self.ips.insert(canonical_ip(*ip), index);
            }
            BlockTarget::Cidr(net) => {
                let (is_v4, bits) = ip_bits(net.network());
                let len = match net {
                    IpNet::V6(v6) if is_v4 => v6.prefix_len().saturating_sub(96),
                    _ => net.prefix_len(),
                };
                let table = if is_v4 { &mut self.v4 } else { &mut self.v6 };
                table.slot(len).insert(mask(bits, len), index);
            }
            BlockTarget::Identity(identity) => {
                self.identities.insert(identity.as_str().into(), index);
            }
            BlockTarget::TokenFingerprint(fingerprint) => {
                self.tokens.insert(fingerprint.as_str().into(), index);
            }
        }
    }

    fn live(&self, index: u32, now: DateTime<Utc>) -> Option<&BlockEntry> {
        self.entries.get(index as usize).filter(|entry| entry.is_live(now))
    }

    fn find_ip(&self, ip: IpAddr, now: DateTime<Utc>) -> Option<(&BlockEntry, MatchedOn)> {
        self.ip_matches(ip, now).next()
    }

    /// Every live entry covering `ip`, most specific first (the address, then networks by
    /// decreasing prefix length). Lazy: taking the first costs what a single lookup did.
    fn ip_matches(&self, ip: IpAddr, now: DateTime<Utc>) -> impl Iterator<Item = (&BlockEntry, MatchedOn)> {
        let exact = self
            .ips
            .get(&canonical_ip(ip))
            .and_then(|&index| self.live(index, now))
            .map(|entry| (entry, MatchedOn::Ip));
        let (is_v4, bits) = ip_bits(ip);
        let table = if is_v4 { &self.v4 } else { &self.v6 };
        exact.into_iter().chain(table.by_len.iter().filter_map(move |(len, networks)| {
            let entry = networks.get(&mask(bits, *len)).and_then(|&index| self.live(index, now))?;
            match entry.target {
                BlockTarget::Cidr(net) => Some((entry, MatchedOn::Cidr(net))),
                _ => None,
            }
        }))
    }

    fn find_identity(&self, identity: &str, now: DateTime<Utc>) -> Option<&BlockEntry> {
        self.identities.get(identity).and_then(|&index| self.live(index, now))
    }

    fn find_token(&self, fingerprint: &str, now: DateTime<Utc>) -> Option<&BlockEntry> {
        if self.tokens.is_empty() {
            return None;
        }
        let index = if fingerprint.bytes().any(|b| b.is_ascii_uppercase()) {
            self.tokens.get(fingerprint.to_ascii_lowercase().as_str())
        } else {
            self.tokens.get(fingerprint)
        };
        index.and_then(|&index| self.live(index, now))
    }
}

fn hit(entry: &BlockEntry, matched: MatchedOn) -> BlockHit {
    BlockHit {
        entry_id: Arc::clone(&entry.id),
        reason: Arc::clone(&entry.reason),
        source: entry.source,
        action: entry.action,
        expires_at: entry.expires_at,
        matched,
    }
}

/// Collects the entries matching one request: a block ends the search, rate limits are kept
/// (the strictest) in case nothing blocks.
struct Verdict<'a> {
    /// The request's IP is allowlisted: detector entries do not apply.
    allowlisted: bool,
    limited: Option<(&'a BlockEntry, MatchedOn, u32)>,
}

impl<'a> Verdict<'a> {
    /// Whether `entry` refuses the request outright.
    fn blocks(&mut self, entry: &'a BlockEntry, matched: MatchedOn) -> bool {
        if self.allowlisted && entry.source == EntrySource::Detector {
            return false;
        }
        match entry.action {
            Enforcement::Block => true,
            Enforcement::RateLimit { per_minute } => {
                if self.limited.is_none_or(|(_, _, kept)| per_minute < kept) {
                    self.limited = Some((entry, matched, per_minute));
                }
                false
            }
        }
    }
}

struct BaseLayer {
    blocks: Snapshot,
    allow: Snapshot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

struct FileState {
    path: PathBuf,
    stamp: Option<FileStamp>,
    blocks: Vec<BlockEntry>,
    allow: Vec<BlockEntry>,
}

struct Sources {
    config_blocks: Vec<BlockEntry>,
    config_allow: Vec<BlockEntry>,
    files: Vec<FileState>,
    decisions: VecDeque<BlockEntry>,
    next_decision: u64,
}

/// Budgets of rate-limit decisions: one GCRA TAT per decision in rate.rs's bounded table.
struct DecisionRates {
    table: KeyTable,
    epoch: Instant,
    // Seeded per process, like the rate limiter's: a client cannot aim at a collision.
    hasher: FastState,
}

/// The block and allow lists. Share it behind an `Arc`; every method takes `&self`.
pub struct Blocklist {
    base: ArcSwap<BaseLayer>,
    decisions: ArcSwap<Snapshot>,
    sources: Mutex<Sources>,
    rates: DecisionRates,
    max_decisions: usize,
    watch_interval: Duration,
}

impl fmt::Debug for Blocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blocklist").field("stats", &self.stats()).finish()
    }
}

fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>, ConfigError> {
    DateTime::parse_from_rfc3339(text).map(|time| time.with_timezone(&Utc)).map_err(|error| {
        ConfigError::Invalid { field: field.to_owned(), message: format!("not an RFC 3339 time: {error}") }
    })
}

impl Blocklist {
    /// Validates the config and reads every file. A file that cannot be read at start is an
    /// error (a missing blocklist should not start a gateway silently open); malformed lines
    /// are skipped and listed in the report.
    pub fn new(config: &BlocklistConfig, now: DateTime<Utc>) -> Result<(Blocklist, LoadReport), ConfigError> {
        if config.watch_interval_secs == 0 {
            return Err(ConfigError::Invalid {
                field: "blocklist.watch_interval_secs".to_owned(),
                message: "must be at least 1".to_owned(),
            });
        }
        if config.max_decisions == 0 {
            return Err(ConfigError::Invalid {
                field: "blocklist.max_decisions".to_owned(),
                message: "must be at least 1".to_owned(),
            });
        }
        let mut config_allow = Vec::new();
        for (index, value) in config.allow.iter().enumerate() {
            let field = format!("blocklist.allow[{index}]");
            let target = BlockTarget::parse("ip", value)
                .map_err(|message| ConfigError::Invalid { field: field.clone(), message })?;
            config_allow.push(BlockEntry {
                id: format!("config:allow[{index}]").into(),
                target,
                reason: Arc::from("allowlisted in config"),
                source: EntrySource::Config,
                action: Enforcement::Block,
                created: now,
                expires_at: None,
            });
        }
        let mut config_blocks = Vec::new();
        for (index, entry) in config.entries.iter().enumerate() {
            let field = format!("blocklist.entries[{index}]");
            let target = BlockTarget::parse(&entry.kind, &entry.value).map_err(|message| {
                let which = if message.starts_with("unknown kind") { "kind" } else { "value" };
                ConfigError::Invalid { field: format!("{field}.{which}"), message }
            })?;
            let expires_at = entry
                .until
                .as_deref()
                .map(|until| parse_time(&format!("{field}.until"), until))
                .transpose()?;
            config_blocks.push(BlockEntry {
                id: entry.id.clone().unwrap_or_else(|| format!("config:entries[{index}]")).into(),
                target,
                reason: entry.reason.as_str().into(),
                source: EntrySource::Config,
                action: Enforcement::Block,
                created: now,
                expires_at,
            });
        }
        let mut files = Vec::new();
        let mut report = LoadReport::default();
        for path in &config.files {
            let mut state =
                FileState { path: path.clone(), stamp: None, blocks: Vec::new(), allow: Vec::new() };
            let file_report = load_file(&mut state, now);
            if let Some(error) = &file_report.read_error {
                return Err(ConfigError::File { path: path.clone(), message: error.clone() });
            }
            report.files.push(file_report);
            files.push(state);
        }
        let sources =
            Sources { config_blocks, config_allow, files, decisions: VecDeque::new(), next_decision: 1 };
        // Rate-limit decisions are at most `max_decisions`, but keys of replaced or expired ones
        // linger until idle and shards fill unevenly: leave headroom so that a live budget is
        // never evicted by another (that would hand its client a fresh burst).
        let rate_keys = config.max_decisions.saturating_mul(2).max(KeyTable::SHARDS * 64);
        let blocklist = Blocklist {
            base: ArcSwap::from_pointee(build_base(&sources, now)),
            decisions: ArcSwap::from_pointee(Snapshot::default()),
            sources: Mutex::new(sources),
            rates: DecisionRates {
                table: KeyTable::new(rate_keys),
                epoch: Instant::now(),
                hasher: FastState::default(),
            },
            max_decisions: config.max_decisions,
            watch_interval: Duration::from_secs(config.watch_interval_secs),
        };
        log_report(&report);
        Ok((blocklist, report))
    }

    /// The entry that applies to the request, if any: a block when one matches (it wins over
    /// any rate limit), else the strictest matching rate-limit decision, which the caller
    /// charges with [`Blocklist::check_decision_rate`]. An allowlisted IP is exempt from IP and
    /// CIDR entries and from every detector decision; identity and token entries of other
    /// sources apply from any address (see the module docs).
    pub fn is_blocked(
        &self,
        ip: IpAddr,
        identity: Option<&str>,
        token_fingerprint: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<BlockHit> {
        let base = self.base.load();
        let decisions = self.decisions.load();
        let allowlisted = base.allow.find_ip(ip, now).is_some();
        let mut verdict = Verdict { allowlisted, limited: None };
        if !allowlisted {
            for layer in [&base.blocks, &**decisions] {
                // All covering entries, not just the most specific: a rate-limited address
                // inside a blocked network is still blocked.
                for (entry, matched) in layer.ip_matches(ip, now) {
                    if verdict.blocks(entry, matched) {
                        return Some(hit(entry, matched));
                    }
                }
            }
        }
        if let Some(identity) = identity {
            for layer in [&base.blocks, &**decisions] {
                if let Some(entry) = layer.find_identity(identity, now)
                    && verdict.blocks(entry, MatchedOn::Identity)
                {
                    return Some(hit(entry, MatchedOn::Identity));
                }
            }
        }
        if let Some(fingerprint) = token_fingerprint {
            for layer in [&base.blocks, &**decisions] {
                if let Some(entry) = layer.find_token(fingerprint, now)
                    && verdict.blocks(entry, MatchedOn::TokenFingerprint)
                {
                    return Some(hit(entry, MatchedOn::TokenFingerprint));
                }
            }
        }
        verdict.limited.map(|(entry, matched, _)| hit(entry, matched))
    }

    /// Charges one request to the budget of the rate-limit decision `hit` names (a hit of
    /// [`Blocklist::is_blocked`]): `Ok` while the requests matching the decision stay within
    /// `per_minute` a minute (a burst of `per_minute` from idle), else how long to wait. A
    /// refused request is not charged. A [`Enforcement::Block`] hit has no budget and is always
    /// refused (`per_minute` 0, `retry_after` 0: the block's expiry says when it ends).
    ///
    /// `now` is measured from when the blocklist was built (earlier instants count as that
    /// moment); pass `Instant::now()`, or a fake clock in tests. Never locks what
    /// [`Blocklist::is_blocked`] reads: one of 64 shard mutexes, held for a hash-map probe.
    pub fn check_decision_rate(&self, hit: &BlockHit, now: Instant) -> Result<(), DecisionThrottled> {
        let per_minute = match hit.action.normalised() {
            Enforcement::RateLimit { per_minute } => per_minute,
            Enforcement::Block => {
                return Err(DecisionThrottled {
                    entry_id: Arc::clone(&hit.entry_id),
                    per_minute: 0,
                    retry_after: Duration::ZERO,
                });
            }
        };
        // One budget per decision: its id, and what it matched so that two entries sharing an
        // id (a file's `id=` reused) do not share a budget.
        let mut state = self.rates.hasher.build_hasher();
        hit.entry_id.hash(&mut state);
        hit.matched.hash(&mut state);
        let key = state.finish();
        let emission = (60_000_000_000 / u64::from(per_minute)).max(1);
        let tolerance = emission.saturating_mul(u64::from(per_minute));
        let now = crate::rate::nanos_since(self.rates.epoch, now);
        self.rates.table.acquire(key, now, emission, tolerance).map_err(|wait_ns| DecisionThrottled {
            entry_id: Arc::clone(&hit.entry_id),
            per_minute,
            retry_after: Duration::from_nanos(wait_ns),
        })
    }

    /// Drops rate-limit budgets that have fully recovered (exact under GCRA: they decide
    /// nothing); the watcher calls it on every tick.
    pub fn evict_idle_rates(&self, now: Instant) -> usize {
        self.rates.table.evict_idle(crate::rate::nanos_since(self.rates.epoch, now))
    }

    /// Rate-limit budgets currently remembered, for metrics and tests.
    pub fn decision_rate_keys(&self) -> usize {
        self.rates.table.len()
    }

    /// Whether any token-fingerprint entry is in force, so that a caller can skip hashing
    /// credentials on the request path when none could match.
    pub fn has_token_entries(&self) -> bool {
        !self.base.load().blocks.tokens.is_empty() || !self.decisions.load().tokens.is_empty()
    }

    /// Whether the IP is on the allowlist (the gateway may also exempt it from rate limits).
    pub fn is_allowlisted(&self, ip: IpAddr, now: DateTime<Utc>) -> bool {
        self.base.load().allow.find_ip(ip, now).is_some()
    }

    /// Adds a run-time decision (replacing the one for the same target unless that one is
    /// stronger or lasts longer) and republishes.
    pub fn add_decision(&self, decision: Decision, now: DateTime<Utc>) {
        self.add_decisions([decision], now);
    }

    /// Adds many decisions with one snapshot rebuild: prefer this for bursts.
    pub fn add_decisions(&self, decisions: impl IntoIterator<Item = Decision>, now: DateTime<Utc>) {
        let mut sources = self.lock_sources();
        let mut added = 0usize;
        for decision in decisions {
            if decision.expires_at.is_some_and(|until| until <= now) {
                continue;
            }
            let id = match decision.id {
                Some(id) => id,
                None => {
                    let id = format!("decision:{}", sources.next_decision);
                    sources.next_decision += 1;
                    id
                }
            };
            // One decision per target. A weaker one (a rate limit) never replaces a stronger one
            // still in force (a block): two detectors often act on one attacker a second apart,
            // a flood detector after a scanner detector, and the block must hold.
            // Nor does one that ends sooner replace an equal one (a detector's 15 minutes must not
            // shorten an operator's block without expiry).
            let action = decision.action.normalised();
            if sources.decisions.iter().any(|entry| {
                entry.target == decision.target
                    && entry.is_live(now)
                    && (entry.action.outranks(action)
                        || (entry.action == action
                            && match (entry.expires_at, decision.expires_at) {
                                (None, Some(_)) => true,
                                (Some(theirs), Some(mine)) => theirs > mine,
                                _ => false,
                            }))
            }) {
                continue;
            }
            sources.decisions.retain(|entry| entry.target != decision.target);
            sources.decisions.push_back(BlockEntry {
                id: id.into(),
                target: decision.target,
                reason: decision.reason.into(),
                source: decision.source,
                action: decision.action.normalised(),
                created: now,
                expires_at: decision.expires_at,
            });
            added += 1;
        }
        if sources.decisions.len() > self.max_decisions {
            sources.decisions.retain(|entry| entry.is_live(now));
            let excess = sources.decisions.len().saturating_sub(self.max_decisions);
            if excess > 0 {
                tracing::warn!(dropped = excess, "blocklist decision cap reached, dropping oldest");
                sources.decisions.drain(..excess);
            }
        }
        if added > 0 {
            self.decisions.store(Arc::new(Snapshot::build(&sources.decisions, now)));
            tracing::info!(added, total = sources.decisions.len(), "blocklist decisions added");
        }
    }

    /// Removes a run-time decision by id; returns whether one was removed.
    pub fn remove_decision(&self, id: &str, now: DateTime<Utc>) -> bool {
        let mut sources = self.lock_sources();
        let before = sources.decisions.len();
        sources.decisions.retain(|entry| &*entry.id != id);
        let removed = sources.decisions.len() != before;
        if removed {
            self.decisions.store(Arc::new(Snapshot::build(&sources.decisions, now)));
        }
        removed
    }

    /// Forgets expired entries of every source and republishes what changed. Lookups already
    /// ignore expired entries; this frees their memory.
    pub fn prune_expired(&self, now: DateTime<Utc>) -> usize {
        let mut sources = self.lock_sources();
        let mut base_pruned = 0;
        let mut prune = |entries: &mut Vec<BlockEntry>| {
            let before = entries.len();
            entries.retain(|entry| entry.is_live(now));
            base_pruned += before - entries.len();
        };
        prune(&mut sources.config_blocks);
        prune(&mut sources.config_allow);
        for file in &mut sources.files {
            prune(&mut file.blocks);
            prune(&mut file.allow);
        }
        let before = sources.decisions.len();
        sources.decisions.retain(|entry| entry.is_live(now));
        let decisions_pruned = before - sources.decisions.len();
        if base_pruned > 0 {
            self.base.store(Arc::new(build_base(&sources, now)));
        }
        if decisions_pruned > 0 {
            self.decisions.store(Arc::new(Snapshot::build(&sources.decisions, now)));
        }
        base_pruned + decisions_pruned
    }

    /// Re-reads every file and republishes. A file that cannot be read keeps its previous
    /// entries (an editor's half-written save must not unblock everyone).
    pub fn reload(&self, now: DateTime<Utc>) -> LoadReport {
        self.reload_files(now, true)
    }

    /// Re-reads only files whose mtime or size changed; what the watcher calls.
    pub fn reload_changed(&self, now: DateTime<Utc>) -> LoadReport {
        self.reload_files(now, false)
    }

    fn reload_files(&self, now: DateTime<Utc>, force: bool) -> LoadReport {
        let mut sources = self.lock_sources();
        let mut report = LoadReport::default();
        for file in &mut sources.files {
            if !force && file_stamp(&file.path).ok() == file.stamp {
                continue;
            }
            report.files.push(load_file(file, now));
        }
        if !report.files.is_empty() {
            self.base.store(Arc::new(build_base(&sources, now)));
            log_report(&report);
        }
        report
    }

    /// Polls the files every `watch_interval_secs`, reloading changed ones and pruning
    /// expired entries, on the current tokio runtime. File reads run on the blocking pool.
    pub fn spawn_watcher(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let blocklist = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(blocklist.watch_interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let worker = Arc::clone(&blocklist);
                let outcome = tokio::task::spawn_blocking(move || {
                    let now = Utc::now();
                    worker.reload_changed(now);
                    worker.prune_expired(now);
                    worker.evict_idle_rates(Instant::now());
                })
                .await;
                if let Err(error) = outcome {
                    tracing::error!(%error, "blocklist watcher iteration failed");
                }
            }
        })
    }

    pub fn stats(&self) -> BlocklistStats {
        let base = self.base.load();
        BlocklistStats {
            base_entries: base.blocks.entries.len(),
            allow_entries: base.allow.entries.len(),
            decisions: self.decisions.load().entries.len(),
        }
    }

    fn lock_sources(&self) -> MutexGuard<'_, Sources> {
        self.sources.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl DecisionSink for Blocklist {
    fn add(&self, decision: Decision) {
        self.add_decision(decision, Utc::now());
    }
}

fn build_base(sources: &Sources, now: DateTime<Utc>) -> BaseLayer {
    let blocks = sources.config_blocks.iter().chain(sources.files.iter().flat_map(|file| file.blocks.iter()));
    let allow = sources.config_allow.iter().chain(sources.files.iter().flat_map(|file| file.allow.iter()));
    BaseLayer { blocks: Snapshot::build(blocks, now), allow: Snapshot::build(allow, now) }
}

fn file_stamp(path: &Path) -> std::io::Result<FileStamp> {
    let metadata = std::fs::metadata(path)?;
    Ok(FileStamp { modified: metadata.modified().ok(), len: metadata.len() })
}

fn load_file(state: &mut FileState, now: DateTime<Utc>) -> FileReport {
    let label = state.path.display().to_string();
    let mut report = FileReport {
        path: state.path.clone(),
        entries: 0,
        allow: 0,
        expired: 0,
        skipped: 0,
        errors: Vec::new(),
        read_error: None,
    };
    // Stamp before reading: a write landing during the read changes the stamp again and is
    // picked up on the next poll instead of being missed.
    let stamp = file_stamp(&state.path);
    let text = match stamp.and_then(|stamp| Ok((stamp, std::fs::read(&state.path)?))) {
        Ok((stamp, bytes)) => {
            state.stamp = Some(stamp);
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Err(error) => {
            report.read_error = Some(error.to_string());
            return report;
        }
    };
    let parsed = parse_block_file(&text, &label, now);
    let to_entry = |parsed: ParsedEntry| BlockEntry {
        id: parsed.id.unwrap_or_else(|| format!("{label}:{}", parsed.line)).into(),
        target: parsed.target,
        reason: parsed.reason.into(),
        source: EntrySource::File,
        action: Enforcement::Block,
        created: parsed.created.unwrap_or(now),
        expires_at: parsed.expires_at,
    };
    let (allow, blocks): (Vec<_>, Vec<_>) = parsed.entries.into_iter().partition(|e| e.allow);
    state.blocks = blocks.into_iter().map(to_entry).collect();
    state.allow = allow.into_iter().map(to_entry).collect();
    report.entries = state.blocks.len();
    report.allow = state.allow.len();
    report.expired = parsed.expired;
    report.skipped = parsed.skipped;
    report.errors = parsed.errors;
    report
}

fn log_report(report: &LoadReport) {
    for file in &report.files {
        if let Some(error) = &file.read_error {
            tracing::warn!(path = %file.path.display(), %error, "block file unreadable, keeping previous entries");
            continue;
        }
        tracing::info!(
            path = %file.path.display(),
            entries = file.entries,
            allow = file.allow,
            expired = file.expired,
            skipped = file.skipped,
            "block file loaded"
        );
        for error in &file.errors {
            tracing::warn!(%error, "block file line skipped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-06-01T00:00:00Z".parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn entry(kind: &str, value: &str) -> EntryConfig {
        EntryConfig {
            kind: kind.into(),
            value: value.into(),
            reason: format!("{kind} {value}"),
            until: None,
            id: None,
        }
    }

    #[test]
    fn longest_prefix_wins_and_families_stay_apart() {
        let config = BlocklistConfig {
            entries: vec![
                entry("cidr", "10.0.0.0/8"),
                entry("cidr", "10.1.0.0/16"),
                entry("cidr", "2001:db8::/32"),
                entry("cidr", "0a00::/8"),
            ],
            ..BlocklistConfig::default()
        };
        let (blocklist, _) = Blocklist::new(&config, now()).unwrap();
        let found = blocklist.is_blocked(ip("10.1.2.3"), None, None, now()).unwrap();
        assert_eq!(found.matched, MatchedOn::Cidr("10.1.0.0/16".parse().unwrap()));
        let found = blocklist.is_blocked(ip("10.2.2.3"), None, None, now()).unwrap();
        assert_eq!(found.matched, MatchedOn::Cidr("10.0.0.0/8".parse().unwrap()));
        assert!(blocklist.is_blocked(ip("2001:db8:ffff::1"), None, None, now()).is_some());
        assert!(blocklist.is_blocked(ip("2001:db9::1"), None, None, now()).is_none());
        // A v6 address whose top byte equals 10 must not hit the v4 10/8 entry, and vice versa.
        let found = blocklist.is_blocked(ip("a00::1"), None, None, now()).unwrap();
        assert_eq!(found.matched, MatchedOn::Cidr("a00::/8".parse().unwrap()));
        assert!(blocklist.is_blocked(ip("11.0.0.1"), None, None, now()).is_none());
        // A v4-mapped v6 client is judged as its v4 address.
        assert!(blocklist.is_blocked(ip("::ffff:10.9.9.9"), None, None, now()).is_some());
    }

    #[test]
    fn config_errors_name_the_field() {
        let config = BlocklistConfig {
            entries: vec![entry("ip", "203.0.113.7"), entry("ip", "203.0.113.300")],
            ..BlocklistConfig::default()
        };
        let error = Blocklist::new(&config, now()).unwrap_err().to_string();
        assert!(error.contains("blocklist.entries[1].value"), "{error}");
        let config = BlocklistConfig { allow: vec!["not-an-ip".into()], ..BlocklistConfig::default() };
        let error = Blocklist::new(&config, now()).unwrap_err().to_string();
        assert!(error.contains("blocklist.allow[0]"), "{error}");
        let mut timed = entry("identity", "bob");
        timed.until = Some("next week".into());
        let config = BlocklistConfig { entries: vec![timed], ..BlocklistConfig::default() };
        let error = Blocklist::new(&config, now()).unwrap_err().to_string();
        assert!(error.contains("blocklist.entries[0].until"), "{error}");
    }

    #[test]
    fn longer_lasting_duplicate_is_kept() {
        let mut short = entry("ip", "192.0.2.1");
        short.until = Some("2026-06-02T00:00:00Z".into());
        short.id = Some("short".into());
        let mut permanent = entry("ip", "192.0.2.1");
        permanent.id = Some("permanent".into());
        for entries in [vec![short.clone(), permanent.clone()], vec![permanent, short]] {
            let config = BlocklistConfig { entries, ..BlocklistConfig::default() };
            let (blocklist, _) = Blocklist::new(&config, now()).unwrap();
            let found = blocklist.is_blocked(ip("192.0.2.1"), None, None, now()).unwrap();
            assert_eq!(&*found.entry_id, "permanent");
        }
    }
}
