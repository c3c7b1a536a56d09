//! What credentials a request carries, and a stable client identity derived from them.
//!
//! Classification only looks at the request: `Authorization` (Basic, Bearer, JWT, other schemes),
//! API-key headers and query parameters, and session cookies. JWTs are decoded — never verified:
//! discovery wants to know what tokens *look like* (algorithm, issuer, expiry), which is exactly
//! what an attacker controls, so every decoded field is length-capped and every map keyed by a
//! token-supplied value is bounded.
//!
//! [`Credentials`] borrows from the request, so classifying allocates only for decoded JWTs. Its
//! `Debug` output never shows a credential value.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rampart_core::{AuthKind, AuthObservations, JwtObservations, Request};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Credentials kept per request; more is an attack, not an API design.
const MAX_CREDENTIALS: usize = 16;
/// Distinct (kind, name) schemes kept per endpoint; further new ones are counted under `(other)`.
const MAX_SCHEMES: usize = 32;
/// Distinct JWT algorithms and issuers kept per endpoint; the rest are counted under `(other)`.
const MAX_JWT_KEYS: usize = 32;
/// Tokens longer than this are not decoded.
const MAX_JWT_LEN: usize = 16 * 1024;
const MAX_CLAIM_LEN: usize = 256;
const MAX_NAME_LEN: usize = 64;
/// Hex characters of SHA-256 kept in a fingerprint identity.
const FINGERPRINT_HEX: usize = 12;
/// Label for values beyond a cap.
pub const OTHER_LABEL: &str = "(other)";
/// Algorithm label for a JWT header without `alg`.
pub const MISSING_ALG: &str = "(missing)";

const BASE64_ANY_PADDING: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64URL: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, BASE64_ANY_PADDING);
const BASE64STD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, BASE64_ANY_PADDING);

/// A credential value: usable by code, redacted in `Debug`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Secret<'a>(&'a str);

impl<'a> Secret<'a> {
    pub fn expose(&self) -> &'a str {
        self.0
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The claims of a decoded (unverified) JWT that discovery cares about, length-capped.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtClaims {
    pub alg: Option<String>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
}

impl JwtClaims {
    /// `exp - iat`, or `exp - nbf` without `iat`.
    pub fn lifetime_secs(&self) -> Option<i64> {
        Some(self.exp?.saturating_sub(self.iat.or(self.nbf)?))
    }
}

impl fmt::Debug for JwtClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtClaims")
            .field("alg", &self.alg)
            .field("iss", &self.iss)
            .field("sub", &self.sub.as_ref().map(|_| "***"))
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("nbf", &self.nbf)
            .finish()
    }
}

/// One credential found in a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential<'a> {
    /// `Authorization: Basic`, still base64-encoded.
    Basic {
        encoded: Secret<'a>,
    },
    /// `Authorization: Bearer` with an opaque token.
    Bearer {
        token: Secret<'a>,
    },
    /// `Authorization: Bearer` with a JWT; `claims` is `None` when it does not decode.
    Jwt {
        token: Secret<'a>,
        claims: Option<Box<JwtClaims>>,
    },
    ApiKeyHeader {
        name: &'a str,
        value: Secret<'a>,
    },
    ApiKeyQuery {
        name: &'a str,
        value: Secret<'a>,
    },
    /// A session-looking cookie.
    Cookie {
        name: &'a str,
        value: Secret<'a>,
    },
    /// Another `Authorization` scheme (Digest, AWS4-HMAC-SHA256, …).
    Other {
        scheme: &'a str,
    },
}

impl Credential<'_> {
    pub fn kind(&self) -> AuthKind {
        match self {
            Credential::Basic { .. } => AuthKind::Basic,
            Credential::Bearer { .. } => AuthKind::Bearer,
            Credential::Jwt { .. } => AuthKind::BearerJwt,
            Credential::ApiKeyHeader { .. } => AuthKind::ApiKeyHeader,
            Credential::ApiKeyQuery { .. } => AuthKind::ApiKeyQuery,
            Credential::Cookie { .. } => AuthKind::Cookie,
            Credential::Other { .. } => AuthKind::Other,
        }
    }

    /// The name recorded with the scheme: header (lower-cased), query parameter or cookie name for
    /// keys and sessions, scheme name for `Other`; capped and sanitised.
    pub fn scheme_name(&self) -> Option<Cow<'_, str>> {
        match self {
            Credential::ApiKeyHeader { name, .. } => Some(sanitize_name(name, true)),
            Credential::ApiKeyQuery { name, .. } | Credential::Cookie { name, .. } => {
                Some(sanitize_name(name, false))
            }
            Credential::Other { scheme } => Some(sanitize_name(scheme, false)),
            _ => None,
        }
    }
}

/// Everything a request presented; empty means unauthenticated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials<'a> {
    pub items: Vec<Credential<'a>>,
}

impl Credentials<'_> {
    pub fn is_none(&self) -> bool {
        self.items.is_empty()
    }

    /// The distinct kinds presented, or `[None]`.
    pub fn kinds(&self) -> Vec<AuthKind> {
        if self.items.is_empty() {
            return vec![AuthKind::None];
        }
        let mut kinds: Vec<AuthKind> = self.items.iter().map(Credential::kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }
}

/// Find the credentials a request carries.
pub fn classify(request: &Request) -> Credentials<'_> {
    classify_with(request, true)
}

/// [`classify`] without decoding JWTs (their `claims` stay `None`): for callers that decode, or
/// cache the decoding of, tokens themselves.
pub fn classify_undecoded(request: &Request) -> Credentials<'_> {
    classify_with(request, false)
}

fn classify_with(request: &Request, decode: bool) -> Credentials<'_> {
    let mut items = Vec::new();
    for (name, value) in &request.headers {
        if name.eq_ignore_ascii_case("authorization") {
            items.extend(classify_authorization(value, decode));
        } else if name.eq_ignore_ascii_case("cookie") {
            for pair in value.split(';') {
                if let Some((cookie, v)) = pair.trim().split_once('=')
                    && !v.is_empty()
                    && is_session_cookie(cookie)
                {
                    items.push(Credential::Cookie { name: cookie, value: Secret(v) });
                }
            }
        } else if !value.is_empty() && is_api_key_header(name) {
            items.push(Credential::ApiKeyHeader { name, value: Secret(value) });
        }
    }
    for (name, value) in &request.query {
        if !value.is_empty() && is_api_key_query_param(name) {
            items.push(Credential::ApiKeyQuery { name, value: Secret(value) });
        }
    }
    items.truncate(MAX_CREDENTIALS);
    Credentials { items }
}

fn classify_authorization(value: &str, decode: bool) -> Option<Credential<'_>> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let Some((scheme, rest)) = value.split_once(' ') else {
        // A bare value in `Authorization` is an API key sent without a scheme.
        return Some(Credential::ApiKeyHeader { name: "authorization", value: Secret(value) });
    };
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("basic") {
        Some(Credential::Basic { encoded: Secret(rest) })
    } else if scheme.eq_ignore_ascii_case("bearer") {
        if looks_like_jwt(rest) {
            let claims = if decode { decode_jwt(rest).map(Box::new) } else { None };
            Some(Credential::Jwt { token: Secret(rest), claims })
        } else {
            Some(Credential::Bearer { token: Secret(rest) })
        }
    } else {
        Some(Credential::Other { scheme })
    }
}

/// Three dot-separated parts, the first starting like base64url of `{"`.
fn looks_like_jwt(token: &str) -> bool {
    token.starts_with("eyJ") && token.bytes().filter(|b| *b == b'.').count() == 2
}

#[derive(Deserialize)]
struct RawHeader {
    #[serde(default)]
    alg: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: Option<serde_json::Value>,
    #[serde(default)]
    sub: Option<serde_json::Value>,
    #[serde(default)]
    exp: Option<serde_json::Value>,
    #[serde(default)]
    iat: Option<serde_json::Value>,
    #[serde(default)]
    nbf: Option<serde_json::Value>,
}

/// Decode a JWS compact token's header and payload without verifying anything.
pub fn decode_jwt(token: &str) -> Option<JwtClaims> {
    if token.len() > MAX_JWT_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: RawHeader = json_object(&BASE64URL.decode(header).ok()?)?;
    let claims: RawClaims = json_object(&BASE64URL.decode(payload).ok()?)?;
    Some(JwtClaims {
        alg: header.alg.as_ref().and_then(claim_text),
        iss: claims.iss.as_ref().and_then(claim_text),
        sub: claims.sub.as_ref().and_then(claim_text),
        exp: claims.exp.as_ref().and_then(claim_time),
        iat: claims.iat.as_ref().and_then(claim_time),
        nbf: claims.nbf.as_ref().and_then(claim_time),
    })
}

/// JOSE headers and claim sets are JSON objects; serde would also accept an array for a struct.
fn json_object<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

fn claim_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(truncate_chars(s, MAX_CLAIM_LEN).to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn claim_time(v: &serde_json::Value) -> Option<i64> {
    let secs = v.as_f64()?;
    // `as` saturates, and NaN cannot come out of JSON.
    secs.is_finite().then_some(secs as i64)
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Credential names as recorded: printable ASCII only, capped, optionally lower-cased.
fn sanitize_name(name: &str, lower: bool) -> Cow<'_, str> {
    let clean = name.len() <= MAX_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_graphic())
        && (!lower || !name.bytes().any(|b| b.is_ascii_uppercase()));
    if clean {
        return Cow::Borrowed(name);
    }
    let mut out: String = name.chars().filter(char::is_ascii_graphic).take(MAX_NAME_LEN).collect();
    if lower {
        out.make_ascii_lowercase();
    }
    Cow::Owned(out)
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

const API_KEY_HEADERS: &[&str] = &[
    "x-api-key",
    "api-key",
    "apikey",
    "x-apikey",
    "x-api-token",
    "x-auth-token",
    "x-access-token",
    "x-auth-key",
    "x-token",
    "auth-token",
    "access-token",
    "x-client-secret",
    "x-ibm-client-secret",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "x-goog-api-key",
    "x-rapidapi-key",
];

/// Header names that contain a credential-looking word but carry none.
const NOT_CREDENTIAL_WORDS: &[&str] =
    &["csrf", "xsrf", "idempotency", "continuation", "page-token", "next-token"];

/// Whether a request header carries an API key or token (name compared case-insensitively).
pub fn is_api_key_header(name: &str) -> bool {
    if API_KEY_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
        return true;
    }
    let credential_word =
        ["api-key", "apikey", "api_key", "token"].iter().any(|w| contains_ignore_case(name, w));
    credential_word && !NOT_CREDENTIAL_WORDS.iter().any(|w| contains_ignore_case(name, w))
}

const API_KEY_QUERY_PARAMS: &[&str] = &[
    "api_key",
    "apikey",
    "api-key",
    "key",
    "access_token",
    "access-token",
    "token",
    "auth_token",
    "id_token",
    "subscription-key",
    "subscription_key",
    "x-api-key",
];

/// Whether a query parameter carries an API key or token (name compared case-insensitively).
pub fn is_api_key_query_param(name: &str) -> bool {
    API_KEY_QUERY_PARAMS.iter().any(|p| name.eq_ignore_ascii_case(p))
}

/// Whether a cookie name looks like a session or auth cookie (`JSESSIONID`, `connect.sid`,
/// `laravel_session`, `auth_token`, …) rather than a preference or CSRF cookie.
pub fn is_session_cookie(name: &str) -> bool {
    let name = name.strip_prefix("__Host-").or_else(|| name.strip_prefix("__Secure-")).unwrap_or(name);
    if contains_ignore_case(name, "csrf") || contains_ignore_case(name, "xsrf") {
        return false;
    }
    contains_ignore_case(name, "sess")
        || starts_with_ignore_case(name, "auth")
        || contains_ignore_case(name, "token")
        || ["sid", "connect.sid", "jwt"].iter().any(|n| name.eq_ignore_ascii_case(n))
}

/// A stable identity for the caller: `jwt:<sub>` for JWTs with a subject, otherwise a short
/// SHA-256 fingerprint of the API key (`key:`), Basic user (`basic:`), bearer token (`bearer:`)
/// or session cookie (`session:`). Never the raw credential.
pub fn identity(creds: &Credentials<'_>) -> Option<String> {
    let jwt_sub = creds.items.iter().find_map(|c| match c {
        Credential::Jwt { claims: Some(claims), .. } => claims.sub.as_deref(),
        _ => None,
    });
    if let Some(sub) = jwt_sub {
        return Some(format!("jwt:{sub}"));
    }
    let rank = |c: &Credential<'_>| match c {
        Credential::ApiKeyHeader { .. } | Credential::ApiKeyQuery { .. } => 0,
        Credential::Basic { .. } => 1,
        Credential::Jwt { .. } | Credential::Bearer { .. } => 2,
        Credential::Cookie { .. } => 3,
        Credential::Other { .. } => 4,
    };
    let best = creds.items.iter().filter(|c| rank(c) < 4).min_by_key(|c| rank(c))?;
    Some(match best {
        Credential::ApiKeyHeader { value, .. } | Credential::ApiKeyQuery { value, .. } => {
            format!("key:{}", fingerprint(value.expose().as_bytes()))
        }
        Credential::Basic { encoded } => {
            let decoded = BASE64STD.decode(encoded.expose()).ok();
            let user = match &decoded {
                Some(bytes) => bytes.split(|b| *b == b':').next().unwrap_or(bytes),
                None => encoded.expose().as_bytes(),
            };
            format!("basic:{}", fingerprint(user))
        }
        Credential::Jwt { token, .. } | Credential::Bearer { token } => {
            format!("bearer:{}", fingerprint(token.expose().as_bytes()))
        }
        Credential::Cookie { value, .. } => format!("session:{}", fingerprint(value.expose().as_bytes())),
        Credential::Other { .. } => return None,
    })
}

fn fingerprint(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(FINGERPRINT_HEX / 2).map(|b| format!("{b:02x}")).collect()
}

/// Count what one call presented into an endpoint's auth observations.
pub fn record_auth(obs: &mut AuthObservations, creds: &Credentials<'_>, status: Option<u16>) {
    if creds.items.is_empty() {
        obs.add_scheme(AuthKind::None, None, 1);
        obs.unauthenticated_calls += 1;
        if status.is_some_and(|s| (200..300).contains(&s)) {
            obs.unauthenticated_success += 1;
        }
        return;
    }
    for cred in &creds.items {
        let kind = cred.kind();
        let name = cred.scheme_name();
        let known = obs.schemes.iter().any(|s| s.kind == kind && s.name.as_deref() == name.as_deref());
        if known || obs.schemes.len() < MAX_SCHEMES {
            obs.add_scheme(kind, name.as_deref(), 1);
        } else {
            obs.add_scheme(kind, Some(OTHER_LABEL), 1);
        }
        if let Credential::Jwt { claims, .. } = cred {
            record_jwt(obs.jwt.get_or_insert_with(JwtObservations::default), claims.as_deref());
        }
    }
}

fn record_jwt(jwt: &mut JwtObservations, claims: Option<&JwtClaims>) {
    jwt.tokens += 1;
    let Some(claims) = claims else {
        jwt.undecodable += 1;
        return;
    };
    count_bounded(&mut jwt.algs, claims.alg.as_deref().unwrap_or(MISSING_ALG));
    if let Some(iss) = &claims.iss {
        count_bounded(&mut jwt.issuers, iss);
    }
    if claims.exp.is_some() {
        jwt.with_exp += 1;
    } else {
        jwt.without_exp += 1;
    }
    if let Some(lifetime) = claims.lifetime_secs() {
        jwt.max_lifetime_secs = Some(jwt.max_lifetime_secs.map_or(lifetime, |m| m.max(lifetime)));
    }
}

fn count_bounded(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_JWT_KEYS {
        map.insert(key.to_owned(), 1);
    } else {
        *map.entry(OTHER_LABEL.to_owned()).or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn request(headers: &[(&str, &str)], query: &[(&str, &str)]) -> Request {
        Request {
            method: "GET".into(),
            scheme: "https".into(),
            host: "api.bank.example".into(),
            path: "/v1/accounts".into(),
            query: query.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: None,
        }
    }

    fn jwt(header: &str, payload: &str) -> String {
        format!("{}.{}.c2lnbmF0dXJl", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload))
    }

    fn kinds(headers: &[(&str, &str)], query: &[(&str, &str)]) -> Vec<AuthKind> {
        classify(&request(headers, query)).kinds()
    }

    #[test]
    fn classifies_each_kind_of_credential() {
        let rs256 = jwt(r#"{"alg":"RS256","typ":"JWT"}"#, r#"{"sub":"cust-42","exp":1800000000}"#);
        assert_eq!(kinds(&[], &[]), vec![AuthKind::None]);
        assert_eq!(kinds(&[("Authorization", "Basic amFuZTpzM2NyZXQ=")], &[]), vec![AuthKind::Basic]);
        assert_eq!(
            kinds(&[("authorization", "Bearer 8f14e45fceea167a5a36dedd4bea2543")], &[]),
            vec![AuthKind::Bearer]
        );
        assert_eq!(kinds(&[("Authorization", &format!("bearer {rs256}"))], &[]), vec![AuthKind::BearerJwt]);
        assert_eq!(kinds(&[("X-API-Key", "k_live_123")], &[]), vec![AuthKind::ApiKeyHeader]);
        assert_eq!(kinds(&[("X-Partner-Token", "abc")], &[]), vec![AuthKind::ApiKeyHeader]);
        assert_eq!(kinds(&[], &[("api_key", "k_live_123"), ("page", "2")]), vec![AuthKind::ApiKeyQuery]);
        assert_eq!(kinds(&[("Cookie", "theme=dark; JSESSIONID=A1B2C3")], &[]), vec![AuthKind::Cookie]);
        let aws = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/ap-southeast-1/execute-api/aws4_request";
        assert_eq!(kinds(&[("Authorization", aws)], &[]), vec![AuthKind::Other]);
        let digest = request(&[("Authorization", "Digest username=\"jane\"")], &[]);
        let creds = classify(&digest);
        assert_eq!(creds.items[0].scheme_name().as_deref(), Some("Digest"));
    }

    #[test]
    fn plumbing_headers_and_csrf_cookies_are_not_credentials() {
        assert_eq!(
            kinds(
                &[("X-CSRF-Token", "abc"), ("Cookie", "XSRF-TOKEN=abc; lang=en"), ("Idempotency-Key", "k1")],
                &[("page_token", "abc"), ("q", "x")]
            ),
            vec![AuthKind::None]
        );
        for cookie in [
            "session",
            "sessionid",
            "PHPSESSID",
            "connect.sid",
            "sid",
            "laravel_session",
            "auth_token",
            "__Host-session",
        ] {
            assert!(is_session_cookie(cookie), "{cookie}");
        }
        assert!(!is_session_cookie("theme"));
    }

    #[test]
    fn decodes_jwts_without_verifying() {
        let token = jwt(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"iss":"https://idp.bank.example","sub":"cust-42","iat":1764400000,"exp":1764403600}"#,
        );
        let claims = decode_jwt(&token).unwrap();
        assert_eq!(claims.alg.as_deref(), Some("HS256"));
        assert_eq!(claims.iss.as_deref(), Some("https://idp.bank.example"));
        assert_eq!(claims.sub.as_deref(), Some("cust-42"));
        assert_eq!(claims.lifetime_secs(), Some(3600));

        let none = decode_jwt(&jwt(r#"{"alg":"none"}"#, r#"{"sub":7,"nbf":100,"exp":160.9}"#)).unwrap();
        assert_eq!((none.alg.as_deref(), none.sub.as_deref()), (Some("none"), Some("7")));
        assert_eq!(none.lifetime_secs(), Some(60));

        assert!(decode_jwt("eyJhbGciOi.garbage.sig").is_none());
        assert!(decode_jwt(&jwt(r#"{"alg":"RS256"}"#, "[1,2]")).is_none());
        assert!(decode_jwt(&format!("{}.extra", jwt("{}", "{}"))).is_none());
        let padded = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"alg":"ES256"}"#),
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"sub":"x"}"#)
        );
        assert!(padded.contains('='));
        assert_eq!(decode_jwt(&padded).and_then(|c| c.alg).as_deref(), Some("ES256"), "padding is tolerated");
    }

    #[test]
    fn records_jwt_observations() {
        let mut obs = AuthObservations::default();
        let tokens = [
            jwt(r#"{"alg":"RS256"}"#, r#"{"iss":"idp","sub":"a","iat":0,"exp":900}"#),
            jwt(r#"{"alg":"RS256"}"#, r#"{"iss":"idp","sub":"b","iat":0,"exp":86400}"#),
            jwt(r#"{"alg":"none"}"#, r#"{"sub":"c"}"#),
            "eyJnot.a.jwt".to_owned(),
        ];
        for t in &tokens {
            let auth = format!("Bearer {t}");
            let req = request(&[("Authorization", &auth)], &[]);
            record_auth(&mut obs, &classify(&req), Some(200));
        }
        let jwt = obs.jwt.as_ref().unwrap();
        assert_eq!((jwt.tokens, jwt.undecodable, jwt.with_exp, jwt.without_exp), (4, 1, 2, 1));
        assert_eq!(jwt.algs.get("RS256"), Some(&2));
        assert_eq!(jwt.algs.get("none"), Some(&1));
        assert_eq!(jwt.issuers.get("idp"), Some(&2));
        assert_eq!(jwt.max_lifetime_secs, Some(86400));
        assert_eq!(obs.schemes.len(), 1);
        assert_eq!((obs.schemes[0].kind, obs.schemes[0].calls), (AuthKind::BearerJwt, 4));
        assert_eq!(obs.unauthenticated_calls, 0);
    }

    #[test]
    fn counts_unauthenticated_success() {
        let mut obs = AuthObservations::default();
        let anonymous = request(&[("Accept", "application/json")], &[]);
        for status in [Some(200), Some(401), None, Some(204)] {
            record_auth(&mut obs, &classify(&anonymous), status);
        }
        assert_eq!((obs.unauthenticated_calls, obs.unauthenticated_success), (4, 2));
        assert_eq!(obs.schemes[0].kind, AuthKind::None);
    }

    #[test]
    fn scheme_names_are_normalised_and_bounded() {
        let mut obs = AuthObservations::default();
        for i in 0..100 {
            let name = format!("X-Tenant{i}-Token");
            record_auth(&mut obs, &classify(&request(&[(&name, "v")], &[])), Some(200));
        }
        assert_eq!(obs.schemes.len(), MAX_SCHEMES + 1);
        assert_eq!(obs.schemes.iter().map(|s| s.calls).sum::<u64>(), 100);
        assert!(obs.schemes.iter().any(|s| s.name.as_deref() == Some("x-tenant0-token")));
        assert!(obs.schemes.iter().any(|s| s.name.as_deref() == Some(OTHER_LABEL)));
    }

    #[test]
    fn identity_never_exposes_the_credential() {
        let id =
            |headers: &[(&str, &str)], query: &[(&str, &str)]| identity(&classify(&request(headers, query)));
        let token = jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"cust-42"}"#);
        assert_eq!(id(&[("Authorization", &format!("Bearer {token}"))], &[]).as_deref(), Some("jwt:cust-42"));

        let key = id(&[("x-api-key", "k_live_5f3a9")], &[]).unwrap();
        assert!(key.starts_with("key:") && key.len() == 4 + FINGERPRINT_HEX && !key.contains("5f3a9"));
        assert_eq!(
            id(&[], &[("api_key", "k_live_5f3a9")]),
            Some(key),
            "same key, same identity wherever sent"
        );

        let basic1 = id(&[("Authorization", "Basic amFuZTpzM2NyZXQ=")], &[]).unwrap();
        let basic2 = id(&[("Authorization", "Basic amFuZTpvdGhlcg==")], &[]).unwrap();
        assert!(basic1.starts_with("basic:"));
        assert_eq!(basic1, basic2, "identity is the user, not the password");

        let session = id(&[("Cookie", "sid=s%3Aabc")], &[]).unwrap();
        assert!(session.starts_with("session:") && !session.contains("abc"));
        assert_eq!(id(&[("Authorization", "Digest username=\"x\"")], &[]), None);
        assert_eq!(id(&[], &[]), None);
    }

    #[test]
    fn debug_output_redacts_credentials() {
        let token = jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"cust-42"}"#);
        let auth = format!("Bearer {token}");
        let req = request(&[("Authorization", &auth), ("x-api-key", "k_live_5f3a9")], &[]);
        let shown = format!("{:?}", classify(&req));
        assert!(
            !shown.contains("k_live") && !shown.contains(&token) && !shown.contains("cust-42"),
            "{shown}"
        );
    }
}
