//! Route match + full request check of a typical JSON payment POST against the demo bank spec,
//! beside the floor it cannot beat: parsing the same body with serde_json. The ratio of the two
//! is what to watch; absolute numbers depend on the machine.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, Method, Request, StatusCode};
use rampart_validate::{RouteMatch, SpecValidator, ValidateConfig};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bank-api.openapi.yaml");

fn bench(c: &mut Criterion) {
    let validator =
        SpecValidator::from_config(ValidateConfig { specs: vec![SPEC.into()], ..Default::default() })
            .expect("bank spec compiles");
    let body = br#"{"fromAccountId":"acc_3137425388c5","amount":{"value":"125.00","currency":"SGD"},"creditor":{"name":"Tan Wei Jie","accountNumber":"0123456789","bankCode":"7171"},"reference":"Invoice 2026-114"}"#;
    let (parts, ()) = Request::builder()
        .method("POST")
        .uri("/v2/payments")
        .header("content-type", "application/json")
        .header("idempotency-key", "7d1f0c2e-pay-0001")
        .header("authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig")
        .body(())
        .expect("request")
        .into_parts();
    assert!(validator.check_request(&parts, body).is_valid());

    let mut group = c.benchmark_group("payment_post");
    group.bench_function("serde_json_parse_only", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).ok()))
    });
    group.bench_function("route_only", |b| {
        b.iter(|| {
            matches!(
                validator.route(black_box(&Method::POST), black_box("/v2/payments")),
                RouteMatch::Operation { .. }
            )
        })
    });
    group.bench_function("route_and_check_request", |b| {
        b.iter(|| black_box(validator.check_request(black_box(&parts), black_box(body))))
    });
    group.finish();

    let op = validator.check_request(&parts, body).operation.expect("routed");
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().expect("header"));
    let response = br#"{"paymentId":"5b7c1e0a-1111-4222-8333-944455556666","status":"COMPLETED","fromAccountId":"acc_3137425388c5","amount":{"value":"125.00","currency":"SGD"},"creditor":{"name":"Tan Wei Jie","accountNumber":"0123456789","bankCode":"7171"},"reference":"Invoice 2026-114","createdAt":"2026-11-02T10:00:00Z"}"#;
    c.bench_function("payment_post/check_response", |b| {
        b.iter(|| black_box(validator.check_response(op, StatusCode::CREATED, &headers, black_box(response))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
