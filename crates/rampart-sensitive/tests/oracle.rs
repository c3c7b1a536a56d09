//! The validators against an independent oracle: python-stdnum, plus (for the types stdnum does
//! not cover: SG NRIC, HKID, Taiwan ID, Medicare) a separate Python implementation of the
//! issuers' rules. `tests/data/oracle_gen.py` builds the labelled cases.
//!
//! The committed snapshot `tests/data/oracle_cases.json` is always checked, so CI without Python
//! still tests against the oracle's labels. With `RAMPART_TEST_STDNUM=1` the generator also runs
//! live (seed `RAMPART_TEST_STDNUM_SEED`, default 7, 400 cases per type and kind).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rampart_sensitive::validate;
use serde_json::Value;

/// Identifier types whose rules are fully determined by a check digit and published structure:
/// the validators must agree with the oracle on every case.
const CHECKSUMMED: &[&str] = &[
    "luhn",
    "iban",
    "in_aadhaar",
    "cn_resident_id",
    "au_tfn",
    "jp_my_number",
    "kr_rrn_legacy",
    "th_national_id",
    "sg_nric",
    "hk_hkid",
    "tw_national_id",
    "au_medicare",
];

fn validator(kind: &str) -> Option<fn(&str) -> bool> {
    let f: fn(&str) -> bool = match kind {
        "luhn" => validate::luhn,
        "iban" => validate::iban,
        "swift_bic" => validate::swift_bic,
        "in_aadhaar" => validate::in_aadhaar,
        "in_pan" => validate::in_pan,
        "cn_resident_id" => validate::cn_resident_id,
        "au_tfn" => validate::au_tfn,
        "jp_my_number" => validate::jp_my_number,
        "kr_rrn_legacy" => validate::kr_rrn_legacy,
        "my_mykad" => validate::my_mykad,
        "id_nik" => validate::id_nik,
        "th_national_id" => validate::th_national_id,
        "us_ssn" => validate::us_ssn,
        "sg_nric" => validate::sg_nric,
        "hk_hkid" => validate::hk_hkid,
        "tw_national_id" => validate::tw_national_id,
        "au_medicare" => validate::au_medicare,
        _ => return None,
    };
    Some(f)
}

/// Documented, deliberate differences from python-stdnum on the structural (check-digit-free)
/// types, where this crate is stricter or more up to date. Returns the reason when `value`'s
/// disagreement is explained by one.
fn known_difference(kind: &str, value: &str, oracle_says_valid: bool) -> Option<&'static str> {
    let digits: Vec<u32> = value.chars().filter_map(|c| c.to_digit(10)).collect();
    let pair = |at: usize| digits.get(at).zip(digits.get(at + 1)).map(|(a, b)| a * 10 + b);
    match kind {
        "id_nik" if oracle_says_valid => {
            if matches!(pair(6), Some(81..=99)) {
                Some("stdnum reads the NIK day modulo 40, so 81-99 pass there; days are 1-31 or 41-71")
            } else if pair(2) == Some(0) || pair(4) == Some(0) {
                Some("regency and district codes are never 00")
            } else if digits.len() == 16 && digits[12..].iter().all(|&d| d == 0) {
                Some("serial 0000 is never issued")
            } else {
                None
            }
        }
        "id_nik" if matches!(pair(0), Some(65 | 92 | 93 | 95 | 96)) => Some(
            "provinces created since 2012 (Kalimantan Utara, the 2022 Papua split) are unknown to stdnum",
        ),
        "in_pan" if oracle_says_valid && value.as_bytes().get(3) == Some(&b'K') => {
            Some("holder type K is not in the Income Tax Department's list")
        }
        _ => None,
    }
}

struct Tally {
    agreed: usize,
    explained: BTreeMap<&'static str, usize>,
    disagreements: Vec<String>,
}

fn check_cases(doc: &Value) -> BTreeMap<String, Tally> {
    let cases = doc["cases"].as_array().expect("cases array");
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for case in cases {
        let kind = case["type"].as_str().expect("type");
        let value = case["value"].as_str().expect("value");
        let expected = case["valid"].as_bool().expect("valid");
        let how = case["kind"].as_str().unwrap_or("?");
        let f = validator(kind).unwrap_or_else(|| panic!("no validator for {kind}"));
        let tally = tallies.entry(kind.to_owned()).or_insert_with(|| Tally {
            agreed: 0,
            explained: BTreeMap::new(),
            disagreements: Vec::new(),
        });
        let got = f(value);
        if kind == "kr_rrn_legacy" && expected {
            // Every legacy-format RRN is also an RRN.
            assert!(validate::kr_rrn(value), "kr_rrn rejects legacy-valid {value:?}");
        }
        if got == expected {
            tally.agreed += 1;
        } else if let Some(reason) =
            (!CHECKSUMMED.contains(&kind)).then(|| known_difference(kind, value, expected)).flatten()
        {
            *tally.explained.entry(reason).or_default() += 1;
        } else {
            tally.disagreements.push(format!("{kind} {value:?} ({how}): oracle {expected}, validator {got}"));
        }
    }
    tallies
}

fn assert_agreement(doc: &Value, label: &str) {
    let tallies = check_cases(doc);
    let mut failures = Vec::new();
    for (kind, tally) in &tallies {
        eprintln!("{label}: {kind}: {} agreed, explained differences {:?}", tally.agreed, tally.explained);
        failures.extend(tally.disagreements.iter().cloned());
    }
    for kind in CHECKSUMMED {
        assert!(tallies.get(*kind).is_some_and(|t| t.agreed >= 100), "{label}: too few cases for {kind}");
    }
    assert!(failures.is_empty(), "{label}: {} disagreements:\n{}", failures.len(), failures.join("\n"));
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

#[test]
fn validators_agree_with_the_committed_oracle_snapshot() {
    let text = std::fs::read_to_string(data_dir().join("oracle_cases.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let count = doc["cases"].as_array().map_or(0, Vec::len);
    assert!(count > 4000, "snapshot unexpectedly small: {count}");
    assert_agreement(&doc, "snapshot");
}

#[test]
fn snapshot_kinds_cover_valid_near_misses_and_lookalikes_per_type() {
    let text = std::fs::read_to_string(data_dir().join("oracle_cases.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut seen: BTreeMap<(String, String, bool), usize> = BTreeMap::new();
    for case in doc["cases"].as_array().unwrap() {
        let key = (
            case["type"].as_str().unwrap().to_owned(),
            case["kind"].as_str().unwrap().to_owned(),
            case["valid"].as_bool().unwrap(),
        );
        *seen.entry(key).or_default() += 1;
    }
    for kind in CHECKSUMMED {
        assert!(seen.get(&((*kind).to_owned(), "built".to_owned(), true)).copied().unwrap_or(0) >= 100);
        assert!(seen.get(&((*kind).to_owned(), "near_miss".to_owned(), false)).copied().unwrap_or(0) >= 100);
    }
}

#[test]
fn validators_agree_with_live_stdnum_when_enabled() {
    if std::env::var("RAMPART_TEST_STDNUM").as_deref() != Ok("1") {
        eprintln!(
            "note: set RAMPART_TEST_STDNUM=1 (with `pip install python-stdnum`) to run the live oracle"
        );
        return;
    }
    let seed = std::env::var("RAMPART_TEST_STDNUM_SEED").unwrap_or_else(|_| "7".to_owned());
    let out = Command::new("python3")
        .arg(data_dir().join("oracle_gen.py"))
        .args(["--seed", &seed, "--per-type", "400"])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "oracle_gen.py failed: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_agreement(&doc, "live stdnum");
}
