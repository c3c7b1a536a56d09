#![no_main]
//! Arbitrary bytes as a request (method, path-and-query, body) through the OpenAPI positive
//! security model built from the demo bank spec, and the body again as a 200 response of the
//! matched operation. Must never panic.
//!
//! Input layout: byte 0 picks the method (`% 5`), whether the body is sent as JSON or as a form
//! (bit 0 of `byte / 5`) and whether an `Idempotency-Key` header is sent (bit 1 of `byte / 5`);
//! the bytes up to the first NUL are the path-and-query (used only if it parses as an origin-form
//! `http::Uri`, else `/v2/payments`); everything after the NUL is the body.

use libfuzzer_sys::fuzz_target;
use rampart_validate::{SpecValidator, ValidateConfig};
use std::sync::OnceLock;

const METHODS: [http::Method; 5] =
    [http::Method::GET, http::Method::POST, http::Method::PUT, http::Method::DELETE, http::Method::PATCH];

fn validator() -> &'static SpecValidator {
    static VALIDATOR: OnceLock<SpecValidator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/bank-api.openapi.yaml");
        SpecValidator::from_config(ValidateConfig { specs: vec![spec], ..Default::default() })
            .expect("the bank API spec builds")
    })
}

fn default_uri() -> &'static http::Uri {
    static URI: OnceLock<http::Uri> = OnceLock::new();
    URI.get_or_init(|| http::Uri::from_static("/v2/payments"))
}

/// `RAMPART_FUZZ_DEBUG=1` prints each check (to see what the seeds reach).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("RAMPART_FUZZ_DEBUG").is_some())
}

fuzz_target!(|data: &[u8]| {
    let validator = validator();
    let Some((&selector, rest)) = data.split_first() else { return };
    let method = &METHODS[usize::from(selector % 5)];
    let flags = selector / 5;
    let json = flags & 1 == 0;
    let idempotency_key = flags & 2 == 2;

    let (target, body) = match rest.iter().position(|&b| b == 0) {
        Some(nul) => (&rest[..nul], &rest[nul + 1..]),
        None => (rest, &[][..]),
    };
    let parsed = http::Uri::try_from(target)
        .ok()
        .filter(|uri| uri.scheme().is_none() && uri.authority().is_none() && uri.path().starts_with('/'));
    let uri = parsed.as_ref().unwrap_or_else(|| default_uri());

    let content_type = if json { "application/json" } else { "application/x-www-form-urlencoded" };
    let mut headers = http::HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
    if idempotency_key {
        headers.insert("idempotency-key", http::HeaderValue::from_static("3f1c2a9e-fuzz"));
    }

    let check = validator.check(method, uri, &headers, body);
    if debug() {
        eprintln!("{method} {uri} ({content_type}): {check:?}");
    }
    assert!(check.violations.len() <= 16, "max_violations is 16: {}", check.violations.len());
    if check.operation.is_some() {
        assert!(check.allowed_methods.is_empty());
    }
    let _ = rampart_validate::render_problem(&check.violations, Some(uri.path()));

    if let Some(operation) = check.operation {
        assert!(validator.operation(operation).is_some());
        let mut response_headers = http::HeaderMap::new();
        response_headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(content_type));
        let violations = validator.check_response(operation, http::StatusCode::OK, &response_headers, body);
        let _ = rampart_validate::render_problem(&violations, None);
    }
});
