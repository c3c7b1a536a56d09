//! Arbitrary bytes as Exchange JSON Lines: must never panic, lines over the limit are skipped, and
//! the report must agree with what reached the sink.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_ingest::{IngestOptions, MAX_KEPT_ERRORS, read_jsonl, write_jsonl};

fuzz_target!(|data: &[u8]| {
    // A small limit so the over-long-line path is reached with small inputs.
    let opts = IngestOptions { max_line_bytes: 512, ..IngestOptions::default() };
    let mut exchanges = Vec::new();
    let report = read_jsonl("fuzz.jsonl", data, &opts, &mut |exchange| exchanges.push(exchange));
    assert_eq!(report.exchanges, exchanges.len() as u64);
    assert!(report.errors.len() <= MAX_KEPT_ERRORS);
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    assert!(report.exchanges + report.skipped <= lines);

    // What was accepted can be written and read again.
    let mut rewritten = Vec::new();
    for exchange in &exchanges {
        assert_eq!(exchange.v, 1);
        write_jsonl(&mut rewritten, exchange).expect("writing to a Vec cannot fail");
    }
    let again = read_jsonl("rewritten.jsonl", &rewritten[..], &IngestOptions::default(), &mut |_| {});
    assert_eq!(again.exchanges, exchanges.len() as u64);
    assert_eq!(again.skipped, 0);
});
