#![no_main]
//! Arbitrary bytes (lossy UTF-8) as a bearer token and, half the time, also as an API key, through
//! `Authenticator::check`. Besides never panicking, a random input must never authenticate: no
//! forged JWT, and no API key other than the one configured.
//!
//! Input layout: the first byte is a selector (bit 0: also send the text as `x-api-key`; bit 1:
//! send the text as the raw `Authorization` value instead of prefixing `Bearer `, so the scheme
//! parser is fuzzed too; bit 2, with bit 0: send no `Authorization` header at all, so the API key
//! is what decides); the rest is the text.

use libfuzzer_sys::fuzz_target;
use rampart_auth::{
    ApiKeyConfig, ApiKeyEntry, AuthConfig, AuthOutcome, Authenticator, CredentialKind, JwtConfig,
};
use std::sync::OnceLock;

/// The only credential that may authenticate. Its SHA-256 is configured below.
const API_KEY: &str = "rampart-fuzz-api-key-7f3c9a";
const API_KEY_SHA256: &str = "f0e0e5649ed4b8d69d9bac759bb4177f5286bdac7859884a6bf96d3674c4422b";
const API_KEY_ID: &str = "fuzz-client";

/// Fixed request clock, so that seed tokens signed with the real key stay expired/rejected.
const NOW: i64 = 1_800_000_000;
const ISSUER: &str = "https://idp.fuzz.example";
const AUDIENCE: &str = "https://api.fuzz.example";

/// Public half of a 2048-bit RSA key generated for this target; the private half was only used
/// to sign the seed corpus (tokens that are rejected for their claims) and was not kept.
const JWKS: &str = r#"{"keys":[{"kty":"RSA","kid":"fuzz-rsa-1","use":"sig","alg":"RS256","e":"AQAB","n":"l0NmJYWXUL_whrARt7oLTYx9AyJMaSYX2FS6qrjfp5Jf8tJAR8lNwMybp8Ivqv5hZHSXAfoeMnqb_3gooHtzkwA2SqGanwADnfwiAWcD2eAttiK_Prkg_7iJ4PTUNk-CkryqYzjJtMbWW9qmCWJKosGLSg-iBF99vnEgfrp1OwF7MThU7kep3A3uAB1EjOMeeDQbnRC-6bdXhOYJXzapl0tbCn8XA3_KBO0xRKFr_dVdWCCmz-cN9rjir-fKPmcWJlwS45aOKxRyMVvxvBAwfeIoloowDQ2uYRF9WFZ8UxuROOI61jnsn0z5NxKEPWfFfspeK8GnvqE3TTnRosqB2w"}]}"#;

fn authenticator() -> &'static Authenticator {
    static AUTH: OnceLock<Authenticator> = OnceLock::new();
    AUTH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("rampart-fuzz-jwks-{}.json", std::process::id()));
        std::fs::write(&path, JWKS).expect("write the JWKS file");
        let config = AuthConfig {
            jwt: Some(JwtConfig {
                // RS256 and ES256 (the defaults); HS256 disabled, so no secret is configured.
                algorithms: vec![rampart_auth::Algorithm::RS256, rampart_auth::Algorithm::ES256],
                issuers: vec![ISSUER.to_owned()],
                audiences: vec![AUDIENCE.to_owned()],
                leeway_seconds: 30,
                max_token_bytes: 8 * 1024,
                min_rsa_bits: 2048,
                jwks_url: None,
                jwks_file: Some(path.clone()),
                public_keys: Vec::new(),
                hs256_secret_env: None,
                hs256_kid: None,
                jwks_refresh_interval_seconds: 300,
                jwks_unknown_kid_refresh_seconds: 30,
                jwks_fetch_timeout_ms: 5_000,
                jwks_max_bytes: 256 * 1024,
            }),
            api_keys: Some(ApiKeyConfig {
                header: "x-api-key".to_owned(),
                query_param: None,
                file: None,
                keys: vec![ApiKeyEntry { id: API_KEY_ID.to_owned(), sha256: API_KEY_SHA256.to_owned() }],
            }),
        };
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
        let auth = runtime.block_on(Authenticator::from_config(&config)).expect("authenticator");
        let _ = std::fs::remove_file(&path);
        assert_eq!(auth.key_ids(), vec![Some("fuzz-rsa-1".to_owned())]);
        auth
    })
}

/// `RAMPART_FUZZ_DEBUG=1` prints each outcome (to check what the seeds reach).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("RAMPART_FUZZ_DEBUG").is_some())
}

fuzz_target!(|data: &[u8]| {
    let auth = authenticator();
    let (selector, rest) = match data.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (0, data),
    };
    let as_api_key = selector & 1 == 1;
    let raw_authorization = selector & 2 == 2;
    let api_key_only = as_api_key && selector & 4 == 4;
    let text = String::from_utf8_lossy(rest);

    let mut headers = http::HeaderMap::new();
    let authorization = if raw_authorization { text.to_string() } else { format!("Bearer {text}") };
    let mut sent_authorization = false;
    if !api_key_only && let Ok(value) = http::HeaderValue::from_bytes(authorization.as_bytes()) {
        headers.insert(http::header::AUTHORIZATION, value);
        sent_authorization = true;
    }
    let mut sent_api_key = None;
    if as_api_key && let Ok(value) = http::HeaderValue::from_bytes(text.as_bytes()) {
        sent_api_key = Some(value.as_bytes().to_vec());
        headers.insert(http::HeaderName::from_static("x-api-key"), value);
    }

    let outcome = auth.check(&headers, None, NOW);
    // Determinism: the same request gives the same answer (the verified-token cache must not
    // change the outcome).
    assert_eq!(outcome, auth.check(&headers, None, NOW));

    if debug() {
        eprintln!("outcome: {outcome:?}");
    }
    match &outcome {
        AuthOutcome::Authenticated(identity) => {
            assert_eq!(identity.via, CredentialKind::ApiKey, "a fuzzed JWT authenticated: {identity:?}");
            assert_eq!(identity.subject, API_KEY_ID);
            assert_eq!(
                sent_api_key.as_deref(),
                Some(API_KEY.as_bytes()),
                "authenticated by a key that is not the configured one"
            );
        }
        AuthOutcome::Anonymous => {
            // Nothing presented that this authenticator handles: no API key, and either no
            // Authorization header or one with another scheme.
            assert!(sent_api_key.is_none(), "an API key header was sent but the outcome is Anonymous");
            if sent_authorization && !raw_authorization {
                panic!("a Bearer header was sent but the outcome is Anonymous");
            }
        }
        AuthOutcome::Rejected(rejection) => {
            assert!(!rejection.reason.is_empty());
        }
    }
});
