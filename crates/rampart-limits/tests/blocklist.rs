//! Blocklist behaviour on realistic inputs: files with errors, reload, the watcher, expiry,
//! allowlist precedence and detector decisions.

use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use rampart_limits::{
    BlockTarget, Blocklist, BlocklistConfig, Decision, DecisionSink, Enforcement, EntrySource, MatchedOn,
};

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

const BLOCK_FILE: &str = r#"# Rampart blocklist, maintained by SOC
ip 203.0.113.7 until=2026-12-01T00:00:00Z reason="credential stuffing, case 4411"
cidr 198.51.100.0/24 reason="bulletproof hoster"
cidr 2001:db8:bad::/48 reason="scanner"
identity cust-77120 reason="account takeover" id=ato-77120
token 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 reason="token leaked in paste"
allow 198.51.100.10 reason="partner health check"
ip 203.0.113.300 reason="typo"
cidr 192.0.2.0 reason="missing length"
{"kind":"ip","value":"192.0.2.99","reason":"json line","until":"2026-06-01T12:00:00Z"}
{"kind":"ip","value":"192.0.2.98","oops":true}
"#;

fn config_with(path: &std::path::Path) -> BlocklistConfig {
    let text = format!(
        r#"
files = ["{}"]
watch_interval_secs = 1
allow = ["10.20.0.0/16"]

[[entries]]
kind = "ip"
value = "10.20.1.1"
reason = "compromised partner host"

[[entries]]
kind = "identity"
value = "svc-legacy"
reason = "retired service account"
until = "2026-07-01T00:00:00Z"
"#,
        path.display()
    );
    toml::from_str(&text).unwrap()
}

#[test]
fn file_and_config_entries_with_errors_reported_by_line() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(BLOCK_FILE.as_bytes()).unwrap();
    let now = t("2026-06-01T00:00:00Z");
    let (blocklist, report) = Blocklist::new(&config_with(file.path()), now).unwrap();

    assert_eq!(report.skipped_lines(), 3);
    let lines: Vec<usize> = report.files[0].errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![8, 9, 11]);
    assert!(report.files[0].errors[0].to_string().contains(&format!("{}:8:", file.path().display())));
    assert_eq!(report.files[0].entries, 6);
    assert_eq!(report.files[0].allow, 1);

    let hit = blocklist.is_blocked(ip("203.0.113.7"), None, None, now).unwrap();
    assert_eq!(hit.matched, MatchedOn::Ip);
    assert_eq!(&*hit.reason, "credential stuffing, case 4411");
    assert_eq!(hit.source, EntrySource::File);
    assert_eq!(hit.expires_at, Some(t("2026-12-01T00:00:00Z")));
    assert_eq!(&*hit.entry_id, format!("{}:2", file.path().display()));

    let hit = blocklist.is_blocked(ip("198.51.100.200"), None, None, now).unwrap();
    assert_eq!(hit.matched, MatchedOn::Cidr("198.51.100.0/24".parse().unwrap()));
    assert!(blocklist.is_blocked(ip("2001:db8:bad:1::5"), None, None, now).is_some());
    assert!(blocklist.is_blocked(ip("2001:db8:bae::5"), None, None, now).is_none());

    let hit = blocklist.is_blocked(ip("192.0.2.200"), Some("cust-77120"), None, now).unwrap();
    assert_eq!((hit.matched, &*hit.entry_id), (MatchedOn::Identity, "ato-77120"));
    // Fingerprints are matched case-insensitively.
    let fingerprint = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    assert!(blocklist.is_blocked(ip("192.0.2.200"), None, Some(fingerprint), now).is_some());
    assert!(blocklist.is_blocked(ip("192.0.2.200"), Some("cust-1"), Some("00ff00ff00ff"), now).is_none());
}

#[test]
fn allowlist_wins_over_ip_blocks_but_not_identity_blocks() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(BLOCK_FILE.as_bytes()).unwrap();
    let now = t("2026-06-01T00:00:00Z");
    let (blocklist, _) = Blocklist::new(&config_with(file.path()), now).unwrap();
    // 198.51.100.10 is inside a blocked /24 but allowlisted by the file.
    assert!(blocklist.is_blocked(ip("198.51.100.10"), None, None, now).is_none());
    assert!(blocklist.is_blocked(ip("198.51.100.11"), None, None, now).is_some());
    // 10.20.1.1 is blocked by config but inside the allowlisted 10.20/16.
    assert!(blocklist.is_blocked(ip("10.20.1.1"), None, None, now).is_none());
    assert!(blocklist.is_allowlisted(ip("10.20.1.1"), now));
    // A detector decision against an allowlisted IP does not block it either.
    blocklist.add_decision(
        Decision {
            target: BlockTarget::Ip(ip("10.20.3.3")),
            reason: "enumeration".into(),
            source: EntrySource::Detector,
            action: Enforcement::Block,
            expires_at: None,
            id: None,
        },
        now,
    );
    assert!(blocklist.is_blocked(ip("10.20.3.3"), None, None, now).is_none());
    // A blocked identity stays blocked from an allowlisted address.
    let hit = blocklist.is_blocked(ip("10.20.1.1"), Some("cust-77120"), None, now).unwrap();
    assert_eq!(hit.matched, MatchedOn::Identity);
}

#[test]
fn expiry_is_honoured_at_lookup_and_pruned_later() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(BLOCK_FILE.as_bytes()).unwrap();
    let start = t("2026-06-01T00:00:00Z");
    let (blocklist, _) = Blocklist::new(&config_with(file.path()), start).unwrap();
    assert!(blocklist.is_blocked(ip("192.0.2.99"), None, None, start).is_some());
    assert!(blocklist.is_blocked(ip("1.1.1.1"), Some("svc-legacy"), None, start).is_some());

    let noon = t("2026-06-01T12:00:00Z");
    assert!(blocklist.is_blocked(ip("192.0.2.99"), None, None, noon).is_none());
    let july = t("2026-07-01T00:00:01Z");
    assert!(blocklist.is_blocked(ip("1.1.1.1"), Some("svc-legacy"), None, july).is_none());

    let before = blocklist.stats().base_entries;
    assert_eq!(blocklist.prune_expired(july), 2);
    assert_eq!(blocklist.stats().base_entries, before - 2);
    // The permanent ones survive pruning.
    assert!(blocklist.is_blocked(ip("198.51.100.1"), None, None, july).is_some());
}

#[test]
fn decisions_expire_replace_and_stay_bounded() {
    let now = t("2026-06-01T00:00:00Z");
    let config = BlocklistConfig { max_decisions: 3, ..BlocklistConfig::default() };
    let (blocklist, _) = Blocklist::new(&config, now).unwrap();
    let decide = |target: &str, minutes: i64| Decision {
        target: BlockTarget::parse("ip", target).unwrap(),
        reason: format!("bola enumeration from {target}"),
        source: EntrySource::Detector,
        action: Enforcement::Block,
        expires_at: Some(now + TimeDelta::minutes(minutes)),
        id: None,
    };
    let sink: &dyn DecisionSink = &blocklist;
    let _ = sink; // The trait is what detectors hold; add_decision lets tests pin `now`.
    blocklist.add_decision(decide("192.0.2.1", 10), now);
    blocklist.add_decision(decide("192.0.2.0/28", 30), now);
    let hit = blocklist.is_blocked(ip("192.0.2.1"), None, None, now).unwrap();
    assert_eq!((hit.source, hit.matched), (EntrySource::Detector, MatchedOn::Ip));

    // After 10 minutes the /32 has expired and the /28 still covers the address.
    let later = now + TimeDelta::minutes(11);
    let hit = blocklist.is_blocked(ip("192.0.2.1"), None, None, later).unwrap();
    assert_eq!(hit.matched, MatchedOn::Cidr("192.0.2.0/28".parse().unwrap()));
    assert_eq!(blocklist.prune_expired(later), 1);

    // Re-deciding the same target replaces, not duplicates.
    blocklist.add_decision(decide("192.0.2.0/28", 60), later);
    assert_eq!(blocklist.stats().decisions, 1);

    // Past the cap the oldest decisions go.
    for n in 2..8 {
        blocklist.add_decision(decide(&format!("203.0.113.{n}"), 60), later);
    }
    assert_eq!(blocklist.stats().decisions, 3);
    assert!(blocklist.is_blocked(ip("203.0.113.7"), None, None, later).is_some());
    assert!(blocklist.is_blocked(ip("203.0.113.2"), None, None, later).is_none());

    assert!(blocklist.remove_decision("decision:9", later));
    assert!(blocklist.is_blocked(ip("203.0.113.7"), None, None, later).is_none());
}

#[test]
fn reload_picks_up_edits_and_keeps_entries_when_the_file_vanishes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blocked.txt");
    std::fs::write(&path, "ip 192.0.2.1 reason=first\n").unwrap();
    let now = t("2026-06-01T00:00:00Z");
    let config = BlocklistConfig { files: vec![path.clone()], ..BlocklistConfig::default() };
    let (blocklist, _) = Blocklist::new(&config, now).unwrap();
    assert!(blocklist.is_blocked(ip("192.0.2.1"), None, None, now).is_some());

    // Nothing changed: nothing re-read.
    assert!(blocklist.reload_changed(now).files.is_empty());

    std::fs::write(&path, "ip 192.0.2.2 reason=second\nip 192.0.2.3\n").unwrap();
    let report = blocklist.reload_changed(now);
    assert_eq!(report.files.len(), 1);
    assert!(blocklist.is_blocked(ip("192.0.2.1"), None, None, now).is_none());
    assert!(blocklist.is_blocked(ip("192.0.2.2"), None, None, now).is_some());

    std::fs::remove_file(&path).unwrap();
    let report = blocklist.reload(now);
    assert!(report.files[0].read_error.is_some());
    assert!(blocklist.is_blocked(ip("192.0.2.2"), None, None, now).is_some());
}

#[test]
fn a_missing_file_at_start_is_an_error_naming_it() {
    let config = BlocklistConfig {
        files: vec!["/nonexistent/rampart/blocked.txt".into()],
        ..BlocklistConfig::default()
    };
    let error = Blocklist::new(&config, Utc::now()).unwrap_err().to_string();
    assert!(error.contains("/nonexistent/rampart/blocked.txt"), "{error}");
}

#[tokio::test]
async fn watcher_reloads_a_changed_file_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blocked.txt");
    std::fs::write(&path, "# empty for now\n").unwrap();
    let config =
        BlocklistConfig { files: vec![path.clone()], watch_interval_secs: 1, ..BlocklistConfig::default() };
    let (blocklist, _) = Blocklist::new(&config, Utc::now()).unwrap();
    let blocklist = Arc::new(blocklist);
    let watcher = blocklist.spawn_watcher();
    std::fs::write(&path, "cidr 203.0.113.0/24 reason=\"added by SOC\"\n").unwrap();

    // Generous deadline: this waits for the watcher, it does not time it.
    let mut reloaded = false;
    for _ in 0..200 {
        if blocklist.is_blocked(ip("203.0.113.50"), None, None, Utc::now()).is_some() {
            reloaded = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watcher.abort();
    assert!(reloaded, "watcher did not pick up the edited file");
}
