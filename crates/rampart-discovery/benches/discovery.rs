//! Discovery end to end: Exchange JSON Lines in memory → `rampart_ingest::read_jsonl` →
//! `Discovery::observe` → `Discovery::finish`, on a realistic bank corpus with ~1 KB JSON bodies.
//!
//! Reported beside its baseline measured in the same run: deserialising the same lines into
//! `Exchange`s and nothing else (the floor any JSONL consumer pays). The ratio between the two is
//! the cost of discovery proper. Whole-system figures (1M exchanges, peak memory, comparison with
//! mitmproxy2swagger) come from `bench/discover.sh`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_discovery::{Discovery, DiscoveryConfig};
use rampart_ingest::{IngestOptions, read_jsonl};

const EXCHANGES: usize = 20_000;

/// A small deterministic generator (no extra dependency): xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

fn transaction(rng: &mut Rng) -> String {
    format!(
        r#"{{"transactionId":"{}","bookingDate":"2026-{:02}-{:02}","amount":{{"value":{}.{:02},"currency":"SGD"}},"description":"GIRO payment ref {}","counterparty":{{"name":"Tan Mei Ling","accountNumber":"{}"}},"status":"BOOKED"}}"#,
        uuid(rng),
        rng.below(11) + 1,
        rng.below(28) + 1,
        rng.below(5000),
        rng.below(100),
        rng.below(100_000),
        1_000_000_000 + rng.below(9_000_000_000)
    )
}

fn line(rng: &mut Rng, n: usize) -> String {
    let account = 1_000_000 + rng.below(90_000_000);
    let (method, path, body) = match rng.below(5) {
        0 => (
            "GET",
            format!("/v2/accounts/{account}"),
            format!(
                r#"{{"accountId":"{account}","type":"SAVINGS","currency":"SGD","owner":{{"name":"Rahul Sharma","email":"r{n}@mail.example","phone":"+65 9{:07}"}},"balance":{{"available":{}.5,"ledger":{}}},"openedOn":"2019-04-12","closedOn":null,"lastTransaction":{}}}"#,
                rng.below(10_000_000),
                rng.below(99_999),
                rng.below(99_999),
                transaction(rng)
            ),
        ),
        1 => (
            "GET",
            format!("/v2/accounts/{account}/transactions"),
            format!(
                r#"{{"data":[{},{},{}],"links":{{"next":"/v2/accounts/{account}/transactions?page=2"}}}}"#,
                transaction(rng),
                transaction(rng),
                transaction(rng)
            ),
        ),
        2 => ("GET", format!("/v2/accounts/{account}/transactions/{}", uuid(rng)), transaction(rng)),
        3 => (
            "GET",
            format!("/v2/payments/{}", uuid(rng)),
            format!(
                r#"{{"paymentId":"{}","status":"SETTLED","debtor":{},"createdAt":"2026-11-29T10:00:00Z"}}"#,
                uuid(rng),
                transaction(rng)
            ),
        ),
        _ => (
            "GET",
            "/v2/customers/me".to_owned(),
            format!(
                r#"{{"customerId":"CUST{}","name":"Li Wei","dob":"1988-04-12","accounts":[{},{}]}}"#,
                rng.below(999_999),
                transaction(rng),
                transaction(rng)
            ),
        ),
    };
    let body = serde_json::to_string(&body).unwrap_or_default();
    format!(
        r#"{{"v":1,"started_at":"2026-11-29T10:{:02}:{:02}Z","duration_ms":{}.5,"client":{{"ip":"203.0.113.{}"}},"request":{{"method":"{method}","scheme":"https","host":"api.apac-bank.example","path":"{path}","query":[["page","{}"]],"headers":[["Authorization","Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2F1dGguYmFuay5leGFtcGxlIiwic3ViIjoiY3VzdC00MiIsImV4cCI6MTc2NDQwMDkwMCwiaWF0IjoxNzY0NDAwMDAwfQ.c2lnbmF0dXJl"],["Accept","application/json"],["X-Request-Id","{n}"]]}},"response":{{"status":200,"headers":[["Content-Type","application/json"]],"body":{{"text":{body}}}}}}}"#,
        (n / 60) % 60,
        n % 60,
        rng.below(300),
        rng.below(250) + 1,
        rng.below(9) + 1
    )
}

fn corpus() -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::new();
    for n in 0..EXCHANGES {
        out.push_str(&line(&mut rng, n));
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let mut group = c.benchmark_group("discovery_end_to_end");
    group.throughput(Throughput::Elements(EXCHANGES as u64));
    group.sample_size(10);
    group.bench_function("baseline_parse_exchanges_only", |b| {
        b.iter(|| {
            let mut n = 0u64;
            let report = read_jsonl("bench.jsonl", corpus.as_bytes(), &IngestOptions::default(), &mut |ex| {
                black_box(&ex);
                n += 1;
            });
            assert_eq!(report.exchanges, EXCHANGES as u64);
            n
        });
    });
    group.bench_function("ingest_and_discover", |b| {
        b.iter(|| {
            let mut discovery = Discovery::new(DiscoveryConfig::default());
            read_jsonl("bench.jsonl", corpus.as_bytes(), &IngestOptions::default(), &mut |ex| {
                discovery.observe(&ex)
            });
            let inventory = discovery.finish();
            assert_eq!(
                inventory.endpoints.len(),
                5,
                "{:?}",
                inventory.endpoints.iter().map(|e| &e.key).collect::<Vec<_>>()
            );
            inventory
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
