//! API keys from a file and inline, in a header or the query string, with and without a JWT.

mod common;

use common::*;
use rampart_auth::{AuthError, AuthOutcome, Authenticator, CredentialKind, reason};
use rampart_demo::jwt::{AUDIENCE, ISSUER};
use sha2::{Digest, Sha256};

const PARTNER_KEY: &str = "rk_live_4c1d8f0e9b2a7c6d5e4f3a2b1c0d9e8f";
const BATCH_KEY: &str = "rk_live_batch+settlement/7Q==";

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

async fn authenticator(dir: &tempfile::TempDir, extra: &str) -> Authenticator {
    let file = write(
        dir.path(),
        "api-keys.txt",
        &format!(
            "# partner keys, rotated quarterly\n\npartner-acme:{}\n  batch-settlement : {}  \n",
            sha256_hex(PARTNER_KEY),
            sha256_hex(BATCH_KEY).to_uppercase()
        ),
    );
    let jwks = write(dir.path(), "jwks.json", &demo_key().jwks().to_string());
    Authenticator::from_config(&config(&format!(
        "[jwt]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\njwks_file = \"{jwks}\"\n\
         [api_keys]\nfile = \"{file}\"\nquery_param = \"api_key\"\n\
         keys = [{{ id = \"ops-probe\", sha256 = \"{}\" }}]\n{extra}",
        sha256_hex("probe-key-0000000000000000")
    )))
    .await
    .unwrap()
}

fn with_key(header: &str, key: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(http::HeaderName::from_bytes(header.as_bytes()).unwrap(), key.parse().unwrap());
    headers
}

fn identity(outcome: AuthOutcome) -> rampart_auth::Identity {
    match outcome {
        AuthOutcome::Authenticated(identity) => identity,
        other => panic!("expected an identity, got {other:?}"),
    }
}

fn rejection(outcome: AuthOutcome) -> rampart_auth::Rejection {
    match outcome {
        AuthOutcome::Rejected(rejection) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn known_keys_authenticate_as_their_id() {
    let dir = tempfile::tempdir().unwrap();
    let auth = authenticator(&dir, "").await;
    let partner = identity(auth.check(&with_key("x-api-key", PARTNER_KEY), None, NOW));
    assert_eq!(partner.subject, "partner-acme");
    assert_eq!(partner.via, CredentialKind::ApiKey);
    assert_eq!(partner.fingerprint.to_hex(), &sha256_hex(PARTNER_KEY)[..32]);
    assert!(!format!("{partner:?}").contains(PARTNER_KEY));
    let probe = identity(auth.check(&with_key("X-Api-Key", "probe-key-0000000000000000"), None, NOW));
    assert_eq!(probe.subject, "ops-probe");
    let query = "page=2&api_key=rk_live_batch%2Bsettlement%2F7Q%3D%3D";
    let batch = identity(auth.check(&http::HeaderMap::new(), Some(query), NOW));
    assert_eq!(batch.subject, "batch-settlement");
}

#[tokio::test]
async fn unknown_and_ambiguous_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let auth = authenticator(&dir, "").await;
    let unknown = rejection(auth.check(&with_key("x-api-key", "rk_live_guess"), None, NOW));
    assert_eq!(unknown.reason, reason::API_KEY_UNKNOWN);
    assert!(!unknown.detail.contains("rk_live_guess"));
    assert_eq!(unknown.fingerprint.unwrap().to_hex(), &sha256_hex("rk_live_guess")[..32]);
    let near_miss = &PARTNER_KEY[..PARTNER_KEY.len() - 1];
    assert_eq!(
        rejection(auth.check(&with_key("x-api-key", near_miss), None, NOW)).reason,
        reason::API_KEY_UNKNOWN
    );

    let both = rejection(auth.check(&with_key("x-api-key", PARTNER_KEY), Some("api_key=x"), NOW));
    assert_eq!(both.reason, reason::AMBIGUOUS_CREDENTIALS);
    let mut twice = with_key("x-api-key", PARTNER_KEY);
    twice.append("x-api-key", BATCH_KEY.parse().unwrap());
    assert_eq!(rejection(auth.check(&twice, None, NOW)).reason, reason::AMBIGUOUS_CREDENTIALS);
    assert_eq!(
        rejection(auth.check(&with_key("x-api-key", ""), None, NOW)).reason,
        reason::API_KEY_MALFORMED
    );
    let long = "k".repeat(600);
    assert_eq!(
        rejection(auth.check(&with_key("x-api-key", &long), None, NOW)).reason,
        reason::API_KEY_MALFORMED
    );
    assert_eq!(
        rejection(auth.check(&http::HeaderMap::new(), Some("api_key=%G0"), NOW)).reason,
        reason::API_KEY_MALFORMED
    );
}

#[tokio::test]
async fn query_keys_are_ignored_unless_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "keys.txt", &format!("partner-acme:{}\n", sha256_hex(PARTNER_KEY)));
    let auth = Authenticator::from_config(&config(&format!("[api_keys]\nfile = \"{file}\""))).await.unwrap();
    let query = format!("api_key={PARTNER_KEY}");
    assert_eq!(auth.check(&http::HeaderMap::new(), Some(&query), NOW), AuthOutcome::Anonymous);
    // Without [jwt], a bearer token is not this authenticator's business.
    assert_eq!(auth.check(&bearer("a.b.c"), None, NOW), AuthOutcome::Anonymous);
}

#[tokio::test]
async fn jwt_and_api_key_together() {
    let dir = tempfile::tempdir().unwrap();
    let auth = authenticator(&dir, "").await;
    let token = demo_key().sign(&demo_claims()).unwrap();
    let mut headers = bearer(&token);
    headers.insert("x-api-key", PARTNER_KEY.parse().unwrap());
    let both = identity(auth.check(&headers, None, NOW));
    assert_eq!((both.subject.as_str(), both.via), ("10000042", CredentialKind::Jwt));
    // A bad key spoils a good token, and a bad token a good key.
    headers.insert("x-api-key", "rk_live_guess".parse().unwrap());
    assert_eq!(rejection(auth.check(&headers, None, NOW)).reason, reason::API_KEY_UNKNOWN);
    let mut expired = demo_claims();
    expired.exp = NOW - 3600;
    let mut headers = bearer(&demo_key().sign(&expired).unwrap());
    headers.insert("x-api-key", PARTNER_KEY.parse().unwrap());
    assert_eq!(rejection(auth.check(&headers, None, NOW)).reason, reason::JWT_EXPIRED);
}

#[tokio::test]
async fn key_file_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("ok:{hash}\nno-colon-here\n", 2, "id:sha256-hex"),
        ("ok:{hash}\nshort:abc123\n", 2, "64 hex"),
        ("# c\nok:{hash}\nok:{other}\n", 3, "duplicate key id"),
        (":{hash}\n", 1, "empty key id"),
    ];
    for (text, line, message) in cases {
        let text = text.replace("{hash}", &sha256_hex("a")).replace("{other}", &sha256_hex("b"));
        let file = write(dir.path(), "bad.txt", &text);
        let err =
            Authenticator::from_config(&config(&format!("[api_keys]\nfile = \"{file}\""))).await.unwrap_err();
        match &err {
            AuthError::ApiKeyFile { line: at, message: m, .. } => {
                assert_eq!(*at, line, "{text}");
                assert!(m.contains(message), "{m}");
            }
            other => panic!("expected a file error, got {other}"),
        }
        assert!(!err.to_string().contains(&sha256_hex("a")), "the error must not repeat the hash line");
    }
}
