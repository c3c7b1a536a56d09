//! Run-time decisions that rate-limit rather than block, and the allowlist's exemption from
//! detector decisions. Time is a fake clock throughout: wall-clock `DateTime`s for expiry, an
//! `Instant` plus offsets for the decision budgets.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rampart_limits::{
    BlockTarget, Blocklist, BlocklistConfig, Decision, Enforcement, EntryConfig, EntrySource, MatchedOn,
};

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

const NOW: &str = "2026-06-01T00:00:00Z";

fn decision(kind: &str, value: &str, source: EntrySource, action: Enforcement, id: &str) -> Decision {
    Decision {
        target: BlockTarget::parse(kind, value).unwrap(),
        reason: format!("{id} detected"),
        source,
        action,
        expires_at: Some(t(NOW) + TimeDelta::minutes(15)),
        id: Some(id.to_owned()),
    }
}

fn limit(per_minute: u32) -> Enforcement {
    Enforcement::RateLimit { per_minute }
}

fn empty_blocklist() -> Blocklist {
    Blocklist::new(&BlocklistConfig::default(), t(NOW)).unwrap().0
}

#[test]
fn a_rate_limit_decision_lets_n_through_then_throttles_until_the_budget_recovers() {
    let blocklist = empty_blocklist();
    let id = "credential-stuffing/ip:203.0.113.7/1732900000";
    blocklist.add_decision(decision("ip", "203.0.113.7", EntrySource::Detector, limit(6), id), t(NOW));
    let t0 = Instant::now();

    let hit = blocklist.is_blocked(ip("203.0.113.7"), None, None, t(NOW)).unwrap();
    assert_eq!(hit.action, limit(6));
    assert_eq!(&*hit.entry_id, id);
    assert_eq!((hit.source, hit.matched), (EntrySource::Detector, MatchedOn::Ip));
    for n in 0..6 {
        assert!(blocklist.check_decision_rate(&hit, t0).is_ok(), "request {n} is within the burst");
    }
    let over = blocklist.check_decision_rate(&hit, t0).unwrap_err();
    assert_eq!(over.per_minute, 6);
    assert_eq!(&*over.entry_id, id);
    assert_eq!(over.retry_after, Duration::from_secs(10), "60 s / 6");
    assert_eq!(over.retry_after_secs(), 10);
    // A refused request is not charged: 9.9 s later it is still 0.1 s early, at 10 s it passes.
    let early = blocklist.check_decision_rate(&hit, t0 + Duration::from_millis(9_900)).unwrap_err();
    assert_eq!(early.retry_after, Duration::from_millis(100));
    assert_eq!(early.retry_after_secs(), 1);
    blocklist.check_decision_rate(&hit, t0 + Duration::from_secs(10)).unwrap();
    assert!(blocklist.check_decision_rate(&hit, t0 + Duration::from_secs(10)).is_err());

    // Other clients are not concerned; after a quiet minute the whole burst is back.
    assert!(blocklist.is_blocked(ip("203.0.113.8"), None, None, t(NOW)).is_none());
    let later = t0 + Duration::from_secs(75);
    for _ in 0..6 {
        blocklist.check_decision_rate(&hit, later).unwrap();
    }
    assert!(blocklist.check_decision_rate(&hit, later).is_err());
}

#[test]
fn expiry_ends_a_rate_limit_and_idle_budgets_are_evicted() {
    let blocklist = empty_blocklist();
    blocklist.add_decision(
        decision("identity", "jwt:cust-9", EntrySource::Detector, limit(1), "scraping/1"),
        t(NOW),
    );
    let t0 = Instant::now();
    let hit = blocklist.is_blocked(ip("192.0.2.1"), Some("jwt:cust-9"), None, t(NOW)).unwrap();
    assert_eq!(hit.matched, MatchedOn::Identity);
    blocklist.check_decision_rate(&hit, t0).unwrap();
    assert!(blocklist.check_decision_rate(&hit, t0).is_err());
    assert_eq!(blocklist.decision_rate_keys(), 1);

    // The identity's budget is shared whatever address it comes from.
    let elsewhere = blocklist.is_blocked(ip("198.51.100.3"), Some("jwt:cust-9"), None, t(NOW)).unwrap();
    assert!(blocklist.check_decision_rate(&elsewhere, t0).is_err());

    let expired = t(NOW) + TimeDelta::minutes(15);
    assert!(blocklist.is_blocked(ip("192.0.2.1"), Some("jwt:cust-9"), None, expired).is_none());
    assert_eq!(blocklist.prune_expired(expired), 1);

    // A budget that has fully recovered decides nothing and is dropped; a live one is kept.
    assert_eq!(blocklist.evict_idle_rates(t0 + Duration::from_secs(30)), 0);
    assert_eq!(blocklist.evict_idle_rates(t0 + Duration::from_secs(61)), 1);
    assert_eq!(blocklist.decision_rate_keys(), 0);
}

#[test]
fn each_decision_has_its_own_budget_and_a_zero_rate_is_a_block() {
    let blocklist = empty_blocklist();
    blocklist.add_decisions(
        [
            decision("ip", "192.0.2.10", EntrySource::Detector, limit(1), "flood/a"),
            decision("ip", "192.0.2.11", EntrySource::Detector, limit(1), "flood/b"),
            decision("ip", "192.0.2.12", EntrySource::Detector, limit(0), "flood/c"),
        ],
        t(NOW),
    );
    let t0 = Instant::now();
    let a = blocklist.is_blocked(ip("192.0.2.10"), None, None, t(NOW)).unwrap();
    let b = blocklist.is_blocked(ip("192.0.2.11"), None, None, t(NOW)).unwrap();
    blocklist.check_decision_rate(&a, t0).unwrap();
    blocklist.check_decision_rate(&b, t0).unwrap();
    assert!(blocklist.check_decision_rate(&a, t0).is_err());

    let zero = blocklist.is_blocked(ip("192.0.2.12"), None, None, t(NOW)).unwrap();
    assert_eq!(zero.action, Enforcement::Block);
    // Asking about the budget of a block is answered, not a panic: there is none.
    let refused = blocklist.check_decision_rate(&zero, t0).unwrap_err();
    assert_eq!((refused.per_minute, refused.retry_after), (0, Duration::ZERO));
}

#[test]
fn a_block_wins_over_any_rate_limit_and_the_strictest_limit_is_reported() {
    let config = BlocklistConfig {
        entries: vec![EntryConfig {
            kind: "identity".into(),
            value: "apikey:partner-7".into(),
            reason: "key revoked".into(),
            until: None,
            id: Some("case-991".into()),
        }],
        ..BlocklistConfig::default()
    };
    let (blocklist, _) = Blocklist::new(&config, t(NOW)).unwrap();
    blocklist.add_decisions(
        [
            decision("ip", "203.0.113.7", EntrySource::Detector, limit(30), "scraping/ip"),
            decision("cidr", "198.51.100.0/24", EntrySource::Detector, Enforcement::Block, "stuffing/net"),
            decision("ip", "198.51.100.9", EntrySource::Detector, limit(30), "scraping/in-net"),
            decision("identity", "jwt:cust-1", EntrySource::Detector, limit(5), "enumeration/id"),
        ],
        t(NOW),
    );
    // A rate-limited address must not shadow a blocked identity checked after it.
    let hit = blocklist.is_blocked(ip("203.0.113.7"), Some("apikey:partner-7"), None, t(NOW)).unwrap();
    assert_eq!((hit.action, &*hit.entry_id), (Enforcement::Block, "case-991"));
    // Nor a rate-limited address inside a blocked network.
    let hit = blocklist.is_blocked(ip("198.51.100.9"), None, None, t(NOW)).unwrap();
    assert_eq!((hit.action, &*hit.entry_id), (Enforcement::Block, "stuffing/net"));
    assert_eq!(hit.matched, MatchedOn::Cidr("198.51.100.0/24".parse().unwrap()));
    // Two rate limits: the stricter is the one to enforce.
    let hit = blocklist.is_blocked(ip("203.0.113.7"), Some("jwt:cust-1"), None, t(NOW)).unwrap();
    assert_eq!((hit.action, &*hit.entry_id), (limit(5), "enumeration/id"));
}

#[test]
fn an_allowlisted_ip_is_exempt_from_every_detector_decision_but_not_from_config_identities() {
    let config = BlocklistConfig {
        allow: vec!["10.20.0.0/16".into()],
        entries: vec![EntryConfig {
            kind: "identity".into(),
            value: "svc-legacy".into(),
            reason: "retired service account".into(),
            until: None,
            id: None,
        }],
        ..BlocklistConfig::default()
    };
    let (blocklist, _) = Blocklist::new(&config, t(NOW)).unwrap();
    let token = "9f86d081884c7d659a2feaa0c55ad015";
    blocklist.add_decisions(
        [
            decision("identity", "jwt:partner-bot", EntrySource::Detector, Enforcement::Block, "ato/1"),
            decision("identity", "jwt:health", EntrySource::Detector, limit(1), "scraping/2"),
            decision("token", token, EntrySource::Detector, Enforcement::Block, "token-sharing/3"),
            decision("ip", "10.20.5.5", EntrySource::Detector, Enforcement::Block, "flood/4"),
            decision("identity", "jwt:fired", EntrySource::Api, Enforcement::Block, "hr-ticket-5"),
        ],
        t(NOW),
    );
    let partner = ip("10.20.5.5");
    assert!(blocklist.is_allowlisted(partner, t(NOW)));
    assert!(blocklist.is_blocked(partner, None, None, t(NOW)).is_none());
    assert!(blocklist.is_blocked(partner, Some("jwt:partner-bot"), None, t(NOW)).is_none());
    assert!(blocklist.is_blocked(partner, Some("jwt:health"), None, t(NOW)).is_none());
    assert!(blocklist.is_blocked(partner, None, Some(token), t(NOW)).is_none());
    // Operators' identity entries (config, API) still apply from the allowlisted address.
    let hit = blocklist.is_blocked(partner, Some("svc-legacy"), None, t(NOW)).unwrap();
    assert_eq!((hit.source, hit.matched), (EntrySource::Config, MatchedOn::Identity));
    let hit = blocklist.is_blocked(partner, Some("jwt:fired"), None, t(NOW)).unwrap();
    assert_eq!(hit.source, EntrySource::Api);

    // From anywhere else the detector decisions apply.
    let outside = ip("192.0.2.77");
    let hit = blocklist.is_blocked(outside, Some("jwt:partner-bot"), None, t(NOW)).unwrap();
    assert_eq!((hit.action, &*hit.entry_id), (Enforcement::Block, "ato/1"));
    assert_eq!(blocklist.is_blocked(outside, Some("jwt:health"), None, t(NOW)).unwrap().action, limit(1));
    assert_eq!(
        blocklist.is_blocked(outside, None, Some(token), t(NOW)).unwrap().matched,
        MatchedOn::TokenFingerprint
    );
    assert!(blocklist.has_token_entries());
}

#[test]
fn enforcement_reads_and_writes_snake_case() {
    assert_eq!(serde_json::to_string(&Enforcement::Block).unwrap(), r#""block""#);
    let limit: Enforcement = serde_json::from_str(r#"{"rate_limit":{"per_minute":12}}"#).unwrap();
    assert_eq!(limit, Enforcement::RateLimit { per_minute: 12 });
    assert_eq!(limit.per_minute(), Some(12));
    assert_eq!(limit.to_string(), "rate limit 12/min");
    assert_eq!(Enforcement::default(), Enforcement::Block);
}

proptest! {
    /// GCRA's guarantee, whatever the arrivals: from the first request, at most `per_minute`
    /// plus one per emission interval elapsed are admitted; and a request after a quiet minute
    /// is always admitted.
    #[test]
    fn admissions_never_exceed_burst_plus_rate(
        per_minute in 1u32..120,
        gaps_ms in proptest::collection::vec(0u64..5_000, 1..300),
    ) {
        let blocklist = empty_blocklist();
        let rate_limit = decision("ip", "192.0.2.1", EntrySource::Detector, limit(per_minute), "p");
        blocklist.add_decision(rate_limit, t(NOW));
        let hit = blocklist.is_blocked(ip("192.0.2.1"), None, None, t(NOW)).unwrap();
        let t0 = Instant::now();
        let emission_ns = u128::from(60_000_000_000 / u64::from(per_minute));
        let mut at = Duration::ZERO;
        let mut admitted = 0u128;
        let mut last_admitted: Option<Duration> = None;
        for gap in gaps_ms {
            at += Duration::from_millis(gap);
            let quiet = last_admitted.is_none_or(|last| at - last >= Duration::from_secs(60));
            let outcome = blocklist.check_decision_rate(&hit, t0 + at);
            if quiet {
                prop_assert!(outcome.is_ok(), "a request after a quiet minute is admitted");
            }
            if outcome.is_ok() {
                admitted += 1;
                last_admitted = Some(at);
            }
            prop_assert!(admitted <= u128::from(per_minute) + at.as_nanos() / emission_ns);
        }
    }
}

/// Two detectors act on one attacker a second apart (a scanner block, then a flood's rate
/// limit): the block holds. A stronger decision replaces a weaker one, and a shorter decision
/// never cuts an operator's open-ended block.
#[test]
fn a_weaker_or_shorter_decision_never_replaces_a_stronger_one() {
    let now = chrono::Utc::now();
    let (blocklist, _) = rampart_limits::Blocklist::new(&rampart_limits::BlocklistConfig::default(), now)
        .unwrap_or_else(|e| panic!("{e}"));
    let ip: std::net::IpAddr = "198.18.5.10".parse().unwrap_or_else(|e| panic!("{e}"));
    let decision = |action, minutes: Option<i64>, id: &str| rampart_limits::Decision {
        target: rampart_limits::BlockTarget::Ip(ip),
        reason: id.to_owned(),
        source: rampart_limits::EntrySource::Detector,
        expires_at: minutes.map(|m| now + chrono::Duration::minutes(m)),
        id: Some(id.to_owned()),
        action,
    };
    let limit = rampart_limits::Enforcement::RateLimit { per_minute: 30 };
    blocklist.add_decision(decision(rampart_limits::Enforcement::Block, Some(15), "scanner"), now);
    blocklist.add_decision(decision(limit, Some(15), "volumetric"), now);
    let hit = blocklist.is_blocked(ip, None, None, now).unwrap_or_else(|| panic!("not blocked"));
    assert_eq!((&*hit.entry_id, hit.action), ("scanner", rampart_limits::Enforcement::Block));

    let other: std::net::IpAddr = "198.18.6.10".parse().unwrap_or_else(|e| panic!("{e}"));
    let mut weak = decision(limit, Some(15), "volumetric");
    weak.target = rampart_limits::BlockTarget::Ip(other);
    let mut strong = decision(rampart_limits::Enforcement::Block, Some(15), "injection");
    strong.target = rampart_limits::BlockTarget::Ip(other);
    blocklist.add_decisions([weak, strong], now);
    let hit = blocklist.is_blocked(other, None, None, now).unwrap_or_else(|| panic!("not blocked"));
    assert_eq!(&*hit.entry_id, "injection");

    let mut operator = decision(rampart_limits::Enforcement::Block, None, "api:ticket-4411");
    operator.source = rampart_limits::EntrySource::Api;
    operator.target =
        rampart_limits::BlockTarget::Ip("203.0.113.9".parse().unwrap_or_else(|e| panic!("{e}")));
    let mut detector = decision(rampart_limits::Enforcement::Block, Some(15), "credential-stuffing");
    detector.target = operator.target.clone();
    blocklist.add_decisions([operator, detector], now);
    let later = now + chrono::Duration::hours(2);
    let hit = blocklist
        .is_blocked("203.0.113.9".parse().unwrap_or_else(|e| panic!("{e}")), None, None, later)
        .unwrap_or_else(|| panic!("the operator's block was cut short"));
    assert_eq!(&*hit.entry_id, "api:ticket-4411");
}
