//! Verification keys, parsed once at load into ready-to-use form (RSA Montgomery parameters,
//! P-256 points, a keyed HMAC state) so that a request never parses key material.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit};
use rsa::BoxedUint;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde::Deserialize;
use sha2::Sha256;

use crate::config::Algorithm;

/// Largest RSA modulus accepted: bigger keys only make each verification slower.
const MAX_RSA_BITS: usize = 8192;

/// Key material in verification-ready form. Each kind verifies exactly one algorithm, which is
/// what makes algorithm confusion detectable: the token's `alg` must be the key's algorithm.
#[derive(Clone)]
pub(crate) enum KeyMaterial {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    /// Keyed once at load; cloning the state per token skips re-hashing the key pads.
    Hmac(Hmac<Sha256>),
}

impl KeyMaterial {
    pub(crate) fn algorithm(&self) -> Algorithm {
        match self {
            KeyMaterial::Rsa(_) => Algorithm::RS256,
            KeyMaterial::P256(_) => Algorithm::ES256,
            KeyMaterial::Hmac(_) => Algorithm::HS256,
        }
    }
}

#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<Arc<str>>,
    pub(crate) material: KeyMaterial,
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the material: for HMAC it is the secret.
        f.debug_struct("VerificationKey")
            .field("kid", &self.kid)
            .field("alg", &self.material.algorithm())
            .finish()
    }
}

/// An immutable snapshot of every key the verifier trusts. Swapped whole on refresh.
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<VerificationKey>,
    /// Increases on every successful refresh; lets callers and tests see that a swap happened.
    pub(crate) generation: u64,
}

impl KeySet {
    pub(crate) fn by_kid(&self, kid: &str) -> Option<&VerificationKey> {
        // JWKS documents hold a handful of keys: a scan beats hashing the kid.
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

/// Why a key could not be used. The caller adds where it came from.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> KeyError {
    KeyError::Invalid(message.into())
}

pub(crate) fn hmac_key(secret: &[u8], kid: Option<&str>) -> Result<VerificationKey, KeyError> {
    let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .map_err(|_| invalid("HMAC key has an invalid length"))?;
    Ok(VerificationKey { kid: kid.map(Arc::from), material: KeyMaterial::Hmac(mac) })
}

fn rsa_from_components(n: &[u8], e: &[u8], min_bits: usize) -> Result<rsa::PublicKey, KeyError> {
    let n = strip_leading_zeros(n);
    let e = strip_leading_zeros(e);
    if n.is_empty() || e.is_empty() || e.len() > 8 {
        return Err(invalid("RSA modulus or exponent is empty or out of range"));
    }
    let n_bits = u32::try_from(n.len() * 8).map_err(|_| invalid("RSA modulus is too large"))?;
    let e_bits = u32::try_from(e.len() * 8).map_err(|_| invalid("RSA exponent is too large"))?;
    let n = BoxedUint::from_be_slice(n, n_bits).map_err(|_| invalid("bad RSA modulus"))?;
    let e = BoxedUint::from_be_slice(e, e_bits).map_err(|_| invalid("bad RSA exponent"))?;
    rsa::PublicKey::new_with_size_limits(n, e, min_bits..=MAX_RSA_BITS)
        .map_err(|err| invalid(format!("unusable RSA key ({err}); at least {min_bits} bits needed")))
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn check_rsa_size(key: rsa::PublicKey, min_bits: usize) -> Result<rsa::PublicKey, KeyError> {
    let bits = key.n().bit_width_vartime() as usize;
    if bits < min_bits || bits > MAX_RSA_BITS {
        return Err(invalid(format!("RSA key has {bits} bits; {min_bits} to {MAX_RSA_BITS} accepted")));
    }
    Ok(key)
}

/// Reads one PEM public key: SPKI (`PUBLIC KEY`, RSA or P-256) or PKCS#1 (`RSA PUBLIC KEY`).
/// The PEM armour is stripped here rather than pulling in a PEM crate for two labels.
pub(crate) fn pem_key(
    pem: &str,
    algorithm: Algorithm,
    kid: Option<&str>,
    min_rsa_bits: usize,
) -> Result<VerificationKey, KeyError> {
    let (label, der) = pem_body(pem)?;
    let material = match (label, algorithm) {
        ("PUBLIC KEY", Algorithm::RS256) => {
            let key = rsa::PublicKey::from_public_key_der(&der)
                .map_err(|_| invalid("not an RSA SubjectPublicKeyInfo (algorithm is RS256)"))?;
            KeyMaterial::Rsa(check_rsa_size(key, min_rsa_bits)?)
        }
        ("RSA PUBLIC KEY", Algorithm::RS256) => {
            let key =
                rsa::PublicKey::from_pkcs1_der(&der).map_err(|_| invalid("not a PKCS#1 RSA public key"))?;
            KeyMaterial::Rsa(check_rsa_size(key, min_rsa_bits)?)
        }
        ("PUBLIC KEY", Algorithm::ES256) => {
            let key = p256::PublicKey::from_public_key_der(&der)
                .map_err(|_| invalid("not a P-256 SubjectPublicKeyInfo (algorithm is ES256)"))?;
            KeyMaterial::P256(p256::ecdsa::VerifyingKey::from(&key))
        }
        (label, algorithm) => {
            return Err(invalid(format!("a PEM `{label}` block cannot hold a {} key", algorithm.jws_name())));
        }
    };
    Ok(VerificationKey { kid: kid.map(Arc::from), material })
}

fn pem_body(pem: &str) -> Result<(&str, Vec<u8>), KeyError> {
    let text = pem.trim();
    let rest = text.strip_prefix("-----BEGIN ").ok_or_else(|| invalid("no PEM BEGIN line"))?;
    let (label, rest) = rest.split_once("-----").ok_or_else(|| invalid("bad PEM BEGIN line"))?;
    let end_line = format!("-----END {label}-----");
    let body = rest
        .trim_end()
        .strip_suffix(end_line.as_str())
        .ok_or_else(|| invalid(format!("no matching `{end_line}` line")))?;
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD.decode(compact).map_err(|_| invalid("PEM body is not base64"))?;
    Ok((label, der))
}

#[derive(Deserialize)]
struct JwksDocument {
    keys: Vec<serde_json::Value>,
}

/// Fields of one JWK this crate reads; everything else (`x5c`, `key_ops`, …) is ignored.
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, rename = "use")]
    usage: Option<String>,
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    n: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    crv: Option<String>,
    #[serde(default)]
    x: Option<String>,
    #[serde(default)]
    y: Option<String>,
}

/// The keys of a JWKS document and, for every key that had to be skipped, why.
pub(crate) struct ParsedJwks {
    pub(crate) keys: Vec<VerificationKey>,
    pub(crate) skipped: Vec<String>,
}

/// Parses a JWKS. Unusable keys (encryption keys, unsupported types or algorithms, short RSA
/// keys, symmetric keys, duplicate kids) are skipped and reported, not fatal: one odd key in an
/// identity provider's set must not take every other key down with it.
pub(crate) fn parse_jwks(document: &[u8], min_rsa_bits: usize) -> Result<ParsedJwks, KeyError> {
    let document: JwksDocument =
        serde_json::from_slice(document).map_err(|err| invalid(format!("not a JWKS document: {err}")))?;
    let mut parsed = ParsedJwks { keys: Vec::new(), skipped: Vec::new() };
    for (index, value) in document.keys.into_iter().enumerate() {
        let label = value
            .get("kid")
            .and_then(|k| k.as_str())
            .map_or_else(|| format!("keys[{index}]"), |kid| format!("keys[{index}] (kid {kid:?})"));
        match jwk_to_key(value, min_rsa_bits) {
            Ok(key) => {
                let duplicate = key.kid.is_some()
                    && parsed.keys.iter().any(|other: &VerificationKey| other.kid == key.kid);
                if duplicate {
                    parsed.skipped.push(format!("{label}: duplicate kid"));
                } else {
                    parsed.keys.push(key);
                }
            }
            Err(KeyError::Invalid(why)) => parsed.skipped.push(format!("{label}: {why}")),
        }
    }
    Ok(parsed)
}

fn b64_field(value: Option<&String>, name: &str) -> Result<Vec<u8>, KeyError> {
    let value = value.ok_or_else(|| invalid(format!("missing `{name}`")))?;
    URL_SAFE_NO_PAD.decode(value).map_err(|_| invalid(format!("`{name}` is not base64url")))
}

fn jwk_to_key(value: serde_json::Value, min_rsa_bits: usize) -> Result<VerificationKey, KeyError> {
    let jwk: Jwk = serde_json::from_value(value).map_err(|err| invalid(format!("bad JWK: {err}")))?;
    if jwk.usage.as_deref().is_some_and(|u| u != "sig") {
        return Err(invalid("not a signing key (`use` is not `sig`)"));
    }
    let material = match jwk.kty.as_str() {
        "RSA" => {
            let n = b64_field(jwk.n.as_ref(), "n")?;
            let e = b64_field(jwk.e.as_ref(), "e")?;
            KeyMaterial::Rsa(rsa_from_components(&n, &e, min_rsa_bits)?)
        }
        "EC" => {
            if jwk.crv.as_deref() != Some("P-256") {
                return Err(invalid("only the P-256 curve is supported"));
            }
            let x = b64_field(jwk.x.as_ref(), "x")?;
            let y = b64_field(jwk.y.as_ref(), "y")?;
            if x.len() != 32 || y.len() != 32 {
                return Err(invalid("P-256 coordinates must be 32 bytes each"));
            }
            let mut sec1 = [0u8; 65];
            sec1[0] = 0x04;
            sec1[1..33].copy_from_slice(&x);
            sec1[33..].copy_from_slice(&y);
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                .map_err(|_| invalid("point is not on the P-256 curve"))?;
            KeyMaterial::P256(key)
        }
        // A shared secret has no business in a key set fetched over the network or sitting in a
        // readable file; HS256 secrets come from the environment only.
        "oct" => return Err(invalid("symmetric (`oct`) keys are not accepted from a JWKS")),
        other => return Err(invalid(format!("unsupported key type {other:?}"))),
    };
    if let Some(alg) = jwk.alg.as_deref()
        && alg != material.algorithm().jws_name()
    {
        return Err(invalid(format!("unsupported algorithm {alg:?} for this key")));
    }
    Ok(VerificationKey { kid: jwk.kid.map(Arc::from), material })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_skips_unusable_keys_and_keeps_the_rest() {
        let doc = serde_json::json!({"keys": [
            {"kty": "oct", "kid": "s", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "short", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "k1", "crv": "P-384", "x": "", "y": ""},
            {"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "OKP", "kid": "ed"},
        ]});
        let parsed = parse_jwks(doc.to_string().as_bytes(), 2048).unwrap();
        assert!(parsed.keys.is_empty());
        assert_eq!(parsed.skipped.len(), 5, "{:?}", parsed.skipped);
        assert!(parsed.skipped[0].contains("symmetric"));
        assert!(parsed.skipped[1].contains("RSA"));
    }

    #[test]
    fn jwks_that_is_not_a_jwks_is_an_error() {
        assert!(parse_jwks(b"{}", 2048).is_err());
        assert!(parse_jwks(b"[1,2]", 2048).is_err());
        assert!(parse_jwks(b"\xff", 2048).is_err());
    }

    #[test]
    fn pem_armour_errors_are_reported() {
        assert!(pem_key("hello", Algorithm::RS256, None, 2048).is_err());
        let no_end = "-----BEGIN PUBLIC KEY-----\nAAAA\n";
        assert!(pem_key(no_end, Algorithm::RS256, None, 2048).is_err());
        let not_b64 = "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----";
        assert!(pem_key(not_b64, Algorithm::RS256, None, 2048).is_err());
        let wrong_label = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----";
        let err = pem_key(wrong_label, Algorithm::ES256, None, 2048).unwrap_err();
        assert!(err.to_string().contains("cannot hold a ES256 key"), "{err}");
    }
}
