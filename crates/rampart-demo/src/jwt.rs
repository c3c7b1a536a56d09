//! RS256 JSON Web Tokens: key generation, signing, verification and the JWKS document.
//!
//! Keys come from a small SHA-256 counter-mode generator ([`KeyRng`]): seeded from the operating
//! system for `serve`, or from the demo seed for `record`, so that a recorded sample (tokens and
//! their signatures included) is byte-for-byte reproducible. A seed-derived key is, by design,
//! public knowledge: it exists for demos and tests only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rsa::rand_core::{Infallible, TryCryptoRng, TryRng};
use rsa::sha2::{Digest, Sha256};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};

/// Issuer written in, and required of, every token.
pub const ISSUER: &str = "https://auth.demo-bank.example";
/// Audience written in, and required of, every token.
pub const AUDIENCE: &str = "https://api.demo-bank.example";

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("RSA key operation failed: {0}")]
    Rsa(#[from] rsa::Error),
    #[error("could not read OS randomness: {0}")]
    Entropy(String),
    #[error("token is not three base64url parts")]
    Malformed,
    #[error("token header is not a supported RS256 header")]
    UnsupportedHeader,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token issuer or audience is wrong")]
    WrongIssuerOrAudience,
    #[error("token claims could not be serialised or parsed: {0}")]
    Claims(#[from] serde_json::Error),
}

/// The claims the demo bank puts in its access tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The customer id for customer tokens, the client id for client-credentials tokens.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    /// Space-separated OAuth scopes.
    pub scope: String,
    pub jti: String,
    /// The OAuth client the token was issued to.
    pub client_id: String,
}

/// Deterministic SHA-256 counter-mode byte stream: `SHA-256(seed ‖ counter)` blocks.
///
/// It is a sound generator when its seed is secret (serve seeds it from the OS); with a known
/// seed it is merely reproducible, which is what recorded samples need.
pub struct KeyRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl KeyRng {
    pub fn from_seed_bytes(seed: [u8; 32]) -> KeyRng {
        KeyRng { seed, counter: 0, block: [0; 32], used: 32 }
    }

    /// A generator whose whole output follows from a demo seed (public; demos and tests only).
    pub fn from_demo_seed(seed: u64) -> KeyRng {
        let mut hasher = Sha256::new();
        hasher.update(b"rampart-demo signing key v1");
        hasher.update(seed.to_be_bytes());
        KeyRng::from_seed_bytes(hasher.finalize().into())
    }

    /// A generator seeded from the operating system.
    pub fn from_os() -> Result<KeyRng, JwtError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| JwtError::Entropy(e.to_string()))?;
        Ok(KeyRng::from_seed_bytes(seed))
    }

    fn refill(&mut self) {
        let mut hasher = Sha256::new();
        hasher.update(self.seed);
        hasher.update(self.counter.to_be_bytes());
        self.block = hasher.finalize().into();
        self.counter += 1;
        self.used = 0;
    }

    fn fill(&mut self, dst: &mut [u8]) {
        for byte in dst {
            if self.used == self.block.len() {
                self.refill();
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
    }
}

impl TryRng for KeyRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for KeyRng {}

/// The bank's token signing key with its public JWK parts precomputed.
pub struct SigningKeys {
    private: PrivateKey,
    public: PublicKey,
    kid: String,
    n_b64: String,
    e_b64: String,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// Big-endian bytes without leading zeros, as JWK wants them.
fn minimal_be_bytes(n: &BoxedUint) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    bytes[first..].to_vec()
}

impl SigningKeys {
    /// The production default size.
    pub const DEFAULT_BITS: usize = 2048;

    /// A fresh key from OS randomness.
    pub fn generate(bits: usize) -> Result<SigningKeys, JwtError> {
        SigningKeys::from_rng(&mut KeyRng::from_os()?, bits)
    }

    /// The key that follows from a demo seed: the same seed always gives the same key.
    pub fn from_demo_seed(seed: u64, bits: usize) -> Result<SigningKeys, JwtError> {
        SigningKeys::from_rng(&mut KeyRng::from_demo_seed(seed), bits)
    }

    fn from_rng(rng: &mut KeyRng, bits: usize) -> Result<SigningKeys, JwtError> {
        let private = PrivateKey::new(rng, bits)?;
        let public = private.to_public_key();
        let n_b64 = URL_SAFE_NO_PAD.encode(minimal_be_bytes(public.n()));
        let e_b64 = URL_SAFE_NO_PAD.encode(minimal_be_bytes(public.e()));
        // RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order.
        let canonical = format!(r#"{{"e":"{e_b64}","kty":"RSA","n":"{n_b64}"}}"#);
        // The first 12 bytes of the thumbprint: unique enough for a key id, and short, since
        // it rides in every token header.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(canonical.as_bytes())[..12]);
        Ok(SigningKeys { private, public, kid, n_b64, e_b64 })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWKS document served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": self.kid,
                "n": self.n_b64,
                "e": self.e_b64,
            }]
        })
    }

    /// A compact RS256 JWS of `claims`.
    pub fn sign(&self, claims: &Claims) -> Result<String, JwtError> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
        );
        let signature = self.private.pkcs1v15_sign::<Sha256>(signing_input.as_bytes())?;
        Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }

    /// Verifies the signature, algorithm, key id, issuer, audience and expiry (against `now`,
    /// in Unix seconds) and returns the claims.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, JwtError> {
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(sig_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let header_bytes = URL_SAFE_NO_PAD.decode(header_b64).map_err(|_| JwtError::Malformed)?;
        let header: serde_json::Value =
            serde_json::from_slice(&header_bytes).map_err(|_| JwtError::Malformed)?;
        // Only RS256 with our kid: refusing `none`, HS256 and foreign keys up front.
        if header.get("alg").and_then(|v| v.as_str()) != Some("RS256")
            || header.get("kid").and_then(|v| v.as_str()).is_some_and(|k| k != self.kid)
        {
            return Err(JwtError::UnsupportedHeader);
        }
        let signature = URL_SAFE_NO_PAD.decode(sig_b64).map_err(|_| JwtError::Malformed)?;
        let signing_input_len = header_b64.len() + 1 + claims_b64.len();
        let signing_input = token.get(..signing_input_len).ok_or(JwtError::Malformed)?;
        self.public
            .pkcs1v15_verify::<Sha256>(signing_input.as_bytes(), &signature)
            .map_err(|_| JwtError::BadSignature)?;
        let claims_bytes = URL_SAFE_NO_PAD.decode(claims_b64).map_err(|_| JwtError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&claims_bytes)?;
        if claims.iss != ISSUER || claims.aud != AUDIENCE {
            return Err(JwtError::WrongIssuerOrAudience);
        }
        if claims.exp <= now {
            return Err(JwtError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iss: ISSUER.into(),
            sub: "10000042".into(),
            aud: AUDIENCE.into(),
            exp,
            iat: exp - 900,
            scope: "accounts payments".into(),
            jti: "tok-1".into(),
            client_id: "demo-bank-mobile".into(),
        }
    }

    #[test]
    fn seeded_keys_sign_verify_and_reject_tampering() {
        let keys = SigningKeys::from_demo_seed(7, 1024).unwrap();
        let token = keys.sign(&claims(2_000_000_000)).unwrap();
        assert_eq!(keys.verify(&token, 1_999_999_000).unwrap().sub, "10000042");
        assert!(matches!(keys.verify(&token, 2_000_000_000), Err(JwtError::Expired)));
        let mut forged = claims(2_000_000_000);
        forged.sub = "10000043".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
        assert!(matches!(keys.verify(&tampered, 0), Err(JwtError::BadSignature)));
        assert!(matches!(keys.verify("a.b", 0), Err(JwtError::Malformed)));
        let again = SigningKeys::from_demo_seed(7, 1024).unwrap();
        assert_eq!(again.kid(), keys.kid());
        assert_eq!(again.sign(&claims(2_000_000_000)).unwrap(), token);
        assert_eq!(keys.jwks()["keys"][0]["e"], "AQAB");
    }
}

/// Issuer of the legacy `/v1` tokens.
pub const LEGACY_ISSUER: &str = "https://legacy.demo-bank.example";

// PLANTED FLAW (issue 5): the legacy `/v1` login signs its tokens with HS256 and a secret from
// every "JWT in 5 minutes" tutorial, and puts no `exp` in them: anyone can forge a token for any
// customer, and a stolen one never expires. Rampart finds the secret offline in its list of
// weak secrets (rule `jwt-weak-secret`) and the missing expiry (`jwt-without-expiry`).
const LEGACY_SECRET: &[u8] = b"s3cr3t";

/// Claims of a legacy token: no expiry, no audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyClaims {
    pub iss: String,
    pub sub: String,
    pub iat: i64,
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().to_vec()
}

/// A legacy HS256 token for `subject`.
pub fn sign_legacy(subject: &str, now: i64) -> Result<String, JwtError> {
    let header = serde_json::json!({"alg": "HS256", "typ": "JWT"});
    let claims = LegacyClaims { iss: LEGACY_ISSUER.to_owned(), sub: subject.to_owned(), iat: now };
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?)
    );
    let mac = hmac_sha256(LEGACY_SECRET, signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac)))
}

/// The claims of a legacy token whose HS256 signature verifies.
pub fn verify_legacy(token: &str) -> Result<LegacyClaims, JwtError> {
    let (signing_input, sig_b64) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (header_b64, claims_b64) = signing_input.split_once('.').ok_or(JwtError::Malformed)?;
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header_b64).map_err(|_| JwtError::Malformed)?)
            .map_err(|_| JwtError::Malformed)?;
    if header.get("alg").and_then(|v| v.as_str()) != Some("HS256") {
        return Err(JwtError::UnsupportedHeader);
    }
    let signature = URL_SAFE_NO_PAD.decode(sig_b64).map_err(|_| JwtError::Malformed)?;
    if hmac_sha256(LEGACY_SECRET, signing_input.as_bytes()) != signature {
        return Err(JwtError::BadSignature);
    }
    let claims: LegacyClaims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims_b64).map_err(|_| JwtError::Malformed)?)?;
    if claims.iss != LEGACY_ISSUER {
        return Err(JwtError::WrongIssuerOrAudience);
    }
    Ok(claims)
}

#[cfg(test)]
mod legacy_tests {
    use super::*;

    #[test]
    fn legacy_tokens_round_trip_and_forgeries_fail() {
        let token = sign_legacy("C0000001", 1_800_000_000).unwrap();
        assert_eq!(verify_legacy(&token).unwrap().sub, "C0000001");
        let (head, _) = token.rsplit_once('.').unwrap();
        assert!(verify_legacy(&format!("{head}.c2lnbmF0dXJl")).is_err());
    }
}
