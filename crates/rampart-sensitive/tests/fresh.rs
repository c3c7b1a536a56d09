//! Accuracy on a third labelled set, written to be unseen (its generator never read the crate's
//! vocabulary) and then used once to fix what it showed — so now a regression set: payloads shaped like
//! real API vocabularies (Singpass MyInfo, UK Open Banking, AU CDR, Berlin Group, Stripe-like
//! and Plaid-like payloads, India Account Aggregator and DigiLocker, Japanese romaji keys,
//! SCREAMING_SNAKE core-banking rows, abbreviated keys, nested KYC lists, free text, header
//! maps, bulk arrays, deep nesting) and look-alike negatives in volume, made by
//! `tests/data/fresh_gen.py` (Faker, python-stdnum, phonenumbers and issuer rules written apart
//! from the crate; fixed seed). The committed `fresh_records.json` needs no Python.
//!
//! Layout: `{"documents": [{"doc", "body", "labels": {pointer: "type|scenario" or a list of
//! them}, "negatives": {pointer: class}, "ignore": [pointer]}]}`. Leaves in no map are filler
//! (negatives of class `filler`); `ignore` leaves (address components, passport numbers) are
//! scored neither way.
//!
//! Views, default configuration, as `independent.rs` scores them:
//! * per value, names only: `classify_value(Some(field), value)`;
//! * per value: `classify_value_in_context(Some(field), context, value)`, the context being the
//!   value of a sibling type-like member (`type`, `scheme`, `docType`, `SchemeName`, …), else the
//!   key holding the leaf's object (a list's name for its records);
//! * per document: `scan_json` on the whole body, compared at each pointer template.
//!
//! Prints precision/recall per type, the false-positive rate per negative class and masked
//! examples; asserts what the crate meets today so that a regression fails.

use std::collections::{BTreeMap, BTreeSet};

use rampart_sensitive::{Classifier, ClassifierConfig, Location};
use serde_json::Value;

mod common;

use common::CHECKSUMMED;
use common::payloads::{Score, leaves};

/// Types at ≥ 0.99 precision and recall, per value in context and per document. When the set
/// was made (before the crate was tuned on it) only the first eleven were; the misses it showed
/// (abbreviated and local field names, MyInfo / Open Banking / Stripe shapes, HKID with a dash,
/// DDMMYYYY dates, US phones) were fixed in the crate, so it is now a regression set, no longer
/// an unseen one. A type leaves this list only with a reason in the commit.
const MEETS_GOAL_TODAY: &[&str] = &[
    "api-key",
    "bearer-token",
    "cn-resident-id",
    "email",
    "iban",
    "id-nik",
    "in-pan",
    "ip-address",
    "jwt",
    "password",
    "tw-national-id",
    "address",
    "au-tfn",
    "bank-account",
    "card-number",
    "date-of-birth",
    "hk-hkid",
    "in-aadhaar",
    "kr-rrn",
    "my-mykad",
    "sg-nric",
    "swift-bic",
    "th-national-id",
    "us-ssn",
];

/// Types below the goal per value in context (what the discovery engine knows of a field), held
/// at today's recall: (type, floor). Per document they meet it, except where noted.
/// * au-medicare, jp-my-number: `mcNo`, `mynumber_card_no` are not recognised (also per document);
/// * person-name: a bare `name` beside a `dob` (DigiLocker) or in an Open Banking account record
///   is only known from its siblings, which a single value does not have;
/// * phone: MyInfo's `mobileno: {nbr: {value}}` is two keys up.
const RECALL_FLOORS: &[(&str, f64)] =
    &[("au-medicare", 0.97), ("jp-my-number", 0.97), ("person-name", 0.85), ("phone", 0.93)];

/// Precision (per value, in context) held at today's value for the types below the goal.
const PRECISION_FLOORS: &[(&str, f64)] =
    &[("au-medicare", 1.00), ("jp-my-number", 1.00), ("person-name", 1.00), ("phone", 1.00)];

/// Negative classes some of whose values are flagged today (by value, in context, or names
/// only). Every other class must stay at zero.
const FLAGGED_TODAY: &[&str] = &[];

/// False-positive rates (per value in context, per document) the crate stays under: the goal.
const FALSE_POSITIVE_CEILING_VALUES: f64 = 0.001;
const FALSE_POSITIVE_CEILING_DOCUMENTS: f64 = 0.001;

/// Checksummed types need this many labelled values to say anything about 0.99.
const MIN_POSITIVES: u32 = 90;

const MAX_EXAMPLES_PER_TYPE: usize = 25;

/// A shape that shows what went wrong without the value: digits hidden except the last four;
/// in values with fewer than six digits (names, emails, addresses) every letter but the first
/// of each word hidden; long unbroken tokens shown by their first four characters and length.
fn masked(value: &str) -> String {
    if value.chars().count() > 40 && !value.contains(' ') {
        let head: String = value.chars().take(4).collect();
        return format!("{head}…({} chars)", value.chars().count());
    }
    let total = value.chars().filter(char::is_ascii_digit).count();
    let keep_letters = total >= 6;
    let mut seen = 0;
    let mut previous_alphanumeric = false;
    value
        .chars()
        .map(|c| {
            let shown = if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 <= total { '#' } else { c }
            } else if c.is_alphanumeric() && !keep_letters && previous_alphanumeric {
                '*'
            } else {
                c
            };
            previous_alphanumeric = c.is_alphanumeric();
            shown
        })
        .collect()
}

fn note(list: &mut Vec<String>, example: String) {
    if list.len() < MAX_EXAMPLES_PER_TYPE {
        list.push(example);
    }
}

#[derive(Default)]
struct Results {
    per_type: BTreeMap<String, Score>,
    /// (type, scenario) → (found, missed).
    per_scenario: BTreeMap<(String, String), (u32, u32)>,
    /// Negative class → (values, flagged).
    per_negative_class: BTreeMap<String, (u32, u32)>,
    negatives: u32,
    negatives_flagged: u32,
}

impl Results {
    fn print(&self, title: &str) {
        println!("\n== {title} ==");
        println!(
            "{:<20} {:>5} {:>5} {:>5} {:>9} {:>7}  goal",
            "type", "TP", "FN", "FP", "precision", "recall"
        );
        for (kind, score) in &self.per_type {
            let goal = if score.meets_goal() { "met" } else { "MISSED" };
            println!(
                "{kind:<20} {:>5} {:>5} {:>5} {:>9.4} {:>7.4}  {goal}",
                score.true_positives,
                score.false_negatives,
                score.false_positives,
                score.precision(),
                score.recall()
            );
        }
        println!(
            "negatives: {}, flagged: {}, false-positive rate {:.4}%",
            self.negatives,
            self.negatives_flagged,
            self.false_positive_rate() * 100.0
        );
    }

    fn print_details(&self) {
        println!("\n-- misses by scenario (type, how it was written: found/total) --");
        for ((kind, scenario), (found, missed)) in &self.per_scenario {
            if *missed > 0 {
                println!("{kind:<20} {scenario:<48} {found}/{}", found + missed);
            }
        }
        println!("\n-- negatives by class (flagged/total) --");
        for (class, (total, flagged)) in &self.per_negative_class {
            let mark = if *flagged > 0 { "  <-" } else { "" };
            println!("{class:<48} {flagged:>4}/{total:<5}{mark}");
        }
        println!("\n-- examples (masked) --");
        for (kind, score) in &self.per_type {
            for example in score.misses.iter().chain(&score.false_alarms) {
                println!("{kind:<20} {example}");
            }
        }
    }

    fn false_positive_rate(&self) -> f64 {
        f64::from(self.negatives_flagged) / f64::from(self.negatives.max(1))
    }
}

struct Document {
    kind: String,
    body: Value,
    labels: BTreeMap<String, Vec<(String, String)>>,
    negatives: BTreeMap<String, String>,
    ignore: BTreeSet<String>,
}

fn split_label(label: &Value) -> (String, String) {
    let (kind, scenario) = label.as_str().and_then(|l| l.split_once('|')).expect("type|scenario");
    (kind.to_owned(), scenario.to_owned())
}

fn documents() -> Vec<Document> {
    let data: Value = serde_json::from_str(include_str!("data/fresh_records.json"))
        .expect("fresh_records.json is valid JSON");
    data["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|doc| {
            let labels = doc["labels"]
                .as_object()
                .expect("labels")
                .iter()
                .map(|(pointer, label)| {
                    let kinds = match label {
                        Value::Array(list) => list.iter().map(split_label).collect(),
                        single => vec![split_label(single)],
                    };
                    (pointer.clone(), kinds)
                })
                .collect();
            let negatives = doc["negatives"]
                .as_object()
                .expect("negatives")
                .iter()
                .map(|(pointer, class)| (pointer.clone(), class.as_str().expect("class").to_owned()))
                .collect();
            let ignore = doc
                .get("ignore")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            Document {
                kind: doc["doc"].as_str().expect("doc").to_owned(),
                body: doc["body"].clone(),
                labels,
                negatives,
                ignore,
            }
        })
        .collect()
}

fn score_values(classifier: &Classifier, documents: &[Document], in_context: bool) -> Results {
    let mut results = Results::default();
    for document in documents {
        let mut all = Vec::new();
        leaves(&document.body, "", "", None, None, &mut all);
        for leaf in all {
            if document.ignore.contains(&leaf.pointer) {
                continue;
            }
            let found = if in_context {
                classifier.classify_value_in_context(
                    leaf.field.as_deref(),
                    leaf.context.as_deref(),
                    &leaf.value,
                )
            } else {
                classifier.classify_value(leaf.field.as_deref(), &leaf.value)
            };
            let predicted: BTreeSet<&str> = found.into_iter().map(|(kind, _, _)| kind.name()).collect();
            let shown = format!(
                "{}: {:?}={:?} ctx={:?}",
                document.kind,
                leaf.field.as_deref().unwrap_or(""),
                masked(&leaf.value),
                leaf.context.as_deref().unwrap_or("")
            );
            let labels = document.labels.get(&leaf.pointer);
            if let Some(labels) = labels {
                for (kind, scenario) in labels {
                    let hit = predicted.contains(kind.as_str());
                    let score = results.per_type.entry(kind.clone()).or_default();
                    let by_scenario =
                        results.per_scenario.entry((kind.clone(), scenario.clone())).or_default();
                    if hit {
                        score.true_positives += 1;
                        by_scenario.0 += 1;
                    } else {
                        score.false_negatives += 1;
                        by_scenario.1 += 1;
                        note(&mut score.misses, format!("MISS [{scenario}] {shown} -> {predicted:?}"));
                    }
                }
            } else {
                let class = document.negatives.get(&leaf.pointer).map_or("filler", String::as_str);
                let counts = results.per_negative_class.entry(class.to_owned()).or_default();
                counts.0 += 1;
                results.negatives += 1;
                if !predicted.is_empty() {
                    counts.1 += 1;
                    results.negatives_flagged += 1;
                }
            }
            for kind in predicted {
                if labels.is_none_or(|labels| labels.iter().all(|(labelled, _)| labelled != kind)) {
                    let score = results.per_type.entry(kind.to_owned()).or_default();
                    score.false_positives += 1;
                    let what = labels.map_or_else(
                        || document.negatives.get(&leaf.pointer).map_or("filler", String::as_str).to_owned(),
                        |labels| format!("labelled {}", labels[0].0),
                    );
                    note(&mut score.false_alarms, format!("FALSE [{what}] {shown}"));
                }
            }
        }
    }
    results
}

fn score_documents(classifier: &Classifier, documents: &[Document]) -> Results {
    let mut results = Results::default();
    for document in documents {
        let mut all = Vec::new();
        leaves(&document.body, "", "", None, None, &mut all);
        let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut field_at: BTreeMap<String, String> = BTreeMap::new();
        let mut class_at: BTreeMap<String, String> = BTreeMap::new();
        let mut ignored: BTreeSet<String> = BTreeSet::new();
        for leaf in &all {
            if document.ignore.contains(&leaf.pointer) {
                ignored.insert(leaf.template.clone());
                continue;
            }
            let labels = expected.entry(leaf.template.clone()).or_default();
            if let Some(kinds) = document.labels.get(&leaf.pointer) {
                labels.extend(kinds.iter().map(|(kind, _)| kind.clone()));
            }
            if let Some(class) = document.negatives.get(&leaf.pointer) {
                class_at.entry(leaf.template.clone()).or_insert_with(|| class.clone());
            }
            field_at.insert(leaf.template.clone(), leaf.field.clone().unwrap_or_default());
        }
        let body = serde_json::to_vec(&document.body).expect("serialise body");
        let mut detected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for detection in classifier.scan_json(&body).expect("generated bodies are valid JSON") {
            if let Location::Body { pointer } = detection.location {
                detected.entry(pointer).or_default().insert(detection.kind.name().to_owned());
            }
        }
        for (template, labels) in &expected {
            let found = detected.remove(template).unwrap_or_default();
            let field = &field_at[template];
            if labels.is_empty() {
                let class = class_at.get(template).map_or("filler", String::as_str);
                let counts = results.per_negative_class.entry(class.to_owned()).or_default();
                counts.0 += 1;
                results.negatives += 1;
                if !found.is_empty() {
                    counts.1 += 1;
                    results.negatives_flagged += 1;
                }
            }
            for kind in labels {
                let score = results.per_type.entry(kind.clone()).or_default();
                if found.contains(kind) {
                    score.true_positives += 1;
                } else {
                    score.false_negatives += 1;
                    note(
                        &mut score.misses,
                        format!("MISS {}: at {template} ({field:?}) -> {found:?}", document.kind),
                    );
                }
            }
            for kind in found.iter().filter(|kind| !labels.contains(*kind)) {
                let score = results.per_type.entry(kind.clone()).or_default();
                score.false_positives += 1;
                note(
                    &mut score.false_alarms,
                    format!("FALSE {}: at {template} ({field:?}), labelled {labels:?}", document.kind),
                );
            }
        }
        for (template, kinds) in detected {
            if ignored.contains(&template) {
                continue;
            }
            for kind in kinds {
                let score = results.per_type.entry(kind).or_default();
                score.false_positives += 1;
                note(&mut score.false_alarms, format!("FALSE {}: at {template} (no scalar)", document.kind));
            }
        }
    }
    results
}

#[test]
fn fresh_payloads_are_scored_per_type_and_per_negative_class() {
    let documents = documents();
    let classifier = Classifier::new(ClassifierConfig::default());
    let names_only = score_values(&classifier, &documents, false);
    let values = score_values(&classifier, &documents, true);
    let bodies = score_documents(&classifier, &documents);
    names_only.print("per value, names only: classify_value(Some(field), value)");
    values.print("per value: classify_value_in_context(Some(field), context, value)");
    bodies.print("per document: scan_json, by pointer template");
    values.print_details();
    println!("\n-- scan_json negatives by class (flagged/total templates) --");
    for (class, (total, flagged)) in &bodies.per_negative_class {
        if *flagged > 0 {
            println!("{class:<48} {flagged:>4}/{total:<5}  <-");
        }
    }
    println!("\n-- scan_json examples --");
    for (kind, score) in &bodies.per_type {
        for example in score.misses.iter().chain(&score.false_alarms) {
            println!("{kind:<20} {example}");
        }
    }

    for kind in CHECKSUMMED {
        let positives = values.per_type.get(*kind).map_or(0, |s| s.true_positives + s.false_negatives);
        assert!(positives >= MIN_POSITIVES, "only {positives} labelled values of {kind}");
    }
    for kind in MEETS_GOAL_TODAY {
        for (view, results) in [("per value", &values), ("per document", &bodies)] {
            let score = &results.per_type[*kind];
            assert!(
                score.meets_goal(),
                "{kind} {view}: precision {:.4} recall {:.4}, below the 0.99 goal it met before",
                score.precision(),
                score.recall()
            );
        }
    }
    for (kind, floor) in RECALL_FLOORS {
        let recall = values.per_type[*kind].recall();
        assert!(recall >= *floor, "{kind}: recall {recall:.4} below the {floor} it had");
    }
    for (kind, floor) in PRECISION_FLOORS {
        let precision = values.per_type[*kind].precision();
        assert!(precision >= *floor, "{kind}: precision {precision:.4} below the {floor} it had");
    }
    for (class, (total, flagged)) in values.per_negative_class.iter().chain(&names_only.per_negative_class) {
        let known = FLAGGED_TODAY.contains(&class.as_str());
        assert!(known || *flagged == 0, "{flagged} of {total} negatives of class {class} flagged");
    }
    assert!(
        values.false_positive_rate() <= FALSE_POSITIVE_CEILING_VALUES,
        "per value: false-positive rate {:.4}% above {:.4}%",
        values.false_positive_rate() * 100.0,
        FALSE_POSITIVE_CEILING_VALUES * 100.0
    );
    assert!(
        bodies.false_positive_rate() <= FALSE_POSITIVE_CEILING_DOCUMENTS,
        "per document: false-positive rate {:.4}% above {:.4}%",
        bodies.false_positive_rate() * 100.0,
        FALSE_POSITIVE_CEILING_DOCUMENTS * 100.0
    );
}

#[test]
fn masking_in_reports_hides_values() {
    assert_eq!(masked("4111 1111 1111 1234"), "#### #### #### 1234");
    assert_eq!(masked("S1234567D"), "S###4567D");
    assert_eq!(masked("john.tan@example.com"), "j***.t**@e******.c**");
    assert_eq!(masked("TAN XIAO HUI"), "T** X*** H**");
}
