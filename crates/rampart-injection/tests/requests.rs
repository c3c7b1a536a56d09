//! Whole requests as the gateway sees them: every location, encodings, limits, and
//! property tests that arbitrary input never panics.

use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;
use rampart_injection::{InjectionConfig, InjectionKind, Inspector, Location};

fn inspector() -> Inspector {
    Inspector::new(InjectionConfig::default()).unwrap()
}

#[test]
fn path_headers_and_cookies_are_located() {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::USER_AGENT, HeaderValue::from_static("sqlmap' UNION SELECT NULL--"));
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_static("session=abc123; theme=%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    );
    headers.insert(
        http::header::HeaderName::from_static("x-not-inspected"),
        HeaderValue::from_static("<script>alert(1)</script>"),
    );
    let hits = inspector().inspect(
        &Method::GET,
        "/v1/accounts/1%27%20OR%20%271%27%3D%271/transactions",
        &headers,
        None,
        b"",
    );
    let found: Vec<(InjectionKind, Location)> =
        hits.iter().map(|hit| (hit.kind, hit.location.clone())).collect();
    assert_eq!(
        found,
        vec![
            (InjectionKind::Sqli, Location::Path),
            (InjectionKind::Sqli, Location::Header("user-agent".into())),
            (InjectionKind::Xss, Location::Cookie("theme".into())),
        ]
    );
}

#[test]
fn json_detected_without_content_type_and_form_fields_named() {
    let hits = inspector().inspect(
        &Method::POST,
        "/v1/payments",
        &HeaderMap::new(),
        None,
        br#"  {"beneficiary": {"name": "O'Brien", "note": "x' AND SLEEP(5)--"}}"#,
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].location, Location::JsonBody("/beneficiary/note".into()));
    assert_eq!(hits[0].fingerprint.as_deref().map(str::is_empty), Some(false));

    let hits = inspector().inspect(
        &Method::POST,
        "/login",
        &HeaderMap::new(),
        Some("application/x-www-form-urlencoded"),
        b"username=admin%27--&password=hunter2",
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].location, Location::FormBody("username".into()));
}

#[test]
fn limits_bound_the_work() {
    let config = InjectionConfig { max_body_bytes: 64, max_values: 2, ..InjectionConfig::default() };
    let inspector = Inspector::new(config).unwrap();
    let big = format!(r#"{{"a":"1' OR '1'='1","pad":"{}"}}"#, "x".repeat(100));
    assert!(
        inspector
            .inspect(&Method::POST, "/", &HeaderMap::new(), Some("application/json"), big.as_bytes())
            .is_empty()
    );
    // Only two non-trivial values are judged: the third attack goes unread.
    let hits = inspector.inspect(
        &Method::GET,
        "/?a=x+y&b=p+q&c=1%27%20OR%20%271%27%3D%271",
        &HeaderMap::new(),
        None,
        b"",
    );
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn unknown_config_keys_are_rejected_and_toml_reads() {
    let config: InjectionConfig =
        toml::from_str("xss = false\nheaders = [\"user-agent\"]\nmax_json_depth = 8").unwrap();
    assert!(!config.xss && config.sqli);
    let error = toml::from_str::<InjectionConfig>("inspect_cookies = true").unwrap_err();
    assert!(error.to_string().contains("inspect_cookies"), "{error}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_requests_never_panic(
        target in "/[ -~]{0,80}",
        body in prop::collection::vec(any::<u8>(), 0..400),
        json_like in "[\\[\\]{}\":,a-z0-9'<> %\\\\-]{0,200}",
        cookie in "[ -~]{0,80}",
    ) {
        let inspector = inspector();
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(http::header::COOKIE, value);
        }
        for content_type in [Some("application/json"), Some("application/x-www-form-urlencoded"), None] {
            let hits = inspector.inspect(&Method::POST, &target, &headers, content_type, &body);
            prop_assert!(hits.len() <= 64);
            let hits = inspector.inspect(&Method::POST, &target, &headers, content_type, json_like.as_bytes());
            for hit in hits {
                prop_assert!(hit.snippet.chars().count() <= 65);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// The XSS prefilter may skip the engine only where the engine would say no anyway.
    #[test]
    fn xss_prefilter_never_hides_an_engine_hit(value in "[ -~\\t\\n]{0,60}") {
        use rampart_injection::{InjectionEngine, LibInjection};
        let has_trigger = value.bytes().any(|b| b"<>=:\"'`&".contains(&b));
        if !has_trigger {
            prop_assert!(!LibInjection::new().is_xss(value.as_bytes()), "{value:?}");
        }
    }
}
