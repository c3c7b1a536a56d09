//! The reconstructed OpenAPI 3.1 export: structure, and validity per `openapi-spec-validator`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::*;
use rampart_core::{AuthKind, Inventory};
use rampart_openapi::{compare, export_openapi, load_spec, to_yaml};
use serde_json::{Value, json};

const HOST: &str = "api.bank.example";

/// A small open-banking host: accounts, transfers, a zombie, a shadow admin endpoint, and an
/// endpoint of another host that must stay out of this host's document.
fn inventory() -> Inventory {
    let mut list = endpoint(HOST, "GET", "/v1/accounts", 30);
    jwt_auth(&mut list);
    list.query_params.insert("page".into(), param("page", &["1"; 12]));
    list.header_params.insert("x-correlation-id".into(), param("x-correlation-id", &["c0ffee"; 30]));
    respond(
        &mut list,
        200,
        Some(&json!({"accounts": [{"accountId": "0123456789", "iban": "GB82 **** 5432",
        "balance": {"amount": "10.00", "currency": "GBP"}, "openedOn": "2019-04-01"}], "page": 1})),
        29,
    );
    respond(&mut list, 401, Some(&json!({"title": "Unauthorized"})), 1);

    let mut get = endpoint(HOST, "GET", "/v1/accounts/{accountId}", 12);
    jwt_auth(&mut get);
    get.path_params.push(param("accountId", &["0123456789"; 12]));
    respond(&mut get, 200, Some(&json!({"accountId": "0123456789", "nickname": null})), 11);
    get.statuses.insert(0, 1);

    // Same shape, other parameter name: must share one OpenAPI path.
    let mut delete = endpoint(HOST, "DELETE", "/v1/accounts/{id}", 1);
    delete.path_params.push(param("id", &["0123456789"]));
    delete.auth.add_scheme(AuthKind::Basic, None, 1);
    respond(&mut delete, 204, None, 1);

    let mut transfer = endpoint(HOST, "POST", "/v1/transfers", 5);
    transfer.auth.add_scheme(AuthKind::ApiKeyHeader, Some("X-API-Key"), 4);
    transfer.auth.add_scheme(AuthKind::None, None, 1);
    transfer.auth.unauthenticated_calls = 1;
    transfer.header_params.insert("x-api-key".into(), param("x-api-key", &["k***"; 4]));
    transfer.header_params.insert("content-type".into(), param("content-type", &["application/json"; 5]));
    send(
        &mut transfer,
        "application/json",
        &json!({"debtorAccount": "0123456789", "amount": {"amount": "1.00", "currency": "GBP"}}),
        5,
    );
    respond(&mut transfer, 201, Some(&json!({"transferId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"})), 5);

    let mut statements = endpoint(HOST, "GET", "/v1/accounts/{accountId}/statements", 2);
    statements.path_params.push(param("accountId", &["0123456789"; 2]));
    statements.auth.add_scheme(AuthKind::Cookie, Some("SESSION"), 2);
    respond(&mut statements, 200, Some(&json!([{"period": "2026-10"}])), 2);

    let mut admin = endpoint(HOST, "GET", "/internal/users/{userId}/sessions/{userId}", 1);
    admin.auth.add_scheme(AuthKind::ApiKeyQuery, Some("token"), 1);
    admin.query_params.insert("token".into(), param("token", &["t***"]));
    respond(&mut admin, 999, None, 1);

    let proppatch = endpoint(HOST, "PROPFIND", "/webdav", 1);
    let other_host = endpoint("cards.bank.example", "GET", "/v1/cards", 3);
    Inventory { endpoints: vec![list, get, delete, transfer, statements, admin, proppatch, other_host] }
}

fn compared_inventory() -> Inventory {
    let mut inventory = inventory();
    let spec = load_spec(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/bank-v1.yaml")).unwrap();
    compare(&mut inventory, &[spec]);
    inventory
}

#[test]
fn document_has_header_info_and_only_this_hosts_called_endpoints() {
    let doc = export_openapi(&compared_inventory(), HOST);
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "api.bank.example (reconstructed by Rampart)");
    assert_eq!(doc["info"]["version"], "observed-2026-11-03");
    assert_eq!(doc["servers"], json!([{"url": "https://api.bank.example"}]));
    let paths = doc["paths"].as_object().unwrap();
    let mut keys: Vec<&str> = paths.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "/internal/users/{userId}/sessions/{userId2}",
            "/v1/accounts",
            "/v1/accounts/{accountId}",
            "/v1/accounts/{accountId}/statements",
            "/v1/transfers",
        ]
    );
    // The unused operations added by compare (calls 0) are left out, so is PROPFIND.
    assert!(paths["/v1/accounts/{accountId}"].get("patch").is_none());
    assert!(paths["/v1/accounts/{accountId}"]["delete"].is_object());
}

#[test]
fn operations_describe_parameters_bodies_and_responses() {
    let doc = export_openapi(&compared_inventory(), HOST);
    let list = &doc["paths"]["/v1/accounts"]["get"];
    assert_eq!(list["operationId"], "getV1Accounts");
    let params = list["parameters"].as_array().unwrap();
    let page = params.iter().find(|p| p["name"] == "page").unwrap();
    assert_eq!(page["in"], "query");
    assert_eq!(page["required"], false, "sent in 12 of 30 calls");
    let correlation = params.iter().find(|p| p["name"] == "x-correlation-id").unwrap();
    assert_eq!(correlation["required"], true);
    let ok = &list["responses"]["200"];
    assert_eq!(ok["description"], "OK, observed 29 times");
    let account = &ok["content"]["application/json"]["schema"]["properties"]["accounts"]["items"];
    assert_eq!(account["properties"]["openedOn"], json!({"type": "string", "format": "date"}));
    assert_eq!(account["required"], json!(["accountId", "balance", "iban", "openedOn"]));
    assert!(list["responses"]["401"]["content"].is_object());

    let get = &doc["paths"]["/v1/accounts/{accountId}"]["get"];
    assert_eq!(
        get["parameters"],
        json!([{"name": "accountId", "in": "path", "required": true, "schema": {"type": "string"}}])
    );
    assert_eq!(
        get["responses"].as_object().unwrap().keys().collect::<Vec<_>>(),
        vec!["200"],
        "status 0 is skipped"
    );
    assert_eq!(
        get["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["nickname"],
        json!({"type": "null"})
    );
    // The DELETE endpoint's `{id}` is renamed to the path's `{accountId}`.
    let delete = &doc["paths"]["/v1/accounts/{accountId}"]["delete"];
    assert_eq!(delete["parameters"][0]["name"], "accountId");
    assert!(delete["responses"]["204"].get("content").is_none());

    let transfer = &doc["paths"]["/v1/transfers"]["post"];
    assert_eq!(transfer["requestBody"]["required"], true);
    assert_eq!(
        transfer["requestBody"]["content"]["application/json"]["schema"]["required"],
        json!(["amount", "debtorAccount"])
    );
    // The API key and Content-Type headers are described by security and media types instead.
    assert!(transfer.get("parameters").is_none(), "{transfer:#}");

    let admin = &doc["paths"]["/internal/users/{userId}/sessions/{userId2}"]["get"];
    let names: Vec<&Value> = admin["parameters"].as_array().unwrap().iter().map(|p| &p["name"]).collect();
    assert_eq!(names, vec!["userId", "userId2"], "query API key is not a parameter");
    assert_eq!(admin["responses"], json!({"default": {"description": "No response was observed"}}));
}

#[test]
fn security_schemes_come_from_observed_credentials() {
    let doc = export_openapi(&compared_inventory(), HOST);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearerJwt"], json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}));
    assert_eq!(schemes["basicAuth"], json!({"type": "http", "scheme": "basic"}));
    assert_eq!(
        schemes["apiKeyHeader_X-API-Key"],
        json!({"type": "apiKey", "in": "header", "name": "X-API-Key"})
    );
    assert_eq!(schemes["apiKeyQuery_token"], json!({"type": "apiKey", "in": "query", "name": "token"}));
    assert_eq!(schemes["cookie_SESSION"], json!({"type": "apiKey", "in": "cookie", "name": "SESSION"}));
    assert_eq!(doc["paths"]["/v1/accounts"]["get"]["security"], json!([{"bearerJwt": []}]));
    // One call went through without credentials: the empty requirement records that.
    assert_eq!(
        doc["paths"]["/v1/transfers"]["post"]["security"],
        json!([{"apiKeyHeader_X-API-Key": []}, {}])
    );
}

#[test]
fn spec_status_lands_in_deprecated_and_the_extension() {
    let doc = export_openapi(&compared_inventory(), HOST);
    let statements = &doc["paths"]["/v1/accounts/{accountId}/statements"]["get"];
    assert_eq!(statements["deprecated"], true);
    assert_eq!(statements["x-rampart"]["specStatus"], "zombie");
    assert!(statements["x-rampart"]["reason"].as_str().unwrap().contains("deprecated"));
    let admin = &doc["paths"]["/internal/users/{userId}/sessions/{userId2}"]["get"];
    assert_eq!(admin["x-rampart"]["specStatus"], "shadow");
    assert!(admin.get("deprecated").is_none());
    let list = &doc["paths"]["/v1/accounts"]["get"];
    assert_eq!(list["x-rampart"]["calls"], 30);
    assert_eq!(list["x-rampart"]["firstSeen"], "2026-11-01T08:00:00+00:00");
    assert_eq!(list["x-rampart"]["specStatus"], "documented");
    // The 401 falls under the declared 4XX, which promises problem+json: drift travels along.
    assert_eq!(list["x-rampart"]["drift"][0]["location"], "response.401.content.application/json");
}

#[test]
fn operation_ids_are_unique_and_an_unknown_host_exports_an_empty_document() {
    let doc = export_openapi(&compared_inventory(), HOST);
    let mut ids = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            ids.push(op["operationId"].as_str().unwrap().to_owned());
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count);
    let empty = export_openapi(&compared_inventory(), "nobody.example");
    assert_eq!(empty["paths"], json!({}));
    assert!(empty.get("components").is_none());
}

#[test]
fn yaml_rendering_round_trips_with_string_status_keys() {
    let doc = export_openapi(&compared_inventory(), HOST);
    let yaml = to_yaml(&doc).unwrap();
    assert!(yaml.starts_with("openapi: 3.1.0") || yaml.contains("\nopenapi: 3.1.0"), "{yaml}");
    let reread = rampart_openapi::parse_spec("export.yaml", &yaml).unwrap();
    assert_eq!(reread.openapi_version, "3.1.0");
    assert!(
        reread
            .operations
            .iter()
            .any(|o| o.method == "GET" && o.template == "/v1/accounts" && o.responses.contains_key("200"))
    );
    let back: Value = yaml_serde::from_str(&yaml).unwrap();
    assert!(
        back["paths"]["/v1/accounts"]["get"]["responses"].get("200").is_some(),
        "status keys stay strings"
    );
}

/// Runs the independent validator on the JSON and YAML exports. Opt-in because it needs Python
/// and `pip install openapi-spec-validator`.
#[test]
fn export_passes_openapi_spec_validator() {
    if std::env::var("RAMPART_TEST_OPENAPI_VALIDATOR").as_deref() != Ok("1") {
        println!(
            "skipped: set RAMPART_TEST_OPENAPI_VALIDATOR=1 (needs `pip install openapi-spec-validator`)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let doc = export_openapi(&compared_inventory(), HOST);
    let json_path = dir.path().join("reconstructed.json");
    let yaml_path = dir.path().join("reconstructed.yaml");
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    std::fs::write(&yaml_path, to_yaml(&doc).unwrap()).unwrap();
    for path in [&json_path, &yaml_path] {
        let output = Command::new("python3")
            .args(["-m", "openapi_spec_validator", "--schema", "3.1"])
            .arg(path)
            .output()
            .expect("python3 with openapi-spec-validator installed");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{}: {stdout}\n{stderr}", path.display());
        assert!(stdout.contains("OK"), "{stdout}");
    }
}

#[test]
fn every_path_template_parameter_is_declared_once_and_required() {
    let doc = export_openapi(&compared_inventory(), HOST);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let mut template_names: Vec<String> =
            path.split('{').skip(1).map(|rest| rest.split('}').next().unwrap().to_owned()).collect();
        template_names.sort();
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut path_names: Vec<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .inspect(|p| assert_eq!(p["required"], true, "{method} {path}"))
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            path_names.sort();
            assert_eq!(path_names, template_names, "{method} {path}");
            let mut keys: Vec<(String, String)> =
                params.iter().map(|p| (p["name"].to_string(), p["in"].to_string())).collect();
            let count = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), count, "{method} {path}: duplicate parameters");
            for (status, _) in op["responses"].as_object().unwrap() {
                assert!(status == "default" || status.parse::<u16>().is_ok_and(|s| (100..600).contains(&s)));
            }
        }
    }
}
