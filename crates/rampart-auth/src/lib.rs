//! Authentication at the edge for the Rampart gateway: bearer JWTs and API keys.
//!
//! The gateway builds one [`Authenticator`] from the `[auth]` section of `rampart.toml`
//! ([`AuthConfig`]) and calls [`Authenticator::check`] on every request. `check` is synchronous
//! and never waits: it reads an immutable snapshot of the keys through [`arc_swap`], so a JWKS
//! refresh in the background never blocks or slows a request. Whether a route needs a credential
//! at all is the gateway's decision; this crate only says who the caller is, that nobody is
//! claimed ([`AuthOutcome::Anonymous`]), or why the claim is refused, with a stable reason id
//! ([`outcome::reason`]).
//!
//! # What is checked
//!
//! * JWT (compact JWS) with RS256, ES256 or HS256, limited to the configured list: `alg: none`
//!   in any case, algorithm confusion (an HS256 token against an RSA/EC key, a key of one type
//!   used for another algorithm), unknown `crit` extensions, missing `kid` when several keys
//!   could apply, unknown `kid` (which asks the background task for one rate-limited JWKS
//!   refresh), over-long and malformed tokens, `exp`/`nbf` with leeway, `iss`, `aud` (string or
//!   array). `jku`, `x5u`, `jwk` and `x5c` headers are never read, let alone fetched.
//! * Keys from a JWKS URL (http or https, refreshed periodically and on unknown `kid`; the last
//!   good set is kept when the provider is down), a JWKS file, PEM public keys, and an HS256
//!   secret taken from an environment variable — never from the config file.
//! * API keys in a header or query parameter, stored only as SHA-256 and compared in constant
//!   time; the identity is the key's id.
//!
//! Tokens and keys are never logged: logs and rejections carry a [`Fingerprint`] (first 16
//! bytes of SHA-256), which is also what the gateway's token blocklist should store.
//!
//! # Why these dependencies
//!
//! The signature algorithms are verified directly with RustCrypto's `rsa` 0.10, `p256` 0.14 and
//! `hmac` 0.13 rather than through `jsonwebtoken`. `jsonwebtoken` 12's `rust_crypto` backend sits
//! on the very same crates, but switches them on as a bundle (also `p384`, `ed25519-dalek`,
//! `pem`, `simple_asn1` and a second `base64`), and its validation reports one error kind where
//! the gateway needs a stable reason per attack; the JWS part it would save is about 100 lines.
//! `rsa` 0.10 is already compiled for `rampart-demo`, so RS256 costs nothing extra. The first
//! `cargo build -p rampart-auth` on the 2-core build machine, with tokio, hyper and `rsa` already
//! in the shared target directory, took 46 s of wall time: the `p256`/`ecdsa` stack, `hmac`,
//! `arc-swap`, and `hyper-rustls` with `rustls`, `ring` and `webpki-roots` for https JWKS URLs.
//! `https` is a default feature, so a gateway that reaches its identity provider only over
//! loopback or a sidecar can drop rustls.
//!
//! # Cost per request
//!
//! `cargo bench -p rampart-auth` (release, 2-core build machine), per `check` call:
//!
//! | token | time |
//! |---|---|
//! | baseline: base64-decode and JSON-parse the payload only | 1.6 µs |
//! | HS256 | 2.4 µs |
//! | RS256, demo bank 2048-bit key | 66 µs |
//! | RS256, bad signature | 96 µs |
//! | ES256 | 271 µs |
//!
//! RS256 and ES256 are dominated by the public-key operation of pure-Rust `rsa` and `p256`
//! (`ring` or `aws-lc-rs` are several times faster for ES256). No verified-token cache is kept
//! yet: one core verifies about 15 000 RS256 tokens a second.

mod apikey;
pub mod config;
mod error;
mod jwks_http;
mod jwt;
mod keys;
pub mod outcome;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use http::HeaderMap;
use tokio::sync::Notify;

pub use crate::config::{Algorithm, ApiKeyConfig, ApiKeyEntry, AuthConfig, JwtConfig, PemKeyConfig};
pub use crate::error::AuthError;
pub use crate::outcome::{
    AuthOutcome, CredentialKind, Fingerprint, Identity, Rejection, reason, token_fingerprint,
};

use crate::apikey::{ApiKeyStore, Presented};
use crate::jwks_http::JwksFetcher;
use crate::jwt::JwtVerifier;
use crate::keys::{KeySet, VerificationKey};

/// Current time in Unix seconds, for callers of [`Authenticator::check`].
pub fn unix_now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// Checks the credentials of requests. Cheap to share: wrap it in an `Arc`.
pub struct Authenticator {
    jwt: Option<JwtAuth>,
    api_keys: Option<ApiKeyStore>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("jwt_keys", &self.jwt.as_ref().map(|j| j.keys.load().keys.len()))
            .field("api_keys", &self.api_keys.as_ref().map(ApiKeyStore::len))
            .finish()
    }
}

struct JwtAuth {
    verifier: JwtVerifier,
    keys: ArcSwap<KeySet>,
    /// Keys from files, PEM and the environment: part of every snapshot, refresh or not.
    static_keys: Vec<VerificationKey>,
    fetcher: Option<JwksFetcher>,
    min_rsa_bits: usize,
    refresh_interval: Duration,
    /// Separate from `self` so the refresh task can wait on it without keeping the
    /// authenticator alive.
    refresh_wanted: Arc<Notify>,
    /// When (request clock, Unix seconds) the last unknown-kid refresh was requested.
    last_unknown_kid_refresh: AtomicI64,
    unknown_kid_refresh_seconds: i64,
    unknown_kid_refresh_requests: AtomicU64,
}

impl Authenticator {
    /// Validates `config`, loads every key (reading files, the HS256 secret's environment
    /// variable, and fetching the JWKS URL once), and fails if any of it is unusable. Failing at
    /// start is deliberate: a gateway that cannot verify tokens must not start open.
    pub async fn from_config(config: &AuthConfig) -> Result<Authenticator, AuthError> {
        config.validate()?;
        let jwt = match &config.jwt {
            Some(jwt_config) => Some(JwtAuth::load(jwt_config).await?),
            None => None,
        };
        let api_keys = match &config.api_keys {
            Some(api_config) => Some(ApiKeyStore::load(api_config)?),
            None => None,
        };
        Ok(Authenticator { jwt, api_keys })
    }

    /// Authenticates one request from its headers and raw query string at `now` (Unix seconds;
    /// see [`unix_now`]). Never blocks, never awaits.
    ///
    /// Every credential presented is checked and any failure rejects the request; when both a
    /// valid bearer token and a valid API key are present, the token's identity is returned.
    /// An `Authorization` header with another scheme (Basic, …) is not this crate's business and
    /// is left alone.
    pub fn check(&self, headers: &HeaderMap, query: Option<&str>, now: i64) -> AuthOutcome {
        let jwt_result = self.jwt.as_ref().and_then(|jwt| jwt.check(headers, now));
        let api_key_result = self.api_keys.as_ref().and_then(|store| match store.presented(headers, query) {
            Presented::None => None,
            Presented::Invalid(rejection) => Some(Err(rejection)),
            Presented::Key(key) => Some(store.authenticate(&key)),
        });
        let outcome = match (jwt_result, api_key_result) {
            (Some(Err(rejection)), _) | (_, Some(Err(rejection))) => AuthOutcome::Rejected(rejection),
            (Some(Ok(identity)), _) | (None, Some(Ok(identity))) => AuthOutcome::Authenticated(identity),
            (None, None) => AuthOutcome::Anonymous,
        };
        if let AuthOutcome::Rejected(rejection) = &outcome {
            tracing::debug!(
                reason = rejection.reason,
                detail = %rejection.detail,
                fingerprint = ?rejection.fingerprint,
                "credential rejected"
            );
        }
        outcome
    }

    /// Starts the background JWKS refresh (periodic, and on request after an unknown `kid`).
    /// Returns `None` when no JWKS URL is configured. The task holds only a weak reference and
    /// ends after the authenticator is dropped; it must be called inside a tokio runtime.
    pub fn spawn_refresh(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let jwt = self.jwt.as_ref()?;
        jwt.fetcher.as_ref()?;
        let weak = Arc::downgrade(self);
        let wanted = Arc::clone(&jwt.refresh_wanted);
        let interval = jwt.refresh_interval;
        Some(tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(interval) => {}
                    () = wanted.notified() => {}
                }
                let Some(authenticator) = weak.upgrade() else { break };
                // Failures are logged inside and the previous keys stay in force.
                let _ = authenticator.refresh_jwks().await;
            }
        }))
    }

    /// Fetches the JWKS URL now and swaps the key set in if it yields at least one usable key.
    /// On failure the previous keys stay in force. Returns the number of keys in the new set.
    pub async fn refresh_jwks(&self) -> Result<usize, AuthError> {
        let Some(jwt) = &self.jwt else { return Ok(0) };
        let Some(fetcher) = &jwt.fetcher else { return Ok(jwt.keys.load().keys.len()) };
        let result = jwt.fetch_key_set(fetcher).await;
        match result {
            Ok(fetched) => {
                let previous = jwt.keys.load();
                let mut keys = jwt.static_keys.clone();
                keys.extend(fetched);
                let count = keys.len();
                jwt.keys.store(Arc::new(KeySet { keys, generation: previous.generation + 1 }));
                tracing::info!(url = %fetcher.display_url, keys = count, "JWKS refreshed");
                Ok(count)
            }
            Err(err) => {
                tracing::warn!(error = %err, "JWKS refresh failed; keeping the previous keys");
                Err(err)
            }
        }
    }

    /// Increases each time a refresh swaps in a new key set (0 after start).
    pub fn key_generation(&self) -> u64 {
        self.jwt.as_ref().map_or(0, |jwt| jwt.keys.load().generation)
    }

    /// How many JWKS refreshes unknown `kid`s have requested (after rate limiting): a metric
    /// worth exporting, since a climb means key rotation trouble or kid spraying.
    pub fn unknown_kid_refresh_requests(&self) -> u64 {
        self.jwt.as_ref().map_or(0, |jwt| jwt.unknown_kid_refresh_requests.load(Ordering::Relaxed))
    }

    /// The `kid`s of the keys currently trusted (`None` for kid-less keys).
    pub fn key_ids(&self) -> Vec<Option<String>> {
        self.jwt.as_ref().map_or_else(Vec::new, |jwt| {
            jwt.keys.load().keys.iter().map(|k| k.kid.as_deref().map(str::to_owned)).collect()
        })
    }
}

fn key_error(origin: impl Into<String>, err: keys::KeyError) -> AuthError {
    AuthError::Key { origin: origin.into(), message: err.to_string() }
}

impl JwtAuth {
    async fn load(config: &JwtConfig) -> Result<JwtAuth, AuthError> {
        let mut static_keys = Vec::new();
        for (index, pem_config) in config.public_keys.iter().enumerate() {
            let origin = format!("auth.jwt.public_keys[{index}]");
            let pem = match (&pem_config.pem, &pem_config.pem_file) {
                (Some(pem), _) => pem.clone(),
                (None, Some(path)) => std::fs::read_to_string(path)
                    .map_err(|source| AuthError::Read { path: path.clone(), source })?,
                (None, None) => String::new(),
            };
            let key =
                keys::pem_key(&pem, pem_config.algorithm, pem_config.kid.as_deref(), config.min_rsa_bits)
                    .map_err(|err| key_error(origin, err))?;
            static_keys.push(key);
        }
        if let Some(path) = &config.jwks_file {
            let document =
                std::fs::read(path).map_err(|source| AuthError::Read { path: path.clone(), source })?;
            let origin = path.display().to_string();
            let parsed =
                keys::parse_jwks(&document, config.min_rsa_bits).map_err(|err| key_error(&origin, err))?;
            for skipped in &parsed.skipped {
                tracing::warn!(file = %origin, "JWKS key skipped: {skipped}");
            }
            if parsed.keys.is_empty() {
                return Err(AuthError::Key { origin, message: "no usable key in the JWKS".into() });
            }
            static_keys.extend(parsed.keys);
        }
        if let Some(variable) = &config.hs256_secret_env {
            static_keys.push(hs256_key_from_env(variable, config.hs256_kid.as_deref())?);
        }
        let fetcher = match &config.jwks_url {
            Some(url) => Some(JwksFetcher::new(
                url,
                Duration::from_millis(config.jwks_fetch_timeout_ms),
                config.jwks_max_bytes,
            )?),
            None => None,
        };
        let mut jwt = JwtAuth {
            verifier: JwtVerifier::new(config),
            keys: ArcSwap::from_pointee(KeySet::default()),
            static_keys,
            fetcher: None,
            min_rsa_bits: config.min_rsa_bits,
            refresh_interval: Duration::from_secs(config.jwks_refresh_interval_seconds),
            refresh_wanted: Arc::new(Notify::new()),
            last_unknown_kid_refresh: AtomicI64::new(i64::MIN),
            unknown_kid_refresh_seconds: i64::try_from(config.jwks_unknown_kid_refresh_seconds)
                .unwrap_or(i64::MAX),
            unknown_kid_refresh_requests: AtomicU64::new(0),
        };
        let mut keys = jwt.static_keys.clone();
        if let Some(fetcher) = &fetcher {
            keys.extend(jwt.fetch_key_set(fetcher).await?);
        }
        check_unique_kids(&keys)?;
        jwt.keys = ArcSwap::from_pointee(KeySet { keys, generation: 0 });
        jwt.fetcher = fetcher;
        Ok(jwt)
    }

    async fn fetch_key_set(&self, fetcher: &JwksFetcher) -> Result<Vec<VerificationKey>, AuthError> {
        let body = fetcher.fetch().await?;
        let fetch_error =
            |message: String| AuthError::JwksFetch { url: fetcher.display_url.clone(), message };
        let parsed =
            keys::parse_jwks(&body, self.min_rsa_bits).map_err(|err| fetch_error(err.to_string()))?;
        for skipped in &parsed.skipped {
            tracing::warn!(url = %fetcher.display_url, "JWKS key skipped: {skipped}");
        }
        let static_kids: Vec<&str> = self.static_keys.iter().filter_map(|k| k.kid.as_deref()).collect();
        let (usable, shadowing): (Vec<_>, Vec<_>) = parsed
            .keys
            .into_iter()
            .partition(|key| key.kid.as_deref().is_none_or(|kid| !static_kids.contains(&kid)));
        for key in &shadowing {
            tracing::warn!(url = %fetcher.display_url, kid = ?key.kid, "JWKS key skipped: kid already used by a configured key");
        }
        if usable.is_empty() {
            return Err(fetch_error("no usable key in the JWKS".into()));
        }
        Ok(usable)
    }

    fn check(&self, headers: &HeaderMap, now: i64) -> Option<Result<Identity, Rejection>> {
        let token = match bearer_token(headers)? {
            Ok(token) => token,
            Err(rejection) => return Some(Err(rejection)),
        };
        let keys = self.keys.load();
        let result = self.verifier.verify(token, &keys, now);
        if let Err(rejection) = &result
            && rejection.reason == reason::JWT_UNKNOWN_KID
        {
            self.request_refresh(now);
        }
        Some(result)
    }

    /// Asks the refresh task for a fetch, at most once per `unknown_kid_refresh_seconds` of
    /// request time, whatever the rate of unknown kids.
    fn request_refresh(&self, now: i64) {
        if self.fetcher.is_none() {
            return;
        }
        let last = self.last_unknown_kid_refresh.load(Ordering::Relaxed);
        if now.saturating_sub(last) < self.unknown_kid_refresh_seconds {
            return;
        }
        if self
            .last_unknown_kid_refresh
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.unknown_kid_refresh_requests.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("unknown kid: JWKS refresh requested");
            self.refresh_wanted.notify_one();
        }
    }
}

fn check_unique_kids(keys: &[VerificationKey]) -> Result<(), AuthError> {
    for (index, key) in keys.iter().enumerate() {
        if let Some(kid) = &key.kid
            && keys[..index].iter().any(|other| other.kid.as_ref() == Some(kid))
        {
            return Err(AuthError::Key {
                origin: "auth.jwt".into(),
                message: format!("kid {kid:?} is used by more than one configured key"),
            });
        }
    }
    Ok(())
}

/// Shortest HS256 secret accepted: RFC 7518 §3.2 asks for at least the hash size.
const MIN_HS256_SECRET_BYTES: usize = 32;

fn hs256_key_from_env(variable: &str, kid: Option<&str>) -> Result<VerificationKey, AuthError> {
    let secret_error = |problem| AuthError::Secret { name: variable.to_owned(), problem };
    let secret = std::env::var_os(variable).ok_or_else(|| secret_error("is not set"))?;
    let secret = secret.as_encoded_bytes();
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(secret_error("holds fewer than 32 bytes"));
    }
    // A public key as the HMAC secret is the classic algorithm-confusion setup.
    if secret.windows(10).any(|w| w == b"-----BEGIN") {
        return Err(secret_error("holds a PEM document; HS256 needs a random secret, not a key"));
    }
    keys::hmac_key(secret, kid).map_err(|err| key_error(format!("${variable}"), err))
}

/// The bearer token, if the request has one. `None` when there is no `Authorization` header or
/// it uses another scheme.
fn bearer_token(headers: &HeaderMap) -> Option<Result<&str, Rejection>> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return Some(Err(Rejection::new(
            reason::AMBIGUOUS_CREDENTIALS,
            "more than one Authorization header",
        )));
    }
    let bytes = value.as_bytes();
    let scheme_len = "bearer".len();
    let is_bearer = bytes.len() >= scheme_len
        && bytes[..scheme_len].eq_ignore_ascii_case(b"bearer")
        && bytes.get(scheme_len).is_none_or(|b| *b == b' ');
    if !is_bearer {
        return None;
    }
    let token = bytes[scheme_len..].trim_ascii();
    if token.is_empty() {
        return Some(Err(Rejection::new(reason::JWT_MALFORMED, "empty bearer token")));
    }
    // Header values are visible ASCII once `to_str` succeeds; anything else cannot be a JWS.
    match std::str::from_utf8(token) {
        Ok(token) if token.is_ascii() => Some(Ok(token)),
        _ => Some(Err(Rejection::new(reason::JWT_MALFORMED, "bearer token is not ASCII")
            .with_fingerprint(Fingerprint::of(token)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(http::header::AUTHORIZATION, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_other_schemes_are_ignored() {
        assert_eq!(bearer_token(&headers(&["Bearer a.b.c"])).unwrap().unwrap(), "a.b.c");
        assert_eq!(bearer_token(&headers(&["bearer   a.b.c  "])).unwrap().unwrap(), "a.b.c");
        assert_eq!(bearer_token(&headers(&["BEARER a.b.c"])).unwrap().unwrap(), "a.b.c");
        assert!(bearer_token(&headers(&["Basic dXNlcjpwdw=="])).is_none());
        assert!(bearer_token(&headers(&["Bearerx a.b.c"])).is_none());
        assert!(bearer_token(&HeaderMap::new()).is_none());
        let empty = bearer_token(&headers(&["Bearer"])).unwrap().unwrap_err();
        assert_eq!(empty.reason, reason::JWT_MALFORMED);
        let two = bearer_token(&headers(&["Bearer a.b.c", "Bearer d.e.f"])).unwrap().unwrap_err();
        assert_eq!(two.reason, reason::AMBIGUOUS_CREDENTIALS);
    }

    #[test]
    fn non_ascii_bearer_tokens_are_malformed() {
        let mut map = HeaderMap::new();
        let value = HeaderValue::from_bytes(b"Bearer a.\xe9.c").unwrap();
        map.insert(http::header::AUTHORIZATION, value);
        let rejection = bearer_token(&map).unwrap().unwrap_err();
        assert_eq!(rejection.reason, reason::JWT_MALFORMED);
        assert!(rejection.fingerprint.is_some());
    }
}
