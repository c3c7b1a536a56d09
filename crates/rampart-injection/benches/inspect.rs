//! Cost of inspecting normal traffic, beside the cost of merely parsing the same body.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Method};
use rampart_injection::{InjectionConfig, Inspector};

/// A typical ~1 KB payment initiation (open-banking style), all benign.
const PAYMENT: &str = r#"{
  "data": {
    "consentId": "c3b0f2a4-6f1e-4d7a-9b8e-2f4c1d9e7a10",
    "initiation": {
      "instructionIdentification": "INSTR-2026-06-01-000123",
      "endToEndIdentification": "E2E-REF-98127391",
      "localInstrument": "UK.OBIE.FPS",
      "instructedAmount": {"amount": "1250.00", "currency": "GBP"},
      "debtorAccount": {"schemeName": "UK.OBIE.SortCodeAccountNumber", "identification": "11280001234567", "name": "Mary-Jane O'Neil"},
      "creditorAccount": {"schemeName": "UK.OBIE.IBAN", "identification": "GB82WEST12345698765432", "name": "D'Souza Property Management Ltd"},
      "creditorPostalAddress": {"addressLine": ["Flat 3B", "221B Baker Street"], "townName": "London", "postCode": "NW1 6XE", "country": "GB"},
      "remittanceInformation": {"unstructured": "Rent for June; split 50/50 with flatmate", "reference": "RENT-JUNE"}
    },
    "risk": {"paymentContextCode": "PartyToParty", "merchantCategoryCode": "6513", "deliveryAddress": null},
    "metadata": {"channel": "mobile", "deviceId": "a1b2c3d4e5f6", "locale": "en-GB", "tags": ["rent", "monthly", "standing"]}
  },
  "links": {"self": "https://api.bank.example/open-banking/v3.1/pisp/domestic-payments"}
}"#;

const QUERY: &str = "/v1/accounts/acc-123/transactions?fromBookingDateTime=2026-05-01T00%3A00%3A00Z&toBookingDateTime=2026-06-01T00%3A00%3A00Z&page=2&pageSize=50&sort=-bookingDateTime&q=rent+june&merchant=Joe%27s+Caf%C3%A9";

fn bench(c: &mut Criterion) {
    let inspector = Inspector::new(InjectionConfig::default()).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"),
    );
    headers.insert(http::header::COOKIE, HeaderValue::from_static("session=9f86d081884c7d65; theme=dark"));
    let body = PAYMENT.as_bytes();
    assert!(
        inspector
            .inspect(&Method::POST, "/v3.1/pisp/domestic-payments", &headers, Some("application/json"), body)
            .is_empty()
    );

    let mut group = c.benchmark_group("inspect");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("json_post_1k", |b| {
        b.iter(|| {
            black_box(inspector.inspect(
                &Method::POST,
                "/v3.1/pisp/domestic-payments",
                &headers,
                Some("application/json"),
                black_box(body),
            ))
        })
    });
    group.bench_function("baseline/serde_json_value_parse_1k", |b| {
        b.iter(|| black_box(serde_json::from_slice::<serde_json::Value>(black_box(body)).ok()))
    });
    group.throughput(Throughput::Bytes(QUERY.len() as u64));
    group.bench_function("query_string", |b| {
        b.iter(|| black_box(inspector.inspect(&Method::GET, black_box(QUERY), &headers, None, b"")))
    });
    let attack = r#"{"remarks":"1' UNION SELECT card_number, cvv FROM payment_cards--"}"#;
    group.bench_function("json_attack_small", |b| {
        b.iter(|| {
            black_box(inspector.inspect(
                &Method::POST,
                "/p",
                &HeaderMap::new(),
                Some("application/json"),
                black_box(attack.as_bytes()),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
