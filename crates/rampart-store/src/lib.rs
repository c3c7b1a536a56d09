//! Where Rampart keeps what it learned.
//!
//! [`InventoryStore`] is the seam between the analysis stages and persistence: the embedded
//! default is [`SqliteStore`] (one file, WAL mode, schema migrations versioned with SQLite's
//! `user_version`), and a PostgreSQL implementation can follow behind the same trait.
//!
//! Each endpoint is one row keyed by `(host, method, path_template)`. The columns a user sorts
//! and filters on (calls, first/last seen, spec status) are real columns; the rest of the
//! endpoint — schemas, histograms, auth observations — is kept as its stable JSON form in
//! `data`, because it is read and written whole and its shape evolves with discovery.
//! Saving replaces the inventory in one transaction: a crash mid-write leaves the previous one.
//!
//! [`PostureStore`] keeps what passive posture analysis needs across runs: its observations (an
//! opaque JSON document the posture crate serialises, merged run after run like the inventory)
//! and the findings of the last run, one row each with the columns `rampart findings` filters on.
//!
//! Since schema version 3 it also keeps the control plane of `rampart serve` (module [`control`],
//! inherent methods of [`SqliteStore`], see `docs/control-plane-api.md`):
//!
//! * **tokens** of the API: name, [`Role`], creation, expiry, last use and revocation; of the
//!   secret only its SHA-256 is stored, never the secret itself;
//! * the **audit log**: who changed what, when and from where, append-only;
//! * the **status of each finding** (open, accepted, fixed, with a note), keyed by the stable id
//!   of [`finding_ids`] and kept apart from the findings themselves, so that it survives the next
//!   analysis run replacing them;
//! * **alerts** as the detectors last reported them and the **decisions** (block, rate-limit)
//!   taken on them or through the API, with their expiry and lifting;
//! * uploaded OpenAPI **specs**, deduplicated by content;
//! * per-minute **traffic** counters, global and per endpoint ([`endpoint_id`]);
//! * how far each file of a watched directory was **ingested**.
//!
//! Times are stored as fixed-width RFC 3339 UTC text (nanoseconds, `Z`), so that SQL compares
//! and sorts them as it does strings. A stored value that does not decode (an unknown role, a
//! malformed time) is a [`StoreError::BadValue`] naming its table, row and column, never a panic.

pub mod control;

use std::path::Path;

use chrono::{DateTime, Utc};
use rampart_core::{Endpoint, Finding, Inventory};
use rusqlite::{Connection, OptionalExtension, params};

pub use control::{
    AlertFilter, AlertRow, AuditEntry, DecisionRow, FindingState, FindingStatus, NewToken, Role, SpecRow,
    TokenRecord, TrafficBucket, UnknownFindingStatus, UnknownRole, endpoint_id, finding_ids, random_id,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database {path}: endpoint {method} {host}{template}: stored data is not readable: {source}")]
    CorruptRow {
        path: String,
        host: String,
        method: String,
        template: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("database {path}: schema version {found} is newer than this Rampart understands ({supported})")]
    TooNew { path: String, found: i64, supported: i64 },
    #[error("could not encode endpoint as JSON: {0}")]
    Encode(#[from] serde_json::Error),
    /// A stored value that does not decode: an unknown role or status, a malformed time, a
    /// negative count, audit detail that is not JSON.
    #[error("database {path}: {table} row {id}: column {column} is not readable: {detail}")]
    BadValue { path: String, table: String, id: String, column: String, detail: String },
    /// The operating system's random generator failed (token secrets and ids need it).
    #[error("the operating system's random generator failed: {0}")]
    Random(String),
}

/// One ingestion run, kept for the record (what was read, when, what was skipped).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub inputs: Vec<String>,
    pub exchanges: u64,
    pub skipped: u64,
}

/// Persistence of the inventory.
pub trait InventoryStore {
    /// Everything stored so far (empty on a new store).
    fn load_inventory(&self) -> Result<Inventory, StoreError>;
    /// Replace the stored inventory with `inventory`, atomically.
    fn save_inventory(&mut self, inventory: &Inventory) -> Result<(), StoreError>;
    fn record_run(&mut self, run: &RunRecord) -> Result<(), StoreError>;
    /// Runs recorded so far, oldest first.
    fn runs(&self) -> Result<Vec<RunRecord>, StoreError>;
}

/// Persistence of posture observations and findings.
pub trait PostureStore {
    /// The observations stored by the last run, as their JSON text (`None` on a new store).
    fn load_observations(&self) -> Result<Option<String>, StoreError>;
    /// Replace the stored observations and findings, atomically.
    fn save_posture(&mut self, observations: &str, findings: &[Finding]) -> Result<(), StoreError>;
    /// The findings stored by the last run, worst first.
    fn load_findings(&self) -> Result<Vec<Finding>, StoreError>;
}

/// Migrations in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    // 1: endpoints and runs
    "CREATE TABLE endpoints (
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
    );",
    // 2: posture observations (one row) and findings
    "CREATE TABLE posture (
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
    CREATE INDEX findings_endpoint ON findings(host, method, path_template);",
    // 3: the control plane of `rampart serve` (see the `control` module)
    "CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at TEXT,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE UNIQUE INDEX tokens_secret ON tokens(secret_sha256);
    CREATE INDEX tokens_created ON tokens(created_at);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        client_ip TEXT
    );
    CREATE TABLE finding_state (
        finding_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        note TEXT,
        changed_at TEXT NOT NULL,
        changed_by TEXT NOT NULL
    );
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        detector TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        key TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        count INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX alerts_last_seen ON alerts(last_seen);
    CREATE INDEX alerts_state ON alerts(state, last_seen);
    CREATE INDEX alerts_detector ON alerts(detector, last_seen);
    CREATE TABLE decisions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        action TEXT NOT NULL,
        per_minute INTEGER,
        reason TEXT NOT NULL,
        source TEXT NOT NULL,
        detector TEXT,
        alert_id TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        lifted_at TEXT,
        lifted_by TEXT
    );
    CREATE INDEX decisions_created ON decisions(created_at);
    CREATE INDEX decisions_active ON decisions(lifted_at, expires_at);
    CREATE INDEX decisions_target ON decisions(kind, value);
    CREATE INDEX decisions_alert ON decisions(alert_id);
    CREATE TABLE specs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        content_type TEXT NOT NULL,
        content TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        uploaded_by TEXT NOT NULL
    );
    CREATE INDEX specs_uploaded ON specs(uploaded_at);
    CREATE TABLE traffic (
        endpoint TEXT NOT NULL,
        minute TEXT NOT NULL,
        requests INTEGER NOT NULL,
        refused INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        alerts INTEGER NOT NULL,
        PRIMARY KEY (endpoint, minute)
    ) WITHOUT ROWID;
    CREATE INDEX traffic_minute ON traffic(minute);
    CREATE TABLE ingested_files (
        path TEXT PRIMARY KEY,
        bytes_read INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );",
];

/// The schema version this build writes: the number of migrations, kept in SQLite's
/// `user_version`.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The embedded SQLite store.
pub struct SqliteStore {
    conn: Connection,
    path: String,
}

impl SqliteStore {
    /// Open (or create) the database file and bring its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let name = path.display().to_string();
        let conn =
            Connection::open(path).map_err(|source| StoreError::Sqlite { path: name.clone(), source })?;
        Self::init(conn, name)
    }

    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let name = ":memory:".to_owned();
        let conn = Connection::open_in_memory()
            .map_err(|source| StoreError::Sqlite { path: name.clone(), source })?;
        Self::init(conn, name)
    }

    fn init(conn: Connection, path: String) -> Result<SqliteStore, StoreError> {
        let mut store = SqliteStore { conn, path };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        // WAL keeps readers (the dashboard, later) unblocked while a run writes; NORMAL sync is
        // durable at each commit in WAL mode except for power loss of the last transaction.
        self.conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        self.conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(err)?;
        let supported = SCHEMA_VERSION;
        if version > supported {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, supported });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction().map_err(err)?;
            tx.execute_batch(sql).map_err(err)?;
            tx.pragma_update(None, "user_version", i as i64 + 1).map_err(err)?;
            tx.commit().map_err(err)?;
            tracing::debug!(db = %self.path, version = i + 1, "applied schema migration");
        }
        Ok(())
    }
}

fn spec_status_label(e: &Endpoint) -> Option<String> {
    e.spec
        .as_ref()
        .and_then(|s| serde_json::to_value(s.status).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
}

impl InventoryStore for SqliteStore {
    fn load_inventory(&self) -> Result<Inventory, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT host, method, path_template, data FROM endpoints ORDER BY host, path_template, method")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(self.err())?;
        let mut endpoints = Vec::new();
        for row in rows {
            let (host, method, template, data) = row.map_err(self.err())?;
            let endpoint: Endpoint = serde_json::from_str(&data).map_err(|source| {
                StoreError::CorruptRow { path: self.path.clone(), host, method, template, source }
            })?;
            endpoints.push(endpoint);
        }
        Ok(Inventory { endpoints })
    }

    fn save_inventory(&mut self, inventory: &Inventory) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute("DELETE FROM endpoints", []).map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO endpoints
                     (host, method, path_template, calls, first_seen, last_seen, spec_status, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(err)?;
            for e in &inventory.endpoints {
                let data = serde_json::to_string(e)?;
                insert
                    .execute(params![
                        e.key.host,
                        e.key.method,
                        e.key.path_template,
                        i64::try_from(e.calls).unwrap_or(i64::MAX),
                        e.first_seen.map(|t| t.to_rfc3339()),
                        e.last_seen.map(|t| t.to_rfc3339()),
                        spec_status_label(e),
                        data
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn record_run(&mut self, run: &RunRecord) -> Result<(), StoreError> {
        let inputs = serde_json::to_string(&run.inputs)?;
        self.conn
            .execute(
                "INSERT INTO runs (started_at, finished_at, inputs, exchanges, skipped) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    run.started_at.to_rfc3339(),
                    run.finished_at.to_rfc3339(),
                    inputs,
                    i64::try_from(run.exchanges).unwrap_or(i64::MAX),
                    i64::try_from(run.skipped).unwrap_or(i64::MAX)
                ],
            )
            .map_err(self.err())?;
        Ok(())
    }

    fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT started_at, finished_at, inputs, exchanges, skipped FROM runs ORDER BY id")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(self.err())?;
        let mut runs = Vec::new();
        for row in rows {
            let (started, finished, inputs, exchanges, skipped) = row.map_err(self.err())?;
            let parse = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
            runs.push(RunRecord {
                started_at: parse(&started),
                finished_at: parse(&finished),
                inputs: serde_json::from_str(&inputs).unwrap_or_default(),
                exchanges: exchanges.max(0) as u64,
                skipped: skipped.max(0) as u64,
            });
        }
        Ok(runs)
    }
}

impl PostureStore for SqliteStore {
    fn load_observations(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT observations FROM posture WHERE id = 1", [], |r| r.get::<_, String>(0))
            .optional()
            .map_err(self.err())
    }

    fn save_posture(&mut self, observations: &str, findings: &[Finding]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Sqlite { path: path.clone(), source };
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute("INSERT OR REPLACE INTO posture (id, observations) VALUES (1, ?1)", params![observations])
            .map_err(err)?;
        tx.execute("DELETE FROM findings", []).map_err(err)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO findings (rule, owasp, severity, host, method, path_template, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .map_err(err)?;
            for f in findings {
                let key = f.endpoint.as_ref();
                insert
                    .execute(params![
                        f.rule,
                        f.owasp.id(),
                        f.severity as i64,
                        key.map(|k| k.host.as_str()),
                        key.map(|k| k.method.as_str()),
                        key.map(|k| k.path_template.as_str()),
                        serde_json::to_string(f)?
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn load_findings(&self) -> Result<Vec<Finding>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT host, method, path_template, rule, data FROM findings ORDER BY severity DESC, host, path_template, method, rule, id")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .map_err(self.err())?;
        let mut findings = Vec::new();
        for row in rows {
            let (host, method, template, rule, data) = row.map_err(self.err())?;
            let finding: Finding = serde_json::from_str(&data).map_err(|source| StoreError::CorruptRow {
                path: self.path.clone(),
                host: host.unwrap_or_default(),
                method: method.unwrap_or_default(),
                template: format!("{} (finding {rule})", template.unwrap_or_default()),
                source,
            })?;
            findings.push(finding);
        }
        Ok(findings)
    }
}

impl SqliteStore {
    /// Number of endpoints stored, without decoding them.
    pub fn endpoint_count(&self) -> Result<u64, StoreError> {
        let n: Option<i64> = self
            .conn
            .query_row("SELECT COUNT(*) FROM endpoints", [], |r| r.get(0))
            .optional()
            .map_err(self.err())?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }
}
