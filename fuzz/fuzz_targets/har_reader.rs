//! Arbitrary bytes as a HAR file, and as a single HAR entry: must never panic, and the report must
//! agree with what reached the sink.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_ingest::{IngestOptions, MAX_KEPT_ERRORS, har_entry_to_exchange, read_har};

fuzz_target!(|data: &[u8]| {
    let mut delivered = 0u64;
    let report = read_har("fuzz.har", data, &IngestOptions::default(), &mut |exchange| {
        delivered += 1;
        assert!(!exchange.request.method.is_empty());
        assert!(!exchange.request.host.is_empty());
        assert!(exchange.request.path.starts_with('/'));
    });
    assert_eq!(report.exchanges, delivered);
    assert!(report.errors.len() <= MAX_KEPT_ERRORS);
    assert!(report.skipped <= data.len() as u64);

    if let Ok(entry_json) = std::str::from_utf8(data)
        && let Ok(exchange) = har_entry_to_exchange(entry_json)
    {
        assert!(!exchange.request.method.is_empty());
        assert!(exchange.request.path.starts_with('/'));
    }
});
