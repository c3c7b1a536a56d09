//! Schema inference throughput on a realistic ~1 KB bank JSON body.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_core::{Endpoint, EndpointKey, Exchange, SchemaNode};
use rampart_discovery::record::{RecordConfig, record_exchange};
use rampart_discovery::schema::{InferenceLimits, observe_body, observe_json};

const BODY: &str = r#"{"accountId":"3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b","accountNumber":"0012345678","status":"ACTIVE","currency":"SGD","availableBalance":15230.75,"ledgerBalance":15480,"owner":{"customerId":"C-0042","name":"Jane Tan","email":"jane.tan@bank.example","since":"2019-04-01"},"transactions":[{"id":"TX-20261129-0001","amount":-42.5,"currency":"SGD","bookedAt":"2026-11-29T10:00:00Z","description":"GRAB*RIDE 8812","category":"transport","counterparty":null},{"id":"TX-20261129-0002","amount":2500,"currency":"SGD","bookedAt":"2026-11-28T09:30:00+08:00","description":"SALARY NOV","category":"income","counterparty":{"name":"Acme Pte Ltd","account":"0098765432"}},{"id":"TX-20261127-0003","amount":-12.9,"currency":"SGD","bookedAt":"2026-11-27T19:12:44Z","description":"NTUC FAIRPRICE","category":"groceries","counterparty":null},{"id":"TX-20261126-0004","amount":-1200,"currency":"SGD","bookedAt":"2026-11-26T08:00:00Z","description":"RENT DEC","category":"housing","counterparty":{"name":"Landlord","account":"0011223344"}}],"links":{"self":"https://api.bank.example/v2/accounts/8812345","next":null},"page":1,"hasMore":false}"#;

fn inference(c: &mut Criterion) {
    let limits = InferenceLimits::default();
    let mut group = c.benchmark_group("inference");
    group.throughput(Throughput::Bytes(BODY.len() as u64));

    let mut node = SchemaNode::default();
    group.bench_function("observe_body_streaming", |b| {
        b.iter(|| observe_body(&mut node, black_box(BODY.as_bytes()), "application/json", &limits).unwrap())
    });

    let mut node = SchemaNode::default();
    group.bench_function("parse_value_then_observe_json", |b| {
        b.iter(|| {
            let value: serde_json::Value = serde_json::from_str(black_box(BODY)).unwrap();
            observe_json(&mut node, &value, &limits)
        })
    });
    group.finish();

    let line = format!(
        r#"{{"started_at":"2026-11-29T10:00:00Z","duration_ms":12.5,
        "request":{{"method":"GET","host":"api.bank.example","path":"/v2/accounts/8812345",
          "query":[["expand","transactions"]],
          "headers":[["Accept","application/json"],["X-Request-Id","3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"],
                     ["Authorization","Bearer eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lkcC5iYW5rLmV4YW1wbGUiLCJzdWIiOiJjdXN0LTQyIiwiaWF0IjoxNzY0NDAwMDAwLCJleHAiOjE3NjQ0MDM2MDB9.c2ln"]]}},
        "response":{{"status":200,"headers":[["Content-Type","application/json"]],"body":{{"text":{}}}}}}}"#,
        serde_json::to_string(BODY).unwrap()
    );
    let ex: Exchange = serde_json::from_str(&line).unwrap();
    let cfg = RecordConfig::default();
    let mut ep = Endpoint::new(EndpointKey {
        host: "api.bank.example".into(),
        method: "GET".into(),
        path_template: "/v2/accounts/{accountId}".into(),
    });
    c.bench_function("record_exchange_1kb_jwt", |b| {
        b.iter(|| record_exchange(&mut ep, black_box(&ex), &cfg))
    });
}

criterion_group!(benches, inference);
criterion_main!(benches);
