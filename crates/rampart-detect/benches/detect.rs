//! Exchanges per second through every detector, against a baseline measured in the same run:
//! cloning the exchange (what any consumer of the tap pays at least). Report the ratio.
//!
//! `cargo bench -p rampart-detect --bench detect`; `bench/detect.sh` also measures memory with
//! a million distinct client keys (the `memory` example).

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_core::{Body, Client, Exchange, Request, Response};
use rampart_detect::{DetectConfig, Engine};

fn exchange(i: u64, start: DateTime<Utc>) -> Exchange {
    let customer = i % 5_000;
    let ip = IpAddr::V4(Ipv4Addr::new(10, (customer >> 8) as u8, customer as u8, 7));
    let (method, path, body, status, response) = match i % 10 {
        0 => (
            "POST",
            "/api/v1/auth/login".to_owned(),
            Some(format!(r#"{{"username":"user{customer}@mail.example","password":"hunter2!"}}"#)),
            200,
            r#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.redacted","token_type":"Bearer","expires_in":900}"#.to_owned(),
        ),
        1..=4 => (
            "GET",
            format!("/api/v1/accounts/{}", 100_000 + customer),
            None,
            200,
            format!(r#"{{"id":{},"currency":"SGD","balance":1234.5}}"#, 100_000 + customer),
        ),
        5..=7 => (
            "GET",
            format!("/api/v1/accounts/{}/transactions", 100_000 + customer),
            None,
            200,
            r#"[{"amount":12.5,"merchant":"Kopi Corner"},{"amount":40,"merchant":"NTUC"},{"amount":3.2,"merchant":"MRT"}]"#.to_owned(),
        ),
        8 => ("GET", "/api/v1/beneficiaries".to_owned(), None, 200, r#"[{"name":"Mum","bank":"DBS"}]"#.to_owned()),
        _ => (
            "POST",
            "/api/v1/transfers".to_owned(),
            Some(r#"{"from":100001,"to":"Mum","amount":50}"#.to_owned()),
            201,
            r#"{"id":"tr_81723","status":"pending"}"#.to_owned(),
        ),
    };
    Exchange {
        v: 1,
        id: None,
        started_at: start + Duration::milliseconds(i as i64),
        duration_ms: Some(12.0),
        client: Client { ip: Some(ip), identity: Some(format!("jwt:cust-{customer}")), ..Client::default() },
        source: Default::default(),
        request: Request {
            method: method.to_owned(),
            scheme: "https".to_owned(),
            host: "api.bank.example".to_owned(),
            path,
            query: if i % 10 == 5 { vec![("page".to_owned(), "2".to_owned())] } else { Vec::new() },
            headers: vec![
                (
                    "user-agent".to_owned(),
                    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)".to_owned(),
                ),
                ("authorization".to_owned(), "Bearer eyJhbGciOiJIUzI1NiJ9.e30.redacted".to_owned()),
                ("content-type".to_owned(), "application/json".to_owned()),
            ],
            body: body.map(Body::from_text),
        },
        response: Some(Response {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Some(Body::from_text(response)),
        }),
    }
}

fn bench(c: &mut Criterion) {
    let start = Utc::now();
    let exchanges: Vec<Exchange> = (0..10_000).map(|i| exchange(i, start)).collect();
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Elements(exchanges.len() as u64));
    group.bench_function("baseline_clone", |b| {
        b.iter(|| {
            for exchange in &exchanges {
                black_box(exchange.clone());
            }
        })
    });
    group.bench_function("all_detectors", |b| {
        let mut engine = match Engine::new(DetectConfig::default()) {
            Ok(engine) => engine,
            Err(error) => panic!("default config: {error}"),
        };
        b.iter(|| {
            for exchange in &exchanges {
                engine.observe(black_box(exchange));
            }
            black_box(engine.drain());
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
