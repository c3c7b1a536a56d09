//! GCRA rate limiting over a sharded, bounded map of 64-bit key hashes.
//!
//! Each rule owns one [`KeyTable`]: 64 shards, each a small `Mutex<HashMap<u64, u64>>` from the
//! key's hash to its theoretical arrival time (TAT, nanoseconds since the limiter's epoch). A
//! request touches exactly one shard per matching rule, so contention is 1/64 of a global lock
//! and no request allocates (keys are hashed, never copied into a `String`).
//!
//! GCRA makes eviction exact: a key whose TAT is not in the future is indistinguishable from a
//! key never seen, so dropping it changes no decision. That is what [`RateLimiter::evict_idle`]
//! removes, and what a full shard sweeps before it admits a new key.
//!
//! The same table also holds the budgets of rate-limit decisions
//! ([`crate::Blocklist::check_decision_rate`]), so both kinds of limit share one bounded,
//! eviction-exact implementation.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// Shards per rule table; a power of two so the shard is a mask of the hash.
const SHARDS: usize = 64;
/// When a shard is full of live keys, this many entries are sampled and the one closest to
/// idle is dropped: bounded work per insert instead of a full scan under attack.
const EVICTION_SAMPLE: usize = 8;
/// A full shard sweeps all its idle keys at most this often, so a flood of new keys cannot
/// turn every insert into an O(shard) scan.
const FULL_SWEEP_SPACING_NS: u64 = 100_000_000;

/// What a rule counts requests by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// The client IP address.
    Ip,
    /// The authenticated identity (JWT `sub`, API key id). Requests without one skip the rule.
    Identity,
    /// Method plus route template (or the raw path when the route is unknown): a global budget
    /// for one endpoint.
    Endpoint,
    /// The identity when there is one, else the client IP.
    IdentityOrIp,
}

/// The period a rule's `rate` is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Second,
    Minute,
    Hour,
}

impl Per {
    fn duration(self) -> Duration {
        match self {
            Per::Second => Duration::from_secs(1),
            Per::Minute => Duration::from_secs(60),
            Per::Hour => Duration::from_secs(3600),
        }
    }
}

/// Which requests a rule applies to. Empty lists match everything; within a list any entry
/// matches; all non-empty lists must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleMatch {
    /// Raw request path prefixes, e.g. `"/payments/"`.
    pub path_prefixes: Vec<String>,
    /// Raw request path suffixes, compared ASCII-case-insensitively and ignoring one trailing
    /// `/`, e.g. `"/login"`.
    pub path_suffixes: Vec<String>,
    /// Route templates as the gateway resolved them from the spec, e.g. `"/accounts/{accountId}"`.
    pub routes: Vec<String>,
    /// HTTP methods, case-insensitive.
    pub methods: Vec<String>,
}

/// One rate-limit rule as written in `[[rate_limits.rules]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Reported in [`Throttled::rule`]; a rule named like a built-in replaces it.
    pub name: String,
    pub key: LimitKey,
    /// Requests allowed per `per` on average.
    pub rate: u32,
    pub per: Per,
    /// Requests allowed at once from an idle key; defaults to `rate`.
    #[serde(default)]
    pub burst: Option<u32>,
    #[serde(default, rename = "match")]
    pub matcher: RuleMatch,
}

/// The `[rate_limits]` section of rampart.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    pub enabled: bool,
    /// Most keys remembered per rule; beyond it the least recently limited keys are dropped.
    pub max_keys_per_rule: usize,
    /// Adds [`AUTH_RULE_NAME`]: 5 POSTs per minute per IP (burst 5) on login, token and OTP
    /// endpoints. A rule of the same name in `rules` replaces it.
    pub builtin_auth_rule: bool,
    pub rules: Vec<RuleConfig>,
}

/// Name of the built-in credential-endpoint rule.
pub const AUTH_RULE_NAME: &str = "auth-endpoints";

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            max_keys_per_rule: 1_000_000,
            builtin_auth_rule: true,
            rules: Vec::new(),
        }
    }
}

/// The built-in stricter rule for endpoints that take credentials or one-time codes: these
/// are where credential stuffing and OTP brute force land, so they get a per-IP budget far
/// below any sane general API limit.
pub fn builtin_auth_rule() -> RuleConfig {
    RuleConfig {
        name: AUTH_RULE_NAME.to_owned(),
        key: LimitKey::Ip,
        rate: 5,
        per: Per::Minute,
        burst: Some(5),
        matcher: RuleMatch {
            path_suffixes: [
                "/login",
                "/signin",
                "/token",
                "/oauth/token",
                "/otp",
                "/mfa",
                "/verify-otp",
                "/password/reset",
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
            methods: vec!["POST".to_owned()],
            ..RuleMatch::default()
        },
    }
}

/// What the gateway knows about a request when it asks for a rate-limit decision.
#[derive(Debug, Clone, Copy)]
pub struct LimitContext<'a> {
    pub ip: IpAddr,
    pub identity: Option<&'a str>,
    pub method: &'a str,
    /// Raw path without the query string.
    pub path: &'a str,
    /// Route template from the spec, when the request matched one.
    pub route: Option<&'a str>,
}

/// A request over a rule's budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate limit {rule:?} exceeded, retry after {retry_after:?}")]
pub struct Throttled {
    pub rule: String,
    pub retry_after: Duration,
}

impl Throttled {
    /// The `Retry-After` header value: whole seconds, rounded up, at least 1.
    pub fn retry_after_secs(&self) -> u64 {
        retry_after_secs(self.retry_after)
    }
}

/// Whole seconds, rounded up, at least 1: a `Retry-After` of 0 would invite an immediate retry
/// that is certain to be refused again.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs();
    let secs = if wait.subsec_nanos() > 0 { secs + 1 } else { secs };
    secs.max(1)
}

/// Nanoseconds from `epoch` to `now`, plus one so that the first instant is never 0, which keeps
/// "TAT > now" meaningful at start. Instants before the epoch count as the epoch.
pub(crate) fn nanos_since(epoch: Instant, now: Instant) -> u64 {
    u64::try_from(now.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX).saturating_add(1)
}

/// Passes an already-uniform 64-bit hash straight through: keys are foldhash outputs.
#[derive(Default)]
struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type TatMap = HashMap<u64, u64, BuildHasherDefault<PassThroughHasher>>;

struct Shard {
    tats: TatMap,
    last_full_sweep_ns: u64,
}

/// Per-rule table of TATs, bounded to `cap_per_shard * SHARDS` keys.
pub(crate) struct KeyTable {
    shards: Box<[Mutex<Shard>]>,
    cap_per_shard: usize,
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // Nothing panics while holding the lock, but a poisoned shard must not take the gateway down.
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

impl KeyTable {
    /// Shards per table, for callers sizing one.
    pub(crate) const SHARDS: usize = SHARDS;

    pub(crate) fn new(max_keys: usize) -> KeyTable {
        let cap_per_shard = (max_keys / SHARDS).max(1);
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard { tats: TatMap::default(), last_full_sweep_ns: 0 }))
            .collect();
        KeyTable { shards, cap_per_shard }
    }

    fn shard_for(&self, key: u64) -> &Mutex<Shard> {
        // Middle bits: hashbrown uses the top 7 bits as tags and the low bits as the bucket, so
        // picking the shard from either would cluster the keys inside each shard.
        &self.shards[((key >> 32) as usize) & (SHARDS - 1)]
    }

    /// GCRA: admit when the new TAT is within `tolerance` of now; else say how long to wait.
    pub(crate) fn acquire(&self, key: u64, now: u64, emission: u64, tolerance: u64) -> Result<(), u64> {
        let mut shard = lock(self.shard_for(key));
        let stored = shard.tats.get(&key).copied();
        let tat = stored.map_or(now, |tat| tat.max(now));
        let new_tat = tat.saturating_add(emission);
        let ahead = new_tat - now;
        if ahead > tolerance {
            return Err(ahead - tolerance);
        }
        if stored.is_none() && shard.tats.len() >= self.cap_per_shard {
            make_room(&mut shard, now, self.cap_per_shard);
        }
        shard.tats.insert(key, new_tat);
        Ok(())
    }

    pub(crate) fn evict_idle(&self, now: u64) -> usize {
        let mut removed = 0;
        for shard in self.shards.iter() {
            let mut shard = lock(shard);
            let before = shard.tats.len();
            shard.tats.retain(|_, tat| *tat > now);
            removed += before - shard.tats.len();
            // Give memory back after a flood; keep headroom so normal churn does not regrow.
            if shard.tats.capacity() > 64 && shard.tats.len() < shard.tats.capacity() / 4 {
                shard.tats.shrink_to_fit();
            }
        }
        removed
    }

    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|shard| lock(shard).tats.len()).sum()
    }
}

fn make_room(shard: &mut Shard, now: u64, cap: usize) {
    if now.saturating_sub(shard.last_full_sweep_ns) >= FULL_SWEEP_SPACING_NS {
        shard.last_full_sweep_ns = now;
        shard.tats.retain(|_, tat| *tat > now);
        if shard.tats.len() < cap {
            return;
        }
    }
    // Every key here is still being limited: drop the sampled one nearest to idle, which
    // loses the least limiting state.
    let victim = shard.tats.iter().take(EVICTION_SAMPLE).min_by_key(|(_, tat)| **tat).map(|(key, _)| *key);
    if let Some(victim) = victim {
        shard.tats.remove(&victim);
    }
}

struct CompiledRule {
    name: String,
    key: LimitKey,
    emission_ns: u64,
    tolerance_ns: u64,
    path_prefixes: Box<[String]>,
    path_suffixes: Box<[String]>,
    routes: Box<[String]>,
    methods: Box<[String]>,
    table: KeyTable,
}

impl CompiledRule {
    fn compile(config: &RuleConfig, field: &str, max_keys: usize) -> Result<CompiledRule, ConfigError> {
        let invalid = |name: &str, message: &str| ConfigError::Invalid {
            field: format!("{field}.{name}"),
            message: message.to_owned(),
        };
        if config.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        if config.rate == 0 {
            return Err(invalid("rate", "must be at least 1"));
        }
        let burst = config.burst.unwrap_or(config.rate);
        if burst == 0 {
            return Err(invalid("burst", "must be at least 1"));
        }
        for (index, prefix) in config.matcher.path_prefixes.iter().enumerate() {
            if !prefix.starts_with('/') {
                return Err(invalid(&format!("match.path_prefixes[{index}]"), "must start with '/'"));
            }
        }
        for (index, suffix) in config.matcher.path_suffixes.iter().enumerate() {
            if !suffix.starts_with('/') || suffix.len() < 2 {
                return Err(invalid(
                    &format!("match.path_suffixes[{index}]"),
                    "must start with '/' and name a segment",
                ));
            }
        }
        for (index, method) in config.matcher.methods.iter().enumerate() {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(invalid(&format!("match.methods[{index}]"), "must be an HTTP method name"));
            }
        }
        let emission_ns = u64::try_from(config.per.duration().as_nanos() / u128::from(config.rate))
            .unwrap_or(u64::MAX)
            .max(1);
        Ok(CompiledRule {
            name: config.name.clone(),
            key: config.key,
            emission_ns,
            tolerance_ns: emission_ns.saturating_mul(u64::from(burst)),
            path_prefixes: config.matcher.path_prefixes.clone().into(),
            path_suffixes: config
                .matcher
                .path_suffixes
                .iter()
                .map(|suffix| suffix.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
            routes: config.matcher.routes.clone().into(),
            methods: config.matcher.methods.iter().map(|method| method.to_ascii_uppercase()).collect(),
            table: KeyTable::new(max_keys),
        })
    }

    fn matches(&self, ctx: &LimitContext<'_>) -> bool {
        if !self.methods.is_empty()
            && !self.methods.iter().any(|method| method.eq_ignore_ascii_case(ctx.method))
        {
            return false;
        }
        if !self.path_prefixes.is_empty()
            && !self.path_prefixes.iter().any(|prefix| ctx.path.starts_with(prefix.as_str()))
        {
            return false;
        }
        if !self.path_suffixes.is_empty() {
            let path = ctx.path.strip_suffix('/').unwrap_or(ctx.path);
            let ends_with = |suffix: &String| {
                path.len() >= suffix.len()
                    && path.as_bytes()[path.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
            };
            if !self.path_suffixes.iter().any(ends_with) {
                return false;
            }
        }
        if !self.routes.is_empty() {
            match ctx.route {
                Some(route) if self.routes.iter().any(|r| r == route) => {}
                _ => return false,
            }
        }
        true
    }

    fn key_hash(&self, ctx: &LimitContext<'_>, hasher: &foldhash::quality::RandomState) -> Option<u64> {
        let mut state = hasher.build_hasher();
        match (self.key, ctx.identity) {
            (LimitKey::Ip, _) | (LimitKey::IdentityOrIp, None) => {
                0u8.hash(&mut state);
                ctx.ip.hash(&mut state);
            }
            (LimitKey::Identity | LimitKey::IdentityOrIp, Some(identity)) => {
                1u8.hash(&mut state);
                identity.hash(&mut state);
            }
            (LimitKey::Identity, None) => return None,
            (LimitKey::Endpoint, _) => {
                2u8.hash(&mut state);
                ctx.method.hash(&mut state);
                ctx.route.unwrap_or(ctx.path).hash(&mut state);
            }
        }
        Some(state.finish())
    }
}

/// The in-process rate limiter. Cheap to share behind an `Arc`; every method takes `&self`.
pub struct RateLimiter {
    rules: Box<[CompiledRule]>,
    epoch: Instant,
    // Seeded per process so a client cannot aim many keys at one hash (collisions would merge
    // their budgets) or one shard.
    hasher: foldhash::quality::RandomState,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("rules", &self.rule_names().collect::<Vec<_>>()).finish()
    }
}

impl RateLimiter {
    /// Validates and compiles the config. `epoch` is the zero of the limiter's clock: pass
    /// `Instant::now()` in production; every `now` given to [`RateLimiter::check`] later is
    /// measured from it (earlier instants count as the epoch).
    pub fn new(config: &RateLimitConfig, epoch: Instant) -> Result<RateLimiter, ConfigError> {
        if config.max_keys_per_rule == 0 {
            return Err(ConfigError::Invalid {
                field: "rate_limits.max_keys_per_rule".to_owned(),
                message: "must be at least 1".to_owned(),
            });
        }
        let mut rules = Vec::new();
        if config.enabled {
            let builtin = builtin_auth_rule();
            let overridden = config.rules.iter().any(|rule| rule.name == builtin.name);
            if config.builtin_auth_rule && !overridden {
                rules.push(CompiledRule::compile(
                    &builtin,
                    "rate_limits.builtin_auth_rule",
                    config.max_keys_per_rule,
                )?);
            }
            for (index, rule) in config.rules.iter().enumerate() {
                let field = format!("rate_limits.rules[{index}]");
                if rules.iter().any(|existing| existing.name == rule.name) {
                    return Err(ConfigError::Invalid {
                        field: format!("{field}.name"),
                        message: format!("duplicate rule name {:?}", rule.name),
                    });
                }
                rules.push(CompiledRule::compile(rule, &field, config.max_keys_per_rule)?);
            }
        }
        Ok(RateLimiter { rules: rules.into(), epoch, hasher: foldhash::quality::RandomState::default() })
    }

    /// Charges the request to every matching rule, in config order (built-in first), and
    /// stops at the first rule over budget. Rules before it have already been charged: a
    /// throttled request still counts against the broader budgets, which is the safe side.
    pub fn check(&self, ctx: &LimitContext<'_>, now: Instant) -> Result<(), Throttled> {
        let now_ns = self.nanos_since_epoch(now);
        for rule in self.rules.iter() {
            if !rule.matches(ctx) {
                continue;
            }
            let Some(key) = rule.key_hash(ctx, &self.hasher) else {
                continue;
            };
            if let Err(wait_ns) = rule.table.acquire(key, now_ns, rule.emission_ns, rule.tolerance_ns) {
                tracing::trace!(rule = %rule.name, wait_ns, "rate limited");
                return Err(Throttled {
                    rule: rule.name.clone(),
                    retry_after: Duration::from_nanos(wait_ns),
                });
            }
        }
        Ok(())
    }

    /// Drops keys whose budget has fully recovered (exact for GCRA: they decide nothing) and
    /// shrinks tables after a flood. Call periodically, or use [`RateLimiter::spawn_evictor`].
    pub fn evict_idle(&self, now: Instant) -> usize {
        let now_ns = self.nanos_since_epoch(now);
        self.rules.iter().map(|rule| rule.table.evict_idle(now_ns)).sum()
    }

    /// Runs [`RateLimiter::evict_idle`] every `every` on the current tokio runtime.
    pub fn spawn_evictor(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let limiter = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                let removed = limiter.evict_idle(Instant::now());
                tracing::debug!(removed, "evicted idle rate-limit keys");
            }
        })
    }

    /// Keys currently remembered per rule, for metrics and tests.
    pub fn key_counts(&self) -> Vec<(&str, usize)> {
        self.rules.iter().map(|rule| (rule.name.as_str(), rule.table.len())).collect()
    }

    /// Names of the active rules, in evaluation order.
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|rule| rule.name.as_str())
    }

    fn nanos_since_epoch(&self, now: Instant) -> u64 {
        nanos_since(self.epoch, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(ip: &str, path: &'a str) -> LimitContext<'a> {
        LimitContext { ip: ip.parse().unwrap(), identity: None, method: "POST", path, route: None }
    }

    fn rule(name: &str, key: LimitKey, rate: u32, per: Per, burst: Option<u32>) -> RuleConfig {
        RuleConfig { name: name.to_owned(), key, rate, per, burst, matcher: RuleMatch::default() }
    }

    #[test]
    fn builtin_auth_rule_throttles_sixth_login_within_a_minute() {
        let t0 = Instant::now();
        let limiter = RateLimiter::new(&RateLimitConfig::default(), t0).unwrap();
        for _ in 0..5 {
            limiter.check(&ctx("198.51.100.1", "/v1/auth/login"), t0).unwrap();
        }
        let throttled = limiter.check(&ctx("198.51.100.1", "/v1/auth/LOGIN/"), t0).unwrap_err();
        assert_eq!(throttled.rule, AUTH_RULE_NAME);
        assert_eq!(throttled.retry_after, Duration::from_secs(12));
        assert_eq!(throttled.retry_after_secs(), 12);
        // Another IP and a non-credential path are unaffected.
        limiter.check(&ctx("198.51.100.2", "/v1/auth/login"), t0).unwrap();
        for _ in 0..50 {
            limiter.check(&ctx("198.51.100.1", "/v1/accounts"), t0).unwrap();
        }
    }

    #[test]
    fn config_rule_with_builtin_name_replaces_it() {
        let config = RateLimitConfig {
            rules: vec![rule(AUTH_RULE_NAME, LimitKey::Ip, 100, Per::Minute, None)],
            ..RateLimitConfig::default()
        };
        let limiter = RateLimiter::new(&config, Instant::now()).unwrap();
        assert_eq!(limiter.rule_names().collect::<Vec<_>>(), [AUTH_RULE_NAME]);
        let now = Instant::now();
        for _ in 0..100 {
            limiter.check(&ctx("198.51.100.1", "/login"), now).unwrap();
        }
        assert!(limiter.check(&ctx("198.51.100.1", "/login"), now).is_err());
    }

    #[test]
    fn retry_after_rounds_up() {
        let throttled = Throttled { rule: "r".into(), retry_after: Duration::from_millis(1001) };
        assert_eq!(throttled.retry_after_secs(), 2);
        let tiny = Throttled { rule: "r".into(), retry_after: Duration::from_nanos(1) };
        assert_eq!(tiny.retry_after_secs(), 1);
    }

    #[test]
    fn identity_rule_skips_anonymous_and_identity_or_ip_falls_back() {
        let config = RateLimitConfig {
            builtin_auth_rule: false,
            rules: vec![
                rule("per-user", LimitKey::Identity, 1, Per::Hour, Some(1)),
                rule("per-client", LimitKey::IdentityOrIp, 2, Per::Hour, Some(2)),
            ],
            ..RateLimitConfig::default()
        };
        let t0 = Instant::now();
        let limiter = RateLimiter::new(&config, t0).unwrap();
        let anonymous = ctx("203.0.113.9", "/x");
        limiter.check(&anonymous, t0).unwrap();
        limiter.check(&anonymous, t0).unwrap();
        assert_eq!(limiter.check(&anonymous, t0).unwrap_err().rule, "per-client");
        let alice = LimitContext { identity: Some("alice"), ..anonymous };
        limiter.check(&alice, t0).unwrap();
        assert_eq!(limiter.check(&alice, t0).unwrap_err().rule, "per-user");
    }

    #[test]
    fn endpoint_rule_shares_one_budget_across_clients_per_route() {
        let mut endpoint = rule("transfers", LimitKey::Endpoint, 2, Per::Second, Some(2));
        endpoint.matcher.routes = vec!["/transfers/{id}".into()];
        let config =
            RateLimitConfig { builtin_auth_rule: false, rules: vec![endpoint], ..RateLimitConfig::default() };
        let t0 = Instant::now();
        let limiter = RateLimiter::new(&config, t0).unwrap();
        let on_route = |ip| LimitContext { route: Some("/transfers/{id}"), ..ctx(ip, "/transfers/1") };
        limiter.check(&on_route("192.0.2.1"), t0).unwrap();
        limiter.check(&on_route("192.0.2.2"), t0).unwrap();
        assert!(limiter.check(&on_route("192.0.2.3"), t0).is_err());
        // Not on the route: the rule does not apply.
        limiter.check(&ctx("192.0.2.3", "/transfers/1"), t0).unwrap();
    }

    #[test]
    fn invalid_config_names_the_field() {
        let config = RateLimitConfig {
            rules: vec![rule("zero", LimitKey::Ip, 0, Per::Second, None)],
            ..RateLimitConfig::default()
        };
        let error = RateLimiter::new(&config, Instant::now()).unwrap_err();
        assert!(error.to_string().contains("rate_limits.rules[0].rate"), "{error}");

        let mut bad_method = rule("m", LimitKey::Ip, 1, Per::Second, None);
        bad_method.matcher.methods = vec!["GE T".into()];
        let config = RateLimitConfig {
            rules: vec![rule("ok", LimitKey::Ip, 1, Per::Second, None), bad_method],
            ..RateLimitConfig::default()
        };
        let error = RateLimiter::new(&config, Instant::now()).unwrap_err();
        assert!(error.to_string().contains("rate_limits.rules[1].match.methods[0]"), "{error}");
    }

    #[test]
    fn full_shard_evicts_instead_of_growing() {
        let table = KeyTable::new(SHARDS * 4);
        // All keys land in shard 0 (middle bits zero) and all stay live (TAT far ahead).
        for key in 0..1000u64 {
            table.acquire(key, 1, 1_000_000_000, u64::MAX).unwrap();
        }
        assert_eq!(table.len(), 4);
    }
}
