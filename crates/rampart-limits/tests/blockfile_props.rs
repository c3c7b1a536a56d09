//! Property tests for the block-file parser: it never panics, and what it writes it reads.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rampart_limits::BlockTarget;
use rampart_limits::blockfile::parse_block_file;

fn now() -> DateTime<Utc> {
    "2026-06-01T00:00:00Z".parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC*") {
        let parsed = parse_block_file(&text, "fuzz.txt", now());
        prop_assert!(parsed.errors.len() <= parsed.skipped);
    }

    #[test]
    fn never_panics_on_line_shaped_text(
        lines in prop::collection::vec(
            "(ip|cidr|identity|token|allow|\\{)[ ]{0,2}[0-9a-fA-F:./\"=\\\\ a-z{}]{0,60}", 0..20)
    ) {
        let text = lines.join("\n");
        let parsed = parse_block_file(&text, "fuzz.txt", now());
        prop_assert_eq!(parsed.entries.len() + parsed.skipped + parsed.expired,
            lines.iter().filter(|l| { let t = l.trim(); !t.is_empty() && !t.starts_with('#') }).count());
    }

    #[test]
    fn written_entries_read_back(
        octets in prop::array::uniform4(any::<u8>()),
        len in 1u8..=31,
        reason in "[ -~]{0,40}",
        identity in "[A-Za-z0-9._@-]{1,40}",
    ) {
        let escaped = reason.replace('\\', "\\\\").replace('"', "\\\"");
        let net = ipnet::Ipv4Net::new(octets.into(), len).unwrap().trunc();
        let text = format!(
            "cidr {net} reason=\"{escaped}\" until=2030-01-01T00:00:00Z\nidentity {identity} reason=\"{escaped}\"\n"
        );
        let parsed = parse_block_file(&text, "gen.txt", now());
        prop_assert_eq!(&parsed.errors, &vec![]);
        prop_assert_eq!(&parsed.entries[0].target, &BlockTarget::Cidr(net.into()));
        prop_assert_eq!(&parsed.entries[0].reason, &reason);
        prop_assert_eq!(&parsed.entries[1].target, &BlockTarget::Identity(identity));
        prop_assert_eq!(&parsed.entries[1].reason, &reason);
    }
}
