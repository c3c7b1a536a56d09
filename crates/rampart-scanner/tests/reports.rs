//! The report renderers on a hand-built scan of a bank API: SARIF valid against the SARIF 2.1.0
//! schema (the OASIS schema kept by the static audit's tests) with web requests and responses,
//! JUnit XML that parses with the right counts, HTML that escapes what the target sent, text
//! with the worst findings first, JSON that round-trips; an empty report in every format; and
//! properties: no string from the target breaks the XML or the HTML.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::prelude::*;
use rampart_core::{OwaspApi2023, Severity};
use rampart_scanner::report::{self, Format};
use rampart_scanner::{
    Outcome, RecordedExchange, RecordedRequest, RecordedResponse, ScanFinding, ScanReport, ScanStats,
    TestRecord,
};
use serde_json::Value;

const SARIF_SCHEMA: &str = include_str!("../../rampart-audit/tests/data/sarif-schema-2.1.0.json");
const TARGET: &str = "https://api.northbank.example";
/// RIGHT-TO-LEFT OVERRIDE, which would make a terminal show text reversed.
const RLO: char = '\u{202E}';

/// What a hostile or broken target can put in a body: markup, a CDATA end, entities, quotes,
/// controls XML 1.0 forbids, an ANSI escape, a bidi override, non-ASCII.
const NASTY: &str = "<script>alert(\"pwned\")</script> ]]> &amp; & 'single' \"double\" \u{0}\u{7}\u{1b}[31m red \u{1b}[0m \u{202E}txt.exe \u{FFFE} Zoë Müller — 北銀行 🏦";

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

fn exchange(
    method: &str,
    path: &str,
    status: Option<u16>,
    body: Option<&str>,
    elapsed_ms: u64,
) -> RecordedExchange {
    RecordedExchange {
        request: RecordedRequest {
            method: method.to_string(),
            url: format!("{TARGET}{path}"),
            headers: vec![
                header("Accept", "application/json"),
                header("Authorization", "Bearer eyJhbGciOi…(masked)"),
                header("User-Agent", "rampart-scan/0.1.0"),
            ],
            body: None,
        },
        response: status.map(|status| RecordedResponse {
            status,
            headers: vec![
                header("Content-Type", "application/json; charset=utf-8"),
                header("Set-Cookie", "session=***; HttpOnly"),
                header("Set-Cookie", "tracking=***"),
            ],
            body: body.map(str::to_string),
            truncated: false,
        }),
        error: status.is_none().then(|| "timed out after 10000 ms".to_string()),
        elapsed_ms,
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    id: &str,
    rule: &str,
    owasp: OwaspApi2023,
    severity: Severity,
    operation: &str,
    parameter: Option<&str>,
    identities: &[&str],
    title: &str,
    exchanges: Vec<RecordedExchange>,
    cwe: Option<u32>,
) -> ScanFinding {
    ScanFinding {
        id: id.to_string(),
        rule: rule.to_string(),
        owasp,
        severity,
        title: title.to_string(),
        operation: operation.to_string(),
        parameter: parameter.map(str::to_string),
        identities: identities.iter().map(|s| s.to_string()).collect(),
        description: format!("{title}. The scanner repeated the request and got the same answer."),
        evidence: vec![format!("{operation}: {title}"), "masked sample: 1000****31".to_string()],
        exchanges,
        fix: format!("Fix `{rule}`: enforce the check on the server for every request."),
        cwe,
    }
}

fn test(
    name: &str,
    owasp: OwaspApi2023,
    operation: &str,
    outcome: Outcome,
    reason: Option<&str>,
    findings: &[&str],
) -> TestRecord {
    TestRecord {
        test: name.to_string(),
        owasp,
        operation: operation.to_string(),
        outcome,
        reason: reason.map(str::to_string),
        requests: if outcome == Outcome::Skipped { 0 } else { 4 },
        findings: findings.iter().map(|s| s.to_string()).collect(),
        elapsed_ms: if outcome == Outcome::Skipped { 0 } else { 1250 },
    }
}

/// A scan of a bank API with findings in six categories. The findings are deliberately not in
/// severity order: the renderers must sort them.
fn bank_report() -> ScanReport {
    use OwaspApi2023::*;
    let accounts_body = r#"{"accounts":[{"accountId":"10000231","owner":"Zoë Müller","iban":"DE89 **** **** 3000","balance":1520.75,"currency":"EUR"}]}"#;
    let alice_account = r#"{"accountId":"10000231","owner":"Alice Nakamura","nickname":"<script>alert(document.cookie)</script>","note":"Tom & Jerry's \"joint\" ]]>","balance":98000.12}"#;
    let sql_error = "ORA-00933: SQL command not properly ended\u{0}\u{1b}[31m near 'amount'' <b>]]></b> \u{7}\r\nat com.northbank.ledger.Dao.find(Dao.java:88)";

    let mut mass_assignment = exchange(
        "PATCH",
        "/v2/users/u-7731",
        Some(200),
        Some(r#"{"userId":"u-7731","role":"admin","email":"b**@northbank.example"}"#),
        61,
    );
    mass_assignment.request.body = Some(r#"{"role":"admin"}"#.to_string());
    let mut cors = exchange("OPTIONS", "/", Some(204), None, 12);
    cors.request.headers.push(header("Origin", "https://evil.example"));
    if let Some(response) = cors.response.as_mut() {
        response.headers = vec![
            header("Access-Control-Allow-Origin", "https://evil.example"),
            header("Access-Control-Allow-Credentials", "true"),
        ];
    }
    let mut big_page = exchange("GET", "/v2/transactions?limit=1000000", Some(200), Some(NASTY), 9_400);
    if let Some(response) = big_page.response.as_mut() {
        response.truncated = true;
    }

    let findings = vec![
        finding(
            "a1f0c3d2e4b5a697",
            "sql-injection-error",
            Api8,
            Severity::High,
            "GET /v2/transactions",
            Some("query.sort"),
            &["alice"],
            "A quote in `sort` makes the database report a syntax error",
            vec![exchange("GET", "/v2/transactions?sort=amount%27", Some(500), Some(sql_error), 88)],
            Some(89),
        ),
        finding(
            "0b9e8d7c6b5a4f3e",
            "old-version-live",
            Api9,
            Severity::Low,
            "GET /v1/accounts/{accountId}",
            None,
            &["alice"],
            "The retired v1 API still answers",
            vec![exchange("GET", "/v1/accounts/10000231", Some(200), Some(accounts_body), 40)],
            Some(1059),
        ),
        finding(
            "5c4d3e2f1a0b9c8d",
            "bola-read",
            Api1,
            Severity::High,
            "GET /v2/accounts/{accountId}",
            Some("path.accountId"),
            &["alice", "bob"],
            "bob reads alice's account 10000231",
            vec![
                exchange("GET", "/v2/accounts/10000231", Some(200), Some(alice_account), 35),
                exchange("GET", "/v2/accounts/10000231", Some(200), Some(alice_account), 33),
            ],
            Some(639),
        ),
        finding(
            "9f8e7d6c5b4a3928",
            "jwt-alg-none-accepted",
            Api2,
            Severity::Critical,
            "GET /v2/accounts",
            Some("header.Authorization"),
            &["alice"],
            "An unsigned token (alg \"none\") is accepted",
            vec![exchange("GET", "/v2/accounts", Some(200), Some(accounts_body), 29)],
            Some(347),
        ),
        finding(
            "77aa66bb55cc44dd",
            "mass-assignment-privilege",
            Api3,
            Severity::High,
            "PATCH /v2/users/{userId}",
            Some("body.role"),
            &["bob"],
            "bob makes himself an administrator by writing `role`",
            vec![mass_assignment],
            Some(915),
        ),
        finding(
            "1234abcd5678ef90",
            "cors-reflects-origin",
            Api8,
            Severity::Medium,
            "OPTIONS /",
            Some("header.Origin"),
            &[],
            "Any origin is reflected with credentials allowed",
            vec![cors],
            Some(942),
        ),
        finding(
            "feedfacecafebeef",
            "unbounded-page-size",
            Api4,
            Severity::Medium,
            "GET /v2/transactions",
            Some("query.limit"),
            &["alice"],
            "limit=1000000 is honoured: a 9.4 s response, then no response at all",
            vec![big_page, exchange("GET", "/v2/transactions?limit=10000000", None, None, 10_000)],
            Some(770),
        ),
        finding(
            "00ff00ff00ff00ff",
            "missing-security-headers",
            Api8,
            Severity::Info,
            "GET /",
            None,
            &[],
            "Responses lack Strict-Transport-Security",
            vec![],
            None,
        ),
    ];

    let tests = vec![
        test("bola", Api1, "GET /v2/accounts/{accountId}", Outcome::Failed, None, &["5c4d3e2f1a0b9c8d"]),
        test("bola", Api1, "GET /v2/cards/{cardId}", Outcome::Passed, Some("403 for bob"), &[]),
        test(
            "bola",
            Api1,
            "GET /v2/statements/{statementId}",
            Outcome::Skipped,
            Some("no object id known"),
            &[],
        ),
        test("bola", Api1, "GET /v2/loans/{loanId}", Outcome::Skipped, Some("no object id known"), &[]),
        test("jwt-tampering", Api2, "GET /v2/accounts", Outcome::Failed, None, &["9f8e7d6c5b4a3928"]),
        test("auth-bypass", Api2, "GET /v2/cards/{cardId}", Outcome::Passed, None, &[]),
        test(
            "mass-assignment",
            Api3,
            "PATCH /v2/users/{userId}",
            Outcome::Failed,
            None,
            &["77aa66bb55cc44dd"],
        ),
        test("mass-assignment", Api3, "POST /v2/transfers", Outcome::Skipped, Some("budget exhausted"), &[]),
        test("page-size", Api4, "GET /v2/transactions", Outcome::Failed, None, &["feedfacecafebeef"]),
        test("rate-limit", Api4, "POST /v2/login", Outcome::Skipped, Some("budget exhausted"), &[]),
        test("function-level", Api5, "GET /v2/admin/users", Outcome::Passed, None, &[]),
        test(
            "function-level",
            Api5,
            "DELETE /v2/admin/users/{userId}",
            Outcome::Skipped,
            Some("identity carol: login failed"),
            &[],
        ),
        test("sql-injection", Api8, "GET /v2/transactions", Outcome::Failed, None, &["a1f0c3d2e4b5a697"]),
        test("cors", Api8, "*", Outcome::Failed, None, &["1234abcd5678ef90"]),
        test("security-headers", Api8, "*", Outcome::Failed, None, &["00ff00ff00ff00ff"]),
        test("verbose-errors", Api8, "GET /v2/cards/{cardId}", Outcome::Passed, None, &[]),
        test("old-versions", Api9, "*", Outcome::Failed, None, &["0b9e8d7c6b5a4f3e"]),
        test("ssrf", Api7, "POST /v2/statements/export", Outcome::Skipped, Some("budget exhausted"), &[]),
    ];
    let skipped = tests.iter().filter(|t| t.outcome == Outcome::Skipped).count();

    ScanReport {
        tool: "rampart-scan".to_string(),
        version: "0.1.0".to_string(),
        target: TARGET.to_string(),
        spec: "northbank-openapi.yaml".to_string(),
        seed: 20_260_512,
        allow_writes: true,
        started_at: "2026-05-12T11:14:03+02:00".to_string(),
        identities: BTreeMap::from([
            ("alice".to_string(), "customer".to_string()),
            ("bob".to_string(), "customer".to_string()),
            ("carol".to_string(), "teller".to_string()),
        ]),
        findings,
        stats: ScanStats {
            operations: 14,
            tests_run: tests.len() - skipped,
            tests_skipped: skipped,
            requests_sent: 2000,
            request_budget: 2000,
            transport_errors: 1,
            truncated_responses: 1,
            off_target_redirects: 0,
            out_of_scope_refused: 2,
            elapsed_ms: 41_305,
        },
        tests,
        warnings: vec![
            "identity carol: login failed (401 Unauthorized)".to_string(),
            "budget of 2000 requests exhausted: 3 tests skipped".to_string(),
            "spec: GET /v2/cards has no 2xx response <declared> & \u{1b}[1mbold\u{1b}[0m".to_string(),
        ],
    }
}

fn empty_report() -> ScanReport {
    ScanReport {
        tool: "rampart-scan".to_string(),
        version: "0.1.0".to_string(),
        target: "http://127.0.0.1:8080".to_string(),
        spec: "inventory".to_string(),
        seed: 0,
        allow_writes: false,
        started_at: String::new(),
        identities: BTreeMap::new(),
        findings: vec![],
        tests: vec![],
        stats: ScanStats::default(),
        warnings: vec![],
    }
}

fn sarif_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SARIF_SCHEMA).expect("the SARIF schema is JSON");
        jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
    })
}

fn assert_valid_sarif(sarif: &Value) {
    let errors: Vec<String> = sarif_validator()
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// What XML 1.0 lets through of a string: forbidden characters become U+FFFD.
fn xml_sanitised(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t'
            | '\n'
            | '\r'
            | '\u{20}'..='\u{D7FF}'
            | '\u{E000}'..='\u{FFFD}'
            | '\u{10000}'..='\u{10FFFF}' => c,
            _ => '\u{FFFD}',
        })
        .collect()
}

#[test]
fn sarif_is_valid_2_1_0_with_web_requests_and_responses() {
    let report = bank_report();
    let sarif: Value = serde_json::from_str(&report::render(&report, Format::Sarif)).expect("SARIF is JSON");
    assert_valid_sarif(&sarif);
    // The schema does bite: a level SARIF does not know is refused.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("severe");
    assert!(!sarif_validator().is_valid(&broken));
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "rampart-scan");
    assert_eq!(driver["version"], "0.1.0");
    assert!(driver["informationUri"].as_str().is_some_and(|u| u.starts_with("https://")));

    // One rule per distinct rule id, described by its OWASP category.
    let rules = driver["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 8);
    let bola = rules.iter().find(|r| r["id"] == "bola-read").expect("bola-read rule");
    assert_eq!(bola["helpUri"], OwaspApi2023::Api1.url());
    assert_eq!(bola["defaultConfiguration"]["level"], "error");
    let tags: Vec<&str> =
        bola["properties"]["tags"].as_array().expect("tags").iter().filter_map(Value::as_str).collect();
    for tag in ["API1:2023", "security", "CWE-639"] {
        assert!(tags.contains(&tag), "{tags:?}");
    }
    assert!(bola["shortDescription"]["text"].as_str().is_some_and(|t| t.contains("Broken Object Level")));
    let headers_rule = rules.iter().find(|r| r["id"] == "missing-security-headers").expect("rule");
    assert_eq!(headers_rule["defaultConfiguration"]["level"], "note");
    assert!(
        !headers_rule["properties"]["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t.as_str().is_some_and(|t| t.starts_with("CWE")))
    );

    // One result per finding, highest severity first.
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), report.findings.len());
    assert_eq!(results[0]["ruleId"], "jwt-alg-none-accepted");
    for result in results {
        let finding = report
            .findings
            .iter()
            .find(|f| result["partialFingerprints"]["rampartFinding/v1"] == f.id.as_str())
            .expect("the fingerprint is a finding id");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], finding.rule.as_str());
        assert_eq!(result["level"], finding.severity.sarif_level());
        let message = result["message"]["text"].as_str().expect("message");
        assert!(message.starts_with(&finding.title) && message.contains(&finding.description));
        let location = &result["locations"][0];
        assert_eq!(location["logicalLocations"][0]["fullyQualifiedName"], finding.operation.as_str());
        assert_eq!(location["logicalLocations"][0]["kind"], "function");
        let artifact = &location["physicalLocation"]["artifactLocation"];
        let uri = artifact["uri"].as_str().expect("uri");
        assert!(!uri.is_empty() && !uri.contains("://") && !uri.starts_with('/'), "{uri}");
        assert_eq!(artifact["uriBaseId"], "TARGET");
        assert_eq!(result["properties"]["severity"], finding.severity.as_str());
        assert_eq!(result["properties"]["owasp"], finding.owasp.id());
        assert_eq!(
            result["properties"]["identities"].as_array().map(Vec::len),
            Some(finding.identities.len())
        );
        assert_eq!(result["properties"]["parameter"].as_str(), finding.parameter.as_deref());
        match finding.exchanges.first() {
            Some(first) => {
                assert_eq!(result["webRequest"]["method"], first.request.method.as_str());
                assert_eq!(result["webRequest"]["target"], first.request.url.as_str());
                assert!(result["webRequest"]["headers"]["Authorization"].is_string());
                let exchanges = result["properties"]["exchanges"].as_array().expect("exchanges");
                assert_eq!(exchanges.len(), finding.exchanges.len());
            }
            None => assert!(result.get("webRequest").is_none()),
        }
    }
    assert_eq!(run["originalUriBaseIds"]["TARGET"]["uri"], format!("{TARGET}/"));

    // The BOLA result carries the exchange, bodies verbatim (JSON escapes them, nothing else).
    let bola = results.iter().find(|r| r["ruleId"] == "bola-read").expect("bola result");
    assert_eq!(bola["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "v2/accounts/10000231");
    assert_eq!(bola["webResponse"]["statusCode"], 200);
    assert_eq!(bola["webResponse"]["reasonPhrase"], "OK");
    assert!(
        bola["webResponse"]["body"]["text"]
            .as_str()
            .is_some_and(|b| b.contains("<script>alert(document.cookie)</script>"))
    );
    assert_eq!(bola["webResponse"]["headers"]["Set-Cookie"], "session=***; HttpOnly, tracking=***");
    let mass = results.iter().find(|r| r["ruleId"] == "mass-assignment-privilege").expect("result");
    assert_eq!(mass["webRequest"]["body"]["text"], r#"{"role":"admin"}"#);
    let sql = results.iter().find(|r| r["ruleId"] == "sql-injection-error").expect("result");
    assert!(
        sql["webResponse"]["body"]["text"]
            .as_str()
            .is_some_and(|b| b.contains('\u{1b}') && b.contains("]]>"))
    );
    // An exchange without a response says so.
    let page = results.iter().find(|r| r["ruleId"] == "unbounded-page-size").expect("result");
    let second = &page["properties"]["exchanges"][1];
    assert_eq!(second["webResponse"]["noResponseReceived"], true);
    assert_eq!(second["webResponse"]["properties"]["error"], "timed out after 10000 ms");
    assert_eq!(page["webResponse"]["properties"]["truncated"], true);
    // The target-wide finding without an exchange points at the target itself.
    let headers = results.iter().find(|r| r["ruleId"] == "missing-security-headers").expect("result");
    assert_eq!(headers["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "./");

    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(invocation["startTimeUtc"], "2026-05-12T09:14:03.000Z");
    assert_eq!(invocation["endTimeUtc"], "2026-05-12T09:14:44.305Z");
    let notifications = invocation["toolExecutionNotifications"].as_array().expect("notifications");
    assert_eq!(notifications.len(), report.warnings.len());
    assert_eq!(notifications[0]["message"]["text"], report.warnings[0].as_str());
}

#[test]
fn junit_parses_with_one_suite_per_category_and_the_right_counts() {
    let report = bank_report();
    let xml = report::render(&report, Format::Junit);
    let document =
        roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("JUnit XML parses: {e}\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |node: roxmltree::Node, attribute: &str| -> usize {
        node.attribute(attribute)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{attribute} on {node:?}"))
    };
    assert_eq!(count(root, "tests"), report.tests.len());
    assert_eq!(count(root, "failures"), 8);
    assert_eq!(count(root, "skipped"), 6);
    assert_eq!(count(root, "errors"), 0);
    assert_eq!(root.attribute("time"), Some("41.305"));
    assert_eq!(root.attribute("timestamp"), Some("2026-05-12T11:14:03+02:00"));

    let suites: Vec<roxmltree::Node> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<&str> = suites.iter().filter_map(|s| s.attribute("name")).collect();
    assert_eq!(
        names,
        [
            "API1 Broken Object Level Authorization",
            "API2 Broken Authentication",
            "API3 Broken Object Property Level Authorization",
            "API4 Unrestricted Resource Consumption",
            "API5 Broken Function Level Authorization",
            "API7 Server Side Request Forgery",
            "API8 Security Misconfiguration",
            "API9 Improper Inventory Management",
        ]
    );
    for suite in &suites {
        let cases: Vec<roxmltree::Node> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        let failed = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
        let skipped = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("skipped"))).count();
        assert_eq!(count(*suite, "tests"), cases.len());
        assert_eq!(count(*suite, "failures"), failed);
        assert_eq!(count(*suite, "skipped"), skipped);
        assert!(suite.attribute("time").is_some_and(|t| t.parse::<f64>().is_ok()));
    }
    let api1 = suites[0];
    assert_eq!((count(api1, "tests"), count(api1, "failures"), count(api1, "skipped")), (4, 1, 2));
    assert_eq!(api1.attribute("time"), Some("2.500"));
    let api8 = suites[6];
    assert_eq!((count(api8, "tests"), count(api8, "failures"), count(api8, "skipped")), (4, 3, 0));

    // The BOLA failure lists its finding, with the body as the target sent it (escaped, intact).
    let bola = api1
        .children()
        .find(|n| n.attribute("classname") == Some("GET /v2/accounts/{accountId}"))
        .expect("bola test case");
    assert_eq!(bola.attribute("name"), Some("bola"));
    let failure = bola.children().find(|n| n.has_tag_name("failure")).expect("failure");
    assert_eq!(failure.attribute("type"), Some("high"));
    let message = failure.attribute("message").expect("message");
    assert!(message.contains("bola-read") && message.contains("bob reads alice's account"), "{message}");
    let text = failure.text().expect("failure text");
    assert!(text.contains("<script>alert(document.cookie)</script>"), "{text}");
    assert!(text.contains("Tom & Jerry"));
    assert!(text.contains("fix: Fix `bola-read`"));

    // Control characters from the target do not survive into the XML, whatever the parser.
    assert!(
        !xml.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')),
        "raw control character in XML"
    );
    let sql = document
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("sql-injection"))
        .expect("sql test case");
    let failure = sql.children().find(|n| n.has_tag_name("failure")).expect("failure");
    assert!(failure.text().is_some_and(|t| t.contains("]]>") && t.contains("ORA-00933")));

    // Skipped tests carry their reason.
    let skipped: Vec<&str> = document
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .filter_map(|n| n.attribute("message"))
        .collect();
    assert_eq!(skipped.iter().filter(|m| **m == "budget exhausted").count(), 3);
    assert_eq!(skipped.iter().filter(|m| **m == "no object id known").count(), 2);
}

#[test]
fn html_escapes_what_the_target_sent_and_shows_every_finding() {
    let report = bank_report();
    let html = report::render(&report, Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "unescaped <script> in the page");
    assert!(html.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;"));
    assert!(!html.contains("]]>"));
    assert!(
        !html.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
        "raw control character in HTML"
    );
    assert!(!html.contains('\u{202E}'));
    // What was there is shown, not hidden: an ANSI escape in an error page is evidence too.
    assert!(html.contains("\\u{1b}[31m") && html.contains("\\u{202e}txt.exe"));
    // Self-contained: no resource is loaded.
    for needle in ["<link", "src=", "@import", "url("] {
        assert!(!lower.contains(needle), "{needle}");
    }
    // Header facts.
    for fact in [TARGET, "2026-05-12 09:14:03 UTC", "20260512", "northbank-openapi.yaml", "alice", "teller"] {
        assert!(html.contains(fact), "{fact}");
    }
    // Every finding, with its id, title, fix and CWE, highest severity first.
    let mut positions = Vec::new();
    for finding in &report.findings {
        let anchor = format!("id=\"finding-{}\"", finding.id);
        let position = html.find(&anchor).unwrap_or_else(|| panic!("{anchor}"));
        positions.push((finding.severity, position));
        let title = finding.title.replace('&', "&amp;").replace('\'', "&#39;").replace('"', "&quot;");
        assert!(html.contains(&title), "{title}");
        if let Some(cwe) = finding.cwe {
            assert!(html.contains(&format!(">CWE-{cwe}</a>")));
        }
    }
    positions.sort_by_key(|(_, p)| *p);
    assert!(positions.windows(2).all(|w| w[0].0 >= w[1].0), "{positions:?}");
    assert_eq!(html.matches("<details>").count(), html.matches("</details>").count());
    // Counts by OWASP category, skipped tests and warnings.
    assert!(html.contains("API7</a> Server Side Request Forgery"));
    assert!(html.contains("budget exhausted</td><td class=\"n\">3</td>"));
    assert!(html.contains("spec: GET /v2/cards has no 2xx response &lt;declared&gt; &amp;"));
    // JSON bodies are shown pretty-printed.
    assert!(html.contains("&quot;owner&quot;: &quot;Alice Nakamura&quot;"));
}

#[test]
fn text_lists_findings_highest_severity_first() {
    let report = bank_report();
    let text = report::render(&report, Format::Text);
    let first = text.lines().next().expect("summary line");
    assert_eq!(
        first,
        "Scan of https://api.northbank.example: 14 operations, 12 tests run, 6 skipped, 2000 of 2000 requests, \
         41.3 s; 8 findings (1 critical, 3 high, 2 medium, 1 low, 1 info)"
    );
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(headings.len(), report.findings.len());
    let severities: Vec<Severity> = headings
        .iter()
        .filter_map(|l| l.trim_start_matches('[').split(']').next())
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(severities.len(), headings.len());
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "{severities:?}");
    assert_eq!(headings[0], "[CRITICAL] API2 jwt-alg-none-accepted  GET /v2/accounts");
    assert!(text.contains(
        "[HIGH] API1 bola-read  GET /v2/accounts/{accountId}\n    bob reads alice's account 10000231\n"
    ));
    assert!(text.contains("    identities: alice, bob\n    parameter: path.accountId\n"));
    assert!(text.contains("    > GET https://api.northbank.example/v2/accounts/10000231\n    < 200 OK ("));
    assert!(text.contains("    (+1 more exchange)\n"));
    assert!(text.contains("    > {\"role\":\"admin\"}\n"));
    assert!(text.contains("< 200 OK (") && text.contains("truncated, 9.4 s)"));
    // Skipped tests grouped by reason, most frequent first; warnings last.
    let skipped = text.find("Skipped (6):\n  3  budget exhausted (mass-assignment, rate-limit, ssrf)\n  2  no object id known (bola)\n  1  identity carol: login failed (function-level)\n");
    let warnings = text.find("Warnings (3):\n  - identity carol");
    assert!(skipped.is_some() && warnings.is_some() && skipped < warnings, "{text}");
    // Nothing from the target reaches the terminal raw.
    assert!(!text.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'), "{text}");
    assert!(text.contains("\\u{1b}[31m"));
}

#[test]
fn json_round_trips_to_an_equal_report() {
    let report = bank_report();
    let json = report::render(&report, Format::Json);
    let back: ScanReport = serde_json::from_str(&json).expect("the JSON report deserialises");
    assert_eq!(back, report);
    // Keys in the model's order, and the same text twice.
    let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&json)
        .expect("object")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys[..5], ["tool", "version", "target", "spec", "seed"]);
    assert_eq!(json, report::render(&back, Format::Json));
}

#[test]
fn an_empty_report_renders_in_every_format() {
    let report = empty_report();
    for format in Format::ALL {
        let output = report::render(&report, format);
        assert!(!output.is_empty(), "{format}");
        assert_eq!(output, report::render(&report, format), "{format} is deterministic");
    }
    let sarif: Value = serde_json::from_str(&report::sarif(&report)).expect("JSON");
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(0));
    let xml = report::junit(&report);
    let document = roxmltree::Document::parse(&xml).expect("JUnit parses");
    assert_eq!(document.root_element().attribute("tests"), Some("0"));
    assert_eq!(document.root_element().attribute("failures"), Some("0"));
    assert_eq!(document.root_element().attribute("timestamp"), None);
    assert!(report::text(&report).starts_with("Scan of http://127.0.0.1:8080: 0 operations, 0 tests run, 0 skipped, 0 of 0 requests, 0 ms; no findings\n"));
    assert!(report::html(&report).contains("No weakness was proven."));
    let back: ScanReport = serde_json::from_str(&report::json(&report)).expect("JSON");
    assert_eq!(back, report);
}

#[test]
fn a_failed_test_whose_finding_is_missing_still_renders() {
    let mut report = empty_report();
    report.tests.push(test("bola", OwaspApi2023::Api1, "GET /x/{id}", Outcome::Failed, None, &["gone"]));
    let xml = report::junit(&report);
    let document = roxmltree::Document::parse(&xml).expect("JUnit parses");
    let failure = document.descendants().find(|n| n.has_tag_name("failure")).expect("failure");
    assert_eq!(failure.attribute("type"), Some("failure"));
    assert!(failure.text().is_some_and(|t| t.contains("finding gone is not in the report")));
}

fn nasty_string() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '<',
        '>',
        '&',
        '"',
        '\'',
        ']',
        '\0',
        '\u{7}',
        '\u{1b}',
        '\r',
        '\n',
        '\t',
        '\u{85}',
        '\u{9b}',
        '\u{FFFE}',
        '\u{FFFF}',
        '\u{D7FF}',
        '\u{E000}',
        '\u{202E}',
        '\u{10FFFF}',
        'é',
        '🏦',
    ]);
    prop::collection::vec(prop_oneof![any::<char>(), special], 0..48).prop_map(String::from_iter)
}

/// A report whose target-controlled strings are all `s`.
fn report_with(s: &str) -> ScanReport {
    let mut report = bank_report();
    let first = &mut report.findings[2];
    first.title = s.to_string();
    first.rule = s.to_string();
    first.operation = s.to_string();
    first.evidence.push(s.to_string());
    first.fix = s.to_string();
    first.exchanges[0].request.url = format!("{TARGET}/{s}");
    first.exchanges[0].request.headers.push(("X-Echo".to_string(), s.to_string()));
    if let Some(response) = first.exchanges[0].response.as_mut() {
        response.body = Some(s.to_string());
        response.headers.push((s.to_string(), s.to_string()));
    }
    first.exchanges[1].error = Some(s.to_string());
    first.exchanges[1].response = None;
    let id = first.id.clone();
    if let Some(test) = report.tests.iter_mut().find(|t| t.findings.contains(&id)) {
        test.operation = s.to_string();
        test.test = s.to_string();
    }
    if let Some(test) = report.tests.iter_mut().find(|t| t.outcome == Outcome::Skipped) {
        test.reason = Some(s.to_string());
    }
    report.warnings.push(s.to_string());
    report.target = format!("{TARGET}/{s}");
    report
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_break_the_junit_xml(s in nasty_string()) {
        let report = report_with(&s);
        let xml = report::junit(&report);
        let document = roxmltree::Document::parse(&xml);
        prop_assert!(document.is_ok(), "{:?}\n{}", document.err(), xml);
        let Ok(document) = document else { return Ok(()) };
        // Attributes come back as written, less what XML 1.0 cannot carry.
        let expected = xml_sanitised(&s);
        let case = document
            .descendants()
            .find(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")) && n.attribute("name") == Some(expected.as_str()));
        prop_assert!(case.is_some(), "no failed test case named {:?}", expected);
        let case = case.and_then(|c| c.attribute("classname"));
        prop_assert_eq!(case, Some(expected.as_str()));
        let skipped = document.descendants().find(|n| n.has_tag_name("skipped")).and_then(|n| n.attribute("message"));
        prop_assert_eq!(skipped, Some(expected.as_str()));
        let root = document.root_element();
        let tests = report.tests.len().to_string();
        prop_assert_eq!(root.attribute("tests"), Some(tests.as_str()));
    }

    #[test]
    fn arbitrary_strings_never_escape_the_html(s in nasty_string()) {
        let html = report::html(&report_with(&s));
        let reference = report::html(&report_with("x"));
        // Data never adds markup: every `<`, `>` and `"` in the page is the renderer's own.
        for c in ['<', '>', '"'] {
            prop_assert_eq!(html.matches(c).count(), reference.matches(c).count(), "{:?}", c);
        }
        prop_assert!(!html.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')));
    }

    #[test]
    fn arbitrary_strings_keep_sarif_json_and_text_clean(s in nasty_string()) {
        let report = report_with(&s);
        let sarif: Result<Value, _> = serde_json::from_str(&report::sarif(&report));
        prop_assert!(sarif.is_ok());
        let sarif = sarif.unwrap_or_default();
        let result = sarif["runs"][0]["results"].as_array().and_then(|r| r.iter().find(|r| r["ruleId"] == s.as_str()));
        prop_assert!(result.is_some_and(|r| r["webResponse"]["body"]["text"] == s.as_str()));
        let text = report::text(&report);
        let raw = text.chars().any(|c| (c.is_control() && c != '\n') || c == RLO);
        prop_assert!(!raw, "a control character reached the text report");
        let back: Result<ScanReport, _> = serde_json::from_str(&report::json(&report));
        prop_assert_eq!(back.ok(), Some(report));
    }
}
