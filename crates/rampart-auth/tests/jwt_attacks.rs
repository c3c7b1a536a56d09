//! The demo bank's real RS256 tokens, and one hand-built attack token per rejection id.

mod common;

use common::*;
use rampart_auth::{AuthError, AuthOutcome, Authenticator, CredentialKind, reason};
use rampart_demo::jwt::{AUDIENCE, ISSUER};
use serde_json::json;

/// A JWKS file holding the demo key, our own RSA key (kid "own") and a P-256 key (kid "ec1"),
/// with HS256 allowed under kid "hs1".
async fn full_authenticator(dir: &tempfile::TempDir) -> Authenticator {
    set_hs_secret();
    let mut jwks = demo_key().jwks();
    let keys = jwks["keys"].as_array_mut().unwrap();
    keys.push(own_rsa_jwk(Some("own")));
    keys.push(ec_jwk("ec1"));
    let path = write(dir.path(), "jwks.json", &jwks.to_string());
    let cfg = config(&format!(
        r#"
        [jwt]
        algorithms = ["RS256", "ES256", "HS256"]
        issuers = ["{ISSUER}"]
        audiences = ["{AUDIENCE}"]
        jwks_file = "{path}"
        hs256_secret_env = "{HS_ENV}"
        hs256_kid = "hs1"
        "#
    ));
    Authenticator::from_config(&cfg).await.unwrap()
}

/// Only the demo key, RS256 only: the default shape of a bank gateway.
async fn demo_only_authenticator(dir: &tempfile::TempDir) -> Authenticator {
    let path = write(dir.path(), "demo-jwks.json", &demo_key().jwks().to_string());
    let cfg = config(&format!(
        "[jwt]\nalgorithms = [\"RS256\"]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\njwks_file = \"{path}\""
    ));
    Authenticator::from_config(&cfg).await.unwrap()
}

fn demo_header() -> serde_json::Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": demo_key().kid()})
}

#[tokio::test]
async fn demo_bank_tokens_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let token = demo_key().sign(&demo_claims()).unwrap();
    let identity = accepted(&auth, &token, NOW);
    assert_eq!(identity.subject, "10000042");
    assert_eq!(identity.via, CredentialKind::Jwt);
    assert_eq!(identity.issuer.as_deref(), Some(ISSUER));
    assert_eq!(identity.key_id.as_deref(), Some(demo_key().kid()));
    assert_eq!(identity.scopes, ["accounts", "payments"]);
    assert_eq!(identity.fingerprint.to_hex(), rampart_auth::token_fingerprint(&token));

    let demo_only = demo_only_authenticator(&dir).await;
    assert_eq!(accepted(&demo_only, &token, NOW).subject, "10000042");
}

#[tokio::test]
async fn es256_and_hs256_tokens_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let es = sign_es256(&ec_key(), &json!({"alg": "ES256", "kid": "ec1"}), &claims_json());
    assert_eq!(accepted(&auth, &es, NOW).key_id.as_deref(), Some("ec1"));
    let hs = sign_hs256(HS_SECRET.as_bytes(), &json!({"alg": "HS256", "kid": "hs1"}), &claims_json());
    assert_eq!(accepted(&auth, &hs, NOW).subject, "10000042");
    let own = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "own"}), &claims_json());
    assert_eq!(accepted(&auth, &own, NOW).key_id.as_deref(), Some("own"));
}

#[tokio::test]
async fn alg_none_in_any_case_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = json!({"alg": alg, "typ": "JWT"});
        for signature in ["", "AAAA"] {
            let token = format!("{}.{signature}", signing_input(&header, &claims_json()));
            assert_eq!(rejected(&auth, &token, NOW), reason::JWT_ALG_NONE, "{alg} {signature:?}");
        }
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_confusion() {
    let dir = tempfile::tempdir().unwrap();
    let pem = demo_public_pem();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": demo_key().kid()});
    let forged = sign_hs256(pem.as_bytes(), &header, &claims_json());
    // Where HS256 is allowed, the RSA kid gives the attack away.
    let auth = full_authenticator(&dir).await;
    assert_eq!(rejected(&auth, &forged, NOW), reason::JWT_ALG_CONFUSION);
    // The same with the raw modulus as the secret and no kid: no HMAC key matches it.
    let modulus = demo_key().jwks()["keys"][0]["n"].as_str().unwrap().to_owned();
    let kidless = sign_hs256(modulus.as_bytes(), &json!({"alg": "HS256"}), &claims_json());
    assert_eq!(rejected(&auth, &kidless, NOW), reason::JWT_BAD_SIGNATURE);
    // Where only RS256 is allowed, the algorithm alone is refused.
    let demo_only = demo_only_authenticator(&dir).await;
    assert_eq!(rejected(&demo_only, &forged, NOW), reason::JWT_ALG_NOT_ALLOWED);
}

#[tokio::test]
async fn a_key_of_one_type_cannot_verify_another_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let es_on_rsa_kid = sign_es256(&ec_key(), &json!({"alg": "ES256", "kid": "own"}), &claims_json());
    assert_eq!(rejected(&auth, &es_on_rsa_kid, NOW), reason::JWT_ALG_CONFUSION);
    let rs_on_ec_kid = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "ec1"}), &claims_json());
    assert_eq!(rejected(&auth, &rs_on_ec_kid, NOW), reason::JWT_ALG_CONFUSION);
    let rs_on_hmac_kid = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "hs1"}), &claims_json());
    assert_eq!(rejected(&auth, &rs_on_hmac_kid, NOW), reason::JWT_ALG_CONFUSION);
}

#[tokio::test]
async fn algorithms_outside_the_list_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let auth = demo_only_authenticator(&dir).await;
    let es = sign_es256(&ec_key(), &json!({"alg": "ES256", "kid": demo_key().kid()}), &claims_json());
    assert_eq!(rejected(&auth, &es, NOW), reason::JWT_ALG_NOT_ALLOWED);
    for alg in ["RS512", "PS256", "EdDSA", "rs256"] {
        let header = json!({"alg": alg, "kid": demo_key().kid()});
        let token = format!("{}.AAAA", signing_input(&header, &claims_json()));
        assert_eq!(rejected(&auth, &token, NOW), reason::JWT_ALG_NOT_ALLOWED, "{alg}");
    }
}

#[tokio::test]
async fn tampered_payload_breaks_the_demo_signature() {
    let dir = tempfile::tempdir().unwrap();
    let auth = demo_only_authenticator(&dir).await;
    let token = demo_key().sign(&demo_claims()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = demo_claims();
    forged.sub = "10000043".into();
    forged.scope = "accounts payments admin".into();
    let tampered = format!("{}.{}.{}", parts[0], b64(serde_json::to_vec(&forged).unwrap()), parts[2]);
    assert_eq!(rejected(&auth, &tampered, NOW), reason::JWT_BAD_SIGNATURE);
    // A valid signature from another key under the demo kid.
    let other = sign_rs256(own_rsa_key(), &demo_header(), &claims_json());
    assert_eq!(rejected(&auth, &other, NOW), reason::JWT_BAD_SIGNATURE);
}

#[tokio::test]
async fn time_issuer_and_audience_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let auth = demo_only_authenticator(&dir).await;
    let mut expired = demo_claims();
    expired.exp = NOW - 31;
    assert_eq!(rejected(&auth, &demo_key().sign(&expired).unwrap(), NOW), reason::JWT_EXPIRED);
    expired.exp = NOW - 29;
    accepted(&auth, &demo_key().sign(&expired).unwrap(), NOW);

    let mut early = claims_json();
    early["nbf"] = json!(NOW + 3600);
    let early = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "own"}), &early);
    let full = full_authenticator(&dir).await;
    assert_eq!(rejected(&full, &early, NOW), reason::JWT_NOT_YET_VALID);

    let mut wrong_iss = demo_claims();
    wrong_iss.iss = "https://auth.evil.example".into();
    assert_eq!(rejected(&auth, &demo_key().sign(&wrong_iss).unwrap(), NOW), reason::JWT_WRONG_ISSUER);
    let mut wrong_aud = demo_claims();
    wrong_aud.aud = "https://api.other-bank.example".into();
    assert_eq!(rejected(&auth, &demo_key().sign(&wrong_aud).unwrap(), NOW), reason::JWT_WRONG_AUDIENCE);

    let mut aud_array = claims_json();
    aud_array["aud"] = json!(["https://other.example", AUDIENCE]);
    let token = sign_rs256(own_rsa_key(), &json!({"alg": "RS256", "kid": "own"}), &aud_array);
    accepted(&full, &token, NOW);
}

#[tokio::test]
async fn kid_problems_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let rotated = rotated_demo_key().sign(&demo_claims()).unwrap();
    assert_eq!(rejected(&auth, &rotated, NOW), reason::JWT_UNKNOWN_KID);
    // Two RSA keys are configured, so a kid-less RS256 token must not pick one.
    let kidless = sign_rs256(own_rsa_key(), &json!({"alg": "RS256"}), &claims_json());
    assert_eq!(rejected(&auth, &kidless, NOW), reason::JWT_MISSING_KID);
    // With a single RSA key, a kid-less token is fine.
    let path = write(dir.path(), "one.json", &json!({"keys": [own_rsa_jwk(None)]}).to_string());
    let single = Authenticator::from_config(&config(&format!(
        "[jwt]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\njwks_file = \"{path}\""
    )))
    .await
    .unwrap();
    assert_eq!(accepted(&single, &kidless, NOW).key_id, None);
    // No refresh is possible without a JWKS URL: nothing is counted.
    assert_eq!(auth.unknown_kid_refresh_requests(), 0);
}

#[tokio::test]
async fn critical_extensions_and_header_urls() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let crit = json!({"alg": "RS256", "kid": "own", "crit": ["b64"], "b64": false});
    let token = sign_rs256(own_rsa_key(), &crit, &claims_json());
    assert_eq!(rejected(&auth, &token, NOW), reason::JWT_CRIT_UNSUPPORTED);
    // jku/x5u/jwk pointing at an attacker's key change nothing: the token is signed by a key we
    // do not trust, under a kid we do not know, and is refused without any fetch.
    let attacker = rotated_demo_key();
    let header = json!({"alg": "RS256", "kid": attacker.kid(),
        "jku": "http://127.0.0.1:9/jwks.json", "x5u": "http://127.0.0.1:9/cert.pem",
        "jwk": attacker.jwks()["keys"][0]});
    let input = signing_input(&header, &claims_json());
    let token = format!("{input}.{}", demo_key().sign(&demo_claims()).unwrap().rsplit('.').next().unwrap());
    assert_eq!(rejected(&auth, &token, NOW), reason::JWT_UNKNOWN_KID);
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let auth = full_authenticator(&dir).await;
    let token = demo_key().sign(&demo_claims()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let cases = [
        format!("{}.{}", parts[0], parts[1]),
        format!("{token}.{}", parts[2]),
        format!("{}!.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64("not json"), parts[1], parts[2]),
        format!("{}.{}.{}", b64("{\"alg\":\"RS256\",\"alg\":\"none\"}"), parts[1], parts[2]),
        "..".to_owned(),
    ];
    for case in &cases {
        assert_eq!(rejected(&auth, case, NOW), reason::JWT_MALFORMED, "{case}");
    }
    // A validly signed token whose payload is not JSON.
    let forged = sign_hs256(HS_SECRET.as_bytes(), &json!({"alg": "HS256", "kid": "hs1"}), &json!("x"));
    assert_eq!(rejected(&auth, &forged, NOW), reason::JWT_MALFORMED);
    let huge = format!("{}.{}.{}", parts[0], "A".repeat(10_000), parts[2]);
    assert_eq!(rejected(&auth, &huge, NOW), reason::JWT_TOO_LONG);
}

#[tokio::test]
async fn pem_public_keys_verify_demo_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let pem = demo_public_pem();
    let path = write(dir.path(), "demo.pem", &pem);
    let cfg = config(&format!(
        "[jwt]\nissuers = [\"{ISSUER}\"]\naudiences = [\"{AUDIENCE}\"]\n\
         [[jwt.public_keys]]\nkid = \"{}\"\nalgorithm = \"RS256\"\npem_file = \"{path}\"\n\
         [[jwt.public_keys]]\nkid = \"ec-pem\"\nalgorithm = \"ES256\"\npem = '''{}'''",
        demo_key().kid(),
        ec_pem(),
    ));
    let auth = Authenticator::from_config(&cfg).await.unwrap();
    accepted(&auth, &demo_key().sign(&demo_claims()).unwrap(), NOW);
    let es = sign_es256(&ec_key(), &json!({"alg": "ES256", "kid": "ec-pem"}), &claims_json());
    accepted(&auth, &es, NOW);

    // The RSA PEM declared as an ES256 key is refused at load, naming the entry.
    let wrong = config(&format!(
        "[jwt]\nissuers = [\"i\"]\naudiences = [\"a\"]\n[[jwt.public_keys]]\nalgorithm = \"ES256\"\npem_file = \"{path}\""
    ));
    let err = Authenticator::from_config(&wrong).await.unwrap_err();
    assert!(err.to_string().contains("auth.jwt.public_keys[0]"), "{err}");
}

fn ec_pem() -> String {
    use p256::pkcs8::EncodePublicKey as _;
    let der = ec_key().verifying_key().to_public_key_der().unwrap();
    pem("PUBLIC KEY", der.as_bytes())
}

#[tokio::test]
async fn unusable_configurations_fail_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing =
        config("[jwt]\nissuers = [\"i\"]\naudiences = [\"a\"]\njwks_file = \"/nonexistent/jwks.json\"");
    assert!(matches!(Authenticator::from_config(&missing).await, Err(AuthError::Read { .. })));

    let short = SigningKeys1024::jwks();
    let path = write(dir.path(), "short.json", &short.to_string());
    let weak = config(&format!("[jwt]\nissuers = [\"i\"]\naudiences = [\"a\"]\njwks_file = \"{path}\""));
    let err = Authenticator::from_config(&weak).await.unwrap_err();
    assert!(err.to_string().contains("no usable key"), "{err}");

    let pem_secret_env = "RAMPART_AUTH_TEST_PEM_AS_SECRET";
    // SAFETY: a variable no other test reads, set before the only read below.
    unsafe { std::env::set_var(pem_secret_env, demo_public_pem()) };
    let confused = config(&format!(
        "[jwt]\nalgorithms = [\"HS256\"]\nissuers = [\"i\"]\naudiences = [\"a\"]\nhs256_secret_env = \"{pem_secret_env}\""
    ));
    let err = Authenticator::from_config(&confused).await.unwrap_err();
    assert!(matches!(err, AuthError::Secret { .. }), "{err}");
    assert!(!err.to_string().contains("BEGIN"), "the error must not echo the secret");

    let unset = config(
        "[jwt]\nalgorithms = [\"HS256\"]\nissuers = [\"i\"]\naudiences = [\"a\"]\nhs256_secret_env = \"RAMPART_AUTH_TEST_UNSET\"",
    );
    let err = Authenticator::from_config(&unset).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("RAMPART_AUTH_TEST_UNSET") && message.ends_with("is not set"), "{message}");
}

/// A 1024-bit demo key: fine for the demo's own tests, too short for a bank gateway.
struct SigningKeys1024;

impl SigningKeys1024 {
    fn jwks() -> serde_json::Value {
        rampart_demo::jwt::SigningKeys::from_demo_seed(5, 1024).unwrap().jwks()
    }
}

#[tokio::test]
async fn other_schemes_and_no_credentials_are_anonymous() {
    let dir = tempfile::tempdir().unwrap();
    let auth = demo_only_authenticator(&dir).await;
    assert_eq!(auth.check(&http::HeaderMap::new(), None, NOW), AuthOutcome::Anonymous);
    let mut basic = http::HeaderMap::new();
    basic.insert(http::header::AUTHORIZATION, "Basic dXNlcjpwYXNz".parse().unwrap());
    assert_eq!(auth.check(&basic, None, NOW), AuthOutcome::Anonymous);
}
