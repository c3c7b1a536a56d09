//! Shared fixtures: the demo bank's real RS256 keys and tokens, plus hand-built keys and
//! tokens for everything the demo signer cannot produce (no `kid`, other algorithms, attacks).

#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::Mac;
use p256::ecdsa::signature::Signer as _;
use rampart_auth::{AuthConfig, AuthOutcome, Authenticator};
use rampart_demo::jwt::{AUDIENCE, Claims, ISSUER, KeyRng, SigningKeys};
use rsa::pkcs8::EncodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::Sha256;

/// A fixed instant well inside the tokens' lifetime.
pub const NOW: i64 = 1_800_000_000;
/// The environment variable tests use for the HS256 secret.
pub const HS_ENV: &str = "RAMPART_AUTH_TEST_HS256_SECRET";
pub const HS_SECRET: &str = "test-only-hs256-secret-0123456789abcdef";

/// The demo bank's signing key (seed 1) and a second, rotated-in key (seed 2).
pub fn demo_key() -> &'static SigningKeys {
    static KEY: OnceLock<SigningKeys> = OnceLock::new();
    KEY.get_or_init(|| SigningKeys::from_demo_seed(1, 2048).expect("demo key"))
}

pub fn rotated_demo_key() -> &'static SigningKeys {
    static KEY: OnceLock<SigningKeys> = OnceLock::new();
    KEY.get_or_init(|| SigningKeys::from_demo_seed(2, 2048).expect("demo key"))
}

/// An RSA key of our own, for tokens whose header the demo signer would not write.
pub fn own_rsa_key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut KeyRng::from_demo_seed(77), 2048).expect("rsa key"))
}

pub fn ec_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).expect("p256 key")
}

pub fn demo_claims() -> Claims {
    Claims {
        iss: ISSUER.into(),
        sub: "10000042".into(),
        aud: AUDIENCE.into(),
        exp: NOW + 900,
        iat: NOW - 60,
        scope: "accounts payments".into(),
        jti: "tok-1".into(),
        client_id: "demo-bank-mobile".into(),
    }
}

pub fn claims_json() -> Value {
    serde_json::to_value(demo_claims()).expect("claims")
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn signing_input(header: &Value, claims: &Value) -> String {
    format!("{}.{}", b64(header.to_string()), b64(claims.to_string()))
}

pub fn sign_rs256(key: &rsa::PrivateKey, header: &Value, claims: &Value) -> String {
    let input = signing_input(header, claims);
    let signature = key.pkcs1v15_sign::<Sha256>(input.as_bytes()).expect("rsa sign");
    format!("{input}.{}", b64(signature))
}

pub fn sign_es256(key: &p256::ecdsa::SigningKey, header: &Value, claims: &Value) -> String {
    let input = signing_input(header, claims);
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

pub fn sign_hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    let input = signing_input(header, claims);
    let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(secret).expect("hmac");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(mac.finalize().into_bytes()))
}

fn minimal(bytes: Vec<u8>) -> Vec<u8> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(0);
    bytes[first..].to_vec()
}

pub fn own_rsa_jwk(kid: Option<&str>) -> Value {
    let public = own_rsa_key().to_public_key();
    let mut jwk = json!({
        "kty": "RSA", "use": "sig", "alg": "RS256",
        "n": b64(minimal(public.n().to_be_bytes().to_vec())),
        "e": b64(minimal(public.e().to_be_bytes().to_vec())),
    });
    if let Some(kid) = kid {
        jwk["kid"] = kid.into();
    }
    jwk
}

pub fn ec_jwk(kid: &str) -> Value {
    let point = ec_key().verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": b64(&bytes[1..33]), "y": b64(&bytes[33..65])})
}

/// The demo key's public half as an SPKI PEM, built from its published JWK the way an attacker
/// would build it for an HS256 confusion token.
pub fn demo_public_pem() -> String {
    let jwk = &demo_key().jwks()["keys"][0];
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().expect("n")).expect("n b64");
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().expect("e")).expect("e b64");
    let n = rsa::BoxedUint::from_be_slice(&n, (n.len() * 8) as u32).expect("n");
    let e = rsa::BoxedUint::from_be_slice(&e, (e.len() * 8) as u32).expect("e");
    let public = rsa::PublicKey::new(n, e).expect("public key");
    let der = public.to_public_key_der().expect("der");
    pem("PUBLIC KEY", der.as_bytes())
}

pub fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> =
        body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).expect("ascii")).collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// Sets the HS256 secret once for the whole test binary. Only ever set, never changed, so
/// concurrent readers see one value.
pub fn set_hs_secret() {
    static SET: OnceLock<()> = OnceLock::new();
    SET.get_or_init(|| {
        // SAFETY: called once, before any authenticator in this binary reads the environment.
        unsafe { std::env::set_var(HS_ENV, HS_SECRET) };
    });
}

pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path.display().to_string().replace('\\', "/")
}

pub fn config(toml_text: &str) -> AuthConfig {
    toml::from_str(toml_text).unwrap_or_else(|err| panic!("bad test config: {err}\n{toml_text}"))
}

pub fn bearer(token: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    let value = http::HeaderValue::from_str(&format!("Bearer {token}")).expect("header value");
    headers.insert(http::header::AUTHORIZATION, value);
    headers
}

/// The rejection reason, failing the test if the request was accepted or anonymous.
pub fn rejected(auth: &Authenticator, token: &str, now: i64) -> &'static str {
    match auth.check(&bearer(token), None, now) {
        AuthOutcome::Rejected(rejection) => {
            assert!(!rejection.detail.contains(token), "detail leaks the token");
            rejection.reason
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

pub fn accepted(auth: &Authenticator, token: &str, now: i64) -> rampart_auth::Identity {
    match auth.check(&bearer(token), None, now) {
        AuthOutcome::Authenticated(identity) => identity,
        other => panic!("expected acceptance, got {other:?}"),
    }
}
