//! The demo bank's declared spec, with the requests and responses its customers really send.

use http::{HeaderMap, Method, Request, StatusCode};
use rampart_demo::api::customer_json;
use rampart_demo::data::Dataset;
use rampart_validate::{
    RequestCheck, RouteMatch, SpecValidator, ValidateConfig, Violation, ViolationKind, ViolationLocation,
    render_problem,
};
use serde_json::{Value, json};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml");

fn validator_with(config: ValidateConfig) -> SpecValidator {
    SpecValidator::from_config(ValidateConfig { specs: vec![SPEC.into()], ..config })
        .expect("bank spec compiles")
}

fn validator() -> SpecValidator {
    validator_with(ValidateConfig::default())
}

fn request(
    v: &SpecValidator,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RequestCheck {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let (parts, ()) = builder.body(()).expect("test request").into_parts();
    v.check_request(&parts, body)
}

fn json_post(v: &SpecValidator, uri: &str, body: &Value) -> RequestCheck {
    let body = serde_json::to_vec(body).unwrap();
    request(
        v,
        "POST",
        uri,
        &[
            ("content-type", "application/json"),
            ("idempotency-key", "7d1f0c2e-pay-0001"),
            ("authorization", "Bearer x"),
        ],
        &body,
    )
}

fn kinds(check: &RequestCheck) -> Vec<(ViolationKind, &str)> {
    check.violations.iter().map(|v| (v.kind, v.pointer.as_str())).collect()
}

fn payment() -> Value {
    json!({
        "fromAccountId": "acc_3137425388c5",
        "amount": {"value": "125.00", "currency": "SGD"},
        "creditor": {"name": "Tan Wei Jie", "accountNumber": "0123456789", "bankCode": "7171"},
        "reference": "Invoice 2026-114"
    })
}

#[test]
fn every_demo_route_that_the_spec_declares_is_routed_to_its_template() {
    let v = validator();
    let declared: Vec<(String, String)> =
        v.operations().map(|(_, info)| (info.method.to_string(), info.template.clone())).collect();
    let mut routed = 0;
    for (method, template) in rampart_demo::routes() {
        let concrete = template
            .replace("{customerId}", "10000157")
            .replace("{accountId}", "acc_3137425388c5")
            .replace("{transactionId}", "0f8e4c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b")
            .replace("{paymentId}", "5b7c1e0a-1111-4222-8333-944455556666")
            .replace("{beneficiaryId}", "ben_01")
            .replace("{cardId}", "card_01")
            .replace("{yearMonth}", "2026-10")
            .replace("{username}", "ops.admin");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let is_declared = declared.iter().any(|(m, t)| *m == method.as_str() && t == template);
        match v.route(&method, &concrete) {
            RouteMatch::Operation { operation, .. } => {
                assert!(is_declared, "{method} {template} routed but not declared");
                assert_eq!(v.operation(operation).unwrap().template, template);
                routed += 1;
            }
            RouteMatch::Unknown => assert!(!is_declared, "{method} {template} declared but not routed"),
            other => panic!("{method} {concrete}: {other:?}"),
        }
    }
    // The shadow endpoints (/internal, /v2/webhooks) are the ones the demo serves undeclared.
    assert_eq!(routed, declared.len());
    assert!(matches!(v.route(&Method::GET, "/internal/admin/users"), RouteMatch::Unknown));
}

#[test]
fn path_params_are_extracted_and_literals_win() {
    let v = validator();
    let RouteMatch::Operation { operation, path_params } =
        v.route(&Method::GET, "/v2/accounts/acc_1/transactions/0f8e4c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b")
    else {
        panic!("not routed")
    };
    assert_eq!(v.operation(operation).unwrap().operation_id.as_deref(), Some("getTransaction"));
    let params: Vec<(&str, &str)> = path_params.iter().map(|(n, v)| (*n, v.as_ref())).collect();
    assert_eq!(
        params,
        vec![("accountId", "acc_1"), ("transactionId", "0f8e4c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b")]
    );
    let RouteMatch::Operation { operation, .. } = v.route(&Method::GET, "/v2/customers/me") else { panic!() };
    assert_eq!(v.operation(operation).unwrap().operation_id.as_deref(), Some("getMyProfile"));
}

#[test]
fn a_valid_payment_passes() {
    let check = json_post(&validator(), "/v2/payments", &payment());
    assert_eq!(check.violations, vec![]);
    assert!(check.operation.is_some());
}

#[test]
fn payment_missing_a_required_field() {
    let mut body = payment();
    body.as_object_mut().unwrap().remove("fromAccountId");
    let check = json_post(&validator(), "/v2/payments", &body);
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidBody, "/fromAccountId")]);
    assert_eq!(check.violations[0].location, ViolationLocation::Body);
}

#[test]
fn payment_amount_of_the_wrong_type_is_reported_without_echoing_it() {
    let mut body = payment();
    body["amount"]["value"] = json!(125.5);
    body["creditor"]["accountNumber"] = json!(4111111111111111u64);
    let check = json_post(&validator(), "/v2/payments", &body);
    let mut got = kinds(&check);
    got.sort_by_key(|(_, p)| p.to_string());
    assert_eq!(
        got,
        vec![
            (ViolationKind::InvalidBody, "/amount/value"),
            (ViolationKind::InvalidBody, "/creditor/accountNumber")
        ]
    );
    for v in &check.violations {
        assert!(v.message.starts_with("expected string"), "{}", v.message);
        assert!(!v.message.contains("4111"), "{}", v.message);
    }
    let problem = render_problem(&check.violations, Some("req-1"));
    assert_eq!(problem.status, StatusCode::BAD_REQUEST);
    assert!(!String::from_utf8_lossy(&problem.body).contains("4111111111111111"));
}

#[test]
fn payment_reference_too_long_and_bad_amount_pattern() {
    let mut body = payment();
    body["reference"] = json!("x".repeat(36));
    body["amount"]["value"] = json!("12.5");
    let check = json_post(&validator(), "/v2/payments", &body);
    let mut got = kinds(&check);
    got.sort();
    assert_eq!(
        got,
        vec![(ViolationKind::InvalidBody, "/amount/value"), (ViolationKind::InvalidBody, "/reference")]
    );
}

#[test]
fn payment_without_idempotency_key_header() {
    let v = validator();
    let body = serde_json::to_vec(&payment()).unwrap();
    let check = request(&v, "POST", "/v2/payments", &[("content-type", "application/json")], &body);
    assert_eq!(kinds(&check), vec![(ViolationKind::MissingRequiredParameter, "Idempotency-Key")]);
    assert_eq!(check.violations[0].location, ViolationLocation::Header);
}

#[test]
fn bodies_in_the_wrong_media_type_malformed_or_missing() {
    let v = validator();
    let body = serde_json::to_vec(&payment()).unwrap();
    let xml = request(
        &v,
        "POST",
        "/v2/payments",
        &[("content-type", "application/xml"), ("idempotency-key", "k")],
        &body,
    );
    assert_eq!(kinds(&xml), vec![(ViolationKind::UnsupportedMediaType, "content-type")]);
    let bare = request(&v, "POST", "/v2/payments", &[("idempotency-key", "k")], &body);
    assert_eq!(kinds(&bare), vec![(ViolationKind::UnsupportedMediaType, "content-type")]);
    let broken = request(
        &v,
        "POST",
        "/v2/payments",
        &[("content-type", "application/json; charset=utf-8"), ("idempotency-key", "k")],
        b"{\"fromAccountId\": \"acc_1\",",
    );
    assert_eq!(kinds(&broken), vec![(ViolationKind::InvalidBody, "")]);
    assert!(broken.violations[0].message.starts_with("malformed JSON"));
    let empty = request(&v, "POST", "/v2/payments", &[("idempotency-key", "k")], b"");
    assert_eq!(kinds(&empty), vec![(ViolationKind::InvalidBody, "")]);
    let get_with_body = request(&v, "GET", "/v2/accounts", &[("content-type", "application/json")], b"{}");
    assert_eq!(kinds(&get_with_body), vec![(ViolationKind::UnsupportedMediaType, "")]);
}

#[test]
fn nullable_beneficiary_nickname_is_accepted_in_responses() {
    let v = validator();
    let check = json_post(
        &v,
        "/v2/beneficiaries",
        &json!({"name": "Lim Hui Min", "accountNumber": "0987654321", "bankCode": "7339"}),
    );
    assert!(check.is_valid(), "{:?}", check.violations);
    let operation = check.operation.unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let beneficiary = json!({
        "beneficiaryId": "ben_01", "name": "Lim Hui Min", "nickname": null, "accountNumber": "0987654321",
        "bankName": "OCBC", "bankCode": "7339", "country": "SG", "createdAt": "2026-10-01T09:30:00Z"
    });
    let body = serde_json::to_vec(&beneficiary).unwrap();
    assert_eq!(v.check_response(operation, StatusCode::CREATED, &headers, &body), vec![]);
    let mut bad = beneficiary.clone();
    bad["nickname"] = json!(42);
    let body = serde_json::to_vec(&bad).unwrap();
    let got = v.check_response(operation, StatusCode::CREATED, &headers, &body);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].kind, got[0].pointer.as_str()), (ViolationKind::InvalidResponseBody, "/nickname"));
}

#[test]
fn query_parameters_are_typed_and_bounded() {
    let v = validator();
    let base = "/v2/accounts/acc_3137425388c5/transactions";
    assert!(request(&v, "GET", &format!("{base}?page=2&page_size=50&from=2026-10-01"), &[], b"").is_valid());
    let check = request(&v, "GET", &format!("{base}?page=two&page_size=500&from=yesterday"), &[], b"");
    let mut got: Vec<_> = check.violations.iter().map(|v| (v.kind, v.location, v.pointer.as_str())).collect();
    got.sort_by_key(|(_, _, p)| p.to_string());
    assert_eq!(
        got,
        vec![
            (ViolationKind::InvalidParameter, ViolationLocation::Query, "from"),
            (ViolationKind::InvalidParameter, ViolationLocation::Query, "page"),
            (ViolationKind::InvalidParameter, ViolationLocation::Query, "page_size"),
        ]
    );
}

#[test]
fn enum_query_parameter() {
    let v = validator();
    assert!(request(&v, "GET", "/v2/payments?status=PENDING_REVIEW", &[], b"").is_valid());
    let check = request(&v, "GET", "/v2/payments?status=pending", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidParameter, "status")]);
    assert!(check.violations[0].message.starts_with("not one of the allowed values"));
}

#[test]
fn path_parameters_of_the_wrong_shape() {
    let v = validator();
    assert!(request(&v, "GET", "/v2/customers/10000157", &[], b"").is_valid());
    let check = request(&v, "GET", "/v2/customers/1%27%20OR%201=1", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidParameter, "customerId")]);
    assert_eq!(check.violations[0].location, ViolationLocation::Path);
    let check = request(&v, "GET", "/v2/payments/not-a-uuid", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidParameter, "paymentId")]);
    assert!(request(&v, "GET", "/v2/statements/2026-10", &[], b"").is_valid());
    let check = request(&v, "GET", "/v2/statements/2026-1", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidParameter, "yearMonth")]);
}

#[test]
fn unknown_paths_and_wrong_methods() {
    let v = validator();
    let check = request(&v, "GET", "/internal/admin/users", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::UnknownPath, "")]);
    assert_eq!(render_problem(&check.violations, None).status, StatusCode::NOT_FOUND);
    let check = request(&v, "DELETE", "/v2/payments", &[], b"");
    assert_eq!(kinds(&check), vec![(ViolationKind::MethodNotAllowed, "")]);
    assert_eq!(check.allowed_methods, vec![Method::GET, Method::POST]);
    assert_eq!(render_problem(&check.violations, None).status, StatusCode::METHOD_NOT_ALLOWED);
    // A trailing slash is the same path by default.
    assert!(request(&v, "GET", "/v2/accounts/", &[], b"").is_valid());
}

#[test]
fn form_token_requests() {
    let v = validator();
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let ok = request(
        &v,
        "POST",
        "/oauth/token",
        &form,
        b"grant_type=client_credentials&client_id=partner-7&client_secret=s3cr3t&scope=accounts%3Aread",
    );
    assert!(ok.is_valid(), "{:?}", ok.violations);
    let bad = request(&v, "POST", "/oauth/token", &form, b"grant_type=implicit&client_id=partner-7");
    let mut got = kinds(&bad);
    got.sort();
    assert_eq!(
        got,
        vec![(ViolationKind::InvalidBody, "/client_secret"), (ViolationKind::InvalidBody, "/grant_type")]
    );
    let json_instead = request(&v, "POST", "/oauth/token", &[("content-type", "application/json")], b"{}");
    assert_eq!(kinds(&json_instead), vec![(ViolationKind::UnsupportedMediaType, "content-type")]);
}

#[test]
fn login_with_wrong_types() {
    let v = validator();
    let check = json_post(&v, "/v1/auth/login", &json!({"username": "mei.tan88", "password": 123456}));
    assert_eq!(kinds(&check), vec![(ViolationKind::InvalidBody, "/password")]);
    assert!(!check.violations[0].message.contains("123456"));
}

#[test]
fn response_status_must_be_declared() {
    let v = validator();
    let check = request(&v, "GET", "/v2/accounts", &[], b"");
    let op = check.operation.unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/problem+json".parse().unwrap());
    let problem = br#"{"type":"about:blank","title":"Unauthorized","status":401}"#;
    assert_eq!(v.check_response(op, StatusCode::UNAUTHORIZED, &headers, problem), vec![]);
    let got = v.check_response(op, StatusCode::INTERNAL_SERVER_ERROR, &headers, problem);
    assert_eq!(got.iter().map(|v| v.kind).collect::<Vec<_>>(), vec![ViolationKind::UndeclaredStatus]);
    // A 204 with nothing in it is fine where declared.
    let logout = request(&v, "POST", "/v1/auth/logout", &[], b"").operation.unwrap();
    assert_eq!(v.check_response(logout, StatusCode::NO_CONTENT, &HeaderMap::new(), b""), vec![]);
}

fn customer_responses(v: &SpecValidator) -> Vec<(String, Vec<Violation>)> {
    let op = request(v, "GET", "/v2/customers/me", &[], b"").operation.unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let data = Dataset::generate(7, 60);
    data.customers
        .iter()
        .map(|c| {
            let body = serde_json::to_vec(&customer_json(c)).unwrap();
            (c.country.code().to_owned(), v.check_response(op, StatusCode::OK, &headers, &body))
        })
        .collect()
}

#[test]
fn demo_customer_profiles_conform_unless_strict_mode_sees_the_undeclared_nric() {
    let lenient = customer_responses(&validator());
    assert!(lenient.iter().all(|(_, v)| v.is_empty()), "{lenient:?}");

    let strict = customer_responses(&validator_with(ValidateConfig {
        strict_response_properties: true,
        ..ValidateConfig::default()
    }));
    let singaporeans = strict.iter().filter(|(country, _)| country == "SG").count();
    assert!(singaporeans > 0, "the sample has Singaporean customers");
    for (country, violations) in &strict {
        if country == "SG" {
            let got: Vec<_> = violations.iter().map(|v| (v.kind, v.pointer.as_str())).collect();
            assert_eq!(got, vec![(ViolationKind::UndeclaredResponseProperty, "/nric")]);
        } else {
            assert!(violations.is_empty(), "{country}: {violations:?}");
        }
    }
}

#[test]
fn config_reads_from_toml_and_rejects_unknown_keys() {
    let config: ValidateConfig = toml::from_str(
        "specs = [\"examples/bank-api.openapi.yaml\"]\nstrict_response_properties = true\nmax_violations = 8\n",
    )
    .unwrap();
    assert!(config.strict_response_properties);
    assert_eq!(config.max_violations, 8);
    assert!(config.validate_formats, "defaults fill the rest");
    let typo = toml::from_str::<ValidateConfig>("strict_response_propertie = true\n").unwrap_err();
    assert!(typo.to_string().contains("strict_response_propertie"), "{typo}");
    let zero = ValidateConfig { max_violations: 0, ..ValidateConfig::default() };
    let err = SpecValidator::new(&[], zero).unwrap_err().to_string();
    assert!(err.contains("max_violations"), "{err}");
    let missing = SpecValidator::from_config(ValidateConfig {
        specs: vec!["/nonexistent.yaml".into()],
        ..Default::default()
    });
    assert!(missing.unwrap_err().to_string().contains("/nonexistent.yaml"));
}
