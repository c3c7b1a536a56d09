//! The declared spec documents part of the API, truthfully, with planted gaps for drift demos.

use std::collections::BTreeSet;

use serde_json::Value;

fn spec() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml"))
            .unwrap();
    yaml_serde::from_str(&text).unwrap()
}

fn declared_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[test]
fn spec_documents_only_real_routes_and_leaves_out_the_hidden_ones() {
    let spec = spec();
    assert_eq!(spec["openapi"], "3.0.3");
    assert_eq!(spec["servers"][0]["url"], "https://api.demo-bank.example");
    let routes: BTreeSet<(String, String)> =
        rampart_demo::routes().into_iter().map(|(m, p)| (m.to_owned(), p.to_owned())).collect();
    let declared = declared_operations(&spec);
    let invented: Vec<_> = declared.difference(&routes).collect();
    assert!(invented.is_empty(), "spec declares routes the API lacks: {invented:?}");
    let undocumented: BTreeSet<String> =
        routes.difference(&declared).map(|(m, p)| format!("{m} {p}")).collect();
    let expected: BTreeSet<String> = [
        "GET /internal/admin/users",
        "GET /internal/admin/users/{username}",
        "POST /internal/admin/cache/flush",
        "GET /internal/health",
        "POST /v2/webhooks",
        "GET /v2/webhooks",
        "POST /v2/cards/{cardId}/freeze",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(undocumented, expected);
    assert_eq!(spec["paths"]["/v1/accounts"]["get"]["deprecated"], true);
    assert_eq!(spec["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
}

#[test]
fn customer_schema_misses_exactly_the_nric_field() {
    let spec = spec();
    let declared: BTreeSet<&str> = spec["components"]["schemas"]["Customer"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let data = rampart_demo::data::Dataset::generate(1, 200);
    let mut served = BTreeSet::new();
    for c in &data.customers {
        let json = rampart_demo::api::customer_json(c);
        served.extend(json.as_object().unwrap().keys().cloned());
    }
    let undeclared: Vec<&String> = served.iter().filter(|f| !declared.contains(f.as_str())).collect();
    assert_eq!(undeclared, vec!["nric"]);
}
