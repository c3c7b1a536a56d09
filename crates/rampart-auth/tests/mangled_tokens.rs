//! Random and mangled tokens never panic and are never accepted.

mod common;

use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use rampart_auth::{AuthOutcome, Authenticator};
use rampart_demo::jwt::{AUDIENCE, ISSUER};

fn authenticator() -> &'static Authenticator {
    static AUTH: OnceLock<Authenticator> = OnceLock::new();
    AUTH.get_or_init(|| {
        set_hs_secret();
        let dir = tempfile::tempdir().unwrap();
        let mut jwks = demo_key().jwks();
        jwks["keys"].as_array_mut().unwrap().push(ec_jwk("ec1"));
        let path = write(dir.path(), "jwks.json", &jwks.to_string());
        let cfg = config(&format!(
            "[jwt]\nalgorithms = [\"RS256\", \"ES256\", \"HS256\"]\nissuers = [\"{ISSUER}\"]\n\
             audiences = [\"{AUDIENCE}\"]\njwks_file = \"{path}\"\nhs256_secret_env = \"{HS_ENV}\"\nhs256_kid = \"hs1\""
        ));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(Authenticator::from_config(&cfg)).unwrap()
    })
}

fn valid_tokens() -> &'static [String] {
    static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let header = |alg: &str, kid: &str| serde_json::json!({"alg": alg, "kid": kid});
        vec![
            demo_key().sign(&demo_claims()).unwrap(),
            sign_es256(&ec_key(), &header("ES256", "ec1"), &claims_json()),
            sign_hs256(HS_SECRET.as_bytes(), &header("HS256", "hs1"), &claims_json()),
        ]
    })
}

fn check(token: &str) -> AuthOutcome {
    let mut headers = http::HeaderMap::new();
    match http::HeaderValue::from_str(&format!("Bearer {token}")) {
        Ok(value) => {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        // Not a legal header value: the gateway would never see it.
        Err(_) => return AuthOutcome::Anonymous,
    }
    authenticator().check(&headers, None, NOW)
}

#[test]
fn the_unmangled_tokens_are_accepted() {
    for token in valid_tokens() {
        assert!(matches!(check(token), AuthOutcome::Authenticated(_)), "{token}");
    }
}

#[derive(Debug, Clone)]
enum Mangle {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
    SwapParts(usize, usize),
    Truncate(usize),
}

fn mangle_strategy() -> impl Strategy<Value = Mangle> {
    let chars = prop::sample::select(vec!['A', 'z', '0', '-', '_', '.', '=', '+', '/', ' ', '%']);
    prop_oneof![
        (any::<usize>(), chars.clone()).prop_map(|(i, c)| Mangle::Replace(i, c)),
        (any::<usize>(), chars).prop_map(|(i, c)| Mangle::Insert(i, c)),
        any::<usize>().prop_map(Mangle::Delete),
        (0..3usize, 0..3usize).prop_map(|(a, b)| Mangle::SwapParts(a, b)),
        any::<usize>().prop_map(Mangle::Truncate),
    ]
}

fn apply(token: &str, mangle: &Mangle) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    let len = chars.len();
    if len == 0 {
        return String::new();
    }
    match *mangle {
        Mangle::Replace(i, c) => chars[i % len] = c,
        Mangle::Insert(i, c) => chars.insert(i % (len + 1), c),
        Mangle::Delete(i) => {
            chars.remove(i % len);
        }
        Mangle::SwapParts(a, b) => {
            let mut parts: Vec<&str> = token.split('.').collect();
            let count = parts.len();
            parts.swap(a % count, b % count);
            return parts.join(".");
        }
        Mangle::Truncate(i) => chars.truncate(i % len),
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_strings_are_never_accepted(token in "\\PC{0,300}") {
        prop_assert!(!matches!(check(&token), AuthOutcome::Authenticated(_)));
    }

    #[test]
    fn jws_shaped_noise_is_rejected(token in "[A-Za-z0-9_-]{0,120}(\\.[A-Za-z0-9_-]{0,120}){0,4}") {
        prop_assert!(matches!(check(&token), AuthOutcome::Rejected(_)));
    }

    #[test]
    fn mangled_valid_tokens_are_rejected(
        which in 0..3usize,
        mangles in prop::collection::vec(mangle_strategy(), 1..4),
    ) {
        let original = &valid_tokens()[which];
        let mut token = original.clone();
        for mangle in &mangles {
            token = apply(&token, mangle);
        }
        prop_assume!(&token != original);
        let outcome = check(&token);
        // Trailing spaces are trimmed from the header value: that is the same token.
        prop_assume!(token.trim() != original.as_str());
        match outcome {
            AuthOutcome::Authenticated(identity) => {
                prop_assert!(false, "mangled token accepted as {}: {token}", identity.subject);
            }
            AuthOutcome::Rejected(_) | AuthOutcome::Anonymous => {}
        }
    }
}
