//! What the detectors need of an exchange, worked out once: the client keys (hashed), the
//! endpoint template and object id, the status, and — for logins — the username and outcome.
//!
//! Endpoints are templated per request without the inventory: a path segment that looks like an
//! identifier (digits, a UUID, long hex, a mixed token with digits, an email) becomes `{id}`.
//! That matches what discovery infers for the IDs attackers enumerate, at no cost of state.

use rampart_core::text::prefix as truncate;
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;
use rampart_core::Exchange;
use rampart_core::exchange::header;
use sha2::{Digest, Sha256};

/// Seeded once per process so that attacker-chosen keys cannot aim at one table bucket.
pub(crate) fn hasher() -> foldhash::quality::FixedState {
    use std::sync::OnceLock;
    static SEED: OnceLock<u64> = OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let state = std::collections::hash_map::RandomState::new();
        state.hash_one(0x5eed_u64)
    });
    foldhash::quality::FixedState::with_seed(seed)
}

pub(crate) fn hash_str(domain: u8, value: &str) -> u64 {
    let mut h = hasher().build_hasher();
    h.write_u8(domain);
    h.write(value.as_bytes());
    h.finish()
}

pub(crate) fn hash_ip(domain: u8, ip: IpAddr) -> u64 {
    let mut h = hasher().build_hasher();
    h.write_u8(domain);
    match ip {
        IpAddr::V4(v4) => h.write(&v4.octets()),
        IpAddr::V6(v6) => h.write(&v6.octets()),
    }
    h.finish()
}

pub(crate) fn hash_pair(a: u64, b: u64) -> u64 {
    let mut h = hasher().build_hasher();
    h.write_u64(a);
    h.write_u64(b);
    h.finish()
}

/// Domains keep equal strings of different kinds apart (`identity:x` vs `username:x`).
pub(crate) mod domain {
    pub const IP: u8 = 1;
    pub const PREFIX: u8 = 2;
    pub const IDENTITY: u8 = 3;
    pub const USERNAME: u8 = 4;
    pub const TOKEN: u8 = 5;
    pub const DEVICE: u8 = 6;
    pub const ENDPOINT: u8 = 7;
    pub const OBJECT: u8 = 8;
    pub const PAGE: u8 = 9;
    pub const PROBE: u8 = 10;
}

/// The /24 of an IPv4 address, the /64 of an IPv6 one.
pub fn prefix_of(ip: IpAddr) -> IpNet {
    let len = if ip.is_ipv4() { 24 } else { 64 };
    IpNet::new(ip, len).map(|net| net.trunc()).unwrap_or_else(|_| IpNet::from(ip))
}

/// How a login went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Success,
    Failure,
    /// No response, or a server error: neither.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginAttempt {
    /// Lower-cased; `None` when the request named none (then the attempt still counts per IP).
    pub username: Option<String>,
    pub outcome: LoginOutcome,
}

/// The facts of one exchange.
pub struct Facts<'a> {
    pub exchange: &'a Exchange,
    pub at: DateTime<Utc>,
    /// Seconds since the engine's epoch.
    pub now: u32,
    pub ip: Option<IpAddr>,
    pub ip_hash: u64,
    pub prefix: Option<IpNet>,
    pub prefix_hash: u64,
    pub identity: Option<&'a str>,
    /// The identity when there is one, else the IP: who "the client" is for per-client counts.
    pub actor_hash: u64,
    /// Token fingerprint: from the source, or worked out from an unmasked bearer token.
    pub credential: Option<Cow<'a, str>>,
    pub device_hash: u64,
    /// An explicit device identifier sent by the client (`x-device-id` and the like): unlike the
    /// user agent, it tells one phone from another.
    pub device_id: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
    pub endpoint_hash: u64,
    /// Hash and numeric value (when numeric) of the last identifier in the path or the query.
    pub object: Option<(u64, Option<u64>)>,
    pub status: Option<u16>,
    pub user_agent: Option<&'a str>,
    pub login: Option<LoginAttempt>,
}

impl<'a> Facts<'a> {
    pub fn new(exchange: &'a Exchange, now: u32, login_paths: &[String], learned_login: bool) -> Facts<'a> {
        let request = &exchange.request;
        let ip = exchange.client.ip;
        let ip_hash = ip.map_or(0, |ip| hash_ip(domain::IP, ip));
        let prefix = ip.map(prefix_of);
        let prefix_hash = prefix.map_or(0, |net| hash_ip(domain::PREFIX, net.network()));
        let identity = exchange.client.identity.as_deref().filter(|id| !id.is_empty());
        let actor_hash = match identity {
            Some(identity) => hash_str(domain::IDENTITY, identity),
            None => ip_hash,
        };
        let user_agent = request.header("user-agent");
        let device_hash = {
            let mut h = hasher().build_hasher();
            h.write_u8(domain::DEVICE);
            h.write(user_agent.unwrap_or("").as_bytes());
            h.write(DEVICE_HEADERS.iter().find_map(|name| request.header(name)).unwrap_or("").as_bytes());
            h.finish()
        };
        let credential = match exchange.client.credential.as_deref() {
            Some(fp) => Some(Cow::Borrowed(fp)),
            None => bearer_fingerprint(request.header("authorization")).map(Cow::Owned),
        };
        let (endpoint_hash, object) =
            template(request.method.as_str(), request.path.as_str(), &request.query);
        let status = exchange.response.as_ref().map(|r| r.status);
        let mut facts = Facts {
            exchange,
            at: exchange.started_at,
            now,
            ip,
            ip_hash,
            prefix,
            prefix_hash,
            identity,
            actor_hash,
            credential,
            device_hash,
            device_id: DEVICE_HEADERS
                .iter()
                .find_map(|name| request.header(name))
                .filter(|id| !id.is_empty()),
            method: request.method.as_str(),
            path: request.path.as_str(),
            endpoint_hash,
            object,
            status,
            user_agent,
            login: None,
        };
        facts.login = login_attempt(exchange, login_paths, learned_login);
        facts
    }

    /// The endpoint as people read it: `GET /accounts/{id}`.
    pub fn endpoint(&self) -> String {
        endpoint_label(self.method, self.path)
    }

    /// The path and query of the request, as evidence: identifiers kept (they are the evidence
    /// of enumeration), query values that look sensitive masked.
    pub fn target(&self) -> String {
        let request = &self.exchange.request;
        let mut target = truncate(self.path, 200).to_owned();
        for (index, (name, value)) in request.query.iter().take(8).enumerate() {
            target.push(if index == 0 { '?' } else { '&' });
            target.push_str(truncate(name, 40));
            target.push('=');
            target.push_str(&crate::engine::mask_value(name, truncate(value, 80)));
        }
        target
    }
}

/// SHA-256 (first 16 bytes, hex) of a bearer token that is still in the clear (HAR files); the
/// gateway's tap gives it as `client.credential` instead, having masked the header.
fn bearer_fingerprint(authorization: Option<&str>) -> Option<String> {
    let (scheme, token) = authorization?.split_once(' ')?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.len() < 16 || token.contains("redacted") {
        return None;
    }
    let digest = Sha256::digest(token.as_bytes());
    Some(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a path segment is an identifier rather than a name.
pub fn is_identifier(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.is_empty() || bytes.len() > 128 {
        return false;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return true;
    }
    if bytes.len() == 36 && bytes.iter().filter(|&&b| b == b'-').count() == 4 {
        return bytes.iter().all(|b| b.is_ascii_hexdigit() || *b == b'-');
    }
    if bytes.len() >= 16 && bytes.iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    if segment.contains('@') {
        return true;
    }
    // Mixed tokens with digits (ACC-000123, cus_8fd0a1, 9f2c1d7e): versions like v1 or
    // names like oauth2 are short or have a single digit.
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    // A word with a short number after it is a name (sha256, base64, oauth2).
    let word_then_number =
        bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count() + digits == bytes.len();
    if word_then_number && digits <= 3 {
        return false;
    }
    bytes.len() >= 6
        && digits >= 3
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// Query parameters that carry an object identifier.
fn is_id_parameter(name: &str) -> bool {
    let lower = name.as_bytes();
    name.eq_ignore_ascii_case("id")
        || (lower.len() > 2 && lower.ends_with(b"Id"))
        || name.to_ascii_lowercase().ends_with("_id")
}

/// `GET /accounts/{id}` from a method and raw path.
pub fn endpoint_label(method: &str, path: &str) -> String {
    let mut label = String::with_capacity(method.len() + path.len() + 4);
    label.push_str(method);
    label.push(' ');
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()).take(16) {
        any = true;
        label.push('/');
        if is_identifier(segment) { label.push_str("{id}") } else { label.push_str(truncate(segment, 64)) }
    }
    if !any {
        label.push('/');
    }
    label
}

/// The hash of an endpoint given as a template (`/users/{name}/login`, as the inventory and
/// specs name them): the same as [`template`]'s for its concrete paths when its parameters
/// stand where identifiers do.
pub fn template_hash(method: &str, path_template: &str) -> u64 {
    let mut h = hasher().build_hasher();
    h.write_u8(domain::ENDPOINT);
    h.write(method.to_ascii_uppercase().as_bytes());
    for segment in path_template.split('/').filter(|s| !s.is_empty()).take(16) {
        if segment.starts_with('{') || is_identifier(segment) {
            h.write(b"/{id}");
        } else {
            h.write_u8(b'/');
            h.write(segment.as_bytes());
        }
    }
    h.finish()
}

/// The endpoint's hash (method + templated path) and the request's object identifier, without
/// allocating.
pub(crate) fn template(
    method: &str,
    path: &str,
    query: &[(String, String)],
) -> (u64, Option<(u64, Option<u64>)>) {
    let mut h = hasher().build_hasher();
    h.write_u8(domain::ENDPOINT);
    h.write(method.as_bytes());
    let mut object = None;
    for segment in path.split('/').filter(|s| !s.is_empty()).take(16) {
        if is_identifier(segment) {
            h.write(b"/{id}");
            object = Some(segment);
        } else {
            h.write_u8(b'/');
            h.write(segment.as_bytes());
        }
    }
    if object.is_none() {
        object = query
            .iter()
            .find(|(name, value)| is_id_parameter(name) && !value.is_empty())
            .map(|(_, v)| v.as_str());
    }
    let object = object.map(|id| (hash_str(domain::OBJECT, id), id.parse::<u64>().ok()));
    (h.finish(), object)
}

/// Headers that carry a device identifier.
const DEVICE_HEADERS: [&str; 4] = ["x-device-id", "x-device-fingerprint", "x-client-device-id", "device-id"];

/// Path words of login endpoints.
const LOGIN_WORDS: [&str; 10] =
    ["login", "signin", "sign-in", "logon", "authenticate", "token", "session", "sessions", "auth", "oauth"];
/// Body field names of a password.
pub(crate) const PASSWORD_FIELDS: [&str; 6] = ["password", "passwd", "pwd", "passcode", "pin", "secret"];
/// Body field names of who logs in.
const USERNAME_FIELDS: [&str; 11] = [
    "username",
    "user",
    "email",
    "login",
    "userName",
    "user_name",
    "userId",
    "customerId",
    "phone",
    "mobile",
    "account",
];

/// A login attempt: a POST whose body carries a password field, or to a login path, or to an
/// endpoint that has answered a login before (learned from responses that issue tokens).
fn login_attempt(exchange: &Exchange, login_paths: &[String], learned: bool) -> Option<LoginAttempt> {
    let request = &exchange.request;
    if request.method != "POST" {
        return None;
    }
    let path = request.path.to_ascii_lowercase();
    let by_path = login_paths.iter().any(|p| path.starts_with(&p.to_ascii_lowercase()))
        || path.split('/').any(|segment| LOGIN_WORDS.contains(&segment));
    let body = request.body.as_ref().and_then(|b| b.as_text());
    let fields = body.as_deref().and_then(credential_fields);
    let has_password = fields.as_ref().is_some_and(|f| f.password);
    if !(has_password || by_path || learned) {
        return None;
    }
    // A refresh-token grant or an OTP verify is not a password login.
    if fields.as_ref().is_some_and(|f| f.grant_type.as_deref().is_some_and(|g| g != "password"))
        || (!has_password && (path.contains("refresh") || path.contains("logout") || path.contains("otp")))
    {
        return None;
    }
    let username = fields.and_then(|f| f.username);
    Some(LoginAttempt { username, outcome: login_outcome(exchange) })
}

struct CredentialFields {
    password: bool,
    username: Option<String>,
    grant_type: Option<String>,
}

fn credential_fields(body: &str) -> Option<CredentialFields> {
    let body = body.trim_start();
    let mut fields = CredentialFields { password: false, username: None, grant_type: None };
    let mut visit = |name: &str, value: &str| {
        if PASSWORD_FIELDS.iter().any(|p| name.eq_ignore_ascii_case(p)) {
            fields.password = true;
        } else if fields.username.is_none()
            && USERNAME_FIELDS.iter().any(|u| name.eq_ignore_ascii_case(u))
            && !value.is_empty()
        {
            fields.username = Some(truncate(value.trim(), 256).to_lowercase());
        } else if name == "grant_type" {
            fields.grant_type = Some(value.to_owned());
        }
    };
    if body.starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        let object = value.as_object()?;
        for (name, value) in object {
            match value {
                serde_json::Value::String(text) => visit(name, text),
                serde_json::Value::Number(number) => visit(name, &number.to_string()),
                _ => visit(name, ""),
            }
        }
    } else if body.contains('=') {
        for (name, value) in rampart_core::exchange::parse_query(body) {
            visit(&name, &value);
        }
    } else {
        return None;
    }
    Some(fields)
}

/// Words of a failed login in a 2xx or redirect answer.
const FAILURE_WORDS: [&str; 8] =
    ["invalid", "incorrect", "wrong", "failed", "failure", "denied", "\"success\":false", "unauthori"];
/// Fields of an issued credential.
const TOKEN_WORDS: [&str; 5] = ["access_token", "\"token\"", "id_token", "\"jwt\"", "accesstoken"];

fn login_outcome(exchange: &Exchange) -> LoginOutcome {
    let Some(response) = &exchange.response else { return LoginOutcome::Unknown };
    match response.status {
        401 | 403 | 423 | 429 => LoginOutcome::Failure,
        400 | 404 | 422 => {
            let body = response.body.as_ref().and_then(|b| b.as_text()).map(|t| t.to_ascii_lowercase());
            if body.is_some_and(|text| FAILURE_WORDS.iter().any(|w| text.contains(w))) {
                LoginOutcome::Failure
            } else {
                LoginOutcome::Unknown
            }
        }
        200..=299 => {
            let body = response.body.as_ref().and_then(|b| b.as_text()).map(|t| t.to_ascii_lowercase());
            let issues_token =
                body.as_deref().is_some_and(|text| TOKEN_WORDS.iter().any(|w| text.contains(w)))
                    || response.header("set-cookie").is_some();
            let says_failure =
                body.as_deref().is_some_and(|text| FAILURE_WORDS.iter().any(|w| text.contains(w)));
            if says_failure && !issues_token { LoginOutcome::Failure } else { LoginOutcome::Success }
        }
        300..=399 => {
            let location = response.header("location").unwrap_or("").to_ascii_lowercase();
            if ["error", "fail", "invalid", "login"].iter().any(|w| location.contains(w)) {
                LoginOutcome::Failure
            } else {
                LoginOutcome::Success
            }
        }
        _ => LoginOutcome::Unknown,
    }
}

/// Whether a successful answer issued a credential (a token field or a cookie): how login
/// endpoints are learned from responses.
pub fn issues_credential(exchange: &Exchange) -> bool {
    let Some(response) = &exchange.response else { return false };
    if !(200..300).contains(&response.status) {
        return false;
    }
    response.header("set-cookie").is_some_and(|cookie| {
        let lower = cookie.to_ascii_lowercase();
        ["session", "sid", "token", "auth"].iter().any(|w| lower.contains(w))
    }) || response.body.as_ref().and_then(|b| b.as_text()).is_some_and(|text| {
        let lower = text.to_ascii_lowercase();
        lower.contains("access_token") || lower.contains("id_token")
    })
}

/// The value of the first request header named `name`.
pub fn request_header<'e>(exchange: &'e Exchange, name: &str) -> Option<&'e str> {
    header(&exchange.request.headers, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_names() {
        for id in
            ["42", "100000", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "ACC-000123", "cus_8fd0a19", "a@b.co"]
        {
            assert!(is_identifier(id), "{id}");
        }
        for name in ["accounts", "v1", "v2", "oauth2", "transactions", "me", "api", "sha256"] {
            assert!(!is_identifier(name), "{name}");
        }
        assert_eq!(
            endpoint_label("GET", "/api/v1/accounts/100042/transactions"),
            "GET /api/v1/accounts/{id}/transactions"
        );
        assert_eq!(endpoint_label("GET", "/"), "GET /");
    }

    #[test]
    fn same_template_same_hash() {
        let (a, oa) = template("GET", "/accounts/1", &[]);
        let (b, ob) = template("GET", "/accounts/2", &[]);
        let (c, _) = template("POST", "/accounts/2", &[]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(oa.map(|o| o.1), Some(Some(1)));
        assert_ne!(oa.map(|o| o.0), ob.map(|o| o.0));
        let (_, query_object) = template("GET", "/accounts", &[("accountId".into(), "77".into())]);
        assert_eq!(query_object.map(|o| o.1), Some(Some(77)));
    }

    #[test]
    fn prefixes() {
        assert_eq!(prefix_of("203.0.113.77".parse().unwrap()).to_string(), "203.0.113.0/24");
        assert_eq!(prefix_of("2001:db8:1:2:3::9".parse().unwrap()).to_string(), "2001:db8:1:2::/64");
    }
}
