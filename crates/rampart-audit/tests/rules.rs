//! Each rule on a small spec written to have the weakness, at the line where it is written;
//! `x-rampart-ignore` and the configuration turn rules off.

use rampart_audit::{AuditConfig, FileReport, RULES, audit_text};
use rampart_core::Severity;

const WEAK: &str = r#"openapi: 3.0.3
info: {title: weak, version: '1'}
servers:
  - url: http://api.example.com
    description: production
    x-internal: false
  - url: http://localhost:8080
paths:
  /users/{userId}:
    get:
      parameters:
        - name: userId
          in: path
          required: true
          schema: {type: integer, format: int64, minimum: 1, maximum: 100}
        - name: access_token
          in: query
          schema: {type: string, maxLength: 64, pattern: '^[a-z]+$'}
        - name: nric
          in: query
          schema: {type: string, maxLength: 9, pattern: '^[STFG]\d{7}[A-Z]$'}
        - name: callbackUrl
          in: query
          schema: {type: string, format: uri, maxLength: 200}
      responses:
        '200': {description: ok}
  /v1/items:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                tags: {type: array, items: {type: string, enum: [a]}}
                note: {type: string}
                count: {type: integer}
                ratio: {type: number}
      responses:
        '201': {description: created}
        '429':
          description: slow down
          content: {application/json: {schema: {type: object, additionalProperties: false}}}
  /v2/items:
    get:
      security: [{nosuch: []}]
      responses:
        '200': {description: ok}
  /admin/users:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok}
  /reports:
    get:
      security: [{key: []}]
      responses:
        '200': {description: ok}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
    ntlm: {type: http, scheme: negotiate}
    key: {type: apiKey, in: query, name: api_key}
    oauth:
      type: oauth2
      description: tokens
      flows:
        implicit: {authorizationUrl: 'http://auth.example.com/authorize', scopes: {}}
        password: {tokenUrl: 'https://auth.example.com/token', scopes: {}}
  schemas:
    Bag:
      type: object
      additionalProperties: true
    Map:
      type: object
      additionalProperties: {type: string, maxLength: 5, enum: [a]}
"#;

fn audit(text: &str, config: &AuditConfig) -> FileReport {
    audit_text("weak.yaml", text, config)
}

fn at(report: &FileReport, rule: &str) -> Vec<u32> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| f.location.as_ref().map(|l| l.line))
        .collect()
}

#[test]
fn every_weakness_is_reported_where_it_is_written() {
    let report = audit(WEAK, &AuditConfig::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let expect = [
        ("server-plain-http", vec![4, 7]),
        ("server-audience-undeclared", vec![7]),
        ("server-environment-undeclared", vec![7]),
        ("numeric-id-parameter", vec![15]),
        ("credentials-in-url", vec![16]),
        ("sensitive-data-in-url", vec![19]),
        ("url-parameter-ssrf", vec![22]),
        ("operation-without-security", vec![10, 29]),
        ("array-without-max-items", vec![36]),
        ("string-without-max-length", vec![37]),
        ("integer-unbounded", vec![38]),
        ("integer-without-format", vec![38]),
        ("number-unbounded", vec![39]),
        ("open-request-object", vec![33]),
        ("retry-after-missing", vec![42]),
        ("undefined-security-scheme", vec![47]),
        ("superseded-version-path", vec![27]),
        ("admin-security-not-unique", vec![52]),
        ("http-basic-auth", vec![62]),
        ("insecure-auth-scheme", vec![63]),
        ("api-key-in-url", vec![64]),
        ("jwt-without-rfc8725", vec![67]),
        ("oauth-implicit-flow", vec![69]),
        ("oauth-password-flow", vec![70]),
        ("insecure-oauth-url", vec![69]),
        ("oauth-no-refresh-url", vec![69, 70]),
        ("additional-properties-allowed", vec![74, 77]),
        ("additional-properties-unbounded", vec![75]),
    ];
    let mut wrong = Vec::new();
    for (rule, lines) in expect {
        let mut found = at(&report, rule);
        found.sort_unstable();
        if found != lines {
            wrong.push(format!("{rule}: found at {found:?}, expected {lines:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Severity follows context: localhost http is low; the write endpoint is high.
    let http: Vec<Severity> =
        report.findings.iter().filter(|f| f.rule == "server-plain-http").map(|f| f.severity).collect();
    assert_eq!(http, vec![Severity::High, Severity::Low]);
    let unsecured = report
        .findings
        .iter()
        .find(|f| f.rule == "operation-without-security" && f.title.starts_with("POST"));
    assert_eq!(unsecured.map(|f| f.severity), Some(Severity::High));
    // Every finding carries its category, fix and pointer.
    for finding in &report.findings {
        let location = finding.location.as_ref().expect("location");
        assert!(location.pointer.starts_with('/'), "{finding:?}");
        assert!(!finding.fix.is_empty());
    }
}

#[test]
fn x_rampart_ignore_silences_a_node_and_what_is_below_it() {
    let ignored = WEAK
        .replace("  /v1/items:\n    post:\n", "  /v1/items:\n    post:\n      x-rampart-ignore: [operation-without-security, string-without-max-length]\n")
        .replace("    Bag:\n", "    Bag:\n      x-rampart-ignore: [additional-properties-allowed]\n")
        .replace("info: {title: weak, version: '1'}\n", "info: {title: weak, version: '1'}\nx-rampart-ignore: http-basic-auth\n");
    let report = audit(&ignored, &AuditConfig::default());
    assert!(report.findings.iter().all(|f| f.rule != "http-basic-auth"));
    let unsecured: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == "operation-without-security")
        .map(|f| f.title.as_str())
        .collect();
    assert_eq!(unsecured.len(), 1, "{unsecured:?}");
    assert!(unsecured[0].starts_with("GET /users"));
    // The string inside the ignored operation's body is ignored; the others are not.
    assert!(report.findings.iter().all(|f| !(f.rule == "string-without-max-length"
        && f.location.as_ref().is_some_and(|l| l.pointer.starts_with("/paths/~1v1~1items/post")))));
    assert_eq!(
        report.findings.iter().filter(|f| f.rule == "additional-properties-allowed").count(),
        1,
        "only Map's remains"
    );
}

#[test]
fn configuration_disables_rules_and_overrides_severities() {
    let mut config = AuditConfig::from_toml(
        "disable = [\"number-unbounded\"]\n[severity]\n\"http-basic-auth\" = \"critical\"\n",
    )
    .expect("config");
    config.disable("string-unrestricted").expect("known rule");
    let report = audit(WEAK, &config);
    assert!(report.findings.iter().all(|f| f.rule != "number-unbounded" && f.rule != "string-unrestricted"));
    let basic = report.findings.iter().find(|f| f.rule == "http-basic-auth").expect("basic");
    assert_eq!(basic.severity, Severity::Critical);
    assert_eq!(report.worst(), Some(Severity::Critical));
}

#[test]
fn a_clean_spec_has_nothing_above_info() {
    let clean = r#"openapi: 3.1.0
info: {title: clean, version: '1'}
servers:
  - url: https://api.example.com
    description: production
    x-internal: false
security: [{oauth: [read]}]
paths:
  /accounts/{accountId}:
    get:
      parameters:
        - name: accountId
          in: path
          required: true
          schema: {type: string, format: uuid, maxLength: 36}
      responses:
        '200':
          description: ok
          headers:
            RateLimit: {schema: {type: string, maxLength: 100, pattern: '^.*$'}}
            Access-Control-Allow-Origin: {schema: {type: string, const: 'https://app.example.com'}}
          content:
            application/json:
              schema: {type: object, additionalProperties: false, properties: {id: {type: string, format: uuid, maxLength: 36}}}
        '400': {description: bad, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
        '401': {description: no, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
        '403': {description: no, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
        '429':
          description: slow
          headers:
            Retry-After: {schema: {type: integer, format: int32, minimum: 0, maximum: 3600}}
            RateLimit: {schema: {type: string, maxLength: 100, pattern: '^.*$'}}
            Access-Control-Allow-Origin: {schema: {type: string, const: 'https://app.example.com'}}
          content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}
        '500': {description: err, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
components:
  securitySchemes:
    oauth:
      type: oauth2
      description: JWT access tokens following RFC 8725.
      flows:
        authorizationCode:
          authorizationUrl: https://auth.example.com/authorize
          tokenUrl: https://auth.example.com/token
          refreshUrl: https://auth.example.com/token
          scopes: {read: read}
  schemas:
    Problem:
      type: object
      additionalProperties: false
      properties:
        title: {type: string, maxLength: 200, pattern: '^.*$'}
"#;
    let report = audit(clean, &AuditConfig::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let above_info: Vec<_> = report.findings.iter().filter(|f| f.severity > Severity::Info).collect();
    assert!(above_info.is_empty(), "{above_info:#?}");
}

#[test]
fn rules_list_is_complete_in_the_docs() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/audit.md"))
        .expect("docs/audit.md");
    for rule in RULES {
        assert!(docs.contains(&format!("`{}`", rule.id)), "docs/audit.md does not document {}", rule.id);
    }
}
