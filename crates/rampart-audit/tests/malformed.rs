//! Malformed and hostile specs: clear errors with line and column, never a panic, never a hang.

use rampart_audit::{AuditConfig, FileReport, audit_text};

fn audit(text: &str) -> FileReport {
    audit_text("spec.yaml", text, &AuditConfig::default())
}

#[test]
fn bad_yaml_names_line_and_column() {
    let report = audit(
        "openapi: 3.0.3\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get: {responses: {'200': {description: ok}}\n",
    );
    assert_eq!(report.errors.len(), 1);
    let error = &report.errors[0];
    assert!(error.line >= 7, "{error:?}");
    assert!(error.message.starts_with("syntax error"), "{error:?}");
    assert!(report.findings.is_empty());
}

#[test]
fn bad_json_names_line_and_column() {
    let report =
        audit_text("spec.json", "{\n  \"openapi\": \"3.1.0\",\n  \"paths\": {,}\n}", &AuditConfig::default());
    assert_eq!(report.errors.len(), 1);
    assert_eq!((report.errors[0].line, report.errors[0].column), (3, 13), "{:?}", report.errors);
}

#[test]
fn swagger_two_and_non_openapi_documents_are_refused_with_a_reason() {
    let report = audit("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert!(report.errors[0].message.contains("Swagger 2.0"), "{:?}", report.errors);
    assert_eq!(report.errors[0].line, 1);
    let report = audit("name: my-chart\nversion: 1.0.0\n");
    assert!(report.errors[0].message.contains("no `openapi` field"));
    let report = audit("- just\n- a list\n");
    assert!(report.errors[0].message.contains("not a mapping"));
    let report = audit("");
    assert!(!report.errors.is_empty());
    let report = audit("openapi: 2.5.0\n");
    assert!(report.errors[0].message.contains("unsupported OpenAPI version"));
}

const BROKEN_REFS: &str = "openapi: 3.0.3
info: {title: x, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/Missing'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/A'
components:
  schemas:
    A:
      $ref: '#/components/schemas/B'
    B:
      $ref: '#/components/schemas/A'
    Tree:
      type: object
      properties:
        children:
          type: array
          items:
            $ref: '#/components/schemas/Tree'
";

#[test]
fn broken_and_circular_refs_are_errors_with_places_and_the_rest_is_audited() {
    let report = audit(BROKEN_REFS);
    let broken =
        report.errors.iter().find(|e| e.message.contains("broken $ref")).expect("broken ref reported");
    assert_eq!((broken.line, broken.column), (7, 17));
    assert!(broken.message.contains("#/components/parameters/Missing"));
    let circular: Vec<_> = report.errors.iter().filter(|e| e.message.contains("circular $ref")).collect();
    assert!(!circular.is_empty(), "{:?}", report.errors);
    assert!(circular.iter().any(|e| e.line == 18));
    // A recursive schema (a tree) is not an error, and is audited once.
    assert!(!report.errors.iter().any(|e| e.pointer.contains("Tree")));
    let tree_arrays = report.findings.iter().filter(|f| f.rule == "array-without-max-items").count();
    assert_eq!(tree_arrays, 1);
    // The rest of the document is still audited.
    assert!(report.findings.iter().any(|f| f.rule == "operation-without-security"));
}

#[test]
fn alias_bombs_and_deep_nesting_end_quickly() {
    let mut bomb = String::from(
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\nx-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..40 {
        let p = i - 1;
        bomb.push_str(&format!(
            "x-a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("paths: {}\n");
    let report = audit(&bomb);
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    let deep = format!("openapi: 3.0.3\ninfo: {{title: x, version: '1'}}\nx-deep: {}\n", "[".repeat(50_000));
    let report = audit(&deep);
    assert_eq!(report.errors.len(), 1);
}

#[test]
fn non_string_and_odd_values_do_not_panic() {
    let odd = "openapi: 3.1.0
info: 7
servers: {url: http://x}
security: [7, [], {}]
paths:
  7: 8
  /a: [1, 2]
  /b:
    get: []
    post:
      security: {a: b}
      parameters: [7, {name: 7, in: 8, schema: 9}, {$ref: 7}]
      responses: [1]
    put:
      responses: {'200': {$ref: '#/nope'}, '429': {headers: 7}}
components:
  securitySchemes:
    a: 7
    b: {type: oauth2, flows: 7}
    c: {type: oauth2, flows: {implicit: 7, password: {tokenUrl: 7}}}
  schemas:
    s: {type: [string, 7], properties: 7, items: [1, {type: array}], additionalProperties: {$ref: 9}}
";
    let report = audit(odd);
    assert!(report.findings.iter().any(|f| f.rule == "oauth-password-flow"));
}

#[test]
fn non_ascii_urls_and_chained_aliases_are_safe() {
    let text = "openapi: 3.0.3\ninfo: {title: x, version: '1'}\nservers: [{url: 'http:/\u{e9}x'}, {url: 'h\u{e9}'}]\npaths: {}\ncomponents:\n  securitySchemes:\n    o: {type: oauth2, flows: {implicit: {authorizationUrl: 'http\u{e9}', scopes: {}}}}\n";
    let report = audit(text);
    assert!(report.errors.is_empty(), "{:?}", report.errors);

    // Aliases chained so that the alias graph is far deeper than the text's nesting.
    let mut chain = String::from("openapi: 3.0.3\ninfo: {title: x, version: '1'}\nx-0: &a0 ");
    chain.push_str(&"[".repeat(200));
    chain.push_str(&"]".repeat(200));
    chain.push('\n');
    for i in 1..200 {
        chain.push_str(&format!("x-{i}: &a{i} {}*a{}{}\n", "[".repeat(200), i - 1, "]".repeat(200)));
    }
    chain.push_str("paths: {}\n");
    let report = audit(&chain);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

/// Lines as YAML and editors count them: LF, CRLF and a lone CR each end a line.
fn line_count(text: &str) -> u32 {
    let bytes = text.as_bytes();
    let breaks = bytes
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    breaks as u32 + 1
}

#[test]
fn lone_carriage_returns_end_lines_in_yaml_and_json_alike() {
    // Found by the fuzz target: a spec whose lines end with CR alone.
    let text = String::from_utf8_lossy(include_bytes!("data/fuzz/cr-line-breaks.yaml")).into_owned();
    let report = audit(&text);
    let lines = line_count(&text);
    for error in &report.errors {
        assert!(error.line <= lines, "{error:?} beyond {lines} lines");
    }
    for finding in &report.findings {
        assert!(finding.location.as_ref().is_some_and(|l| l.line <= lines));
    }
    // Found by the fuzz target: an error at the end of a file without a final newline.
    let text = String::from_utf8_lossy(include_bytes!("data/fuzz/error-at-end-of-input.yaml")).into_owned();
    let report = audit(&text);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, line_count(&text), "{:?}", report.errors);

    let yaml =
        audit("openapi: 3.0.3\rinfo: {title: x, version: '1'}\rservers: [{url: 'http://a'}]\rpaths: {}\r");
    let json = audit_text(
        "s.json",
        "{\"openapi\": \"3.0.3\",\r\"info\": {\"title\": \"x\", \"version\": \"1\"},\r\"servers\": [{\"url\": \"http://a\"}],\r\"paths\": {}}",
        &AuditConfig::default(),
    );
    let line_of = |r: &FileReport| {
        r.findings
            .iter()
            .find(|f| f.rule == "server-plain-http")
            .and_then(|f| f.location.as_ref())
            .map(|l| l.line)
    };
    assert_eq!(line_of(&yaml), Some(3));
    assert_eq!(line_of(&json), Some(3));
}
