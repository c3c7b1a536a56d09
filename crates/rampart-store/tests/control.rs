//! The control-plane tables of the SQLite store: tokens, audit log, finding states, alerts,
//! decisions, specs, traffic, ingestion offsets, and the migration that adds them.

use std::path::Path;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rampart_core::{EndpointKey, Finding, OwaspApi2023, Severity, SourceLocation};
use rampart_store::{
    AlertFilter, AlertRow, DecisionRow, FindingState, FindingStatus, InventoryStore, PostureStore, Role,
    SCHEMA_VERSION, SqliteStore, StoreError, TokenRecord, TrafficBucket, endpoint_id, finding_ids,
};
use serde_json::json;

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, h, m, s).unwrap()
}

fn key(method: &str, path: &str) -> EndpointKey {
    EndpointKey { host: "bank.example".into(), method: method.into(), path_template: path.into() }
}

fn finding(rule: &str, endpoint: Option<EndpointKey>, severity: Severity, title: &str) -> Finding {
    Finding {
        rule: rule.into(),
        owasp: OwaspApi2023::Api3,
        severity,
        title: title.into(),
        endpoint,
        location: None,
        evidence: vec!["response 200 field `$.pan` carries card numbers (300 of 310 calls)".into()],
        fix: "Return only the last four digits of the card number.".into(),
    }
}

const STUFFING_ID: &str = "credential-stuffing/ip:203.0.113.250/1764468000";
const ENUM_ID: &str = "bola-enumeration/identity:user-4411/1764468300";

fn alert(id: &str, detector: &str, state: &str, last_seen: DateTime<Utc>, count: u64) -> AlertRow {
    let key = id.split('/').nth(1).unwrap_or_default().to_owned();
    AlertRow {
        id: id.into(),
        detector: detector.into(),
        severity: Severity::High,
        state: state.into(),
        key: key.clone(),
        first_seen: at(2, 0, 0),
        last_seen,
        count,
        data: json!({"id": id, "state": state, "detector": detector, "key": key, "count": count,
                     "summary": format!("{count} failed logins from one address")})
        .to_string(),
    }
}

fn block(id: &str, value: &str, created_at: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> DecisionRow {
    DecisionRow {
        id: id.into(),
        kind: "ip".into(),
        value: value.into(),
        action: "block".into(),
        per_minute: None,
        reason: "credential stuffing: 41 failed logins on POST /v2/login in 60 s".into(),
        source: "detector".into(),
        detector: Some("credential-stuffing".into()),
        alert_id: Some(id.into()),
        created_at,
        expires_at,
        lifted_at: None,
        lifted_by: None,
    }
}

const PETSTORE_YAML: &str = "openapi: 3.0.3
info:
  title: Demo Bank
  version: 2.4.0
paths:
  /v2/accounts:
    get:
      operationId: listAccounts
      security:
        - bearer: []
      responses:
        '200':
          description: the caller's accounts
";

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path).unwrap().pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[test]
fn the_store_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<SqliteStore>();
}

#[test]
fn roles_are_ordered_and_parsed() {
    assert!(Role::Viewer < Role::Operator && Role::Operator < Role::Admin);
    assert_eq!(Role::ALL.iter().max(), Some(&Role::Admin));
    assert_eq!("ADMIN".parse::<Role>(), Ok(Role::Admin));
    assert_eq!(" operator ".parse::<Role>(), Ok(Role::Operator));
    let err = "root".parse::<Role>().unwrap_err().to_string();
    assert!(err.contains("root") && err.contains("viewer, operator or admin"), "{err}");
    assert_eq!(Role::Viewer.as_str(), "viewer");
    assert_eq!(serde_json::to_value(Role::Operator).unwrap(), json!("operator"));
    assert_eq!(serde_json::from_value::<Role>(json!("admin")).unwrap(), Role::Admin);

    assert_eq!("Accepted".parse::<FindingStatus>(), Ok(FindingStatus::Accepted));
    assert_eq!(FindingStatus::Fixed.as_str(), "fixed");
    assert_eq!(serde_json::to_value(FindingStatus::Open).unwrap(), json!("open"));
    let err = "wontfix".parse::<FindingStatus>().unwrap_err().to_string();
    assert!(err.contains("open, accepted or fixed"), "{err}");
}

#[test]
fn tokens_authenticate_until_they_expire_or_are_revoked() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let now = at(2, 0, 0);
    let admin = store.create_token("ops-laptop", Role::Admin, None, "cli", now).unwrap();
    let expiring = store
        .create_token("ci-reader", Role::Viewer, Some(now + TimeDelta::days(30)), "tok_000000000001", now)
        .unwrap();

    // Secret and id formats: rmp_ + 43 base64url characters (32 bytes), tok_ + 12 hex digits.
    assert!(admin.secret.starts_with("rmp_"), "{}", admin.secret);
    assert_eq!(admin.secret.len(), 4 + 43);
    assert!(admin.secret[4..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert!(admin.record.id.starts_with("tok_"));
    assert_eq!(admin.record.id.len(), 16);
    assert!(admin.record.id[4..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_ne!(admin.secret, expiring.secret);
    assert_ne!(admin.record.id, expiring.record.id);
    assert!(!format!("{admin:?}").contains(&admin.secret), "Debug must not show the secret");

    // Authenticating records the use, at most once a minute.
    let found = store.authenticate_token(&admin.secret, now + TimeDelta::seconds(5)).unwrap().unwrap();
    assert_eq!(found.id, admin.record.id);
    assert_eq!(found.role, Role::Admin);
    assert_eq!(found.last_used_at, Some(now + TimeDelta::seconds(5)));
    let again = store.authenticate_token(&admin.secret, now + TimeDelta::seconds(30)).unwrap().unwrap();
    assert_eq!(again.last_used_at, Some(now + TimeDelta::seconds(5)));
    let later = store.authenticate_token(&admin.secret, now + TimeDelta::seconds(70)).unwrap().unwrap();
    assert_eq!(later.last_used_at, Some(now + TimeDelta::seconds(70)));
    assert_eq!(store.token(&admin.record.id).unwrap().unwrap().last_used_at, later.last_used_at);

    // Unknown secrets, a near miss included.
    assert!(store.authenticate_token("rmp_not-a-token", now).unwrap().is_none());
    let mut near = admin.secret.clone();
    near.pop();
    assert!(store.authenticate_token(&near, now).unwrap().is_none());
    assert!(store.authenticate_token("", now).unwrap().is_none());

    // Expiry is exclusive of the expiry instant.
    let expires = now + TimeDelta::days(30);
    assert!(store.authenticate_token(&expiring.secret, expires - TimeDelta::seconds(1)).unwrap().is_some());
    assert!(store.authenticate_token(&expiring.secret, expires).unwrap().is_none());

    // Revocation.
    assert!(store.revoke_token(&admin.record.id, now + TimeDelta::hours(1)).unwrap());
    assert!(!store.revoke_token(&admin.record.id, now + TimeDelta::hours(2)).unwrap(), "already revoked");
    assert!(!store.revoke_token("tok_ffffffffffff", now).unwrap(), "unknown");
    assert!(store.authenticate_token(&admin.secret, now + TimeDelta::hours(1)).unwrap().is_none());
    let revoked = store.token(&admin.record.id).unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(now + TimeDelta::hours(1)), "the first revocation is kept");

    // Listing: newest first, revoked ones included.
    let later_token =
        store.create_token("grafana", Role::Viewer, None, "cli", now + TimeDelta::hours(3)).unwrap();
    let ids: Vec<_> = store.list_tokens().unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], later_token.record.id);
    assert!(ids.contains(&admin.record.id) && ids.contains(&expiring.record.id));
    let stored = store.token(&expiring.record.id).unwrap().unwrap();
    assert_eq!(stored.last_used_at, Some(expires - TimeDelta::seconds(1)));
    assert_eq!(TokenRecord { last_used_at: None, ..stored }, expiring.record);
    assert!(store.token("tok_ffffffffffff").unwrap().is_none());
    let info = serde_json::to_value(&expiring.record).unwrap();
    assert_eq!(info["role"], json!("viewer"));
    assert_eq!(info["expires_at"], json!("2026-12-30T02:00:00Z"));
}

#[test]
fn a_token_secret_is_nowhere_in_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let token = store.create_token("ops-laptop", Role::Admin, None, "cli", at(2, 0, 0)).unwrap();
    assert!(store.authenticate_token(&token.secret, at(2, 1, 0)).unwrap().is_some());
    let checkpoint = rusqlite::Connection::open(&path).unwrap();
    checkpoint.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    drop(checkpoint);
    let mut bytes = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("rampart.db-wal")) {
        bytes.extend(wal);
    }
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(token.record.id.as_bytes()), "the file was read (the id is in it)");
    assert!(!contains(token.secret.as_bytes()), "the secret is stored");
    assert!(!contains(&token.secret.as_bytes()[4..]), "the secret's random part is stored");
}

#[test]
fn the_audit_log_pages_newest_first() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.audit_log(100, 0).unwrap(), (0, vec![]));
    let mut ids = Vec::new();
    for i in 0..25u32 {
        let id = store
            .append_audit(
                at(3, i, 0),
                "tok_3f2a9c0d1e2b (ops-laptop)",
                if i % 2 == 0 { "decision.lift" } else { "finding.status" },
                &format!("credential-stuffing/ip:203.0.113.{i}/1764468000"),
                &json!({"reason": "false positive: office NAT", "n": i}),
                (i != 3).then_some("198.51.100.7"),
            )
            .unwrap();
        ids.push(id);
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
    let (total, page) = store.audit_log(10, 0).unwrap();
    assert_eq!(total, 25);
    assert_eq!(page.len(), 10);
    assert_eq!(page[0].id, ids[24]);
    assert_eq!(page[0].at, at(3, 24, 0));
    assert_eq!(page[0].detail, json!({"reason": "false positive: office NAT", "n": 24}));
    assert_eq!(page[0].action, "decision.lift");
    assert_eq!(page[0].client_ip.as_deref(), Some("198.51.100.7"));
    let (_, last) = store.audit_log(10, 20).unwrap();
    assert_eq!(
        last.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids[..5].iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(last[1].client_ip, None, "entry 3 had no address");
    let (total, beyond) = store.audit_log(10, 30).unwrap();
    assert_eq!((total, beyond.len()), (25, 0));
    let entry = serde_json::to_value(&page[0]).unwrap();
    assert_eq!(entry["at"], json!("2026-11-30T03:24:00Z"));
    assert_eq!(entry["target"], json!("credential-stuffing/ip:203.0.113.24/1764468000"));
}

#[test]
fn finding_ids_are_stable_and_distinct() {
    let cards = key("GET", "/v2/cards/{cardId}");
    let findings = vec![
        finding("excessive-data-exposure", Some(cards.clone()), Severity::High, "card numbers in responses"),
        finding("excessive-data-exposure", Some(cards.clone()), Severity::High, "CVV in responses"),
        finding("excessive-data-exposure", Some(key("GET", "/v2/accounts")), Severity::Medium, "IBAN"),
        finding("missing-rate-limit", Some(cards.clone()), Severity::Low, "no rate limit"),
        finding("tls-not-enforced", None, Severity::Medium, "plain HTTP accepted"),
        Finding {
            location: Some(SourceLocation {
                file: "openapi.yaml".into(),
                line: 12,
                column: 7,
                pointer: "/paths/~1v2~1accounts/get".into(),
            }),
            ..finding("operation-without-security", None, Severity::High, "no security")
        },
        Finding {
            location: Some(SourceLocation {
                file: "openapi.yaml".into(),
                line: 40,
                column: 7,
                pointer: "/paths/~1v2~1cards/get".into(),
            }),
            ..finding("operation-without-security", None, Severity::High, "no security")
        },
    ];
    let ids = finding_ids(&findings);
    assert_eq!(ids.len(), findings.len());
    assert_eq!(ids, finding_ids(&findings), "same input, same ids");
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "distinct: {ids:?}");
    for id in &ids {
        assert!(id.starts_with("f_") && id.len() == 18, "{id}");
        assert!(id[2..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{id}");
    }
    // The id does not depend on the title, severity or evidence, nor on unrelated findings.
    let mut retitled = findings.clone();
    retitled[0].title = "card numbers (PAN) in responses".into();
    retitled[0].severity = Severity::Critical;
    retitled[0].evidence.clear();
    assert_eq!(finding_ids(&retitled), ids);
    assert_eq!(finding_ids(&findings[2..]), ids[2..].to_vec());
    // Only the ordinal tells two findings of one rule on one endpoint apart.
    assert_eq!(finding_ids(&findings[1..2])[0], ids[0]);

    assert_eq!(
        endpoint_id(&cards),
        endpoint_id(&EndpointKey { method: "get".into(), ..cards.clone() }),
        "the method is upper-cased"
    );
    let ep = endpoint_id(&cards);
    assert!(ep.starts_with("ep_") && ep.len() == 19, "{ep}");
    assert_ne!(ep, endpoint_id(&key("POST", "/v2/cards/{cardId}")));
}

#[test]
fn finding_state_survives_replacing_the_findings() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let cards = key("GET", "/v2/cards/{cardId}");
    let run1 = vec![
        finding("excessive-data-exposure", Some(cards.clone()), Severity::High, "card numbers in responses"),
        finding("excessive-data-exposure", Some(cards.clone()), Severity::High, "CVV in responses"),
        finding("missing-rate-limit", Some(key("POST", "/v2/login")), Severity::Medium, "no rate limit"),
    ];
    store.save_posture("{}", &run1).unwrap();
    let ids = finding_ids(&store.load_findings().unwrap());
    let accepted = FindingState {
        status: FindingStatus::Accepted,
        note: Some("masked by the gateway since 2.4".into()),
        changed_at: at(4, 0, 0),
        changed_by: "tok_3f2a9c0d1e2b".into(),
    };
    store.set_finding_state(&ids[0], &accepted).unwrap();
    let fixed = FindingState { status: FindingStatus::Fixed, note: None, ..accepted.clone() };
    store.set_finding_state(&ids[2], &fixed).unwrap();

    // The next analysis run replaces the findings with the same ones (re-titled).
    let mut run2 = run1.clone();
    run2[0].title = "card numbers (PAN) in responses".into();
    store.save_posture("{\"runs\": 2}", &run2).unwrap();
    let ids2 = finding_ids(&store.load_findings().unwrap());
    assert_eq!(ids2, ids);
    let states = store.finding_states().unwrap();
    assert_eq!(states.len(), 2);
    assert_eq!(states[&ids2[0]], accepted);
    assert_eq!(states[&ids2[2]], fixed);
    assert!(!states.contains_key(&ids2[1]));

    // Re-opening replaces the state.
    let reopened = FindingState {
        status: FindingStatus::Open,
        note: Some("regressed in 2.5".into()),
        changed_at: at(5, 0, 0),
        changed_by: "tok_0a1b2c3d4e5f".into(),
    };
    store.set_finding_state(&ids[0], &reopened).unwrap();
    assert_eq!(store.finding_states().unwrap()[&ids[0]], reopened);
}

#[test]
fn alerts_are_upserted_and_filtered() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let other_stuffing = "credential-stuffing/ip:198.51.100.23/1764468060";
    store
        .save_alerts(&[
            alert(STUFFING_ID, "credential-stuffing", "open", at(2, 1, 0), 41),
            alert(ENUM_ID, "bola-enumeration", "open", at(2, 5, 0), 120),
            alert(other_stuffing, "credential-stuffing", "open", at(2, 3, 0), 15),
        ])
        .unwrap();
    assert_eq!(store.alert_count(false).unwrap(), 3);

    // An update replaces the row; the stuffing alert then closes.
    store.save_alerts(&[alert(STUFFING_ID, "credential-stuffing", "update", at(2, 2, 0), 97)]).unwrap();
    let updated = store.alert(STUFFING_ID).unwrap().unwrap();
    assert_eq!((updated.state.as_str(), updated.count), ("update", 97));
    store.save_alerts(&[alert(STUFFING_ID, "credential-stuffing", "closed", at(2, 6, 0), 97)]).unwrap();
    // A stale update (reported late, not after the close) does not reopen it...
    store.save_alerts(&[alert(STUFFING_ID, "credential-stuffing", "update", at(2, 4, 0), 90)]).unwrap();
    let closed = store.alert(STUFFING_ID).unwrap().unwrap();
    assert_eq!((closed.state.as_str(), closed.count, closed.last_seen), ("closed", 97, at(2, 6, 0)));
    assert_eq!(closed.key, "ip:203.0.113.250");
    assert_eq!(closed.severity, Severity::High);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&closed.data).unwrap()["state"], json!("closed"));
    assert_eq!(store.alert_count(true).unwrap(), 2);
    assert_eq!(store.alert_count(false).unwrap(), 3);

    // Filters: open means anything but closed; newest last_seen first.
    let (total, open) =
        store.alerts(&AlertFilter { state: Some("open".into()), ..Default::default() }).unwrap();
    assert_eq!(total, 2);
    assert_eq!(open.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [ENUM_ID, other_stuffing]);
    let (total, closed) =
        store.alerts(&AlertFilter { state: Some("closed".into()), ..Default::default() }).unwrap();
    assert_eq!((total, closed[0].id.as_str()), (1, STUFFING_ID));
    let by_detector = AlertFilter { detector: Some("credential-stuffing".into()), ..Default::default() };
    let (total, stuffing) = store.alerts(&by_detector).unwrap();
    assert_eq!(total, 2);
    assert_eq!(stuffing.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), [STUFFING_ID, other_stuffing]);
    let both = AlertFilter {
        state: Some("open".into()),
        detector: Some("credential-stuffing".into()),
        ..Default::default()
    };
    assert_eq!(store.alerts(&both).unwrap().0, 1);
    let (total, page) = store.alerts(&AlertFilter { limit: 1, offset: 1, ..Default::default() }).unwrap();
    assert_eq!((total, page.len(), page[0].id.as_str()), (3, 1, ENUM_ID), "closed at 02:06, then 02:05");
    assert_eq!(AlertFilter::default().limit, 100);

    // ...but a later report does.
    store.save_alerts(&[alert(STUFFING_ID, "credential-stuffing", "open", at(2, 30, 0), 5)]).unwrap();
    assert_eq!(store.alert(STUFFING_ID).unwrap().unwrap().state, "open");
    assert_eq!(store.alert_count(true).unwrap(), 3);
    assert!(store.alert("credential-stuffing/ip:192.0.2.1/0").unwrap().is_none());
}

#[test]
fn decisions_are_active_until_expired_or_lifted_and_renewals_reinstate_them() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let t0 = at(2, 1, 0);
    let enum_block = DecisionRow {
        kind: "identity".into(),
        value: "user-4411".into(),
        action: "rate-limit".into(),
        per_minute: Some(30),
        detector: Some("bola-enumeration".into()),
        ..block(ENUM_ID, "user-4411", t0 + TimeDelta::minutes(5), Some(t0 + TimeDelta::hours(1)))
    };
    let api = DecisionRow {
        source: "api".into(),
        detector: None,
        alert_id: None,
        reason: "scanner hitting /v2/admin from a hosting range".into(),
        kind: "cidr".into(),
        ..block("api-0a1b2c3d4e5f", "198.51.100.0/24", t0 + TimeDelta::minutes(10), None)
    };
    let short = block(
        "credential-stuffing/ip:198.51.100.23/1764468060",
        "198.51.100.23",
        t0,
        Some(t0 + TimeDelta::minutes(15)),
    );
    let stuffing =
        block(STUFFING_ID, "203.0.113.250", t0 + TimeDelta::minutes(1), Some(t0 + TimeDelta::hours(1)));
    store.save_decisions(&[stuffing.clone(), enum_block.clone(), api.clone(), short.clone()]).unwrap();
    assert_eq!(store.decision(ENUM_ID).unwrap().unwrap(), enum_block);
    assert_eq!(store.decision(ENUM_ID).unwrap().unwrap().per_minute, Some(30));

    let now = t0 + TimeDelta::minutes(20);
    assert!(!short.is_active(now) && stuffing.is_active(now) && api.is_active(now));
    let (total, active) = store.decisions(true, now, 100, 0).unwrap();
    assert_eq!(total, 3, "the short one expired");
    let ids: Vec<_> = active.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["api-0a1b2c3d4e5f", ENUM_ID, STUFFING_ID], "newest created first");
    let (total, all) = store.decisions(false, now, 2, 2).unwrap();
    assert_eq!(total, 4);
    assert_eq!(all.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), [STUFFING_ID, short.id.as_str()]);

    // Lifting: answers the lifted row; a second lift keeps the first.
    let lifted = store.lift_decision(STUFFING_ID, "tok_3f2a9c0d1e2b", now).unwrap().unwrap();
    assert_eq!(lifted.lifted_at, Some(now));
    assert_eq!(lifted.lifted_by.as_deref(), Some("tok_3f2a9c0d1e2b"));
    assert!(!lifted.is_active(now));
    let twice =
        store.lift_decision(STUFFING_ID, "tok_0a1b2c3d4e5f", now + TimeDelta::minutes(1)).unwrap().unwrap();
    assert_eq!((twice.lifted_at, twice.lifted_by.as_deref()), (Some(now), Some("tok_3f2a9c0d1e2b")));
    assert!(store.lift_decision("api-ffffffffffff", "tok_3f2a9c0d1e2b", now).unwrap().is_none());
    assert_eq!(store.decisions(true, now, 100, 0).unwrap().0, 2);

    // Saving the lifted row (e.g. the detector's copy of it) keeps the first lift.
    let mut relift = stuffing.clone();
    relift.lifted_at = Some(now + TimeDelta::minutes(2));
    relift.lifted_by = Some("tok_0a1b2c3d4e5f".into());
    store.save_decisions(&[relift]).unwrap();
    let kept = store.decision(STUFFING_ID).unwrap().unwrap();
    assert_eq!((kept.lifted_at, kept.lifted_by.as_deref()), (Some(now), Some("tok_3f2a9c0d1e2b")));

    // A renewal (the detector fires again) puts it back in force with the new terms.
    let renewed = DecisionRow {
        action: "rate-limit".into(),
        per_minute: Some(10),
        reason: "credential stuffing again: 60 failed logins in 60 s".into(),
        expires_at: Some(now + TimeDelta::hours(2)),
        created_at: now + TimeDelta::minutes(5),
        ..stuffing.clone()
    };
    store.save_decisions(std::slice::from_ref(&renewed)).unwrap();
    let back = store.decision(STUFFING_ID).unwrap().unwrap();
    assert!(back.is_active(now + TimeDelta::minutes(5)));
    assert_eq!((back.lifted_at, back.lifted_by.as_deref()), (None, None));
    assert_eq!(back.action, "rate-limit");
    assert_eq!(back.per_minute, Some(10));
    assert_eq!(back.reason, renewed.reason);
    assert_eq!(back.expires_at, renewed.expires_at);
    assert_eq!(back.created_at, stuffing.created_at, "the creation time is kept");
    assert_eq!(store.decisions(true, now, 100, 0).unwrap().0, 3);
    // Past every expiry, only the one without expiry is in force.
    let (total, left) = store.decisions(true, now + TimeDelta::days(1), 100, 0).unwrap();
    assert_eq!((total, left[0].id.as_str()), (1, "api-0a1b2c3d4e5f"));

    let view = serde_json::to_value(&back).unwrap();
    assert_eq!(view["id"], json!(STUFFING_ID));
    assert_eq!(view["per_minute"], json!(10));
}

#[test]
fn specs_are_deduplicated_by_content() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let first = store
        .add_spec("bank-v2.yaml", "application/yaml", PETSTORE_YAML, "tok_3f2a9c0d1e2b", at(6, 0, 0))
        .unwrap();
    assert!(first.id.starts_with("spec_") && first.id.len() == 17, "{}", first.id);
    assert_eq!(first.sha256.len(), 64);
    assert_eq!(&first.id[5..], &first.sha256[..12]);
    assert_eq!(first.content, PETSTORE_YAML);
    let json_spec = r#"{"openapi": "3.1.0", "info": {"title": "Cards", "version": "1.0.0"}, "paths": {}}"#;
    let cards =
        store.add_spec("cards.json", "application/json", json_spec, "tok_3f2a9c0d1e2b", at(6, 5, 0)).unwrap();
    assert_ne!(cards.id, first.id);

    // The same content again: same id, new name and upload time, still one row.
    let again = store
        .add_spec("bank-v2-final.yml", "application/yaml", PETSTORE_YAML, "tok_0a1b2c3d4e5f", at(6, 10, 0))
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.sha256, first.sha256);
    assert_eq!(again.name, "bank-v2-final.yml");
    assert_eq!((again.uploaded_at, again.uploaded_by.as_str()), (at(6, 10, 0), "tok_0a1b2c3d4e5f"));
    let specs = store.specs().unwrap();
    assert_eq!(
        specs.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [cards.id.as_str(), first.id.as_str()]
    );
    assert_eq!(store.spec(&first.id).unwrap().unwrap(), again);

    assert!(store.delete_spec(&first.id).unwrap());
    assert!(!store.delete_spec(&first.id).unwrap());
    assert!(store.spec(&first.id).unwrap().is_none());
    assert_eq!(store.specs().unwrap(), vec![cards]);
}

#[test]
fn traffic_accumulates_per_minute_and_is_pruned() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let login = endpoint_id(&key("POST", "/v2/login"));
    let bucket = |minute, endpoint: Option<&str>, requests, refused, errors, alerts| TrafficBucket {
        minute,
        endpoint: endpoint.map(str::to_owned),
        requests,
        refused,
        errors,
        alerts,
    };
    store
        .add_traffic(&[
            bucket(at(1, 1, 12), None, 600, 20, 1, 0),
            bucket(at(1, 1, 12), Some(&login), 300, 20, 0, 0),
            bucket(at(1, 2, 0), None, 100, 0, 0, 0),
        ])
        .unwrap();
    // Same minute again (another flush, other seconds): added up.
    store
        .add_traffic(&[
            bucket(at(1, 1, 59), None, 600, 20, 2, 1),
            bucket(at(1, 1, 30), Some(&login), 41, 41, 0, 1),
        ])
        .unwrap();
    store.add_traffic(&[]).unwrap();

    let global = store.traffic(None, at(1, 0, 0)).unwrap();
    assert_eq!(
        global,
        vec![bucket(at(1, 1, 0), None, 1200, 40, 3, 1), bucket(at(1, 2, 0), None, 100, 0, 0, 0)]
    );
    let per_login = store.traffic(Some(&login), at(1, 0, 0)).unwrap();
    assert_eq!(per_login, vec![bucket(at(1, 1, 0), Some(&login), 341, 61, 0, 1)]);
    assert_eq!(store.traffic(None, at(1, 2, 0)).unwrap().len(), 1, "since is inclusive");
    assert!(store.traffic(Some("ep_0000000000000000"), at(0, 0, 0)).unwrap().is_empty());

    assert_eq!(store.prune_traffic(at(1, 2, 0)).unwrap(), 2, "the global and per-endpoint 01:01 buckets");
    assert_eq!(store.traffic(None, at(0, 0, 0)).unwrap(), vec![bucket(at(1, 2, 0), None, 100, 0, 0, 0)]);
    assert!(store.traffic(Some(&login), at(0, 0, 0)).unwrap().is_empty());
    assert_eq!(store.prune_traffic(at(1, 2, 0)).unwrap(), 0);
}

#[test]
fn ingestion_offsets_and_size() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.path(), ":memory:");
    assert_eq!(store.size_bytes(), 0);
    let file = "/var/spool/rampart/gateway-2026-11-30.jsonl";
    assert_eq!(store.ingested_offset(file).unwrap(), None);
    store.set_ingested_offset(file, 1_048_576, at(2, 0, 0)).unwrap();
    store.set_ingested_offset(file, 5_242_880, at(2, 1, 0)).unwrap();
    assert_eq!(store.ingested_offset(file).unwrap(), Some(5_242_880));
    store.set_ingested_offset(file, 0, at(2, 2, 0)).unwrap();
    assert_eq!(store.ingested_offset(file).unwrap(), Some(0), "a truncated file starts over");
}

#[test]
fn a_reopened_database_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    let (token, spec_id, finding_id) = {
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.path(), path.display().to_string());
        let token = store.create_token("ops-laptop", Role::Operator, None, "cli", at(2, 0, 0)).unwrap();
        store.append_audit(at(2, 0, 1), "cli", "token.create", &token.record.id, &json!({}), None).unwrap();
        let findings = vec![finding(
            "excessive-data-exposure",
            Some(key("GET", "/v2/cards/{cardId}")),
            Severity::High,
            "card numbers",
        )];
        store.save_posture("{}", &findings).unwrap();
        let finding_id = finding_ids(&findings)[0].clone();
        let state = FindingState {
            status: FindingStatus::Accepted,
            note: None,
            changed_at: at(2, 0, 2),
            changed_by: token.record.id.clone(),
        };
        store.set_finding_state(&finding_id, &state).unwrap();
        store.save_alerts(&[alert(STUFFING_ID, "credential-stuffing", "open", at(2, 1, 0), 41)]).unwrap();
        store.save_decisions(&[block(STUFFING_ID, "203.0.113.250", at(2, 1, 0), None)]).unwrap();
        let spec =
            store.add_spec("bank.yaml", "application/yaml", PETSTORE_YAML, "cli", at(2, 2, 0)).unwrap();
        store
            .add_traffic(&[TrafficBucket {
                minute: at(2, 1, 0),
                endpoint: None,
                requests: 1200,
                refused: 40,
                errors: 3,
                alerts: 1,
            }])
            .unwrap();
        store.set_ingested_offset("/var/spool/rampart/a.har", 4096, at(2, 3, 0)).unwrap();
        assert!(store.size_bytes() > 0);
        (token, spec.id, finding_id)
    };
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.authenticate_token(&token.secret, at(3, 0, 0)).unwrap().unwrap().role, Role::Operator);
    assert_eq!(store.audit_log(10, 0).unwrap().0, 1);
    assert_eq!(store.finding_states().unwrap()[&finding_id].status, FindingStatus::Accepted);
    assert_eq!(store.alert(STUFFING_ID).unwrap().unwrap().count, 41);
    assert!(store.decision(STUFFING_ID).unwrap().unwrap().is_active(at(3, 0, 0)));
    assert_eq!(store.spec(&spec_id).unwrap().unwrap().content, PETSTORE_YAML);
    assert_eq!(store.traffic(None, at(0, 0, 0)).unwrap()[0].requests, 1200);
    assert_eq!(store.ingested_offset("/var/spool/rampart/a.har").unwrap(), Some(4096));
    assert!(store.size_bytes() > 0);
}

/// The schema as the first two migrations left it, verbatim (migrations never change).
const SCHEMA_V2: &str = "CREATE TABLE endpoints (
        host TEXT NOT NULL,
        method TEXT NOT NULL,
        path_template TEXT NOT NULL,
        calls INTEGER NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        spec_status TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (host, method, path_template)
    );
    CREATE INDEX endpoints_last_seen ON endpoints(last_seen);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        inputs TEXT NOT NULL,
        exchanges INTEGER NOT NULL,
        skipped INTEGER NOT NULL
    );
    CREATE TABLE posture (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        observations TEXT NOT NULL
    );
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule TEXT NOT NULL,
        owasp TEXT NOT NULL,
        severity INTEGER NOT NULL,
        host TEXT,
        method TEXT,
        path_template TEXT,
        data TEXT NOT NULL
    );
    CREATE INDEX findings_endpoint ON findings(host, method, path_template);
    PRAGMA user_version = 2;";

#[test]
fn a_version_2_database_is_upgraded_in_place() {
    const { assert!(SCHEMA_VERSION >= 3) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V2).unwrap();
        let f =
            finding("missing-rate-limit", Some(key("POST", "/v2/login")), Severity::Medium, "no rate limit");
        conn.execute(
            "INSERT INTO findings (rule, owasp, severity, host, method, path_template, data)
             VALUES ('missing-rate-limit', 'API4', 2, 'bank.example', 'POST', '/v2/login', ?1)",
            [serde_json::to_string(&f).unwrap()],
        )
        .unwrap();
        conn.execute("INSERT INTO posture (id, observations) VALUES (1, '{\"seen\": 1}')", []).unwrap();
    }
    assert_eq!(user_version(&path), 2);
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    // What version 2 held is still there, and the new tables work.
    assert_eq!(store.load_findings().unwrap().len(), 1);
    assert_eq!(store.load_observations().unwrap().as_deref(), Some("{\"seen\": 1}"));
    assert_eq!(store.endpoint_count().unwrap(), 0);
    assert!(store.load_inventory().unwrap().endpoints.is_empty());
    let token = store.create_token("ops-laptop", Role::Admin, None, "cli", at(2, 0, 0)).unwrap();
    assert!(store.authenticate_token(&token.secret, at(2, 0, 1)).unwrap().is_some());
    drop(store);
    // Opening again applies nothing more.
    drop(SqliteStore::open(&path).unwrap());
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

#[test]
fn a_corrupt_control_row_is_an_error_naming_its_table_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    let token = {
        let mut store = SqliteStore::open(&path).unwrap();
        store.save_decisions(&[block(STUFFING_ID, "203.0.113.250", at(2, 1, 0), None)]).unwrap();
        store.create_token("ops-laptop", Role::Admin, None, "cli", at(2, 0, 0)).unwrap()
    };
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE tokens SET role = 'superuser'", []).unwrap();
    conn.execute("UPDATE decisions SET expires_at = 'next tuesday'", []).unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();

    let err = store.list_tokens().unwrap_err();
    assert!(
        matches!(&err, StoreError::BadValue { table, id, .. } if table == "tokens" && *id == token.record.id)
    );
    let text = err.to_string();
    assert!(
        text.contains("tokens") && text.contains(&token.record.id) && text.contains("superuser"),
        "{text}"
    );
    assert!(store.authenticate_token(&token.secret, at(3, 0, 0)).is_err());

    let err = store.decisions(false, at(3, 0, 0), 100, 0).unwrap_err().to_string();
    assert!(err.contains("decisions") && err.contains(STUFFING_ID) && err.contains("expires_at"), "{err}");
}
