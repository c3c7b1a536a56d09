//! The positive security model inline: requests that do not match the spec are refused in block
//! mode and let through (and counted) in monitor mode; responses that share more than the spec
//! declares are replaced by a safe error.

mod common;

use common::{config, get, post, upstream};
use http::StatusCode;
use rampart_gateway::config::{GatewayConfig, Mode};
use rampart_gateway::{Checks, TapTarget, start};
use rampart_validate::ValidateConfig;

fn with_spec(mut config: GatewayConfig, mode: Mode, strict: bool) -> GatewayConfig {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-bank.openapi.yaml");
    config.validate = Some(ValidateConfig {
        specs: vec![spec],
        strict_response_properties: strict,
        ..ValidateConfig::default()
    });
    config.routes[0].mode = mode;
    config
}

async fn start_gateway(mode: Mode, strict: bool) -> rampart_gateway::RunningGateway {
    let config = with_spec(config(upstream().await), mode, strict);
    let checks = Checks::from_config(&config).await.unwrap();
    start(config, checks, TapTarget::FromConfig).await.unwrap()
}

#[tokio::test]
async fn invalid_requests_are_refused_in_block_mode() {
    let gateway = start_gateway(Mode::Block, false).await;
    assert_eq!(post(gateway.addr, "/v2/echo", r#"{"amount":"12.50"}"#).await.status, StatusCode::OK);

    let answer = post(gateway.addr, "/v2/echo", r#"{"amount":12.5,"admin":true}"#).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.headers["content-type"], "application/problem+json");
    assert!(answer.body.contains("invalid-body"), "{}", answer.body);

    let answer = post(gateway.addr, "/v2/echo?page=0", r#"{"amount":"1.00"}"#).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);

    let answer = get(gateway.addr, "/v2/internal/admin").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("unknown-path"), "{}", answer.body);

    let answer = get(gateway.addr, "/v2/echo").await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(answer.headers["allow"], "POST");

    assert_eq!(gateway.metrics().decisions("invalid-body"), 1);
    assert_eq!(gateway.metrics().decisions("unknown-path"), 1);
    gateway.shutdown().await;
}

#[tokio::test]
async fn monitor_mode_lets_everything_through_and_counts() {
    let gateway = start_gateway(Mode::Monitor, false).await;
    let answer = post(gateway.addr, "/v2/echo", r#"{"amount":12.5}"#).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(get(gateway.addr, "/v2/internal/admin").await.status, StatusCode::NOT_FOUND);
    assert_eq!(gateway.metrics().decisions("invalid-body"), 1);
    assert_eq!(gateway.metrics().decisions("unknown-path"), 1);
    gateway.shutdown().await;
}

#[tokio::test]
async fn over_sharing_responses_are_replaced_in_block_mode() {
    // The upstream returns `nric`, which the spec does not declare for /v2/customers/me.
    let gateway = start_gateway(Mode::Block, true).await;
    let answer = get(gateway.addr, "/v2/customers/me").await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
    assert!(!answer.body.contains("S1234567D"));
    assert!(answer.body.contains("undeclared-response-property"), "{}", answer.body);
    gateway.shutdown().await;

    let gateway = start_gateway(Mode::Monitor, true).await;
    let answer = get(gateway.addr, "/v2/customers/me").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(gateway.metrics().decisions("undeclared-response-property"), 1);
    gateway.shutdown().await;
}
