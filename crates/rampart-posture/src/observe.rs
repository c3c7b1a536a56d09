//! The streaming observer: one pass over the exchanges, bounded state, mergeable.

use rampart_core::text::prefix as truncate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rampart_core::{EndpointKey, Exchange, Inventory};
use rampart_discovery::auth::{self, Credential};
use serde::{Deserialize, Serialize};

use crate::jwt::{self, JwtFamily, Seen, TokenInfo};
use crate::path::{TemplateIndex, skeleton};

/// Skeletons (method, host, path skeleton) tracked; exchanges of further ones are counted only.
pub const MAX_SKELETONS: usize = 20_000;
/// Concrete objects (paths) tracked per skeleton for object-level authorization.
pub const MAX_OBJECTS: usize = 4096;
/// Identities remembered per object; further ones are counted.
pub const MAX_IDS_PER_OBJECT: usize = 4;
/// Identities tracked per skeleton, and in all.
pub const MAX_IDENTITIES_PER_SKELETON: usize = 2048;
pub const MAX_IDENTITIES: usize = 100_000;
/// Clients whose recent calls are kept per login-like skeleton.
pub const MAX_BURST_CLIENTS: usize = 1024;
/// Window of the burst count on login-like endpoints, in seconds.
pub const BURST_WINDOW_SECS: i64 = 60;
/// Recent calls kept per client (bursts are counted up to this).
const BURST_RING: usize = 32;
/// Distinct strings (banners, origins, field paths, markers) kept per skeleton and kind.
const MAX_LABELS: usize = 8;
/// Bytes of a body examined for tokens, traces and fields.
const MAX_SCAN_BYTES: usize = 64 * 1024;

/// Path segments that mark an internal, admin or debug area.
const INTERNAL_SEGMENTS: &[&str] = &[
    "admin",
    "internal",
    "debug",
    "actuator",
    "management",
    "manage",
    "console",
    "_admin",
    "backoffice",
    "ops",
    "staff",
    "superuser",
    "sysadmin",
];
/// Last segments of liveness endpoints, which are meant to be reachable.
const HEALTH_SEGMENTS: &[&str] =
    &["health", "healthz", "ready", "readyz", "live", "livez", "ping", "status", "version"];
/// Input names that take URLs.
const URL_NAMES: &[&str] = &[
    "url",
    "uri",
    "callback",
    "callbackurl",
    "callbackuri",
    "webhook",
    "webhookurl",
    "redirect",
    "redirecturl",
    "redirecturi",
    "returnurl",
    "returnto",
    "next",
    "imageurl",
    "avatarurl",
    "pictureurl",
    "iconurl",
    "feed",
    "feedurl",
    "link",
    "target",
    "dest",
    "destination",
    "endpoint",
    "proxy",
    "fetch",
    "src",
    "source",
];
/// Request fields that grant privileges or change state a client should not set.
const PRIVILEGED_FIELDS: &[&str] = &[
    "role",
    "roles",
    "isadmin",
    "admin",
    "issuperuser",
    "superuser",
    "isstaff",
    "permissions",
    "permission",
    "scope",
    "scopes",
    "group",
    "groups",
    "balance",
    "availablebalance",
    "credit",
    "creditlimit",
    "limit",
    "dailylimit",
    "transferlimit",
    "overdraftlimit",
    "status",
    "verified",
    "isverified",
    "emailverified",
    "phoneverified",
    "kycstatus",
    "kycverified",
    "approved",
    "isapproved",
    "accounttype",
    "tier",
    "plan",
    "owner",
    "ownerid",
    "isactive",
    "enabled",
    "locked",
    "trusted",
];
/// Markers of stack traces and framework error pages in response bodies, with their label.
const TRACE_MARKERS: &[(&str, &str)] = &[
    ("Traceback (most recent call last)", "python-traceback"),
    ("Exception in thread", "java-exception"),
    ("\tat java.", "java-stack-trace"),
    ("\tat org.", "java-stack-trace"),
    ("\tat com.", "java-stack-trace"),
    ("    at java.", "java-stack-trace"),
    ("    at org.", "java-stack-trace"),
    ("    at com.", "java-stack-trace"),
    ("java.lang.", "java-exception"),
    ("org.springframework.", "spring-exception"),
    ("   at System.", "dotnet-stack-trace"),
    ("System.NullReferenceException", "dotnet-exception"),
    ("panicked at", "rust-panic"),
    ("goroutine ", "go-stack-trace"),
    ("node_modules/", "node-stack-trace"),
    ("SQLSTATE[", "sql-error"),
    ("You have an error in your SQL syntax", "sql-error"),
    ("ORA-0", "oracle-error"),
    ("psycopg2.", "sql-error"),
    ("Stack trace:", "stack-trace"),
    ("stack trace", "stack-trace"),
    ("\"stack\":", "stack-trace"),
    ("\"stackTrace\":", "stack-trace"),
    ("\"trace\":", "stack-trace"),
    ("Fatal error: ", "php-error"),
];

/// One concrete object (path) of a skeleton: the identities that got a 2xx on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectUse {
    pub ids: Vec<u64>,
    /// Further identities beyond [`MAX_IDS_PER_OBJECT`].
    #[serde(default)]
    pub more: u32,
}

impl ObjectUse {
    fn add(&mut self, id: u64) -> bool {
        if self.ids.contains(&id) {
            return false;
        }
        if self.ids.len() < MAX_IDS_PER_OBJECT {
            self.ids.push(id);
        } else {
            self.more = self.more.saturating_add(1);
        }
        true
    }

    /// Distinct identities (kept and beyond the cap).
    pub fn identities(&self) -> usize {
        self.ids.len() + self.more as usize
    }
}

/// A request field with a privileged name, and how often the response echoed its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Echo {
    pub sent: u64,
    pub echoed: u64,
}

/// What was seen of one skeleton (or, after [`Observations::by_endpoint`], one endpoint).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathFacts {
    pub host: String,
    pub method: String,
    pub skeleton: String,
    pub calls: u64,
    /// Inside an internal, admin or debug area (liveness endpoints excepted).
    pub internal: bool,
    /// Inside an internal, admin or debug area, liveness endpoints included: identities that
    /// only call such paths are operators, not ordinary identities.
    #[serde(default)]
    pub internal_area: bool,
    /// A login, token, OTP or password endpoint.
    pub auth_like: bool,
    /// 2xx answered to calls without any credential.
    pub ok_unauthenticated: u64,
    /// Concrete objects (path hash) and the stable identities that got a 2xx on them.
    #[serde(default)]
    pub objects: HashMap<u64, ObjectUse>,
    /// 2xx calls on objects beyond [`MAX_OBJECTS`].
    pub objects_untracked: u64,
    /// Stable identities (JWT subject, API key, Basic user, source-given) and their 2xx calls.
    #[serde(default)]
    pub identities: HashMap<u64, u64>,
    /// 2xx calls by rotating identities (session cookies, opaque bearer tokens): not used for
    /// object-level checks, since one user shows as several.
    pub weak_identity_calls: u64,
    /// Most calls one client made within [`BURST_WINDOW_SECS`] (login-like endpoints only).
    pub max_burst: u32,
    #[serde(skip)]
    bursts: HashMap<u64, Vec<i64>>,
    pub too_many_requests: u64,
    pub responses: u64,
    pub https_responses: u64,
    pub missing_hsts: u64,
    pub missing_nosniff: u64,
    pub html_responses: u64,
    pub html_without_csp: u64,
    /// 2xx responses with a body and no `Cache-Control: no-store`.
    pub ok_without_no_store: u64,
    #[serde(default)]
    pub banners: BTreeSet<String>,
    pub cors_wildcard_credentials: u64,
    pub cors_reflected_credentials: u64,
    #[serde(default)]
    pub cors_origins: BTreeSet<String>,
    /// Requests over plain `http` to a host that is not a loopback one.
    pub plain_http: u64,
    /// Error responses whose body holds a stack trace or framework error.
    pub error_traces: u64,
    #[serde(default)]
    pub trace_markers: BTreeSet<String>,
    #[serde(default)]
    pub trace_statuses: BTreeSet<u16>,
    /// Inputs (`query.callback`, `body/webhook/url`) that carried URLs, and how often.
    #[serde(default)]
    pub url_inputs: BTreeMap<String, u64>,
    /// Privileged request fields (`body/role`) and how often the response echoed them.
    #[serde(default)]
    pub echoed: BTreeMap<String, Echo>,
}

impl PathFacts {
    fn new(host: &str, method: &str, skeleton: String) -> PathFacts {
        let segments: Vec<String> = skeleton.split('/').map(str::to_ascii_lowercase).collect();
        let last = segments.iter().rev().find(|s| !s.is_empty() && *s != "{}").cloned().unwrap_or_default();
        let internal_area = segments.iter().any(|s| INTERNAL_SEGMENTS.contains(&s.as_str()));
        let internal = internal_area && !HEALTH_SEGMENTS.contains(&last.as_str());
        let auth_like = crate::rules::is_auth_like(&skeleton);
        PathFacts {
            host: host.to_owned(),
            method: method.to_owned(),
            skeleton,
            internal,
            internal_area,
            auth_like,
            ..PathFacts::default()
        }
    }

    /// `METHOD host skeleton`, how JWT families name endpoints.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.method, self.host, self.skeleton)
    }

    /// Fold `other` (same skeleton or same template) into this.
    pub fn merge(&mut self, other: &PathFacts) {
        self.calls += other.calls;
        self.internal |= other.internal;
        self.internal_area |= other.internal_area;
        self.auth_like |= other.auth_like;
        self.ok_unauthenticated += other.ok_unauthenticated;
        for (path, theirs) in &other.objects {
            if let Some(mine) = self.objects.get_mut(path) {
                for id in &theirs.ids {
                    mine.add(*id);
                }
                mine.more = mine.more.saturating_add(theirs.more);
            } else if self.objects.len() < MAX_OBJECTS {
                self.objects.insert(*path, theirs.clone());
            } else {
                self.objects_untracked += 1;
            }
        }
        self.objects_untracked += other.objects_untracked;
        for (id, n) in &other.identities {
            if let Some(m) = self.identities.get_mut(id) {
                *m += n;
            } else if self.identities.len() < MAX_IDENTITIES_PER_SKELETON {
                self.identities.insert(*id, *n);
            }
        }
        self.weak_identity_calls += other.weak_identity_calls;
        self.max_burst = self.max_burst.max(other.max_burst);
        self.too_many_requests += other.too_many_requests;
        self.responses += other.responses;
        self.https_responses += other.https_responses;
        self.missing_hsts += other.missing_hsts;
        self.missing_nosniff += other.missing_nosniff;
        self.html_responses += other.html_responses;
        self.html_without_csp += other.html_without_csp;
        self.ok_without_no_store += other.ok_without_no_store;
        union_capped(&mut self.banners, &other.banners);
        self.cors_wildcard_credentials += other.cors_wildcard_credentials;
        self.cors_reflected_credentials += other.cors_reflected_credentials;
        union_capped(&mut self.cors_origins, &other.cors_origins);
        self.plain_http += other.plain_http;
        self.error_traces += other.error_traces;
        union_capped(&mut self.trace_markers, &other.trace_markers);
        for s in &other.trace_statuses {
            if self.trace_statuses.len() < MAX_LABELS {
                self.trace_statuses.insert(*s);
            }
        }
        for (k, n) in &other.url_inputs {
            if let Some(m) = self.url_inputs.get_mut(k) {
                *m += n;
            } else if self.url_inputs.len() < MAX_LABELS * 2 {
                self.url_inputs.insert(k.clone(), *n);
            }
        }
        for (k, e) in &other.echoed {
            if let Some(m) = self.echoed.get_mut(k) {
                m.sent += e.sent;
                m.echoed += e.echoed;
            } else if self.echoed.len() < MAX_LABELS * 2 {
                self.echoed.insert(k.clone(), *e);
            }
        }
    }
}

fn union_capped(into: &mut BTreeSet<String>, from: &BTreeSet<String>) {
    for s in from {
        if into.len() >= MAX_LABELS {
            break;
        }
        into.insert(s.clone());
    }
}

fn insert_capped(into: &mut BTreeSet<String>, value: &str) {
    if into.len() < MAX_LABELS && !into.contains(value) {
        into.insert(value.to_owned());
    }
}

/// An identity seen with 2xx answers anywhere.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityFacts {
    /// Masked label (`jwt:C0****34`), for evidence.
    pub label: String,
    /// 2xx calls outside internal areas: an ordinary (customer, partner) identity has some.
    pub ok_outside_internal: u64,
    pub ok_internal: u64,
}

/// Everything the observer kept. Serialisable and mergeable.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Observations {
    pub exchanges: u64,
    /// Exchanges of skeletons beyond [`MAX_SKELETONS`], counted only.
    pub untracked: u64,
    pub paths: Vec<PathFacts>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    #[serde(default)]
    pub jwt: BTreeMap<String, JwtFamily>,
    /// Tokens of families beyond [`jwt::MAX_FAMILIES`].
    pub jwt_untracked: u64,
    #[serde(default)]
    pub identities: HashMap<u64, IdentityFacts>,
}

impl PartialEq for Observations {
    fn eq(&self, other: &Self) -> bool {
        self.exchanges == other.exchanges
            && self.untracked == other.untracked
            && self.paths == other.paths
            && self.jwt == other.jwt
            && self.identities == other.identities
    }
}

/// A streaming observer of exchanges; [`PostureObserver::finish`] gives the observations.
#[derive(Debug, Default)]
pub struct PostureObserver {
    obs: Observations,
    /// Decoded claims of recent tokens by a hash of the whole token: a client sends the same
    /// token many times, and decoding (base64 + JSON) is the observer's largest cost. Tokens
    /// themselves are not kept.
    tokens: HashMap<u64, Option<TokenInfo>>,
}

/// Tokens whose claims are cached; the cache is emptied when full.
const TOKEN_CACHE: usize = 4096;

/// A fast 64-bit hash of a whole token, 8 bytes at a time (FxHash's mixing).
fn token_hash(token: &str) -> u64 {
    let mut h: u64 = token.len() as u64;
    let mut chunks = token.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    for b in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h
}

/// FNV-1a, 64 bits: stable across runs and Rust versions, so stored observations merge.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// `jwt:C0001234` → `jwt:C0****34`: enough to tell identities apart in evidence, not to name them.
pub fn mask_identity(identity: &str) -> String {
    let (prefix, rest) = match identity.split_once(':') {
        Some((p, r)) if p.len() <= 8 => (format!("{p}:"), r),
        _ => (String::new(), identity),
    };
    let chars: Vec<char> = rest.chars().collect();
    if chars.len() <= 4 {
        return format!("{prefix}{}", "*".repeat(chars.len()));
    }
    let head: String = chars[..2].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{prefix}{head}{}{tail}", "*".repeat((chars.len() - 4).min(8)))
}

/// Who made a call. `label` (`jwt:C0001234`, never a credential) is masked before it is kept.
struct Identity {
    hash: u64,
    strong: bool,
    label: String,
}

fn looks_like_jwt(value: &str) -> bool {
    value.starts_with("eyJ") && value.bytes().filter(|b| *b == b'.').count() == 2
}

impl PostureObserver {
    pub fn new() -> PostureObserver {
        PostureObserver::default()
    }

    /// Continue from earlier observations (stored by a previous run).
    pub fn seed(&mut self, prior: Observations) {
        self.obs.merge(prior);
    }

    pub fn finish(self) -> Observations {
        self.obs
    }

    /// Learn from one exchange.
    pub fn observe(&mut self, ex: &Exchange) {
        // Refused by a gateway's block or rate limit: the API never answered it (as discovery).
        if rampart_core::exchange::enforcement_refusal(ex).is_some() {
            return;
        }
        let obs = &mut self.obs;
        obs.exchanges += 1;
        let host = ex.request.host.to_ascii_lowercase();
        let method = ex.request.method.to_ascii_uppercase();
        let skel = skeleton(&ex.request.path);
        let key = format!("{method} {host} {skel}");
        let index = match obs.index.get(&key) {
            Some(i) => *i,
            None => {
                if obs.paths.len() >= MAX_SKELETONS {
                    obs.untracked += 1;
                    return;
                }
                obs.paths.push(PathFacts::new(&host, &method, skel));
                obs.index.insert(key.clone(), obs.paths.len() - 1);
                obs.paths.len() - 1
            }
        };
        let status = ex.response.as_ref().map(|r| r.status);
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        let creds = auth::classify_undecoded(&ex.request);

        // Tokens presented (decoded once per distinct token), and the identity behind the call.
        let mut presented: Vec<(&str, TokenInfo)> = Vec::new();
        for cred in &creds.items {
            let token = match cred {
                Credential::Jwt { token, .. } => Some(token.expose()),
                Credential::ApiKeyQuery { value, .. } | Credential::ApiKeyHeader { value, .. }
                    if looks_like_jwt(value.expose()) =>
                {
                    Some(value.expose())
                }
                _ => None,
            };
            let Some(token) = token else { continue };
            let key = token_hash(token);
            if !self.tokens.contains_key(&key) && self.tokens.len() >= TOKEN_CACHE {
                self.tokens.clear();
            }
            if let Some(info) = self.tokens.entry(key).or_insert_with(|| TokenInfo::decode(token)) {
                presented.push((token, info.clone()));
            }
        }
        let identity = identity_of(ex, &creds, &presented);
        let obs = &mut self.obs;

        let pf = &mut obs.paths[index];
        pf.calls += 1;
        if ok && creds.is_none() {
            pf.ok_unauthenticated += 1;
        }
        if let (true, Some(id)) = (ok, &identity) {
            if id.strong {
                let object = fnv1a(&[ex.request.path.as_bytes()]);
                if pf.objects.contains_key(&object) || pf.objects.len() < MAX_OBJECTS {
                    pf.objects.entry(object).or_default().add(id.hash);
                } else {
                    pf.objects_untracked += 1;
                }
                if let Some(n) = pf.identities.get_mut(&id.hash) {
                    *n += 1;
                } else if pf.identities.len() < MAX_IDENTITIES_PER_SKELETON {
                    pf.identities.insert(id.hash, 1);
                }
            } else {
                pf.weak_identity_calls += 1;
            }
            let internal = pf.internal_area;
            if obs.identities.contains_key(&id.hash) || obs.identities.len() < MAX_IDENTITIES {
                let f = obs.identities.entry(id.hash).or_insert_with(|| IdentityFacts {
                    label: mask_identity(&id.label),
                    ..IdentityFacts::default()
                });
                if internal {
                    f.ok_internal += 1;
                } else {
                    f.ok_outside_internal += 1;
                }
            }
        }
        let pf = &mut obs.paths[index];
        if status == Some(429) {
            pf.too_many_requests += 1;
        }
        if pf.auth_like {
            record_burst(pf, ex, identity.as_ref());
        }
        if ex.request.scheme.eq_ignore_ascii_case("http") && !is_loopback(&host) {
            pf.plain_http += 1;
        }
        if let Some(resp) = &ex.response {
            check_response(pf, ex, resp);
        }
        check_inputs(pf, ex, ok);

        // JWT families: tokens accepted by this endpoint, and tokens it issued.
        // The skeleton's key is also how JWT families name endpoints.
        let label = key.as_str();
        if ok {
            for (token, info) in &presented {
                record_family(obs, token, info, Seen::Accepted, label);
            }
            let body = ex.response.as_ref().and_then(|r| r.body.as_ref()).and_then(|b| b.text.as_deref());
            // `contains` has a vectorised path for short needles; most bodies hold no token.
            if let Some(text) = body.map(|t| truncate(t, MAX_SCAN_BYTES)).filter(|t| t.contains("eyJ")) {
                for token in jwt::tokens_in(text, 4) {
                    if let Some(info) = TokenInfo::decode(token) {
                        record_family(obs, token, &info, Seen::Issued, label);
                    }
                }
            }
        }
    }
}

fn record_family(obs: &mut Observations, token: &str, info: &TokenInfo, how: Seen, label: &str) {
    let family = info.family();
    if obs.jwt.contains_key(&family) || obs.jwt.len() < jwt::MAX_FAMILIES {
        obs.jwt.entry(family).or_default().record(token, info, how, label);
    } else {
        obs.jwt_untracked += 1;
    }
}

fn identity_of(
    ex: &Exchange,
    creds: &auth::Credentials<'_>,
    presented: &[(&str, TokenInfo)],
) -> Option<Identity> {
    let make = |label: String, strong: bool| Identity { hash: fnv1a(&[label.as_bytes()]), strong, label };
    if let Some(id) = &ex.client.identity {
        return Some(make(format!("client:{id}"), true));
    }
    if let Some(sub) = presented.iter().find_map(|(_, i)| i.sub.as_deref()) {
        return Some(make(format!("jwt:{sub}"), true));
    }
    let id = auth::identity(creds)?;
    let strong = id.starts_with("key:") || id.starts_with("basic:") || id.starts_with("jwt:");
    Some(make(id, strong))
}

fn is_loopback(host: &str) -> bool {
    let name =
        host.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
    name == "localhost" || name.starts_with("127.") || name == "[::1]" || name.ends_with(".localhost")
}

fn record_burst(pf: &mut PathFacts, ex: &Exchange, identity: Option<&Identity>) {
    let client = match (&ex.client.ip, identity) {
        (Some(ip), _) => fnv1a(&[b"ip", ip.to_string().as_bytes()]),
        (None, Some(id)) => id.hash,
        (None, None) => fnv1a(&[b"ua", ex.request.header("user-agent").unwrap_or("").as_bytes()]),
    };
    let now = ex.started_at.timestamp();
    if !pf.bursts.contains_key(&client) && pf.bursts.len() >= MAX_BURST_CLIENTS {
        return;
    }
    let ring = pf.bursts.entry(client).or_default();
    ring.retain(|t| (now - *t).abs() < BURST_WINDOW_SECS);
    if ring.len() >= BURST_RING {
        ring.remove(0);
    }
    ring.push(now);
    pf.max_burst = pf.max_burst.max(ring.len() as u32);
}

/// Registrable-domain approximation: the last two labels.
fn site(host: &str) -> String {
    let host = host.split(':').next().unwrap_or(host).trim_end_matches('.');
    let labels: Vec<&str> = host.rsplit('.').take(2).collect();
    labels.into_iter().rev().collect::<Vec<_>>().join(".").to_ascii_lowercase()
}

fn check_response(pf: &mut PathFacts, ex: &Exchange, resp: &rampart_core::Response) {
    pf.responses += 1;
    let has_body = resp.body.as_ref().is_some_and(|b| !b.is_empty());
    if ex.request.scheme.eq_ignore_ascii_case("https") {
        pf.https_responses += 1;
        if resp.header("strict-transport-security").is_none() {
            pf.missing_hsts += 1;
        }
    }
    if has_body
        && !resp.header("x-content-type-options").is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"))
    {
        pf.missing_nosniff += 1;
    }
    let media = resp.content_type().unwrap_or_default();
    if media == "text/html" {
        pf.html_responses += 1;
        if resp.header("content-security-policy").is_none() {
            pf.html_without_csp += 1;
        }
    }
    if (200..300).contains(&resp.status)
        && has_body
        && !resp
            .header("cache-control")
            .is_some_and(|v| v.as_bytes().windows(8).any(|w| w.eq_ignore_ascii_case(b"no-store")))
    {
        pf.ok_without_no_store += 1;
    }
    for (name, value) in &resp.headers {
        let banner = if name.eq_ignore_ascii_case("server") {
            value.bytes().any(|b| b.is_ascii_digit()).then(|| format!("Server: {value}"))
        } else if name.eq_ignore_ascii_case("x-powered-by")
            || name.eq_ignore_ascii_case("x-aspnet-version")
            || name.eq_ignore_ascii_case("x-aspnetmvc-version")
        {
            Some(format!("{name}: {value}"))
        } else {
            None
        };
        if let Some(b) = banner {
            let b: String = b.chars().take(80).collect();
            insert_capped(&mut pf.banners, &b);
        }
    }
    if resp.header("access-control-allow-credentials").is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        match resp.header("access-control-allow-origin").map(str::trim) {
            Some("*") => pf.cors_wildcard_credentials += 1,
            Some(allowed) => {
                if let Some(origin) = ex.request.header("origin").map(str::trim)
                    && origin == allowed
                {
                    let origin_host = origin.split("://").nth(1).unwrap_or(origin);
                    if origin == "null" || site(origin_host) != site(&ex.request.host) {
                        pf.cors_reflected_credentials += 1;
                        let o: String = origin.chars().take(80).collect();
                        insert_capped(&mut pf.cors_origins, &o);
                    }
                }
            }
            None => {}
        }
    }
    if resp.status >= 400
        && let Some(text) = resp.body.as_ref().and_then(|b| b.text.as_deref())
    {
        let text = truncate(text, MAX_SCAN_BYTES);
        let mut found = false;
        for (marker, label) in TRACE_MARKERS {
            if text.contains(marker) {
                found = true;
                insert_capped(&mut pf.trace_markers, label);
            }
        }
        if found {
            pf.error_traces += 1;
            if pf.trace_statuses.len() < MAX_LABELS {
                pf.trace_statuses.insert(resp.status);
            }
        }
    }
}

fn normalised_name(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

fn is_url(value: &str) -> bool {
    let v = value.trim_start();
    v.len() > 8
        && (v.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("http://"))
            || v.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")))
}

fn takes_url(name: &str, value: &str) -> bool {
    is_url(value) || (URL_NAMES.contains(&normalised_name(name).as_str()) && value.contains("://"))
}

fn count_label(map: &mut BTreeMap<String, u64>, label: String) {
    if let Some(n) = map.get_mut(&label) {
        *n += 1;
    } else if map.len() < MAX_LABELS * 2 {
        map.insert(label, 1);
    }
}

fn check_inputs(pf: &mut PathFacts, ex: &Exchange, ok: bool) {
    for (name, value) in &ex.request.query {
        if auth::is_api_key_query_param(name) {
            continue;
        }
        if takes_url(name, value) {
            count_label(&mut pf.url_inputs, format!("query.{}", truncate(name, 64)));
        }
    }
    let Some(body) = &ex.request.body else { return };
    if !ex.request.content_type().is_some_and(|m| rampart_core::exchange::is_json_media_type(&m)) {
        return;
    }
    let Some(text) = body.text.as_deref().filter(|t| t.len() <= MAX_SCAN_BYTES) else { return };
    let Ok(request) = serde_json::from_str::<serde_json::Value>(text) else { return };
    let mut privileged: Vec<(String, &serde_json::Value)> = Vec::new();
    walk_request(&request, &mut String::new(), 0, pf, &mut privileged);
    if privileged.is_empty() {
        return;
    }
    let response = if ok {
        ex.response
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .and_then(|b| b.text.as_deref())
            .filter(|t| t.len() <= MAX_SCAN_BYTES)
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
    } else {
        None
    };
    for (pointer, value) in privileged {
        let echoed = response.as_ref().is_some_and(|r| {
            r.pointer(&pointer) == Some(value)
                || r.get("data").and_then(|d| d.pointer(&pointer)) == Some(value)
        });
        let label = format!("body{pointer}");
        if !pf.echoed.contains_key(&label) && pf.echoed.len() >= MAX_LABELS * 2 {
            continue;
        }
        let entry = pf.echoed.entry(label).or_default();
        entry.sent += 1;
        entry.echoed += u64::from(echoed);
    }
}

/// Walks a request body (objects only, 3 levels): URL-valued fields and privileged fields.
fn walk_request<'v>(
    value: &'v serde_json::Value,
    pointer: &mut String,
    depth: usize,
    pf: &mut PathFacts,
    privileged: &mut Vec<(String, &'v serde_json::Value)>,
) {
    let serde_json::Value::Object(map) = value else { return };
    if depth > 3 {
        return;
    }
    for (name, v) in map.iter().take(256) {
        let len = pointer.len();
        pointer.push('/');
        pointer.push_str(truncate(name, 64));
        match v {
            serde_json::Value::String(s) if takes_url(name, s) => {
                count_label(&mut pf.url_inputs, format!("body{pointer}"));
            }
            serde_json::Value::Object(_) => walk_request(v, pointer, depth + 1, pf, privileged),
            _ => {}
        }
        if PRIVILEGED_FIELDS.contains(&normalised_name(name).as_str())
            && !v.is_object()
            && privileged.len() < 16
        {
            privileged.push((pointer.clone(), v));
        }
        pointer.truncate(len);
    }
}

impl Observations {
    /// Fold observations of another run or worker into these.
    pub fn merge(&mut self, other: Observations) {
        self.rebuild_index();
        self.exchanges += other.exchanges;
        self.untracked += other.untracked;
        for pf in other.paths {
            let key = pf.label();
            match self.index.get(&key) {
                Some(i) => self.paths[*i].merge(&pf),
                None if self.paths.len() < MAX_SKELETONS => {
                    self.index.insert(key, self.paths.len());
                    self.paths.push(pf);
                }
                None => self.untracked += pf.calls,
            }
        }
        for (k, f) in &other.jwt {
            if let Some(mine) = self.jwt.get_mut(k) {
                mine.merge(f);
            } else if self.jwt.len() < jwt::MAX_FAMILIES {
                self.jwt.insert(k.clone(), f.clone());
            } else {
                self.jwt_untracked += 1;
            }
        }
        self.jwt_untracked += other.jwt_untracked;
        for (id, f) in other.identities {
            if let Some(mine) = self.identities.get_mut(&id) {
                mine.ok_internal += f.ok_internal;
                mine.ok_outside_internal += f.ok_outside_internal;
            } else if self.identities.len() < MAX_IDENTITIES {
                self.identities.insert(id, f);
            }
        }
    }

    fn rebuild_index(&mut self) {
        if self.index.len() != self.paths.len() {
            self.index = self.paths.iter().enumerate().map(|(i, p)| (p.label(), i)).collect();
        }
    }

    /// The facts of each inventory endpoint: the skeletons that map onto its template, merged.
    pub fn by_endpoint(&self, inventory: &Inventory) -> BTreeMap<EndpointKey, PathFacts> {
        let index = TemplateIndex::new(inventory);
        let mut out: BTreeMap<EndpointKey, PathFacts> = BTreeMap::new();
        for pf in &self.paths {
            let Some(key) = index.find(&pf.host, &pf.method, &pf.skeleton) else { continue };
            match out.get_mut(key) {
                Some(facts) => facts.merge(pf),
                None => {
                    let mut facts = pf.clone();
                    facts.skeleton.clone_from(&key.path_template);
                    out.insert(key.clone(), facts);
                }
            }
        }
        out
    }

    /// The endpoint key a family's endpoint label (`METHOD host skeleton`) maps onto.
    pub fn endpoint_of<'a>(&self, index: &TemplateIndex<'a>, label: &str) -> Option<&'a EndpointKey> {
        let mut parts = label.splitn(3, ' ');
        let (method, host, skel) = (parts.next()?, parts.next()?, parts.next()?);
        index.find(host, method, skel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_masked() {
        assert_eq!(mask_identity("jwt:C0001234"), "jwt:C0****34");
        assert_eq!(mask_identity("key:abc"), "key:***");
        assert!(!mask_identity("client:ops.lim@bank.example").contains("ops.lim"));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(&[b"a"]), fnv1a(&[b"a"]));
        assert_ne!(fnv1a(&[b"a", b"b"]), fnv1a(&[b"ab"]));
    }

    #[test]
    fn sites_compare_registrable_domains() {
        assert_eq!(site("ib.demo-bank.example"), "demo-bank.example");
        assert_eq!(site("api.demo-bank.example:8443"), "demo-bank.example");
        assert_ne!(site("app.budget-buddy.example"), site("api.demo-bank.example"));
    }
}
