//! Masking in place on whole API payloads: after `mask_json`, no checksummed identifier of the
//! masked kinds is left anywhere in the body, and the body is still JSON.

use rampart_core::SensitiveType;
use rampart_sensitive::{Classifier, ClassifierConfig};

mod common;

#[test]
fn masked_payloads_hold_no_checksummed_identifier_and_stay_json() {
    let classifier = Classifier::new(ClassifierConfig::default());
    let kinds: Vec<SensitiveType> =
        common::CHECKSUMMED.iter().map(|name| name.parse().expect("a type name")).collect();
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/independent_records.json"))
            .unwrap();
    let records: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut documents, mut masked_documents, mut values) = (0, 0, 0);
    for record in records["documents"].as_array().unwrap() {
        let body = serde_json::to_vec(&record["body"]).unwrap();
        documents += 1;
        let before = classifier.scan_json(&body).unwrap();
        let expected = before.iter().filter(|d| kinds.contains(&d.kind)).count();
        let Some(masked) = classifier.mask_json(&body, &kinds).unwrap() else {
            assert_eq!(expected, 0, "nothing masked although {expected} were found in {}", record["doc"]);
            continue;
        };
        masked_documents += 1;
        values += masked.count;
        serde_json::from_slice::<serde_json::Value>(&masked.body).expect("masked body is JSON");
        let after = classifier.scan_json(&masked.body).unwrap();
        let left: Vec<_> =
            after.iter().filter(|d| kinds.contains(&d.kind)).map(|d| (d.kind, &d.location)).collect();
        assert!(left.is_empty(), "{} still holds {left:?}", record["doc"]);
    }
    println!("{documents} documents, {masked_documents} masked, {values} values");
    assert!(masked_documents > 500 && values > 1000, "{masked_documents} documents, {values} values");
}
