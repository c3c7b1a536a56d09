//! Errors from building an [`crate::Authenticator`] or refreshing its keys. Request-time failures
//! are not errors but [`crate::AuthOutcome::Rejected`].

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid configuration: {field}: {message}")]
    Config { field: String, message: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("environment variable {name} (auth.jwt.hs256_secret_env) {problem}")]
    Secret { name: String, problem: &'static str },
    #[error("{origin}: {message}")]
    Key { origin: String, message: String },
    #[error("{path}:{line}: {message}")]
    ApiKeyFile { path: PathBuf, line: usize, message: String },
    #[error("JWKS fetch from {url} failed: {message}")]
    JwksFetch { url: String, message: String },
}
