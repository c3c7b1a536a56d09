use chrono::{TimeZone, Utc};
use rampart_core::{AuthKind, Endpoint, EndpointKey, Inventory, SpecComparison, SpecStatus};
use rampart_store::{InventoryStore, RunRecord, SqliteStore, StoreError};

fn endpoint(template: &str, calls: u64) -> Endpoint {
    let mut e = Endpoint::new(EndpointKey {
        host: "api.demo-bank.example".into(),
        method: "GET".into(),
        path_template: template.into(),
    });
    e.calls = calls;
    e.statuses.insert(200, calls);
    e.first_seen = Some(Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap());
    e.last_seen = Some(Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap());
    e.auth.add_scheme(AuthKind::BearerJwt, None, calls);
    e.latency.record(12.0);
    e
}

#[test]
fn inventory_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    let mut inv =
        Inventory { endpoints: vec![endpoint("/v2/accounts", 10), endpoint("/v2/accounts/{accountId}", 7)] };
    inv.endpoints[1].spec = Some(SpecComparison {
        status: SpecStatus::Shadow,
        spec_file: None,
        deprecated: false,
        reason: None,
        drift: vec![],
    });
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store.save_inventory(&inv).unwrap();
        store
            .record_run(&RunRecord {
                started_at: Utc::now(),
                finished_at: Utc::now(),
                inputs: vec!["sample.har".into()],
                exchanges: 17,
                skipped: 1,
            })
            .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let loaded = store.load_inventory().unwrap();
    assert_eq!(loaded.endpoints.len(), 2);
    let by_template = |t: &str| loaded.endpoints.iter().find(|e| e.key.path_template == t).unwrap();
    assert_eq!(by_template("/v2/accounts"), &inv.endpoints[0]);
    assert_eq!(by_template("/v2/accounts/{accountId}"), &inv.endpoints[1]);
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!((runs[0].exchanges, runs[0].skipped), (17, 1));
    assert_eq!(runs[0].inputs, vec!["sample.har".to_owned()]);
}

#[test]
fn saving_replaces_the_previous_inventory() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.save_inventory(&Inventory { endpoints: vec![endpoint("/a", 1), endpoint("/b", 1)] }).unwrap();
    store.save_inventory(&Inventory { endpoints: vec![endpoint("/a", 3)] }).unwrap();
    let loaded = store.load_inventory().unwrap();
    assert_eq!(loaded.endpoints.len(), 1);
    assert_eq!(loaded.endpoints[0].calls, 3);
    assert_eq!(store.endpoint_count().unwrap(), 1);
}

#[test]
fn a_corrupt_row_is_reported_with_its_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    SqliteStore::open(&path)
        .unwrap()
        .save_inventory(&Inventory { endpoints: vec![endpoint("/a", 1)] })
        .unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE endpoints SET data = '{not json'", []).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap().load_inventory().unwrap_err();
    assert!(matches!(err, StoreError::CorruptRow { .. }));
    assert!(err.to_string().contains("GET api.demo-bank.example/a"), "{err}");
}

#[test]
fn a_newer_schema_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    drop(SqliteStore::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    std::fs::write(&path, b"this is not sqlite, it is a text file that is long enough to have a header")
        .unwrap();
    let err = SqliteStore::open(&path).err().unwrap();
    assert!(err.to_string().contains("rampart.db"), "{err}");
}

#[test]
fn posture_observations_and_findings_survive_reopening_and_are_replaced() {
    use rampart_core::{Finding, OwaspApi2023, Severity};
    use rampart_store::PostureStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.db");
    let finding = |rule: &str, severity: Severity| Finding {
        rule: rule.into(),
        owasp: OwaspApi2023::Api8,
        severity,
        title: format!("{rule} on /v1/accounts"),
        endpoint: Some(endpoint("/v1/accounts", 1).key),
        location: None,
        evidence: vec!["Server: nginx/1.18.0".into()],
        fix: "remove the banner".into(),
    };
    {
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.load_observations().unwrap(), None);
        store
            .save_posture(
                r#"{"exchanges":3}"#,
                &[finding("server-banner", Severity::Low), finding("verbose-error", Severity::Medium)],
            )
            .unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.load_observations().unwrap().as_deref(), Some(r#"{"exchanges":3}"#));
    let findings = store.load_findings().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0].rule, "verbose-error", "worst first");
    assert_eq!(findings[1], finding("server-banner", Severity::Low));
    store.save_posture(r#"{"exchanges":5}"#, &[]).unwrap();
    assert!(store.load_findings().unwrap().is_empty(), "the last run's findings replace the previous ones");
    assert_eq!(store.load_observations().unwrap().as_deref(), Some(r#"{"exchanges":5}"#));
}
