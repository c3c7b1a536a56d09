//! Throughput of the classifier on bank-like JSON responses (1 KB, 64 KB, 1 MB, some PII),
//! beside a naive scanner in the same run: one regex per detector, each run over the whole text,
//! then the validators.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rampart_sensitive::validate;
use rampart_sensitive::{Classifier, ClassifierConfig};
use regex_automata::meta::Regex;

/// A deterministic bank payload of about `size` bytes: accounts, transactions, customers, with
/// a card, an NRIC, an email and a phone every few records.
fn payload(size: usize) -> String {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::from("{\"data\":{\"transactions\":[");
    let mut i = 0;
    while out.len() < size {
        let n = next();
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"transactionId\":\"TXN{:012}\",\"bookingDateTime\":\"2024-03-{:02}T10:{:02}:00+08:00\",\
             \"amount\":{{\"amount\":\"{}.{:02}\",\"currency\":\"SGD\"}},\"creditDebitIndicator\":\"Debit\",\
             \"status\":\"Booked\",\"transactionInformation\":\"PAYNOW TRANSFER REF {}\",\
             \"merchantDetails\":{{\"merchantName\":\"Kopi Corner Pte Ltd\",\"merchantCategoryCode\":\"5812\"}}",
            n % 1_000_000_000_000,
            n % 28 + 1,
            n % 60,
            n % 100_000,
            n % 100,
            n % 100_000_000,
        ));
        if i % 5 == 0 {
            out.push_str(
                ",\"customer\":{\"fullName\":\"Tan Wei Ming\",\"nric\":\"S1234567D\",\
                 \"email\":\"wei.ming.tan@example.com.sg\",\"mobile\":\"+65 9123 4567\",\
                 \"card\":{\"cardNumber\":\"4111 1111 1111 1111\",\"expiry\":\"12/27\"}}",
            );
        }
        out.push('}');
        i += 1;
    }
    out.push_str("]}}");
    out
}

type Validator = fn(&str) -> bool;

/// The naive way: one regex per detector, each over the whole text, then the validator.
struct Naive {
    detectors: Vec<(Regex, Validator)>,
}

impl Naive {
    fn new() -> Naive {
        let detectors: Vec<(&str, Validator)> = vec![
            (r"\b(?:\d[ -]?){12,18}\d\b", |s| validate::luhn(s) && validate::card_brand(s).is_some()),
            (r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", validate::iban),
            (r"\b[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b", validate::swift_bic),
            (r"\b[STFGM]\d{7}[A-Z]\b", validate::sg_nric),
            (r"\b\d{4} ?\d{4} ?\d{4}\b", validate::in_aadhaar),
            (r"\b[A-Z]{5}\d{4}[A-Z]\b", validate::in_pan),
            (r"\b\d{17}[\dX]\b", validate::cn_resident_id),
            (r"\b[A-Z]{1,2}\d{6}\(?[\dA]\)?", validate::hk_hkid),
            (r"\b[A-Z][12]\d{8}\b", validate::tw_national_id),
            (r"\b\d{3} ?\d{3} ?\d{2,3}\b", validate::au_tfn),
            (r"\b\d{4} ?\d{5} ?\d{1,2}\b", validate::au_medicare),
            (r"\b\d{4}[ -]?\d{4}[ -]?\d{4}\b", validate::jp_my_number),
            (r"\b\d{6}-?\d{7}\b", validate::kr_rrn),
            (r"\b\d{6}-?\d{2}-?\d{4}\b", validate::my_mykad),
            (r"\b\d{16}\b", validate::id_nik),
            (r"\b\d-?\d{4}-?\d{5}-?\d{2}-?\d\b", validate::th_national_id),
            (r"\b\d{3}-\d{2}-\d{4}\b", validate::us_ssn),
            (r"\+\d{1,3}[ \d-]{7,14}\d", |_| true),
            (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", |_| true),
            (r"\b(?:\d{1,3}\.){3}\d{1,3}\b", |_| true),
            (r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", |_| true),
            (r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", |_| true),
            (r"AIza[0-9A-Za-z_-]{35}", |_| true),
            (r"-----BEGIN[A-Z ]*PRIVATE KEY-----", |_| true),
        ];
        let detectors = detectors
            .into_iter()
            .map(|(pattern, validator)| {
                (Regex::new(&format!("(?-u){pattern}")).expect("naive pattern"), validator)
            })
            .collect();
        Naive { detectors }
    }

    fn scan(&self, text: &str) -> usize {
        let mut found = 0;
        for (regex, validator) in &self.detectors {
            for m in regex.find_iter(text) {
                if validator(&text[m.range()]) {
                    found += 1;
                }
            }
        }
        found
    }
}

fn bench(c: &mut Criterion) {
    let classifier = Classifier::new(ClassifierConfig::default());
    let naive = Naive::new();
    let mut group = c.benchmark_group("scan");
    for (label, size) in [("1KB", 1 << 10), ("64KB", 64 << 10), ("1MB", 1 << 20)] {
        let body = payload(size);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("scan_json", label), &body, |b, body| {
            b.iter(|| classifier.scan_json(body.as_bytes()).map(|d| d.len()))
        });
        group.bench_with_input(BenchmarkId::new("scan_text", label), &body, |b, body| {
            b.iter(|| classifier.scan_text(body).len())
        });
        group.bench_with_input(BenchmarkId::new("naive_regex_per_detector", label), &body, |b, body| {
            b.iter(|| naive.scan(body))
        });
    }
    group.finish();

    let pairs = field_values(1000);
    let mut group = c.benchmark_group("classify_value");
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("1000_fields", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|(field, value)| classifier.classify_value(Some(field), value).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// What the discovery engine hands `classify_value`: every scalar of bank bodies with its field
/// name — mostly identifiers, timestamps, amounts and enums, some personal data.
fn field_values(count: usize) -> Vec<(String, String)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut pairs = Vec::with_capacity(count);
    while pairs.len() < count {
        let n = next();
        let (field, value): (&str, String) = match n % 20 {
            0 => (
                "id",
                format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    n >> 32,
                    n & 0xffff,
                    n % 4096,
                    n % 4000,
                    n % (1 << 48)
                ),
            ),
            1 => ("createdAt", format!("2024-0{}-{:02}T09:{:02}:11.123Z", n % 9 + 1, n % 28 + 1, n % 60)),
            2 => ("amount", format!("{}.{:02}", n % 100_000, n % 100)),
            3 => ("currency", "SGD".to_owned()),
            4 => ("status", "ACTIVE".to_owned()),
            5 => ("accountId", format!("ACC{:010}", n % 10_000_000_000)),
            6 => ("description", format!("GIRO PAYMENT REF {} TO SP SERVICES", n % 1_000_000)),
            7 => ("merchantName", "Kopi Corner Pte Ltd".to_owned()),
            8 => ("count", format!("{}", n % 500)),
            9 => ("transactionId", format!("TXN{:012}", n % 1_000_000_000_000)),
            10 => ("type", "DEBIT".to_owned()),
            11 => ("balance", format!("{}.{:02}", n % 10_000_000, n % 100)),
            12 => ("updatedAt", format!("2024-1{}-{:02}", n % 3, n % 28 + 1)),
            13 => ("href", format!("/v1/accounts/{}/transactions?page={}", n % 100_000, n % 9)),
            14 => ("email", "wei.ming.tan@example.com.sg".to_owned()),
            15 => ("nric", "S1234567D".to_owned()),
            16 => ("mobile", "+65 9123 4567".to_owned()),
            17 => ("cardNumber", "4111 1111 1111 1111".to_owned()),
            18 => ("fullName", "Tan Wei Ming".to_owned()),
            _ => ("enabled", "true".to_owned()),
        };
        pairs.push((field.to_owned(), value));
    }
    pairs
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3))
        .warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
