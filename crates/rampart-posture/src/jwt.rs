//! JWTs seen in traffic: what they claim, and whether an HMAC one is signed with a weak secret.
//!
//! Tokens are decoded with `rampart_discovery::auth::decode_jwt` (never trusted, length-capped)
//! and grouped in *families* by algorithm and issuer: the weaknesses reported here (a weak
//! secret, no expiry, a long lifetime, `alg: none` accepted) are properties of whoever issues
//! the tokens. A family remembers which endpoints issued its tokens (a token in a 2xx response
//! body) and which accepted them (a 2xx to a request presenting one). Tokens themselves are
//! never kept.
//!
//! The weak-secret check recomputes the HMAC of `header.payload` with each entry of
//! [`weak_secrets`] (`data/weak-jwt-secrets.txt`, a few hundred well-known defaults) and
//! compares it with the signature. It runs offline, on at most [`MAX_CHECKS_PER_FAMILY`]
//! tokens per family, so its cost does not grow with traffic.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Tokens of one family checked against the weak-secret list.
pub const MAX_CHECKS_PER_FAMILY: u32 = 3;
/// Families kept; tokens of further families are counted in [`crate::Observations`] only.
pub const MAX_FAMILIES: usize = 64;
/// Endpoints remembered per family as issuers or acceptors.
const MAX_ENDPOINTS_PER_FAMILY: usize = 16;
const MAX_CLAIM_LEN: usize = 96;

static LIST: &str = include_str!("../data/weak-jwt-secrets.txt");

/// The well-known weak HMAC secrets, in file order.
pub fn weak_secrets() -> &'static [&'static str] {
    static SECRETS: OnceLock<Vec<&'static str>> = OnceLock::new();
    SECRETS.get_or_init(|| LIST.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect())
}

/// A secret for evidence: its first character, then stars, and its length.
pub fn mask_secret(secret: &str) -> String {
    let first: String = secret.chars().take(1).collect();
    format!(
        "{first}{} ({} characters)",
        "*".repeat(secret.chars().count().saturating_sub(1).min(12)),
        secret.chars().count()
    )
}

/// HMAC (RFC 2104) over a SHA-2 function.
fn hmac<D: Digest + Clone>(block: usize, key: &[u8], message: &[&[u8]]) -> Vec<u8> {
    let mut k = vec![0u8; block];
    if key.len() > block {
        let digest = D::digest(key);
        k[..digest.len()].copy_from_slice(&digest);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = D::new();
    inner.update(k.iter().map(|b| b ^ 0x36).collect::<Vec<u8>>());
    for part in message {
        inner.update(part);
    }
    let inner = inner.finalize();
    let mut outer = D::new();
    outer.update(k.iter().map(|b| b ^ 0x5c).collect::<Vec<u8>>());
    outer.update(inner);
    outer.finalize().to_vec()
}

/// The HMAC signature of `signing_input` (`header.payload`) under `alg` (HS256/384/512) with
/// `secret`; `None` for other algorithms. The active scanner forges tokens with a cracked secret.
pub fn hmac_sign(alg: &str, secret: &[u8], signing_input: &str) -> Option<Vec<u8>> {
    match alg {
        "HS256" => Some(hmac::<Sha256>(64, secret, &[signing_input.as_bytes()])),
        "HS384" => Some(hmac::<Sha384>(128, secret, &[signing_input.as_bytes()])),
        "HS512" => Some(hmac::<Sha512>(128, secret, &[signing_input.as_bytes()])),
        _ => None,
    }
}

/// Whether `token` (compact JWS) verifies with `secret` under its HMAC `alg`.
pub fn hmac_verifies(token: &str, alg: &str, secret: &[u8]) -> bool {
    let Some((signed, signature)) = token.rsplit_once('.') else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature.trim_end_matches('=')) else { return false };
    let Some(mac) = hmac_sign(alg, secret, signed) else { return false };
    // Not secret-dependent timing that matters here: the candidate secrets are public.
    mac == signature
}

/// The position in [`weak_secrets`] of the secret that verifies `token`, if one does.
pub fn find_weak_secret(token: &str, alg: &str) -> Option<usize> {
    if !matches!(alg, "HS256" | "HS384" | "HS512") {
        return None;
    }
    weak_secrets().iter().position(|s| hmac_verifies(token, alg, s.as_bytes()))
}

/// What one token claims, as far as posture cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub alg: String,
    pub iss: String,
    pub sub: Option<String>,
    pub has_exp: bool,
    pub lifetime_secs: Option<i64>,
}

impl TokenInfo {
    pub fn decode(token: &str) -> Option<TokenInfo> {
        rampart_discovery::auth::decode_jwt(token).map(|c| TokenInfo::from_claims(&c))
    }

    /// From claims discovery already decoded.
    pub fn from_claims(claims: &rampart_discovery::auth::JwtClaims) -> TokenInfo {
        let cap = |s: String| s.chars().take(MAX_CLAIM_LEN).collect::<String>();
        TokenInfo {
            alg: cap(claims.alg.clone().unwrap_or_else(|| "(missing)".into())),
            iss: cap(claims.iss.clone().unwrap_or_default()),
            lifetime_secs: claims.lifetime_secs(),
            has_exp: claims.exp.is_some(),
            sub: claims.sub.clone(),
        }
    }

    /// `alg|iss`: the family the token belongs to.
    pub fn family(&self) -> String {
        format!("{}|{}", self.alg, self.iss)
    }
}

/// What is known of the tokens of one (alg, issuer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JwtFamily {
    pub alg: String,
    pub iss: String,
    /// Endpoint skeletons (`METHOD host skeleton`) that returned such a token in a 2xx body.
    #[serde(default)]
    pub issued_by: BTreeMap<String, u64>,
    /// Endpoint skeletons that answered 2xx to a request presenting such a token.
    #[serde(default)]
    pub accepted_by: BTreeMap<String, u64>,
    /// Tokens issued or accepted without `exp`.
    pub without_exp: u64,
    /// Tokens issued or accepted with `exp`.
    pub with_exp: u64,
    /// Longest `exp - iat` seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lifetime_secs: Option<i64>,
    /// Tokens checked against the weak-secret list.
    pub checked: u32,
    /// Position of the weak secret that verified a token, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weak_secret: Option<usize>,
}

/// How a token was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Issued,
    Accepted,
}

impl JwtFamily {
    pub fn record(&mut self, token: &str, info: &TokenInfo, how: Seen, endpoint: &str) {
        if self.alg.is_empty() {
            self.alg.clone_from(&info.alg);
            self.iss.clone_from(&info.iss);
        }
        let map = match how {
            Seen::Issued => &mut self.issued_by,
            Seen::Accepted => &mut self.accepted_by,
        };
        if let Some(n) = map.get_mut(endpoint) {
            *n += 1;
        } else if map.len() < MAX_ENDPOINTS_PER_FAMILY {
            map.insert(endpoint.to_owned(), 1);
        }
        if info.has_exp {
            self.with_exp += 1;
        } else {
            self.without_exp += 1;
        }
        if let Some(l) = info.lifetime_secs {
            self.max_lifetime_secs = Some(self.max_lifetime_secs.map_or(l, |m| m.max(l)));
        }
        if self.weak_secret.is_none() && self.checked < MAX_CHECKS_PER_FAMILY {
            self.checked += 1;
            self.weak_secret = find_weak_secret(token, &info.alg);
        }
    }

    pub fn merge(&mut self, other: &JwtFamily) {
        if self.alg.is_empty() {
            self.alg.clone_from(&other.alg);
            self.iss.clone_from(&other.iss);
        }
        for (mine, theirs) in
            [(&mut self.issued_by, &other.issued_by), (&mut self.accepted_by, &other.accepted_by)]
        {
            for (k, n) in theirs {
                if let Some(m) = mine.get_mut(k) {
                    *m += n;
                } else if mine.len() < MAX_ENDPOINTS_PER_FAMILY {
                    mine.insert(k.clone(), *n);
                }
            }
        }
        self.without_exp += other.without_exp;
        self.with_exp += other.with_exp;
        self.max_lifetime_secs = self.max_lifetime_secs.max(other.max_lifetime_secs);
        self.checked = self.checked.saturating_add(other.checked);
        self.weak_secret = self.weak_secret.or(other.weak_secret);
    }
}

/// JWT-looking strings in a text (a response body): `eyJ…` with exactly two dots.
pub fn tokens_in(text: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while out.len() < max {
        let Some(at) = rest.find("eyJ") else { break };
        let tail = &rest[at..];
        let end = tail
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=')))
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        if candidate.bytes().filter(|b| *b == b'.').count() == 2 && candidate.len() > 20 {
            out.push(candidate);
        }
        rest = &tail[end.max(3)..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_hs256(header: &str, payload: &str, secret: &str) -> String {
        let signed = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
        let mac = hmac::<Sha256>(64, secret.as_bytes(), &[signed.as_bytes()]);
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac::<Sha256>(64, b"Jefe", &[b"what do ya want for nothing?"]);
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn the_jwt_io_example_token_is_cracked_and_a_strong_secret_is_not() {
        // The token jwt.io shows by default, signed with `your-256-bit-secret`.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let index = find_weak_secret(token, "HS256").expect("cracked");
        assert_eq!(weak_secrets()[index], "your-256-bit-secret");
        let strong = sign_hs256(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#, "kq3J9v!x2Lr8#TzW0pQe5mN7bY1cD4hF");
        assert_eq!(find_weak_secret(&strong, "HS256"), None);
        assert_eq!(find_weak_secret(token, "RS256"), None, "only HMAC algorithms are checked");
        assert!(weak_secrets().len() >= 300, "a few hundred entries: {}", weak_secrets().len());
    }

    #[test]
    fn families_record_issuers_acceptors_and_expiry() {
        let token = sign_hs256(r#"{"alg":"HS256"}"#, r#"{"iss":"legacy","sub":"C1","iat":1}"#, "changeme");
        let info = TokenInfo::decode(&token).unwrap();
        assert_eq!(info.family(), "HS256|legacy");
        let mut family = JwtFamily::default();
        family.record(&token, &info, Seen::Issued, "POST h /login");
        family.record(&token, &info, Seen::Accepted, "GET h /accounts");
        assert_eq!(family.weak_secret.map(|i| weak_secrets()[i]), Some("changeme"));
        assert_eq!((family.without_exp, family.with_exp), (2, 0));
        assert_eq!(family.checked, 1, "once cracked, no more checks");
        assert_eq!(mask_secret("changeme"), "c******* (8 characters)");
    }

    #[test]
    fn tokens_are_found_in_bodies() {
        let body = r#"{"accessToken":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl","x":"eyJnope"}"#;
        assert_eq!(tokens_in(body, 4), vec!["eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"]);
        assert!(tokens_in("no tokens", 4).is_empty());
    }
}
