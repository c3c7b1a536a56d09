//! Loading the fixture specs in tests/data: versions, refs, servers, errors.

use std::path::PathBuf;

use rampart_core::ParamLocation;
use rampart_openapi::{SpecError, declared_templates, load_spec, parse_spec};
use serde_json::json;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

#[test]
fn openapi_30_yaml_resolves_refs_and_applies_server_base_path() {
    let doc = load_spec(&data("bank-v1.yaml")).unwrap();
    assert_eq!(doc.openapi_version, "3.0.3");
    assert_eq!(doc.title.as_deref(), Some("Retail Bank Accounts API"));
    assert_eq!(doc.hosts, vec!["api.bank.example".to_owned(), "sandbox.bank.example".to_owned()]);
    assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);

    let list = doc.operations.iter().find(|o| o.operation_id.as_deref() == Some("listAccounts")).unwrap();
    assert_eq!((list.method.as_str(), list.template.as_str()), ("GET", "/v1/accounts"));
    assert_eq!(list.hosts, doc.hosts);
    let names: Vec<(&str, ParamLocation)> =
        list.parameters.iter().map(|p| (p.name.as_str(), p.location)).collect();
    assert_eq!(
        names,
        vec![
            ("page", ParamLocation::Query),
            ("pageSize", ParamLocation::Query),
            ("X-Correlation-ID", ParamLocation::Header)
        ]
    );
    assert_eq!(list.parameters[0].schema, json!({"type": "integer", "minimum": 1}));
    // YAML integer keys (`200:`) become strings; `4XX` stays a range and the response $ref is followed.
    assert!(list.responses.contains_key("200"));
    let problem = &list.responses["4XX"]["application/problem+json"];
    assert_eq!(problem["properties"]["status"], json!({"type": "integer"}));
    // Schema refs are inlined through arrays and nested refs.
    let accounts = &list.responses["200"]["application/json"]["properties"]["accounts"];
    assert_eq!(accounts["items"]["properties"]["balance"]["required"], json!(["amount", "currency"]));
    assert_eq!(list.security.as_ref().unwrap()[0]["oauth2"], vec!["accounts:read".to_owned()]);
}

#[test]
fn path_item_parameters_merge_and_request_body_refs_resolve() {
    let doc = load_spec(&data("bank-v1.yaml")).unwrap();
    let patch = doc.operations.iter().find(|o| o.method == "PATCH").unwrap();
    assert_eq!(patch.template, "/v1/accounts/{accountId}");
    assert_eq!(patch.parameters.len(), 1);
    assert!(patch.parameters[0].required);
    assert_eq!(patch.parameters[0].location, ParamLocation::Path);
    assert_eq!(patch.request_body["application/json"]["additionalProperties"], json!(false));
    assert!(patch.responses["204"].is_empty());
    assert!(patch.responses.contains_key("default"));

    let statements = doc.operations.iter().find(|o| o.template.ends_with("/statements")).unwrap();
    assert!(statements.deprecated);
    // The operation's own accountId replaces nothing else: still one path parameter.
    assert_eq!(statements.parameters.iter().filter(|p| p.location == ParamLocation::Path).count(), 1);
    assert_eq!(doc.security_schemes["apiKey"]["name"], json!("X-API-Key"));
}

#[test]
fn openapi_31_json_with_type_arrays_and_a_recursive_schema() {
    let doc = load_spec(&data("payments-v2.json")).unwrap();
    assert_eq!(doc.openapi_version, "3.1.0");
    let category = doc.operations.iter().find(|o| o.operation_id.as_deref() == Some("getCategory")).unwrap();
    assert_eq!(category.template, "/v2/categories/{categoryId}");
    let schema = &category.responses["200"]["application/json"];
    // Expanded twice, then cut to a schema that allows anything.
    assert_eq!(schema["properties"]["parent"]["properties"]["name"], json!({"type": "string"}));
    assert_eq!(schema["properties"]["parent"]["properties"]["parent"], json!({}));
    assert_eq!(schema["properties"]["children"]["items"]["properties"]["children"]["items"], json!({}));
    let documents =
        doc.operations.iter().find(|o| o.operation_id.as_deref() == Some("listDocuments")).unwrap();
    assert_eq!(documents.parameters[1].schema["type"], json!(["string", "null"]));
    assert!(documents.responses.contains_key("2XX"));
}

#[test]
fn declared_templates_carry_their_host_scope() {
    let bank = load_spec(&data("bank-v1.yaml")).unwrap();
    let relative = parse_spec(
        "cards.yaml",
        "openapi: 3.1.0\ninfo: {title: Cards, version: '1'}\nservers: [{url: /cards}]\npaths:\n  /{cardId}:\n    get: {}\n",
    )
    .unwrap();
    let templates = declared_templates(&[bank, relative]);
    assert!(templates.contains(&(None, "/cards/{cardId}".to_owned())));
    assert!(
        templates.contains(&(Some("api.bank.example".to_owned()), "/v1/accounts/{accountId}".to_owned()))
    );
    assert!(
        templates.contains(&(Some("sandbox.bank.example".to_owned()), "/v1/accounts/{accountId}".to_owned()))
    );
    // GET and PATCH on the same template give one entry per host.
    let count = templates.iter().filter(|(_, t)| t == "/v1/accounts/{accountId}").count();
    assert_eq!(count, 2);
}

#[test]
fn broken_yaml_names_the_file_and_position() {
    let err = load_spec(&data("broken.yaml")).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, SpecError::Syntax { .. }), "{message}");
    assert!(message.contains("broken.yaml"), "{message}");
    assert!(message.contains("line"), "{message}");
}

#[test]
fn swagger_2_is_refused_with_advice() {
    let err = load_spec(&data("swagger2.json")).unwrap_err();
    assert!(matches!(err, SpecError::Swagger2 { .. }));
    let message = err.to_string();
    assert!(
        message.contains("swagger2.json")
            && message.contains("Swagger 2.0 is not supported; convert to OpenAPI 3")
    );
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let err = load_spec(&data("no-such-spec.yaml")).unwrap_err();
    assert!(matches!(err, SpecError::Io { .. }));
    assert!(err.to_string().contains("no-such-spec.yaml"));
}

#[test]
fn errors_point_at_the_offending_field() {
    let dangling = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "x",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gone"}}}}}}}}}"##;
    let err = parse_spec("dangling.json", dangling).unwrap_err().to_string();
    assert!(
        err.starts_with("dangling.json: #/paths/~1a/get/responses/200/content/application~1json/schema"),
        "{err}"
    );
    assert!(err.contains("#/components/schemas/Gone"), "{err}");

    let bad_in = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - {name: q, in: body}\n";
    let err = parse_spec("bad-in.yaml", bad_in).unwrap_err().to_string();
    assert_eq!(
        err,
        "bad-in.yaml: #/paths/~1a/get/parameters/0/in: must be one of path, query, header, cookie"
    );

    let no_version = "info: {title: t}\npaths: {}\n";
    let err = parse_spec("plain.yaml", no_version).unwrap_err().to_string();
    assert!(err.contains("plain.yaml: #/openapi: missing"), "{err}");

    let v4 = r#"{"openapi": "4.0.0", "paths": {}}"#;
    assert!(parse_spec("v4.json", v4).unwrap_err().to_string().contains("unsupported version"));
    assert!(matches!(parse_spec("empty.yaml", "  \n").unwrap_err(), SpecError::Syntax { .. }));
    assert!(matches!(parse_spec("list.yaml", "- a\n- b\n").unwrap_err(), SpecError::Invalid { .. }));
}

#[test]
fn cyclic_parameter_refs_are_an_error_not_a_hang() {
    let cyclic = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/A'\ncomponents:\n  parameters:\n    A: {$ref: '#/components/parameters/B'}\n    B: {$ref: '#/components/parameters/A'}\n";
    let err = parse_spec("cyclic.yaml", cyclic).unwrap_err().to_string();
    assert!(err.contains("cyclic"), "{err}");
}

#[test]
fn external_refs_are_warned_about_and_allow_anything() {
    let spec = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
        "responses": {"200": {"description": "x", "content": {"application/json": {
        "schema": {"$ref": "common.yaml#/Account"}}}}}}}}}"#;
    let doc = parse_spec("ext.json", spec).unwrap();
    assert_eq!(doc.operations[0].responses["200"]["application/json"], json!({}));
    assert_eq!(doc.warnings.len(), 1);
    assert!(doc.warnings[0].contains("common.yaml#/Account"));
}

#[test]
fn ref_siblings_in_31_constrain_too() {
    let spec = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
        "responses": {"200": {"description": "x", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Base", "description": "annotated", "required": ["id"]}}}}}}}},
        "components": {"schemas": {"Base": {"type": "object", "properties": {"id": {"type": "string"}}}}}}"##;
    let doc = parse_spec("siblings.json", spec).unwrap();
    let schema = &doc.operations[0].responses["200"]["application/json"];
    assert_eq!(schema["allOf"][0]["properties"]["id"], json!({"type": "string"}));
    assert_eq!(schema["allOf"][1], json!({"required": ["id"]}));
}

#[test]
fn exponential_ref_sharing_is_bounded() {
    // Each level refers to the previous one twice: 2^40 nodes if inlined naively.
    let mut schemas = serde_json::Map::new();
    schemas.insert("L0".into(), json!({"type": "string"}));
    for i in 1..40 {
        let prev = format!("#/components/schemas/L{}", i - 1);
        schemas.insert(
            format!("L{i}"),
            json!({"type": "object", "properties": {"a": {"$ref": prev}, "b": {"$ref": prev}}}),
        );
    }
    let spec = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json":
            {"schema": {"$ref": "#/components/schemas/L39"}}}}}}}},
        "components": {"schemas": schemas}});
    let doc = parse_spec("wide.json", &spec.to_string()).unwrap();
    assert!(doc.warnings.iter().any(|w| w.contains("budget")), "{:?}", doc.warnings);
}

#[test]
fn flow_style_yaml_that_looks_like_json_still_loads() {
    let doc = parse_spec(
        "flow.yaml",
        "{openapi: 3.1.0, info: {title: t, version: '1'}, paths: {/ping: {get: {}}}}",
    )
    .unwrap();
    assert_eq!(doc.operations[0].template, "/ping");
    assert!(doc.operations[0].hosts.is_empty());
}
