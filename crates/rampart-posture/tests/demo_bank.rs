//! The demo bank's recorded traffic and declared spec yield exactly the findings of its planted
//! flaws (`rampart_demo::planted_flaws()`): every planted flaw is found, nothing is reported
//! about its clean parts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rampart_core::{Finding, Inventory};
use rampart_discovery::{Discovery, DiscoveryConfig, SensitiveEngine};
use rampart_posture::{Assessment, PostureConfig, PostureObserver};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn assess_sample() -> (Inventory, Assessment) {
    let mut config = DiscoveryConfig::default();
    config.record.classifier = Some(Arc::new(SensitiveEngine::default()));
    let mut discovery = Discovery::new(config);
    let spec = rampart_openapi::load_spec(&examples().join("bank-api.openapi.yaml")).expect("spec loads");
    let specs = vec![spec];
    for (host, template) in rampart_openapi::declared_templates(&specs) {
        discovery.declare_template(host.as_deref(), &template);
    }
    let mut observer = PostureObserver::new();
    let file = std::fs::File::open(examples().join("sample.har")).expect("sample.har");
    let report = rampart_ingest::read_har(
        "sample.har",
        std::io::BufReader::new(file),
        &rampart_ingest::IngestOptions::default(),
        &mut |e| {
            discovery.observe(&e);
            observer.observe(&e);
        },
    );
    assert_eq!(report.exchanges, 3000);
    let mut inventory = discovery.finish();
    rampart_openapi::compare(&mut inventory, &specs);
    let assessment = rampart_posture::assess(&inventory, &observer.finish(), &PostureConfig::default());
    (inventory, assessment)
}

fn triple(f: &Finding) -> (String, String, String) {
    let key = f.endpoint.as_ref().expect("traffic findings name their endpoint");
    (f.rule.clone(), key.method.clone(), key.path_template.clone())
}

#[test]
fn the_demo_bank_yields_exactly_its_planted_flaws() {
    let (_, assessment) = assess_sample();
    let found: BTreeSet<(String, String, String)> = assessment.findings.iter().map(triple).collect();
    let planted: BTreeSet<(String, String, String)> = rampart_demo::planted_flaws()
        .into_iter()
        .map(|(r, m, t)| (r.to_owned(), m.to_owned(), t.to_owned()))
        .collect();
    for f in &assessment.findings {
        eprintln!(
            "{:<9} {:<34} {} {}\n          {}",
            f.severity,
            f.rule,
            f.endpoint.as_ref().unwrap().method,
            f.endpoint.as_ref().unwrap().path_template,
            f.evidence.join(" | ")
        );
    }
    let missed: Vec<_> = planted.difference(&found).collect();
    let extra: Vec<_> = found.difference(&planted).collect();
    assert!(missed.is_empty() && extra.is_empty(), "missed {missed:#?}\nextra {extra:#?}");
    assert_eq!(assessment.findings.len(), found.len(), "one finding per rule and endpoint");
}

#[test]
fn evidence_never_holds_a_raw_token_secret_or_value() {
    let (_, assessment) = assess_sample();
    let har = std::fs::read_to_string(examples().join("sample.har")).unwrap();
    let text = serde_json::to_string(&assessment).unwrap();
    assert!(!text.contains("eyJ"), "no token in the findings");
    assert!(!text.contains("s3cr3t"), "the weak secret is masked");
    // No customer id, e-mail or national ID from the traffic appears raw.
    let raw_values: Vec<&str> = har
        .match_indices("\\\"email\\\":\\\"")
        .take(50)
        .filter_map(|(i, m)| har[i + m.len()..].split('\\').next())
        .collect();
    assert!(!raw_values.is_empty());
    for value in raw_values {
        assert!(!text.contains(value), "raw e-mail {value} in findings");
    }
}

#[test]
fn risk_ranks_the_planted_endpoints_first() {
    let (inventory, assessment) = assess_sample();
    assert_eq!(assessment.risk.len(), inventory.endpoints.len());
    let mut ranked: Vec<(&rampart_core::EndpointKey, u32)> =
        assessment.risk.iter().map(|r| (&r.endpoint, r.risk.score)).collect();
    ranked.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
    for (k, s) in &ranked {
        eprintln!("{s:>3} {} {}", k.method, k.path_template);
    }
    let top: Vec<&str> = ranked.iter().take(3).map(|(k, _)| k.path_template.as_str()).collect();
    assert!(top.contains(&"/v1/customers/{customerId}"), "{top:?}");
    for r in &assessment.risk {
        let (key, risk) = (&r.endpoint, &r.risk);
        assert!(risk.score <= 100);
        let sum: u32 = risk.parts.iter().map(|p| p.points).sum();
        assert!(risk.score <= sum, "{key:?}: the parts explain the score");
    }
    let balances = &inventory
        .endpoints
        .iter()
        .find(|e| e.key.path_template == "/v2/accounts/{accountId}/balances")
        .unwrap()
        .key;
    let clean = assessment.risk_of(balances).unwrap();
    assert!(clean.score < 30, "a clean endpoint scores low: {clean:?}");
}
