//! The traffic generator: covers every route, looks like production, and is deterministic.

mod common;

use std::collections::BTreeMap;

use rampart_core::Exchange;
use rampart_demo::traffic::{self, RecordOptions};

fn matches_template(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

/// The route an exchange hit; concrete segments win over parameters (`/customers/me`).
fn route_of(ex: &Exchange) -> Option<(&'static str, &'static str)> {
    let mut candidates: Vec<(&'static str, &'static str)> = rampart_demo::routes()
        .into_iter()
        .filter(|(m, t)| *m == ex.request.method && matches_template(t, &ex.request.path))
        .collect();
    candidates.sort_by_key(|(_, t)| t.matches('{').count());
    candidates.first().copied()
}

async fn record(seed: u64, requests: usize) -> Vec<Exchange> {
    let options = RecordOptions { seed, customers: common::CUSTOMERS, requests, keys: Some(common::keys()) };
    traffic::record(&options).await.unwrap()
}

#[tokio::test]
async fn a_run_hits_every_route_and_looks_like_production() {
    let exchanges = record(common::SEED, 1500).await;
    assert_eq!(exchanges.len(), 1500);
    let mut hits: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for ex in &exchanges {
        assert_eq!(ex.request.host, "api.demo-bank.example");
        assert_eq!(ex.request.scheme, "https");
        assert_eq!(ex.request.header("host"), Some("api.demo-bank.example"));
        if let Some(route) = route_of(ex) {
            *hits.entry(route).or_default() += 1;
        }
        *statuses.entry(ex.response.as_ref().unwrap().status).or_default() += 1;
    }
    let missed: Vec<_> = rampart_demo::routes().into_iter().filter(|r| !hits.contains_key(r)).collect();
    assert!(missed.is_empty(), "routes never hit: {missed:?}\nhits: {hits:?}");
    for status in [200, 201, 204, 400, 401, 403, 404, 422] {
        assert!(statuses.contains_key(&status), "no {status} in {statuses:?}");
    }
    assert!(statuses[&200] > 1000, "mostly successful traffic: {statuses:?}");
    // An unknown path is part of the noise and matches no route.
    assert!(exchanges.iter().any(|e| route_of(e).is_none()));
    // Time moves forward.
    assert!(exchanges.windows(2).all(|w| w[0].started_at < w[1].started_at));
    let replays = exchanges
        .iter()
        .filter(|e| e.response.as_ref().unwrap().header("idempotent-replayed") == Some("true"))
        .count();
    assert!(replays > 0, "some payments are retried with the same key");
}

#[tokio::test]
async fn the_same_seed_records_the_same_har() {
    let a = record(5, 300).await;
    let b = record(5, 300).await;
    let mut har_a = Vec::new();
    traffic::write_har(&mut har_a, a.clone()).unwrap();
    let mut har_b = Vec::new();
    traffic::write_har(&mut har_b, b).unwrap();
    assert!(har_a == har_b, "two recordings with seed 5 differ");
    let har: serde_json::Value = serde_json::from_slice(&har_a).unwrap();
    assert_eq!(har["log"]["entries"].as_array().unwrap().len(), 300);

    // And Rampart's own HAR reader takes it back whole.
    let mut read_back = Vec::new();
    rampart_ingest::read_har(
        "sample.har",
        har_a.as_slice(),
        &rampart_ingest::IngestOptions::default(),
        &mut |e| read_back.push(e),
    );
    assert_eq!(read_back.len(), 300);
    assert_eq!(read_back[7].request.path, a[7].request.path);
    assert_eq!(read_back[7].response.as_ref().unwrap().status, a[7].response.as_ref().unwrap().status);

    let c = record(6, 300).await;
    assert_ne!(a, c, "another seed gives other traffic");
}

#[tokio::test]
async fn the_flawed_bank_still_records_the_committed_sample_byte_for_byte() {
    // The default recording (seed 42, 300 customers, 3000 requests, the seed's own key) against
    // the flawed bank, which `AppState::new` makes: what `examples/sample.har` holds.
    let exchanges = traffic::record(&RecordOptions::default()).await.unwrap();
    let mut har = Vec::new();
    traffic::write_har(&mut har, exchanges).unwrap();
    let committed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/sample.har")).unwrap();
    assert!(har == committed, "the recording differs from examples/sample.har");
}
