//! rampart-limits: the gateway's two cheap, early decisions on every request — *is this
//! client blocked?* ([`Blocklist`]) and *is it over its budget?* ([`RateLimiter`]). No network
//! I/O; the only file I/O is reading block files. Both are built once from their config
//! section (`[blocklist]`, `[rate_limits]`), validated with errors that name the wrong field,
//! and then shared behind an `Arc` by every connection.
//!
//! # Rate limits
//!
//! GCRA (the "leaky bucket as a meter"): one `u64` per key, the theoretical arrival time. Rules
//! key by IP, identity, endpoint, or identity-else-IP, and match on path prefix/suffix, route
//! template and method. A built-in rule gives credential endpoints (`/login`, `/token`,
//! `/oauth/token`, `/otp`, …) 5 POSTs a minute per IP; a config rule named
//! [`rate::AUTH_RULE_NAME`] replaces it. Time is passed in (`now: Instant`), so tests drive a
//! fake clock and never sleep.
//!
//! We use our own GCRA over a sharded map rather than `governor`'s keyed limiter: governor
//! reads time from its own clock (we want `now` per call, like the blocklist), has no per-key
//! cap (its `retain_recent` needs a periodic sweep, and memory grows without bound between
//! sweeps under a flood of new IPs), and stores the key itself (an `IpAddr` or a `String`, so
//! identity keys allocate on every miss). Here keys are 64-bit hashes under a per-process
//! random seed, each rule's table has 64 mutex-guarded shards with a hard cap per shard, and a
//! full shard drops idle keys (exact under GCRA) or, failing that, the sampled key nearest to
//! idle. `benches/limits.rs` measures the hot and many-key paths beside a plain `HashMap`.
//!
//! # Blocklist
//!
//! Entries for IPs, CIDRs (v4 and v6), identities and token fingerprints, each with reason,
//! source, creation and optional expiry, from config, block files ([`blockfile`] documents the
//! format) and run-time [`Decision`]s of detectors ([`DecisionSink`]). A decision either blocks
//! or rate-limits ([`Enforcement`]): a rate-limited client is charged to the decision's own GCRA
//! budget ([`Blocklist::check_decision_rate`], in the rate limiter's bounded table). An
//! allowlist of IPs/CIDRs wins over IP and CIDR entries and over every detector decision,
//! whatever its target ([`blocklist`] has the exact rules). Readers load `arc-swap` snapshots
//! and never lock; writers rebuild a snapshot and swap it. Longest-prefix matching uses one hash map per
//! prefix length rather than a trie crate: lookups cost one hash probe per distinct prefix
//! length in use, there is no dependency, and the bench shows 100k CIDRs cost about the same
//! as a handful.
//!
//! Dependencies: `arc-swap` (lock-free snapshot reads), `ipnet` (CIDR parsing), `foldhash`
//! (fast seeded hashing for keys and lookups), `chrono` (RFC 3339 expiries, shared with the
//! rest of Rampart), `tokio` (`rt`, `time`: the file watcher and evictor tasks only).

pub mod blockfile;
pub mod blocklist;
pub mod rate;

use std::path::PathBuf;

pub use blocklist::{
    BlockEntry, BlockHit, BlockTarget, Blocklist, BlocklistConfig, BlocklistStats, Decision, DecisionSink,
    DecisionThrottled, Enforcement, EntryConfig, EntrySource, FileReport, LoadReport, MatchedOn,
};
pub use rate::{LimitContext, LimitKey, Per, RateLimitConfig, RateLimiter, RuleConfig, RuleMatch, Throttled};

/// A config section that cannot be used, naming the field or file at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
}
