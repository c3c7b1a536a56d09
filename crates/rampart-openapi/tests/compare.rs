//! Spec comparison on hand-made inventories: every status and every drift kind.

mod common;

use std::path::PathBuf;

use common::*;
use rampart_core::{Drift, DriftKind, Endpoint, Inventory, SpecStatus};
use rampart_openapi::{SpecDocument, compare, load_spec, parse_spec};
use serde_json::json;

const HOST: &str = "api.bank.example";

fn specs() -> Vec<SpecDocument> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    vec![load_spec(&data.join("bank-v1.yaml")).unwrap(), load_spec(&data.join("payments-v2.json")).unwrap()]
}

fn find<'a>(inventory: &'a Inventory, method: &str, template: &str) -> &'a Endpoint {
    inventory
        .endpoints
        .iter()
        .find(|e| e.key.method == method && e.key.path_template == template)
        .unwrap_or_else(|| panic!("{method} {template} not in inventory"))
}

fn drift_at<'a>(e: &'a Endpoint, location: &str) -> Option<&'a Drift> {
    e.spec.as_ref().unwrap().drift.iter().find(|d| d.location == location)
}

fn compared(endpoints: Vec<Endpoint>) -> Inventory {
    let mut inventory = Inventory { endpoints };
    compare(&mut inventory, &specs());
    inventory
}

fn account_body() -> serde_json::Value {
    json!({"accountId": "0123456789", "iban": "GB82 **** **** 5432", "nickname": null,
           "balance": {"amount": "1520.33", "currency": "GBP"}, "openedOn": "2019-04-01"})
}

#[test]
fn conforming_traffic_is_documented_without_drift() {
    let mut e = endpoint(HOST, "GET", "/v1/accounts/{accountId}", 40);
    e.path_params.push(param("accountId", &["0123456789"; 40]));
    respond(&mut e, 200, Some(&account_body()), 38);
    respond(&mut e, 404, Some(&json!({"type": "about:blank", "title": "Not Found", "status": 404})), 2);
    // The 404 carried problem+json as declared.
    let body = e.responses.get_mut(&404).unwrap().remove("application/json").unwrap();
    e.responses.get_mut(&404).unwrap().insert("application/problem+json".into(), body);
    let inventory = compared(vec![e]);
    let spec = find(&inventory, "GET", "/v1/accounts/{accountId}").spec.clone().unwrap();
    assert_eq!(spec.status, SpecStatus::Documented);
    assert_eq!(spec.spec_file.as_deref().map(|f| f.ends_with("bank-v1.yaml")), Some(true));
    assert_eq!(spec.drift, vec![], "{:#?}", spec.drift);
}

#[test]
fn templates_match_when_only_parameter_names_differ() {
    let e = endpoint(HOST, "DELETE", "/v2/payments/{id}", 3);
    let inventory = compared(vec![e]);
    let spec = find(&inventory, "DELETE", "/v2/payments/{id}").spec.clone().unwrap();
    assert_eq!(spec.status, SpecStatus::Documented);
    assert!(spec.spec_file.unwrap().ends_with("payments-v2.json"));
}

#[test]
fn undeclared_endpoints_are_shadow_and_methods_matter() {
    let inventory = compared(vec![
        endpoint(HOST, "GET", "/internal/debug/config", 5),
        endpoint(HOST, "DELETE", "/v1/accounts/{accountId}", 1),
    ]);
    for (method, template) in [("GET", "/internal/debug/config"), ("DELETE", "/v1/accounts/{accountId}")] {
        let spec = find(&inventory, method, template).spec.clone().unwrap();
        assert_eq!(spec.status, SpecStatus::Shadow, "{method} {template}");
        assert_eq!(spec.spec_file, None);
    }
}

#[test]
fn host_scoped_specs_do_not_document_other_hosts() {
    let inventory = compared(vec![
        endpoint("cards.bank.example", "GET", "/v1/accounts", 2),
        endpoint("api.bank.example:443", "GET", "/v1/accounts", 2),
    ]);
    let other = inventory.endpoints.iter().find(|e| e.key.host == "cards.bank.example").unwrap();
    assert_eq!(other.spec.as_ref().unwrap().status, SpecStatus::Shadow);
    let same = inventory.endpoints.iter().find(|e| e.key.host == "api.bank.example:443").unwrap();
    assert_eq!(same.spec.as_ref().unwrap().status, SpecStatus::Documented);
}

#[test]
fn specs_without_servers_apply_to_every_host() {
    let spec = parse_spec(
        "ping.yaml",
        "openapi: 3.1.0\ninfo: {title: p, version: '1'}\npaths:\n  /health:\n    get: {}\n",
    )
    .unwrap();
    let mut inventory = Inventory {
        endpoints: vec![
            endpoint("a.bank.example", "GET", "/health", 1),
            endpoint("b.bank.example", "GET", "/health", 1),
        ],
    };
    compare(&mut inventory, &[spec]);
    assert!(inventory.endpoints.iter().all(|e| e.spec.as_ref().unwrap().status == SpecStatus::Documented));
    assert_eq!(inventory.endpoints.len(), 2);

    // An unseen operation of a host-less spec is listed under the hosts where the spec matched,
    // and under a blank host when it matched nowhere.
    let with_metrics = parse_spec(
        "ping.yaml",
        "openapi: 3.1.0\ninfo: {title: p, version: '1'}\npaths:\n  /health:\n    get: {}\n  /metrics:\n    get: {}\n",
    )
    .unwrap();
    compare(&mut inventory, std::slice::from_ref(&with_metrics));
    let mut unused: Vec<&str> = inventory
        .endpoints
        .iter()
        .filter(|e| e.key.path_template == "/metrics")
        .map(|e| e.key.host.as_str())
        .collect();
    unused.sort();
    assert_eq!(unused, vec!["a.bank.example", "b.bank.example"]);
    let mut nothing_seen = Inventory::default();
    compare(&mut nothing_seen, &[with_metrics]);
    assert_eq!(nothing_seen.endpoints.len(), 2);
    assert!(nothing_seen.endpoints.iter().all(|e| e.key.host.is_empty() && e.calls == 0));
}

#[test]
fn deprecated_and_still_called_is_a_zombie() {
    let mut e = endpoint(HOST, "GET", "/v1/accounts/{accountId}/statements", 7);
    respond(&mut e, 200, Some(&json!([{"period": "2026-10", "url": "https://docs.bank.example/s/1"}])), 7);
    let inventory = compared(vec![e]);
    let spec = find(&inventory, "GET", "/v1/accounts/{accountId}/statements").spec.clone().unwrap();
    assert_eq!(spec.status, SpecStatus::Zombie);
    assert!(spec.deprecated);
    let reason = spec.reason.unwrap();
    assert!(reason.contains("deprecated") && reason.contains("7 times"), "{reason}");
}

#[test]
fn an_older_version_called_while_a_newer_one_is_seen_is_a_zombie() {
    let inventory = compared(vec![
        endpoint(HOST, "GET", "/v1/accounts/{accountId}/documents", 4),
        endpoint(HOST, "GET", "/v2/accounts/{id}/documents", 90),
        endpoint(HOST, "GET", "/v9/fx/rates", 3),
        endpoint(HOST, "GET", "/v10/fx/rates", 3),
    ]);
    // v1 is not declared but v2 is: the undeclared old version is a zombie, not a mere shadow.
    let old = find(&inventory, "GET", "/v1/accounts/{accountId}/documents").spec.clone().unwrap();
    assert_eq!(old.status, SpecStatus::Zombie);
    assert!(
        old.reason.as_deref().unwrap().contains("/v2/accounts/{accountId}/documents"),
        "{:?}",
        old.reason
    );
    assert_eq!(
        find(&inventory, "GET", "/v2/accounts/{id}/documents").spec.as_ref().unwrap().status,
        SpecStatus::Documented
    );
    // Numeric, not lexical: v10 is newer than v9.
    let v9 = find(&inventory, "GET", "/v9/fx/rates").spec.clone().unwrap();
    assert_eq!(v9.status, SpecStatus::Zombie);
    assert!(v9.reason.unwrap().contains("v10"));
    assert_eq!(find(&inventory, "GET", "/v10/fx/rates").spec.as_ref().unwrap().status, SpecStatus::Shadow);
}

#[test]
fn a_documented_version_superseded_by_a_declared_newer_one_is_a_zombie() {
    let declared_v2 = parse_spec(
        "accounts-v2.yaml",
        "openapi: 3.1.0\ninfo: {title: a, version: '2'}\nservers: [{url: 'https://api.bank.example/v2'}]\npaths:\n  /accounts:\n    get: {}\n",
    )
    .unwrap();
    let mut all = specs();
    all.push(declared_v2);
    let mut inventory = Inventory { endpoints: vec![endpoint(HOST, "GET", "/v1/accounts", 12)] };
    compare(&mut inventory, &all);
    let spec = inventory.endpoints[0].spec.clone().unwrap();
    assert_eq!(spec.status, SpecStatus::Zombie);
    assert!(spec.spec_file.unwrap().ends_with("bank-v1.yaml"));
    assert!(spec.reason.unwrap().contains("declared in accounts-v2.yaml"));
    // A different method on the newer version does not supersede.
    let mut inventory = Inventory { endpoints: vec![endpoint(HOST, "POST", "/v1/transfers", 1)] };
    compare(&mut inventory, &all);
    assert_eq!(inventory.endpoints[0].spec.as_ref().unwrap().status, SpecStatus::Documented);
}

#[test]
fn declared_but_never_seen_operations_become_unused_endpoints() {
    let mut inventory = compared(vec![endpoint(HOST, "GET", "/v1/accounts", 10)]);
    let unused = find(&inventory, "PATCH", "/v1/accounts/{accountId}");
    assert_eq!(unused.calls, 0);
    assert_eq!(unused.spec.as_ref().unwrap().status, SpecStatus::Unused);
    assert_eq!(unused.key.host, HOST);
    // The sandbox server declares the same operations.
    assert!(
        inventory.endpoints.iter().any(|e| e.key.host == "sandbox.bank.example" && e.key.method == "PATCH")
    );
    // An operation seen on one of its hosts counts as used: no Unused twin on the sandbox host.
    assert_eq!(inventory.endpoints.iter().filter(|e| e.key.path_template == "/v1/accounts").count(), 1);
    // Comparing again is idempotent.
    let before = inventory.endpoints.len();
    compare(&mut inventory, &specs());
    assert_eq!(inventory.endpoints.len(), before);
    // Comparing with no specs leaves only seen endpoints, all shadow.
    compare(&mut inventory, &[]);
    assert_eq!(inventory.endpoints.len(), 1);
    assert_eq!(inventory.endpoints[0].spec.as_ref().unwrap().status, SpecStatus::Shadow);
}

#[test]
fn undeclared_query_and_header_parameters_drift() {
    let mut e = endpoint(HOST, "GET", "/v1/accounts", 20);
    e.query_params.insert("page".into(), param("page", &["1"; 20]));
    e.query_params.insert("includeClosed".into(), param("includeClosed", &["true"; 3]));
    e.header_params.insert("x-correlation-id".into(), param("x-correlation-id", &["c0ffee"; 20]));
    e.header_params.insert("x-debug-user".into(), param("x-debug-user", &["ops"; 2]));
    // Declared as an apiKey security scheme, not as a parameter: not drift.
    e.header_params.insert("x-api-key".into(), param("x-api-key", &["k***"; 20]));
    respond(&mut e, 200, Some(&json!({"accounts": [], "page": 1})), 20);
    let inventory = compared(vec![e]);
    let e = find(&inventory, "GET", "/v1/accounts");
    let include = drift_at(e, "query.includeClosed").unwrap();
    assert_eq!(include.kind, DriftKind::UndeclaredParameter);
    assert!(include.detail.contains("3 of 20"), "{}", include.detail);
    assert_eq!(drift_at(e, "header.x-debug-user").unwrap().kind, DriftKind::UndeclaredParameter);
    assert!(drift_at(e, "query.page").is_none());
    assert!(drift_at(e, "header.x-correlation-id").is_none(), "header names compare case-insensitively");
    assert!(drift_at(e, "header.x-api-key").is_none());
    assert_eq!(e.spec.as_ref().unwrap().drift.len(), 2, "{:#?}", e.spec.as_ref().unwrap().drift);
}

#[test]
fn undeclared_response_fields_are_located_by_path() {
    let mut e = endpoint(HOST, "GET", "/v1/accounts", 5);
    let mut leaky = account_body();
    leaky["nric"] = json!("S****567D");
    leaky["balance"]["internalRiskScore"] = json!(0.82);
    respond(
        &mut e,
        200,
        Some(&json!({"accounts": [leaky], "page": 1, "metadata": {"anything": ["goes"]}})),
        5,
    );
    let inventory = compared(vec![e]);
    let e = find(&inventory, "GET", "/v1/accounts");
    let nric = drift_at(e, "response.200.body/accounts/*/nric").unwrap();
    assert_eq!(nric.kind, DriftKind::UndeclaredResponseField);
    assert!(nric.detail.contains("5 of 5"), "{}", nric.detail);
    assert!(drift_at(e, "response.200.body/accounts/*/balance/internalRiskScore").is_some());
    // `metadata` has additionalProperties: true.
    assert!(e.spec.as_ref().unwrap().drift.iter().all(|d| !d.location.contains("metadata")));
    assert_eq!(e.spec.as_ref().unwrap().drift.len(), 2, "{:#?}", e.spec.as_ref().unwrap().drift);
}

#[test]
fn undeclared_request_fields_respect_additional_properties_false_and_one_of() {
    let mut patch = endpoint(HOST, "PATCH", "/v1/accounts/{accountId}", 2);
    send(&mut patch, "application/json", &json!({"nickname": "Holiday", "overdraftLimit": 5000}), 2);
    respond(&mut patch, 204, None, 2);
    let mut payment = endpoint(HOST, "POST", "/v2/payments", 6);
    send(
        &mut payment,
        "application/json",
        &json!({"method": "card", "cardToken": "tok_***", "amount": 12.5}),
        3,
    );
    send(
        &mut payment,
        "application/json",
        &json!({"method": "bank", "iban": "DE89 **** 3000", "amount": 80.0}),
        2,
    );
    send(
        &mut payment,
        "application/json",
        &json!({"method": "bank", "iban": "DE89 **** 3000", "amount": 1.5, "otp": "******"}),
        1,
    );
    respond(&mut payment, 201, Some(&json!({"paymentId": "p-1"})), 6);
    let inventory = compared(vec![patch, payment]);

    let patch = find(&inventory, "PATCH", "/v1/accounts/{accountId}");
    let d = drift_at(patch, "request.body/overdraftLimit").unwrap();
    assert_eq!(d.kind, DriftKind::UndeclaredRequestField);
    assert_eq!(patch.spec.as_ref().unwrap().drift.len(), 1);

    let payment = find(&inventory, "POST", "/v2/payments");
    let drift = &payment.spec.as_ref().unwrap().drift;
    assert_eq!(drift.len(), 1, "{drift:#?}");
    assert_eq!(drift[0].location, "request.body/otp");
}

#[test]
fn no_field_drift_under_schemas_that_allow_anything() {
    let spec = parse_spec(
        "free.yaml",
        r#"openapi: 3.1.0
info: {title: f, version: '1'}
paths:
  /events:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  id: {type: string}
                patternProperties:
                  '^x-': {}
        '202':
          description: ok
          content:
            '*/*': {}
"#,
    )
    .unwrap();
    let mut e = endpoint(HOST, "POST", "/events", 2);
    send(&mut e, "application/json", &json!({"kind": "login", "meta": {"ip": "10.0.0.1"}}), 2);
    respond(&mut e, 200, Some(&json!({"id": "e1", "x-trace": "abc"})), 1);
    respond(&mut e, 202, Some(&json!({"queued": true})), 1);
    let mut inventory = Inventory { endpoints: vec![e] };
    compare(&mut inventory, &[spec]);
    let spec = inventory.endpoints[0].spec.clone().unwrap();
    assert_eq!(spec.status, SpecStatus::Documented);
    assert_eq!(spec.drift, vec![]);
}

#[test]
fn undeclared_statuses_respect_ranges_and_default() {
    let mut list = endpoint(HOST, "GET", "/v1/accounts", 10);
    respond(&mut list, 200, None, 6);
    respond(&mut list, 429, None, 2); // covered by 4XX
    respond(&mut list, 500, None, 1); // not declared
    list.statuses.insert(0, 1); // no response: never drift
    let mut patch = endpoint(HOST, "PATCH", "/v1/accounts/{accountId}", 2);
    respond(&mut patch, 204, None, 1);
    respond(&mut patch, 503, None, 1); // covered by default
    let inventory = compared(vec![list, patch]);
    let list = find(&inventory, "GET", "/v1/accounts");
    let d = drift_at(list, "status.500").unwrap();
    assert_eq!(d.kind, DriftKind::UndeclaredStatus);
    assert_eq!(list.spec.as_ref().unwrap().drift.len(), 1, "{:#?}", list.spec.as_ref().unwrap().drift);
    assert!(find(&inventory, "PATCH", "/v1/accounts/{accountId}").spec.as_ref().unwrap().drift.is_empty());
}

#[test]
fn undeclared_content_types_drift() {
    let mut transfer = endpoint(HOST, "POST", "/v1/transfers", 3);
    transfer.header_params.insert(
        "idempotency-key".into(),
        param("idempotency-key", &["7c9e6679-7425-40de-944b-e07fc1f90ae7"; 3]),
    );
    send(&mut transfer, "application/x-www-form-urlencoded", &json!({"debtorAccount": "0123456789"}), 1);
    send(
        &mut transfer,
        "application/json; charset=utf-8",
        &json!({"debtorAccount": "0123456789", "creditorIban": "GB82 **** 5432", "amount": {"amount": "10.00", "currency": "GBP"}}),
        2,
    );
    respond(
        &mut transfer,
        201,
        Some(&json!({"debtorAccount": "0123456789", "creditorIban": "GB82 **** 5432",
        "amount": {"amount": "10.00", "currency": "GBP"}, "transferId": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "status": "pending"})),
        2,
    );
    // 422 is declared with problem+json; plain JSON came back.
    respond(&mut transfer, 422, Some(&json!({"error": "insufficient funds"})), 1);
    let inventory = compared(vec![transfer]);
    let e = find(&inventory, "POST", "/v1/transfers");
    let drift = &e.spec.as_ref().unwrap().drift;
    let form = drift_at(e, "request.content.application/x-www-form-urlencoded").unwrap();
    assert_eq!(form.kind, DriftKind::UndeclaredContentType);
    assert!(form.detail.contains("application/json"));
    assert_eq!(
        drift_at(e, "response.422.content.application/json").unwrap().kind,
        DriftKind::UndeclaredContentType
    );
    assert_eq!(drift.len(), 2, "{drift:#?}");

    // A body where the operation declares none at all.
    let mut cancel = endpoint(HOST, "DELETE", "/v2/payments/{paymentId}", 1);
    respond(&mut cancel, 204, Some(&json!({"cancelled": true})), 1);
    let inventory = compared(vec![cancel]);
    let d = drift_at(&inventory.endpoints[0], "response.204.content.application/json").unwrap();
    assert!(d.detail.contains("declares no content"), "{}", d.detail);
}

#[test]
fn type_mismatches_in_bodies_and_parameters() {
    let mut e = endpoint(HOST, "GET", "/v1/accounts/{accountId}", 4);
    let mut body = account_body();
    body["overdraftLimit"] = json!("5000.00"); // spec: integer
    body["accountId"] = json!(123); // spec: string — strings may be digits, numbers may not be strings
    respond(&mut e, 200, Some(&body), 3);
    respond(&mut e, 200, Some(&account_body()), 1);
    let mut list = endpoint(HOST, "GET", "/v1/accounts", 3);
    list.query_params.insert("page".into(), param("page", &["2", "3", "last"]));
    list.query_params.insert("pageSize".into(), param("pageSize", &["50", "50", "100"]));
    respond(&mut list, 200, None, 3);
    let mut category = endpoint(HOST, "GET", "/v2/categories/{categoryId}", 2);
    category.path_params.push(param("categoryId", &["groceries", "42"]));
    respond(
        &mut category,
        200,
        Some(
            &json!({"name": "Food", "parent": {"name": 7}, "children": [{"name": "Bakery", "children": [{"name": "Bread"}]}]}),
        ),
        2,
    );
    let inventory = compared(vec![e, list, category]);

    let e = find(&inventory, "GET", "/v1/accounts/{accountId}");
    let limit = drift_at(e, "response.200.body/overdraftLimit").unwrap();
    assert_eq!(limit.kind, DriftKind::TypeMismatch);
    assert!(
        limit.detail.contains("declared integer") && limit.detail.contains("string ×3"),
        "{}",
        limit.detail
    );
    let id = drift_at(e, "response.200.body/accountId").unwrap();
    assert_eq!(id.kind, DriftKind::TypeMismatch);
    // 3.0 `nullable: true` admits the null nickname.
    assert!(drift_at(e, "response.200.body/nickname").is_none());

    let list = find(&inventory, "GET", "/v1/accounts");
    let page = drift_at(list, "query.page").unwrap();
    assert_eq!(page.kind, DriftKind::TypeMismatch);
    assert!(page.detail.contains("1 non-numeric"), "{}", page.detail);
    assert!(drift_at(list, "query.pageSize").is_none());

    let category = find(&inventory, "GET", "/v2/categories/{categoryId}");
    assert_eq!(drift_at(category, "path.categoryId").unwrap().kind, DriftKind::TypeMismatch);
    // The recursive schema is followed for two levels.
    assert_eq!(drift_at(category, "response.200.body/parent/name").unwrap().kind, DriftKind::TypeMismatch);
    assert_eq!(
        category.spec.as_ref().unwrap().drift.len(),
        2,
        "{:#?}",
        category.spec.as_ref().unwrap().drift
    );
}
