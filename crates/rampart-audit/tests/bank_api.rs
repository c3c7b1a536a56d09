//! The demo bank's spec (examples/bank-api.openapi.yaml): the audit finds its planted
//! weaknesses (legacy v1 endpoints still live, a password login and token endpoint without rate
//! limiting, the OAuth password grant, enumerable customer numbers, full card numbers and
//! national IDs in responses, unbounded request fields, open request objects) and nothing absurd
//! about its clean parts.

use rampart_audit::{AuditConfig, FileReport, audit_text};
use rampart_core::{Finding, OwaspApi2023, Severity};

fn bank() -> FileReport {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml");
    let text = std::fs::read_to_string(path).expect("the demo spec is in the repository");
    audit_text("examples/bank-api.openapi.yaml", &text, &AuditConfig::default())
}

fn find<'a>(report: &'a FileReport, rule: &str, pointer: &str) -> Option<&'a Finding> {
    report
        .findings
        .iter()
        .find(|f| f.rule == rule && f.location.as_ref().is_some_and(|l| l.pointer == pointer))
}

#[test]
fn planted_weaknesses_are_found_where_they_are_written() {
    let report = bank();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let expect = [
        ("superseded-version-path", "/paths/~1v1~1accounts~1{accountId}", Severity::Low, 482),
        ("superseded-version-path", "/paths/~1v1~1customers~1{customerId}", Severity::Low, 503),
        ("no-429-response", "/paths/~1v1~1auth~1login/post/responses", Severity::Medium, 74),
        ("no-429-response", "/paths/~1oauth~1token/post/responses", Severity::Medium, 38),
        (
            "oauth-password-flow",
            "/components/schemas/TokenRequest/properties/grant_type/enum",
            Severity::Medium,
            652,
        ),
        ("numeric-id-parameter", "/components/parameters/CustomerId/schema", Severity::Medium, 547),
        (
            "sensitive-data-in-response",
            "/components/schemas/CardDetail/allOf/1/properties/pan",
            Severity::Medium,
            1073,
        ),
        ("sensitive-data-in-response", "/components/schemas/Customer/properties/aadhaar", Severity::Low, 773),
        ("open-request-object", "/components/schemas/LoginRequest", Severity::Low, 699),
        (
            "string-without-max-length",
            "/components/schemas/LoginRequest/properties/password",
            Severity::Medium,
            706,
        ),
        ("open-request-object", "/components/schemas/PaymentRequest", Severity::Low, 946),
        ("jwt-without-rfc8725", "/components/securitySchemes/bearerAuth", Severity::Low, 526),
        (
            "array-without-max-items",
            "/components/schemas/TransactionPage/properties/data",
            Severity::Medium,
            903,
        ),
    ];
    let mut missing = Vec::new();
    for (rule, pointer, severity, line) in expect {
        match find(&report, rule, pointer) {
            Some(f) if f.severity == severity && f.location.as_ref().is_some_and(|l| l.line == line) => {}
            other => missing.push(format!("{rule} at {pointer} ({severity}, line {line}): got {other:?}")),
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
    let owasp: std::collections::BTreeSet<OwaspApi2023> = report.findings.iter().map(|f| f.owasp).collect();
    for category in
        [OwaspApi2023::Api1, OwaspApi2023::Api2, OwaspApi2023::Api3, OwaspApi2023::Api4, OwaspApi2023::Api9]
    {
        assert!(owasp.contains(&category), "{category}");
    }
}

#[test]
fn nothing_absurd_about_the_clean_parts() {
    let report = bank();
    // The deprecated /v1/accounts is announced: not a zombie.
    assert!(find(&report, "superseded-version-path", "/paths/~1v1~1accounts").is_none());
    // Login, token and JWKS are public by design: info, not an alarm.
    for f in report.findings.iter().filter(|f| f.rule == "operation-without-security") {
        assert_eq!(f.severity, Severity::Info, "{f:?}");
    }
    // Nothing high: no Basic auth, no keys or credentials in URLs, HTTPS only, schemes defined.
    assert!(
        report.findings.iter().all(|f| f.severity < Severity::High),
        "{:#?}",
        report.findings.iter().filter(|f| f.severity >= Severity::High).collect::<Vec<_>>()
    );
    for rule in [
        "http-basic-auth",
        "api-key-in-url",
        "credentials-in-url",
        "server-plain-http",
        "undefined-security-scheme",
        "insecure-oauth-url",
        "sensitive-data-in-url",
        "additional-properties-allowed",
    ] {
        assert!(report.findings.iter().all(|f| f.rule != rule), "{rule}");
    }
    // A masked PAN is not a PAN; a date-typed field is not unbounded input.
    assert!(
        find(&report, "sensitive-data-in-response", "/components/schemas/Card/properties/maskedPan")
            .is_none()
    );
    // Secured v2 operations declare 401: no no-401 finding on them.
    assert!(report.findings.iter().all(|f| !(f.rule == "no-401-response"
        && f.location.as_ref().is_some_and(|l| l.pointer.starts_with("/paths/~1v2")))));
    // The shared AccountId parameter is reported once, at the component.
    let account_id = report
        .findings
        .iter()
        .filter(|f| {
            f.rule == "string-without-max-length"
                && f.location.as_ref().is_some_and(|l| l.pointer.ends_with("/AccountId/schema"))
        })
        .count();
    assert_eq!(account_id, 1);
}
