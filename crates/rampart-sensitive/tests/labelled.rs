//! Accuracy on labelled data from independent generators (Faker + python-stdnum, fixed seed):
//! `tests/data/gen_labelled.py` → `tests/data/labelled.json`. Precision and recall per type and
//! the false-positive rate on look-alike negatives, with the default configuration.

use std::collections::BTreeMap;

use rampart_core::SensitiveType;
use rampart_sensitive::{Classifier, ClassifierConfig};
use serde_json::Value;

mod common;

use common::CHECKSUMMED;

#[derive(Default)]
struct Counts {
    true_positives: u32,
    false_negatives: u32,
    false_positives: u32,
}

#[test]
fn labelled_records_meet_the_precision_recall_and_false_positive_goals() {
    let data: Value =
        serde_json::from_str(include_str!("data/labelled.json")).expect("labelled.json is valid JSON");
    let records = data["records"].as_array().expect("records");
    let classifier = Classifier::new(ClassifierConfig::default());
    let mut per_type: BTreeMap<String, Counts> = BTreeMap::new();
    let (mut negatives, mut negatives_flagged) = (0u32, 0u32);
    let mut examples: Vec<String> = Vec::new();

    for record in records {
        let field = record["field"].as_str();
        let value = record["value"].as_str().expect("value");
        let label = record["label"].as_str();
        let predicted: Vec<SensitiveType> =
            classifier.classify_value(field, value).into_iter().map(|(kind, _, _)| kind).collect();
        match label {
            Some(label) => {
                let hit = predicted.iter().any(|kind| kind.name() == label);
                let counts = per_type.entry(label.to_owned()).or_default();
                if hit {
                    counts.true_positives += 1;
                } else {
                    counts.false_negatives += 1;
                    if examples.len() < 40 {
                        examples.push(format!(
                            "missed {label}: field {field:?} (value not shown) -> {predicted:?}"
                        ));
                    }
                }
            }
            None => {
                negatives += 1;
                if !predicted.is_empty() {
                    negatives_flagged += 1;
                    if examples.len() < 40 {
                        examples.push(format!("negative flagged: field {field:?} -> {predicted:?}"));
                    }
                }
            }
        }
        for kind in predicted {
            if Some(kind.name()) != label {
                per_type.entry(kind.name().to_owned()).or_default().false_positives += 1;
            }
        }
    }

    println!("{:<20} {:>6} {:>6} {:>6} {:>10} {:>8}", "type", "TP", "FN", "FP", "precision", "recall");
    let mut failures = Vec::new();
    for (kind, c) in &per_type {
        let precision =
            f64::from(c.true_positives) / f64::from((c.true_positives + c.false_positives).max(1));
        let recall = f64::from(c.true_positives) / f64::from((c.true_positives + c.false_negatives).max(1));
        println!(
            "{kind:<20} {:>6} {:>6} {:>6} {precision:>10.4} {recall:>8.4}",
            c.true_positives, c.false_negatives, c.false_positives
        );
        let goal = if CHECKSUMMED.contains(&kind.as_str()) { 0.99 } else { 0.95 };
        if precision < goal || recall < goal {
            failures.push(format!("{kind}: precision {precision:.4} recall {recall:.4} (goal {goal})"));
        }
    }
    let false_positive_rate = f64::from(negatives_flagged) / f64::from(negatives.max(1));
    println!(
        "negatives: {negatives}, flagged: {negatives_flagged}, false-positive rate {:.4}%",
        false_positive_rate * 100.0
    );
    for example in &examples {
        println!("  {example}");
    }
    for kind in CHECKSUMMED {
        assert!(
            per_type.get(*kind).is_some_and(|c| c.true_positives > 0),
            "no positives of {kind} in the data"
        );
    }
    assert!(false_positive_rate < 0.001, "false-positive rate {false_positive_rate}");
    assert!(failures.is_empty(), "below goal: {failures:#?}");
}
