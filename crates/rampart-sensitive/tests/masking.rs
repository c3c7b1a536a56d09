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

/// The pre-test of masking (`mask::could_hold`) never rules out a value the classifier finds:
/// every leaf of the three corpora, classified with its field name and context, holds only
/// kinds `could_hold` says it could.
#[test]
fn the_masking_pre_test_never_rules_out_a_detected_value() {
    let classifier = Classifier::new(ClassifierConfig::default());
    let mut checked = 0;
    for file in ["independent_records.json", "fresh_records.json"] {
        let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
        let records: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for record in records["documents"].as_array().unwrap() {
            let mut leaves = Vec::new();
            common::payloads::leaves(&record["body"], "", "", None, None, &mut leaves);
            for leaf in leaves {
                let found = classifier.classify_value_in_context(
                    leaf.field.as_deref(),
                    leaf.context.as_deref(),
                    &leaf.value,
                );
                let digits = leaf.value.bytes().filter(u8::is_ascii_digit).count();
                for (kind, _, _) in found {
                    checked += 1;
                    assert!(
                        rampart_sensitive::mask::could_hold(kind, &leaf.value, digits),
                        "{kind:?} found in {:?} at {} of {}, ruled out by the pre-test",
                        leaf.value,
                        leaf.pointer,
                        record["doc"]
                    );
                }
            }
        }
    }
    assert!(checked > 5_000, "only {checked} detections checked");
}

/// Masking one kind at a time leaves none of it, for each kind the pre-test has a rule for.
#[test]
fn masking_each_kind_alone_leaves_none_of_it() {
    let classifier = Classifier::new(ClassifierConfig::default());
    let path = format!("{}/tests/data/independent_records.json", env!("CARGO_MANIFEST_DIR"));
    let records: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let bodies: Vec<Vec<u8>> = records["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| serde_json::to_vec(&record["body"]).unwrap())
        .collect();
    for kind in SensitiveType::ALL {
        let (mut found, mut masked) = (0, 0);
        for body in &bodies {
            let before = classifier.scan_json(body).unwrap().iter().filter(|d| d.kind == kind).count();
            found += before;
            let Some(result) = classifier.mask_json(body, &[kind]).unwrap() else {
                assert_eq!(before, 0, "{kind:?}: {before} found, nothing masked");
                continue;
            };
            masked += result.count;
            let left = classifier.scan_json(&result.body).unwrap().iter().filter(|d| d.kind == kind).count();
            assert_eq!(left, 0, "{kind:?}: {left} left after masking");
        }
        assert!(masked >= found, "{kind:?}: {found} found, {masked} masked");
    }
}
