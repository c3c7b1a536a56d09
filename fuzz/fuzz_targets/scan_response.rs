#![no_main]
//! What a scanned target sends back is untrusted: arbitrary bytes as a response body (masked for
//! evidence, harvested for object IDs when it is JSON) and as a `Location` header (the scope
//! guard). Besides never panicking: masked evidence is never longer than the recorded cap plus
//! the masks, and no `Location` naming another host is ever taken for the target.
//!
//! Input layout: the first byte splits the rest (its value, scaled, is where the `Location`
//! text ends and the body begins).

use libfuzzer_sys::fuzz_target;
use rampart_scanner::Target;
use rampart_scanner::evidence::{MAX_RECORDED_BODY, mask_body};
use rampart_scanner::plan::{Operation, ValuePool};

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    let at = (split as usize * rest.len()) / 256;
    let (location, body) = rest.split_at(at);
    let location = String::from_utf8_lossy(location);

    let target = match Target::parse("http://127.0.0.1:8080/api") {
        Ok(target) => target,
        Err(_) => return,
    };
    if target.contains(&location) {
        // Only relative paths or URLs whose host and port are the target's may pass.
        let lower = location.to_ascii_lowercase();
        assert!(
            (location.starts_with('/') && !location.starts_with("//"))
                || lower.starts_with("http://127.0.0.1:8080"),
            "{location:?} taken for the target"
        );
    }

    for content_type in ["application/json", "text/html"] {
        let (masked, _) = mask_body(body, content_type);
        // Masks may lengthen a value a little; the cap bounds the rest.
        assert!(masked.len() <= MAX_RECORDED_BODY * 4 + body.len().min(MAX_RECORDED_BODY) * 4);
    }

    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) {
        let op = Operation::parse_label("GET /accounts/{accountId}");
        let mut pool = ValuePool::default();
        pool.harvest(&op, &json);
        let _ = pool.values_for(&op, "accountId");
    }
});
