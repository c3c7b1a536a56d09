//! A small OpenAPI 3.1 spec: type arrays, numeric exclusiveMinimum, readOnly/writeOnly, a
//! server base path, array query parameters, cookies, `4XX` and `default` responses.

use http::{HeaderMap, Method, StatusCode, Uri};
use rampart_validate::{SpecValidator, ValidateConfig, ViolationKind, ViolationLocation};
use serde_json::json;

fn validator() -> SpecValidator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fx-transfers-3.1.yaml");
    SpecValidator::from_config(ValidateConfig { specs: vec![path.into()], ..Default::default() }).unwrap()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, v.parse().unwrap());
    }
    h
}

fn kinds(v: &[rampart_validate::Violation]) -> Vec<(ViolationKind, ViolationLocation, &str)> {
    let mut out: Vec<_> = v.iter().map(|v| (v.kind, v.location, v.pointer.as_str())).collect();
    out.sort();
    out
}

#[test]
fn quote_parameters_path_query_and_cookie() {
    let v = validator();
    let cookie = headers(&[("cookie", "theme=dark; session=abcdef123456")]);
    let ok: Uri = "/fx/v1/quotes/42?currencies=SGD&currencies=INR".parse().unwrap();
    assert_eq!(v.check(&Method::GET, &ok, &cookie, b"").violations, vec![]);
    let comma: Uri = "/fx/v1/quotes/42?currencies=SGD,USD".parse().unwrap();
    assert_eq!(v.check(&Method::GET, &comma, &cookie, b"").violations, vec![]);

    let bad: Uri = "/fx/v1/quotes/0?currencies=SGD&currencies=EUR".parse().unwrap();
    let check = v.check(&Method::GET, &bad, &HeaderMap::new(), b"");
    assert_eq!(
        kinds(&check.violations),
        vec![
            (ViolationKind::MissingRequiredParameter, ViolationLocation::Cookie, "session"),
            (ViolationKind::InvalidParameter, ViolationLocation::Path, "quoteId"),
            (ViolationKind::InvalidParameter, ViolationLocation::Query, "currencies"),
        ]
    );
    let not_int: Uri = "/fx/v1/quotes/abc".parse().unwrap();
    let check = v.check(&Method::GET, &not_int, &cookie, b"");
    assert_eq!(
        kinds(&check.violations),
        vec![(ViolationKind::InvalidParameter, ViolationLocation::Path, "quoteId")]
    );
    // Without the server base path the operation does not exist.
    let bare: Uri = "/quotes/42".parse().unwrap();
    assert_eq!(v.check(&Method::GET, &bare, &cookie, b"").violations[0].kind, ViolationKind::UnknownPath);
}

#[test]
fn read_only_ids_are_not_required_in_requests_extra_properties_are_refused() {
    let v = validator();
    let uri: Uri = "/fx/v1/transfers".parse().unwrap();
    let h = headers(&[("content-type", "application/vnd.demo-bank.transfer+json")]);
    let body = json!({"quoteId": 42, "amount": "1000.00", "beneficiaryIban": "GB82WEST12345698765432", "otp": "123456"});
    let check = v.check(&Method::POST, &uri, &h, &serde_json::to_vec(&body).unwrap());
    assert_eq!(check.violations, vec![]);

    let mut extra = body.clone();
    extra["isAdmin"] = json!(true);
    let check = v.check(&Method::POST, &uri, &h, &serde_json::to_vec(&extra).unwrap());
    assert_eq!(
        kinds(&check.violations),
        vec![(ViolationKind::InvalidBody, ViolationLocation::Body, "/isAdmin")]
    );
}

#[test]
fn responses_write_only_type_arrays_ranges_and_additional_properties() {
    let v = validator();
    let cookie = headers(&[("cookie", "session=abcdef123456")]);
    let quote = v.check(&Method::GET, &"/fx/v1/quotes/42".parse().unwrap(), &cookie, b"").operation.unwrap();
    let json_h = headers(&[("content-type", "application/json")]);
    let good = json!({"quoteId": 42, "rate": 1.3456, "expiresAt": "2026-11-02T10:00:00Z", "note": null});
    assert_eq!(v.check_response(quote, StatusCode::OK, &json_h, &serde_json::to_vec(&good).unwrap()), vec![]);

    let leaky = json!({"quoteId": 42, "rate": 0, "expiresAt": "2026-11-02T10:00:00Z", "traderDesk": "SG-3"});
    let got = v.check_response(quote, StatusCode::OK, &json_h, &serde_json::to_vec(&leaky).unwrap());
    assert_eq!(
        kinds(&got),
        vec![
            (ViolationKind::InvalidResponseBody, ViolationLocation::Response, "/rate"),
            (ViolationKind::UndeclaredResponseProperty, ViolationLocation::Response, "/traderDesk"),
        ]
    );
    // `4XX` covers 404 and 429; 500 is undeclared.
    let problem_h = headers(&[("content-type", "application/problem+json")]);
    assert_eq!(v.check_response(quote, StatusCode::TOO_MANY_REQUESTS, &problem_h, b"{}"), vec![]);
    let got = v.check_response(quote, StatusCode::BAD_GATEWAY, &problem_h, b"{}");
    assert_eq!(got[0].kind, ViolationKind::UndeclaredStatus);

    let transfers = v
        .check(
            &Method::POST,
            &"/fx/v1/transfers".parse().unwrap(),
            &headers(&[("content-type", "application/vnd.demo-bank.transfer+json")]),
            br#"{"quoteId":1,"amount":"1.00","beneficiaryIban":"GB82WEST12345698765432"}"#,
        )
        .operation
        .unwrap();
    // The writeOnly otp is not expected back; transferId is.
    let created = json!({"transferId": "tr_1", "quoteId": 1, "amount": "1.00", "beneficiaryIban": "GB82WEST12345698765432"});
    assert_eq!(
        v.check_response(transfers, StatusCode::CREATED, &json_h, &serde_json::to_vec(&created).unwrap()),
        vec![]
    );
    // `default` without content: any status is declared, but no body is expected.
    assert_eq!(v.check_response(transfers, StatusCode::CONFLICT, &HeaderMap::new(), b""), vec![]);
    let got = v.check_response(transfers, StatusCode::CONFLICT, &json_h, b"{\"debug\":\"stack\"}");
    assert_eq!(got[0].kind, ViolationKind::InvalidResponseBody);
}
