//! Routing stays exact with 2,000 generated operations sharing prefixes and parameter positions.

use http::Method;
use rampart_validate::{RouteMatch, SpecValidator, ValidateConfig};

fn generated_spec(services: usize) -> String {
    let mut paths = String::new();
    for s in 0..services {
        // Four templates × (one or two methods) = 5 operations per service.
        paths.push_str(&format!(
            "  /svc{s}/items:\n    get:\n      operationId: list{s}\n      responses: {{'200': {{description: ok}}}}\n    post:\n      operationId: create{s}\n      responses: {{'201': {{description: ok}}}}\n"
        ));
        paths.push_str(&format!(
            "  /svc{s}/items/{{itemId}}:\n    get:\n      operationId: get{s}\n      parameters:\n        - {{name: itemId, in: path, required: true, schema: {{type: integer}}}}\n      responses: {{'200': {{description: ok}}}}\n"
        ));
        paths.push_str(&format!(
            "  /svc{s}/items/latest:\n    get:\n      operationId: latest{s}\n      responses: {{'200': {{description: ok}}}}\n"
        ));
        paths.push_str(&format!(
            "  /svc{s}/items/{{id}}/history:\n    get:\n      operationId: history{s}\n      responses: {{'200': {{description: ok}}}}\n"
        ));
    }
    format!("openapi: 3.0.3\ninfo: {{title: generated, version: '1'}}\npaths:\n{paths}")
}

#[test]
fn two_thousand_operations_route_exactly() {
    let services = 400;
    let spec = rampart_openapi::parse_spec("generated.yaml", &generated_spec(services)).unwrap();
    assert_eq!(spec.operations.len(), 2000);
    let v = SpecValidator::new(&[spec], ValidateConfig::default()).unwrap();
    assert_eq!(v.operation_count(), 2000);

    let op_id = |m: &RouteMatch<'_>| match m {
        RouteMatch::Operation { operation, .. } => v.operation(*operation).unwrap().operation_id.clone(),
        other => panic!("{other:?}"),
    };
    for s in (0..services).step_by(7) {
        assert_eq!(op_id(&v.route(&Method::GET, &format!("/svc{s}/items"))), Some(format!("list{s}")));
        assert_eq!(op_id(&v.route(&Method::POST, &format!("/svc{s}/items"))), Some(format!("create{s}")));
        assert_eq!(
            op_id(&v.route(&Method::GET, &format!("/svc{s}/items/{}", s * 3))),
            Some(format!("get{s}"))
        );
        assert_eq!(
            op_id(&v.route(&Method::GET, &format!("/svc{s}/items/latest"))),
            Some(format!("latest{s}"))
        );
        let history_path = format!("/svc{s}/items/latest/history");
        let history = v.route(&Method::GET, &history_path);
        assert_eq!(op_id(&history), Some(format!("history{s}")), "backtracks from the literal");
        let RouteMatch::Operation { path_params, .. } = history else { unreachable!() };
        assert_eq!(path_params[0].0, "id");
        assert_eq!(path_params[0].1, "latest");
        assert!(matches!(
            v.route(&Method::DELETE, &format!("/svc{s}/items")),
            RouteMatch::MethodNotAllowed { .. }
        ));
        assert!(matches!(v.route(&Method::GET, &format!("/svc{s}/things")), RouteMatch::Unknown));
    }
    assert!(matches!(v.route(&Method::GET, &format!("/svc{services}/items")), RouteMatch::Unknown));
    // Parameters are still checked per operation.
    let uri: http::Uri = "/svc399/items/abc".parse().unwrap();
    let check = v.check(&Method::GET, &uri, &http::HeaderMap::new(), b"");
    assert_eq!(check.violations.len(), 1);
    assert_eq!(check.violations[0].pointer, "itemId");
}
