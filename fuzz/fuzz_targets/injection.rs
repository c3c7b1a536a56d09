#![no_main]
//! Arbitrary bytes through the raw engine (unguarded, so its panics surface) and through the
//! whole inspector as query string, JSON body and form body.

use libfuzzer_sys::fuzz_target;
use rampart_injection::{InjectionConfig, InjectionEngine, Inspector, LibInjection};
use std::sync::OnceLock;

fn inspector() -> &'static Inspector {
    static INSPECTOR: OnceLock<Inspector> = OnceLock::new();
    INSPECTOR.get_or_init(|| Inspector::new(InjectionConfig::default()).expect("default config"))
}

fuzz_target!(|data: &[u8]| {
    let _ = libinjectionrs::detect_sqli(data);
    let _ = libinjectionrs::detect_xss(data);
    let engine = LibInjection::new();
    let _ = engine.sqli_fingerprint(data);

    let inspector = inspector();
    let headers = http::HeaderMap::new();
    let text = String::from_utf8_lossy(data);
    let target = format!("/fuzz/{}?{}", text.replace(['?', '#'], ""), text);
    let _ = inspector.inspect(&http::Method::GET, &target, &headers, None, b"");
    let _ = inspector.inspect(&http::Method::POST, "/", &headers, Some("application/json"), data);
    let _ = inspector.inspect(
        &http::Method::POST,
        "/",
        &headers,
        Some("application/x-www-form-urlencoded"),
        data,
    );
});
