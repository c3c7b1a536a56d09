//! Per-token cost of `Authenticator::check` for RS256 (the demo bank's real 2048-bit tokens),
//! ES256 and HS256, beside a baseline that only base64-decodes and JSON-parses the payload:
//! the floor any JWT check pays before cryptography.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::Mac;
use p256::ecdsa::signature::Signer as _;
use rampart_auth::{AuthOutcome, Authenticator};
use rampart_demo::jwt::{AUDIENCE, Claims, ISSUER, SigningKeys};
use sha2::Sha256;

const NOW: i64 = 1_800_000_000;
const HS_ENV: &str = "RAMPART_AUTH_BENCH_HS256_SECRET";
const HS_SECRET: &str = "bench-only-hs256-secret-0123456789abcdef";

fn claims() -> Claims {
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

fn input(header: serde_json::Value) -> String {
    let claims = serde_json::to_vec(&claims()).unwrap();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims))
}

fn bearer(token: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    headers
}

fn verify(c: &mut Criterion) {
    // SAFETY: set before any other thread exists and never changed.
    unsafe { std::env::set_var(HS_ENV, HS_SECRET) };
    let demo = SigningKeys::from_demo_seed(1, 2048).unwrap();
    let ec = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let point = ec.verifying_key().to_sec1_point(false);
    let mut jwks = demo.jwks();
    jwks["keys"].as_array_mut().unwrap().push(serde_json::json!({
        "kty": "EC", "crv": "P-256", "kid": "ec1",
        "x": URL_SAFE_NO_PAD.encode(&point.as_bytes()[1..33]),
        "y": URL_SAFE_NO_PAD.encode(&point.as_bytes()[33..65]),
    }));
    let dir = tempfile::tempdir().unwrap();
    let jwks_path = dir.path().join("jwks.json");
    std::fs::write(&jwks_path, jwks.to_string()).unwrap();
    let config: rampart_auth::AuthConfig = toml::from_str(&format!(
        "[jwt]\nalgorithms = [\"RS256\", \"ES256\", \"HS256\"]\nissuers = [\"{ISSUER}\"]\n\
         audiences = [\"{AUDIENCE}\"]\njwks_file = {:?}\nhs256_secret_env = \"{HS_ENV}\"\nhs256_kid = \"hs1\"",
        jwks_path.display().to_string()
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let auth = runtime.block_on(Authenticator::from_config(&config)).unwrap();

    let rs256 = demo.sign(&claims()).unwrap();
    let es_input = input(serde_json::json!({"alg": "ES256", "kid": "ec1"}));
    let es_signature: p256::ecdsa::Signature = ec.sign(es_input.as_bytes());
    let es256 = format!("{es_input}.{}", URL_SAFE_NO_PAD.encode(es_signature.to_bytes()));
    let hs_input = input(serde_json::json!({"alg": "HS256", "kid": "hs1"}));
    let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(HS_SECRET.as_bytes()).unwrap();
    mac.update(hs_input.as_bytes());
    let hs256 = format!("{hs_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));

    let mut group = c.benchmark_group("verify");
    group.bench_function("baseline: decode + parse payload", |b| {
        b.iter(|| {
            let payload = black_box(&rs256).split('.').nth(1).unwrap();
            let bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            black_box(value)
        })
    });
    for (name, token) in [("RS256 (demo, 2048-bit)", &rs256), ("ES256", &es256), ("HS256", &hs256)] {
        let headers = bearer(token);
        assert!(matches!(auth.check(&headers, None, NOW), AuthOutcome::Authenticated(_)), "{name}");
        group.bench_function(name, |b| b.iter(|| black_box(auth.check(black_box(&headers), None, NOW))));
    }
    let forged = bearer(&format!("{}.{}", rs256.rsplit_once('.').unwrap().0, "A".repeat(342)));
    group.bench_function("RS256 bad signature", |b| {
        b.iter(|| black_box(auth.check(black_box(&forged), None, NOW)))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
