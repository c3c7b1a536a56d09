//! The `[auth]` section of `rampart.toml`.
//!
//! Everything has a default except what cannot be guessed safely: which issuers and audiences to
//! trust, and where the keys are. [`AuthConfig::validate`] runs before any key is loaded so that a
//! typo is reported with the field's full path rather than as a rejected request at 3 a.m.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::AuthError;

/// JWS algorithms this crate verifies. Anything else (`none`, `RS512`, `PS256`, `EdDSA`, …) is
/// rejected: a gateway should accept the few algorithms its issuers actually use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Algorithm {
    RS256,
    ES256,
    HS256,
}

impl Algorithm {
    /// Parses the `alg` header value exactly (JWS algorithm names are case-sensitive).
    pub fn from_jws_name(name: &str) -> Option<Algorithm> {
        match name {
            "RS256" => Some(Algorithm::RS256),
            "ES256" => Some(Algorithm::ES256),
            "HS256" => Some(Algorithm::HS256),
            _ => None,
        }
    }

    pub fn jws_name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::ES256 => "ES256",
            Algorithm::HS256 => "HS256",
        }
    }
}

/// The `[auth]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Bearer JWT verification; absent means JWTs are not checked (and a bearer token is ignored).
    #[serde(default)]
    pub jwt: Option<JwtConfig>,
    /// API keys; absent means API keys are not checked.
    #[serde(default)]
    pub api_keys: Option<ApiKeyConfig>,
}

/// `[auth.jwt]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Algorithms accepted in the token header. HS256 additionally needs `hs256_secret_env`.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<Algorithm>,
    /// Accepted `iss` values; a token must carry one of them.
    pub issuers: Vec<String>,
    /// Accepted audiences; the token's `aud` (string or array) must contain one of them.
    pub audiences: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "default_leeway_seconds")]
    pub leeway_seconds: u64,
    /// Tokens longer than this are rejected before any decoding (a cheap guard against huge
    /// headers being base64-decoded and parsed on every request).
    #[serde(default = "default_max_token_bytes")]
    pub max_token_bytes: usize,
    /// RSA keys shorter than this are refused at load.
    #[serde(default = "default_min_rsa_bits")]
    pub min_rsa_bits: usize,
    /// A JWKS served over http(s); fetched at start and refreshed in the background.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// A JWKS document on disk, read once at start.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// Public keys in PEM (SPKI `PUBLIC KEY`, or PKCS#1 `RSA PUBLIC KEY`).
    #[serde(default)]
    pub public_keys: Vec<PemKeyConfig>,
    /// Name of the environment variable that holds the HS256 secret. The secret itself never
    /// sits in the config file.
    #[serde(default)]
    pub hs256_secret_env: Option<String>,
    /// `kid` tokens signed with the HS256 secret carry, if any.
    #[serde(default)]
    pub hs256_kid: Option<String>,
    /// Background JWKS refresh period.
    #[serde(default = "default_refresh_interval_seconds")]
    pub jwks_refresh_interval_seconds: u64,
    /// At most one unknown-`kid` refresh per this many seconds, so a flood of random `kid`s
    /// cannot turn the gateway into a load generator against the identity provider.
    #[serde(default = "default_unknown_kid_refresh_seconds")]
    pub jwks_unknown_kid_refresh_seconds: u64,
    /// Timeout for one JWKS fetch, in milliseconds.
    #[serde(default = "default_fetch_timeout_ms")]
    pub jwks_fetch_timeout_ms: u64,
    /// A JWKS response body larger than this is refused.
    #[serde(default = "default_max_jwks_bytes")]
    pub jwks_max_bytes: usize,
}

/// One `[[auth.jwt.public_keys]]` entry: exactly one of `pem` and `pem_file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PemKeyConfig {
    /// The `kid` this key answers to; optional when it is the only key.
    #[serde(default)]
    pub kid: Option<String>,
    /// The one algorithm this key verifies (RS256 for RSA keys, ES256 for P-256 keys).
    pub algorithm: Algorithm,
    #[serde(default)]
    pub pem: Option<String>,
    #[serde(default)]
    pub pem_file: Option<PathBuf>,
}

/// `[auth.api_keys]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Request header carrying the key.
    #[serde(default = "default_api_key_header")]
    pub header: String,
    /// Query parameter carrying the key. Off by default: query strings end up in access logs,
    /// browser history and referrers, so only enable it for clients that cannot send headers.
    #[serde(default)]
    pub query_param: Option<String>,
    /// A file of `id:sha256-hex` lines (`#` comments and blank lines allowed).
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// Inline `{ id, sha256 }` entries.
    #[serde(default)]
    pub keys: Vec<ApiKeyEntry>,
}

/// An API key known only by the SHA-256 of its value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyEntry {
    pub id: String,
    /// Lower- or upper-case hex SHA-256 of the key.
    pub sha256: String,
}

fn default_algorithms() -> Vec<Algorithm> {
    vec![Algorithm::RS256, Algorithm::ES256]
}
fn default_leeway_seconds() -> u64 {
    30
}
fn default_max_token_bytes() -> usize {
    8 * 1024
}
fn default_min_rsa_bits() -> usize {
    2048
}
fn default_refresh_interval_seconds() -> u64 {
    300
}
fn default_unknown_kid_refresh_seconds() -> u64 {
    30
}
fn default_fetch_timeout_ms() -> u64 {
    5_000
}
fn default_max_jwks_bytes() -> usize {
    256 * 1024
}
fn default_api_key_header() -> String {
    "x-api-key".to_owned()
}

/// Leeway beyond this turns `exp` into a suggestion.
const MAX_LEEWAY_SECONDS: u64 = 300;

fn invalid(field: &str, message: impl Into<String>) -> AuthError {
    AuthError::Config { field: field.to_owned(), message: message.into() }
}

impl AuthConfig {
    /// Checks everything that can be checked without touching the file system or network.
    pub fn validate(&self) -> Result<(), AuthError> {
        if let Some(jwt) = &self.jwt {
            jwt.validate()?;
        }
        if let Some(keys) = &self.api_keys {
            keys.validate()?;
        }
        Ok(())
    }
}

impl JwtConfig {
    fn validate(&self) -> Result<(), AuthError> {
        if self.algorithms.is_empty() {
            return Err(invalid("auth.jwt.algorithms", "must list at least one algorithm"));
        }
        if self.issuers.is_empty() || self.issuers.iter().any(|i| i.trim().is_empty()) {
            return Err(invalid("auth.jwt.issuers", "must list at least one non-empty issuer"));
        }
        if self.audiences.is_empty() || self.audiences.iter().any(|a| a.trim().is_empty()) {
            return Err(invalid("auth.jwt.audiences", "must list at least one non-empty audience"));
        }
        if self.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(invalid(
                "auth.jwt.leeway_seconds",
                format!("{} is more than the {MAX_LEEWAY_SECONDS} s allowed", self.leeway_seconds),
            ));
        }
        if !(256..=64 * 1024).contains(&self.max_token_bytes) {
            return Err(invalid("auth.jwt.max_token_bytes", "must be between 256 and 65536"));
        }
        if self.min_rsa_bits < 2048 {
            return Err(invalid("auth.jwt.min_rsa_bits", "must be at least 2048"));
        }
        let wants_hs256 = self.algorithms.contains(&Algorithm::HS256);
        match (&self.hs256_secret_env, wants_hs256) {
            (None, true) => {
                return Err(invalid(
                    "auth.jwt.hs256_secret_env",
                    "HS256 is in auth.jwt.algorithms but no secret environment variable is named",
                ));
            }
            (Some(_), false) => {
                return Err(invalid(
                    "auth.jwt.hs256_secret_env",
                    "set, but HS256 is not in auth.jwt.algorithms",
                ));
            }
            (Some(name), true) if name.trim().is_empty() => {
                return Err(invalid("auth.jwt.hs256_secret_env", "must not be empty"));
            }
            _ => {}
        }
        if self.hs256_kid.is_some() && self.hs256_secret_env.is_none() {
            return Err(invalid("auth.jwt.hs256_kid", "set without auth.jwt.hs256_secret_env"));
        }
        if let Some(url) = &self.jwks_url {
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("https://") {
                if !cfg!(feature = "https") {
                    return Err(invalid(
                        "auth.jwt.jwks_url",
                        "https JWKS URLs need rampart-auth's `https` feature",
                    ));
                }
            } else if !lower.starts_with("http://") {
                return Err(invalid("auth.jwt.jwks_url", "must start with http:// or https://"));
            }
            if url.parse::<http::Uri>().is_err() {
                return Err(invalid("auth.jwt.jwks_url", "is not a valid URL"));
            }
        }
        if self.jwks_refresh_interval_seconds < 10 {
            return Err(invalid("auth.jwt.jwks_refresh_interval_seconds", "must be at least 10"));
        }
        if self.jwks_unknown_kid_refresh_seconds == 0 {
            return Err(invalid("auth.jwt.jwks_unknown_kid_refresh_seconds", "must be at least 1"));
        }
        if !(100..=60_000).contains(&self.jwks_fetch_timeout_ms) {
            return Err(invalid("auth.jwt.jwks_fetch_timeout_ms", "must be between 100 and 60000"));
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.jwks_max_bytes) {
            return Err(invalid("auth.jwt.jwks_max_bytes", "must be between 1 KiB and 16 MiB"));
        }
        for (index, key) in self.public_keys.iter().enumerate() {
            let field = format!("auth.jwt.public_keys[{index}]");
            match (&key.pem, &key.pem_file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(&field, "set either `pem` or `pem_file`, not both"));
                }
                (None, None) => return Err(invalid(&field, "needs `pem` or `pem_file`")),
                _ => {}
            }
            if key.algorithm == Algorithm::HS256 {
                return Err(invalid(
                    &format!("{field}.algorithm"),
                    "a PEM public key cannot be an HS256 key; use hs256_secret_env",
                ));
            }
            if !self.algorithms.contains(&key.algorithm) {
                return Err(invalid(
                    &format!("{field}.algorithm"),
                    format!("{} is not in auth.jwt.algorithms", key.algorithm.jws_name()),
                ));
            }
        }
        let has_asymmetric_source =
            self.jwks_url.is_some() || self.jwks_file.is_some() || !self.public_keys.is_empty();
        if !has_asymmetric_source && self.hs256_secret_env.is_none() {
            return Err(invalid(
                "auth.jwt",
                "no keys: set jwks_url, jwks_file, public_keys or hs256_secret_env",
            ));
        }
        Ok(())
    }
}

impl ApiKeyConfig {
    fn validate(&self) -> Result<(), AuthError> {
        if self.header.parse::<http::HeaderName>().is_err() {
            return Err(invalid("auth.api_keys.header", "is not a valid HTTP header name"));
        }
        if let Some(param) = &self.query_param
            && (param.is_empty() || param.contains(['&', '=', '#']))
        {
            return Err(invalid("auth.api_keys.query_param", "is not a usable query parameter name"));
        }
        if self.file.is_none() && self.keys.is_empty() {
            return Err(invalid("auth.api_keys", "no keys: set `file` or `keys`"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(extra: &str) -> Result<AuthConfig, String> {
        let text = format!(
            "[jwt]\nissuers = [\"https://idp\"]\naudiences = [\"api\"]\njwks_file = \"k.json\"\n{extra}"
        );
        toml::from_str::<AuthConfig>(&text).map_err(|e| e.to_string())
    }

    fn field_of(err: AuthError) -> String {
        match err {
            AuthError::Config { field, .. } => field,
            other => panic!("expected a config error, got {other}"),
        }
    }

    #[test]
    fn defaults_apply() {
        let cfg = jwt("").unwrap();
        cfg.validate().unwrap();
        let jwt = cfg.jwt.unwrap();
        assert_eq!(jwt.algorithms, vec![Algorithm::RS256, Algorithm::ES256]);
        assert_eq!(jwt.leeway_seconds, 30);
        assert_eq!(jwt.max_token_bytes, 8192);
        assert!(cfg.api_keys.is_none());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = jwt("leeway = 5").unwrap_err();
        assert!(err.contains("unknown field `leeway`"), "{err}");
        let err = toml::from_str::<AuthConfig>("[api_keys]\nheadr = \"x\"").unwrap_err();
        assert!(err.to_string().contains("headr"));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("leeway_seconds = 3600", "auth.jwt.leeway_seconds"),
            ("algorithms = [\"HS256\"]", "auth.jwt.hs256_secret_env"),
            ("hs256_secret_env = \"X\"", "auth.jwt.hs256_secret_env"),
            ("jwks_url = \"ftp://idp/jwks\"", "auth.jwt.jwks_url"),
            ("min_rsa_bits = 1024", "auth.jwt.min_rsa_bits"),
            (
                "[[jwt.public_keys]]\nalgorithm = \"ES256\"\npem = \"x\"\npem_file = \"y\"",
                "auth.jwt.public_keys[0]",
            ),
            ("[[jwt.public_keys]]\nalgorithm = \"HS256\"\npem = \"x\"", "auth.jwt.public_keys[0].algorithm"),
        ];
        for (extra, field) in cases {
            let cfg = jwt(extra).unwrap();
            assert_eq!(field_of(cfg.validate().unwrap_err()), field, "for {extra}");
        }
        let no_issuer: AuthConfig =
            toml::from_str("[jwt]\nissuers = []\naudiences = [\"a\"]\njwks_file = \"k\"").unwrap();
        assert_eq!(field_of(no_issuer.validate().unwrap_err()), "auth.jwt.issuers");
        let bad_header: AuthConfig =
            toml::from_str("[api_keys]\nheader = \"x api key\"\nfile = \"k\"").unwrap();
        assert_eq!(field_of(bad_header.validate().unwrap_err()), "auth.api_keys.header");
    }

    #[test]
    fn unknown_algorithms_do_not_deserialise() {
        assert!(jwt("algorithms = [\"none\"]").is_err());
        assert!(jwt("algorithms = [\"rs256\"]").is_err());
    }
}
