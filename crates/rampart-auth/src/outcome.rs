//! What a check returns to the gateway.

use std::fmt;

use sha2::{Digest, Sha256};

/// The result of authenticating one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// No credential this authenticator handles was presented. Whether that is acceptable is a
    /// per-route decision for the gateway.
    Anonymous,
    Authenticated(Identity),
    Rejected(Rejection),
}

/// Which credential established the identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    Jwt,
    ApiKey,
}

/// Who the caller is. Holds nothing secret: for API keys the subject is the key's configured id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// JWT `sub`, or the API key's id.
    pub subject: String,
    pub via: CredentialKind,
    /// JWT `iss`; `None` for API keys.
    pub issuer: Option<String>,
    /// The `kid` of the key that verified the token; `None` for API keys or kid-less tokens.
    pub key_id: Option<String>,
    /// From `scope` (space-separated) or `scp` (string or array).
    pub scopes: Vec<String>,
    /// Fingerprint of the presented credential (bearer token or API key), for blocklists.
    pub fingerprint: Fingerprint,
}

/// Why a credential was refused. `reason` is a stable id for metrics, alerts and blocklists;
/// `detail` is for humans and never contains the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub reason: &'static str,
    pub detail: String,
    /// Fingerprint of the refused credential, when one could be extracted.
    pub fingerprint: Option<Fingerprint>,
}

/// Stable rejection ids.
pub mod reason {
    pub const JWT_MALFORMED: &str = "jwt-malformed";
    pub const JWT_TOO_LONG: &str = "jwt-too-long";
    pub const JWT_ALG_NONE: &str = "jwt-alg-none";
    pub const JWT_ALG_NOT_ALLOWED: &str = "jwt-alg-not-allowed";
    pub const JWT_ALG_CONFUSION: &str = "jwt-alg-confusion";
    pub const JWT_CRIT_UNSUPPORTED: &str = "jwt-crit-unsupported";
    pub const JWT_MISSING_KID: &str = "jwt-missing-kid";
    pub const JWT_UNKNOWN_KID: &str = "jwt-unknown-kid";
    pub const JWT_BAD_SIGNATURE: &str = "jwt-bad-signature";
    pub const JWT_EXPIRED: &str = "jwt-expired";
    pub const JWT_NOT_YET_VALID: &str = "jwt-not-yet-valid";
    pub const JWT_WRONG_ISSUER: &str = "jwt-wrong-issuer";
    pub const JWT_WRONG_AUDIENCE: &str = "jwt-wrong-audience";
    pub const JWT_MISSING_CLAIM: &str = "jwt-missing-claim";
    pub const API_KEY_UNKNOWN: &str = "api-key-unknown";
    pub const API_KEY_MALFORMED: &str = "api-key-malformed";
    /// More than one value for the same credential (two `Authorization` headers, a key in two
    /// places): refused rather than guessing which one the upstream will read.
    pub const AMBIGUOUS_CREDENTIALS: &str = "auth-ambiguous-credentials";
}

impl Rejection {
    pub(crate) fn new(reason: &'static str, detail: impl Into<String>) -> Rejection {
        Rejection { reason, detail: detail.into(), fingerprint: None }
    }

    pub(crate) fn with_fingerprint(mut self, fingerprint: Fingerprint) -> Rejection {
        self.fingerprint = Some(fingerprint);
        self
    }
}

/// The first 16 bytes of the SHA-256 of a credential: enough to block or count a token without
/// keeping it. Displays as 32 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 16]);

impl Fingerprint {
    pub fn of(credential: &[u8]) -> Fingerprint {
        let digest = Sha256::digest(credential);
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        Fingerprint(first)
    }

    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// The SHA-256 fingerprint (hex, first 16 bytes) of a bearer token, as the gateway's token
/// blocklist stores it.
pub fn token_fingerprint(token: &str) -> String {
    Fingerprint::of(token.as_bytes()).to_hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_first_half_of_sha256_in_hex() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(token_fingerprint("abc"), "ba7816bf8f01cfea414140de5dae2223");
        assert_eq!(format!("{:?}", Fingerprint::of(b"abc")), "Fingerprint(ba7816bf8f01cfea414140de5dae2223)");
    }
}
