//! The compact numbering plans against libphonenumber: valid mobile and fixed-line numbers of
//! every covered country (E.164 and national format) and numbers libphonenumber calls invalid,
//! made by `tests/data/phone_gen.py` with the `phonenumbers` package (fixed seed; the committed
//! `phone_cases.json` needs no Python). Every value is classified under the field name `phone`,
//! so the name is on the number's side and only the plan decides.

use std::collections::BTreeMap;

use rampart_core::SensitiveType;
use rampart_sensitive::{Classifier, ClassifierConfig};
use serde_json::Value;

#[derive(Default)]
struct Tally {
    valid_e164: (u32, u32),
    valid_national: (u32, u32),
    invalid_rejected: (u32, u32),
    examples: Vec<String>,
}

fn count(slot: &mut (u32, u32), ok: bool) {
    slot.1 += 1;
    if ok {
        slot.0 += 1;
    }
}

fn rate((ok, total): (u32, u32)) -> f64 {
    f64::from(ok) / f64::from(total.max(1))
}

#[test]
fn numbering_plans_agree_with_libphonenumber() {
    let data: Value =
        serde_json::from_str(include_str!("data/phone_cases.json")).expect("phone_cases.json is valid JSON");
    let classifier = Classifier::new(ClassifierConfig::default());
    let is_phone = |value: &str| {
        classifier
            .classify_value(Some("phone"), value)
            .iter()
            .any(|(kind, _, _)| *kind == SensitiveType::Phone)
    };
    let mut per_region: BTreeMap<String, Tally> = BTreeMap::new();
    for case in data["cases"].as_array().expect("cases") {
        let region = case["region"].as_str().expect("region");
        let e164 = case["e164"].as_str().expect("e164");
        let tally = per_region.entry(region.to_owned()).or_default();
        if case["valid"].as_bool().expect("valid") {
            let national = case["national"].as_str().expect("national");
            let (e164_ok, national_ok) = (is_phone(e164), is_phone(national));
            count(&mut tally.valid_e164, e164_ok);
            count(&mut tally.valid_national, national_ok);
            if !e164_ok || !national_ok {
                tally.examples.push(format!("missed valid {}: {e164} / {national}", case["kind"]));
            }
        } else {
            let accepted = is_phone(e164);
            count(&mut tally.invalid_rejected, !accepted);
            if accepted {
                tally.examples.push(format!("accepted invalid: {e164}"));
            }
        }
    }

    println!("{:<6} {:>10} {:>10} {:>16}", "region", "E.164", "national", "invalid rejected");
    for (region, tally) in &per_region {
        println!(
            "{region:<6} {:>10.3} {:>10.3} {:>16.3}",
            rate(tally.valid_e164),
            rate(tally.valid_national),
            rate(tally.invalid_rejected)
        );
    }
    for (region, tally) in &per_region {
        for example in tally.examples.iter().take(8) {
            println!("{region} {example}");
        }
    }

    for (region, tally) in &per_region {
        assert!(tally.valid_e164.1 >= 80 && tally.invalid_rejected.1 >= 60, "{region}: too few cases");
        assert!(rate(tally.valid_e164) >= 1.0, "{region}: valid E.164 numbers missed");
        assert!(rate(tally.valid_national) >= 1.0, "{region}: valid national numbers missed");
        // India's fixed lines are told from invalid numbers only by their 2–4 digit area codes,
        // which the plans leave out; elsewhere the leading digits and lengths reject nearly all.
        let floor = if region == "IN" { 0.85 } else { 0.95 };
        assert!(rate(tally.invalid_rejected) >= floor, "{region}: invalid numbers accepted");
    }
}
