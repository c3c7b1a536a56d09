//! Property tests of what the scanner reads from outside: target URLs and `Location` headers
//! (the scope guard), identities files, and response bodies (evidence masking, ID harvesting).

use proptest::prelude::*;
use rampart_scanner::Target;
use rampart_scanner::evidence::{MAX_RECORDED_BODY, mask_body, mask_credential};
use rampart_scanner::plan::{Operation, ValuePool};

fn target() -> Target {
    Target::parse("https://api.bank.example:8443/open-banking").unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #[test]
    fn no_url_on_another_host_is_in_scope(host in "[a-z]{1,12}(\\.[a-z]{2,6}){0,2}", port in 1u16.., path in "(/[a-zA-Z0-9._~%-]{0,12}){0,4}") {
        let url = format!("https://{host}:{port}{path}");
        let inside = host == "api.bank.example" && port == 8443;
        prop_assert_eq!(target().contains(&url), inside, "{}", url);
        // Userinfo tricks never move the host into scope.
        let tricked = format!("https://api.bank.example:8443@{host}:{port}{path}");
        prop_assert_eq!(target().contains(&tricked), inside);
    }

    #[test]
    fn arbitrary_locations_and_targets_never_panic(text in ".{0,200}") {
        let _ = target().contains(&text);
        let _ = Target::parse(&text);
    }

    #[test]
    fn masked_bodies_are_bounded_and_never_panic(body in proptest::collection::vec(any::<u8>(), 0..12_000), json in any::<bool>()) {
        let (masked, cut) = mask_body(&body, if json { "application/json" } else { "text/plain" });
        prop_assert!(cut == (body.len() > MAX_RECORDED_BODY));
        // Replacement characters and masks may lengthen text a little, never without bound.
        prop_assert!(masked.len() <= body.len().min(MAX_RECORDED_BODY) * 4 + 64);
    }

    #[test]
    fn credentials_never_survive_masking(secret in "[A-Za-z0-9_-]{12,80}") {
        let masked = mask_credential(&format!("Bearer {secret}"));
        prop_assert!(!masked.contains(&secret));
        let masked = mask_credential(&format!("session={secret}; theme=dark"));
        prop_assert!(!masked.contains(&secret));
    }

    #[test]
    fn harvesting_any_json_never_panics(value in arb_json()) {
        let op = Operation::parse_label("GET /v2/accounts/{accountId}");
        let mut pool = ValuePool::default();
        pool.harvest(&op, &value);
        let _ = pool.values_for(&op, "accountId");
    }

    #[test]
    fn identities_files_of_any_text_never_panic(text in ".{0,400}") {
        let _ = rampart_scanner::identities::parse("ids.toml", &text, &|_| None);
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-zA-Z_]{1,10}", inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
