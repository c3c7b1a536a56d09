//! Arbitrary and hostile input: never a panic, time linear in the input (not asserted: watched
//! by running these under `cargo test`), masked output never the raw value.

use proptest::prelude::*;
use rampart_core::SensitiveType;
use rampart_sensitive::mask::{MaskConfig, mask};
use rampart_sensitive::{Classifier, ClassifierConfig, ScanError};

fn classifier() -> Classifier {
    Classifier::new(ClassifierConfig::default())
}

#[test]
fn megabytes_of_digits_and_repeated_near_matches() {
    let classifier = classifier();
    let digits = "7".repeat(5 << 20);
    assert!(classifier.scan_text(&digits).is_empty());
    assert!(classifier.classify_value(Some("cardNumber"), &digits).is_empty());
    // Patterns whose matches could restart inside a long word: letters+digits, JWT prefixes,
    // email local parts, separators.
    for unit in ["x1", "eyJ1", "a1@", "1 ", "1-", "S1234567D ", "+6", "::1", "4111 "] {
        let text = unit.repeat((1 << 20) / unit.len());
        let _ = classifier.scan_text(&text);
    }
    let quoted = format!("{{\"cardNumber\":\"{}\"}}", "4".repeat(1 << 20));
    assert!(classifier.scan_json(quoted.as_bytes()).unwrap().is_empty());
}

#[test]
fn keywords_and_id_suffixes_repeated_stay_bounded() {
    let classifier = classifier();
    // Every number preceded by a keyword and fillers, ids with dashes and parentheses: the
    // look-back per number is bounded, so a megabyte costs a few passes at most.
    for unit in [
        "card no: 5500005555555559 ",
        "aadhaar number is 658073021578 ",
        "no no no no 1234 ",
        "(T8935975E) ",
        "A123456-3-",
        "W954895-8",
        "contact 8036 4776, ",
    ] {
        let text = unit.repeat((1 << 20) / unit.len());
        let found = classifier.scan_text(&text);
        for detection in found.iter().take(16) {
            assert!(detection.span.1 <= text.len());
        }
    }
}

#[test]
fn deep_json_is_an_error_not_a_stack_overflow() {
    let classifier = classifier();
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    assert!(matches!(classifier.scan_json(deep.as_bytes()), Err(ScanError::TooDeep { .. })));
    let deep_objects = "{\"a\":".repeat(100_000);
    assert!(matches!(classifier.scan_json(deep_objects.as_bytes()), Err(ScanError::TooDeep { .. })));
}

#[test]
fn invalid_utf8_inside_strings_is_scanned_around() {
    let mut body = b"{\"nric\":\"S1234567D\",\"x\":\"".to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    body.extend_from_slice(b"\",\"email\":\"a\xffb jane@example.com\"}");
    let found = classifier().scan_json(&body).unwrap();
    let kinds: Vec<SensitiveType> = found.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, vec![SensitiveType::SgNric, SensitiveType::Email]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn scanning_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let classifier = classifier();
        let _ = classifier.scan_json(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let _ = classifier.scan_text(&text);
        let _ = classifier.classify_value(Some(&text), &text);
    }

    #[test]
    fn scanning_jsonish_text_never_panics(text in r#"[\[\]{}":,0-9a-zA-Z \\u@.+\-]{0,400}"#) {
        let classifier = classifier();
        let _ = classifier.scan_json(text.as_bytes());
        for detection in classifier.scan_text(&text) {
            prop_assert!(detection.span.0 <= detection.span.1 && detection.span.1 <= text.len());
        }
    }

    #[test]
    fn masked_output_never_contains_a_raw_value_of_eight_or_more_chars(
        value in "[ -~]{8,64}",
        index in 0..SensitiveType::ALL.len(),
    ) {
        let kind = SensitiveType::ALL[index];
        let masked = mask(kind, &value, &MaskConfig::default());
        prop_assert!(!masked.contains(value.as_str()), "{kind:?}: {masked}");
    }

    #[test]
    fn detections_never_carry_the_matched_text(value in "[0-9 \\-]{8,24}|[A-Z][0-9]{7}[A-Z]|[a-z]{3,8}@[a-z]{3,8}\\.com") {
        for detection in classifier().scan_text(&value) {
            let matched = &value[detection.span.0..detection.span.1];
            prop_assert!(matched.len() < 8 || !detection.masked.contains(matched));
        }
    }
}
