//! What the control plane of `rampart serve` keeps: API tokens, the audit log, the status of
//! findings, alerts and decisions, uploaded specs, per-minute traffic and ingestion offsets.
//!
//! Everything here is an inherent method of [`SqliteStore`]; each write runs in one
//! (immediate) transaction. Times are stored as fixed-width RFC 3339 UTC text so that SQL
//! compares and orders them as strings; see `docs/control-plane-api.md` for the ids.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rampart_core::{EndpointKey, Finding, Severity};
use rand::TryRngCore as _;
use rusqlite::types::Value;
use rusqlite::{
    Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params, params_from_iter,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{SqliteStore, StoreError};

// ---------------------------------------------------------------------------------------------
// Roles and finding statuses
// ---------------------------------------------------------------------------------------------

/// What a token may do. Ordered `Viewer < Operator < Admin`: a route needing `Operator` admits
/// any role `>= Operator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Viewer, Self::Operator, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not `viewer`, `operator` or `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}` (expected viewer, operator or admin)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Where a finding stands for the people who triage it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    Open,
    Accepted,
    Fixed,
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 3] = [Self::Open, Self::Accepted, Self::Fixed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Fixed => "fixed",
        }
    }
}

impl fmt::Display for FindingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status name that is not `open`, `accepted` or `fixed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown finding status `{0}` (expected open, accepted or fixed)")]
pub struct UnknownFindingStatus(pub String);

impl FromStr for FindingStatus {
    type Err = UnknownFindingStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownFindingStatus(s.to_owned()))
    }
}

// ---------------------------------------------------------------------------------------------
// Row types
// ---------------------------------------------------------------------------------------------

/// An API token as stored: everything but its secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just created, with its secret: the only time the secret is known.
#[derive(Clone, PartialEq)]
pub struct NewToken {
    pub record: TokenRecord,
    pub secret: String,
}

impl fmt::Debug for NewToken {
    // The secret stays out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken").field("record", &self.record).field("secret", &"<redacted>").finish()
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
    pub client_ip: Option<String>,
}

/// The triage status of one finding, keyed by its id from [`finding_ids`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingState {
    pub status: FindingStatus,
    pub note: Option<String>,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
}

/// An alert as a detector last reported it: the columns lists filter on, and the whole alert
/// (`rampart_detect::Alert`) as JSON in `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: String,
    pub detector: String,
    pub severity: Severity,
    /// `open`, `update` or `closed`.
    pub state: String,
    pub key: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub count: u64,
    pub data: String,
}

/// Which alerts [`SqliteStore::alerts`] answers. `state: Some("open")` means every state but
/// `closed`; any other state is matched exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertFilter {
    pub state: Option<String>,
    pub detector: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for AlertFilter {
    fn default() -> Self {
        AlertFilter { state: None, detector: None, limit: 100, offset: 0 }
    }
}

/// A decision to block or rate-limit a target, taken by a detector or through the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRow {
    pub id: String,
    /// `ip`, `cidr`, `identity` or `token`.
    pub kind: String,
    pub value: String,
    /// `block` or `rate-limit`.
    pub action: String,
    /// Set for `rate-limit`.
    pub per_minute: Option<u32>,
    pub reason: String,
    /// `detector` or `api`.
    pub source: String,
    pub detector: Option<String>,
    pub alert_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lifted_by: Option<String>,
}

impl DecisionRow {
    /// In force at `now`: not lifted, and not expired (`expires_at` is after `now`).
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.lifted_at.is_none() && self.expires_at.is_none_or(|expires| expires > now)
    }
}

/// An uploaded OpenAPI document, as uploaded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecRow {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub content: String,
    /// SHA-256 of `content`, lowercase hex.
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// Traffic counters of one minute, global (`endpoint: None`) or of one endpoint id
/// ([`endpoint_id`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrafficBucket {
    /// The start of the minute; the store truncates what it is given to the minute.
    pub minute: DateTime<Utc>,
    pub endpoint: Option<String>,
    pub requests: u64,
    /// Requests the gateway refused itself (blocked, rate-limited, invalid).
    pub refused: u64,
    pub errors: u64,
    pub alerts: u64,
}

// ---------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(bytes)
}

/// A new random id: `prefix` + `hex_digits` (even) lower-case hex digits from the operating
/// system's CSPRNG — the shape of token ids, and of decisions added through the API.
pub fn random_id(prefix: &str, hex_digits: usize) -> Result<String, StoreError> {
    let mut bytes = vec![0u8; hex_digits.div_ceil(2)];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(format!("{prefix}{}", hex(&bytes)))
}

/// Feeds one length-prefixed field, so that no two field lists hash alike.
fn hash_field(hasher: &mut Sha256, field: &[u8]) {
    hasher.update((field.len() as u64).to_le_bytes());
    hasher.update(field);
}

/// Stable ids of findings, one per finding in the same order: `f_` + the first 16 hex digits of
/// SHA-256 over, each field prefixed by its length as a little-endian `u64`: the rule; the
/// endpoint's host, method and path template (three empty fields when it has none); the
/// location's JSON (empty when none); and, as a little-endian `u64`, the ordinal of the finding
/// among those before it with the same rule, endpoint and location. The same findings in the
/// same order give the same ids; two findings of one rule on one endpoint get distinct ids.
pub fn finding_ids(findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<[u8; 32], u64> = HashMap::new();
    findings
        .iter()
        .map(|finding| {
            let mut hasher = Sha256::new();
            hash_field(&mut hasher, finding.rule.as_bytes());
            match &finding.endpoint {
                Some(key) => {
                    hash_field(&mut hasher, key.host.as_bytes());
                    hash_field(&mut hasher, key.method.as_bytes());
                    hash_field(&mut hasher, key.path_template.as_bytes());
                }
                None => {
                    for _ in 0..3 {
                        hash_field(&mut hasher, b"");
                    }
                }
            }
            // Serialising a SourceLocation (strings and integers) cannot fail.
            let location = finding
                .location
                .as_ref()
                .map(|location| serde_json::to_string(location).unwrap_or_default())
                .unwrap_or_default();
            hash_field(&mut hasher, location.as_bytes());
            let group: [u8; 32] = hasher.clone().finalize().into();
            let ordinal = seen.entry(group).or_insert(0);
            hasher.update(ordinal.to_le_bytes());
            *ordinal += 1;
            format!("f_{}", hex(&hasher.finalize()[..8]))
        })
        .collect()
}

/// `ep_` + the first 16 hex digits of SHA-256 of `"{METHOD} {host}{path_template}"` (the
/// method upper-cased).
pub fn endpoint_id(key: &EndpointKey) -> String {
    let text = format!("{} {}{}", key.method.to_ascii_uppercase(), key.host, key.path_template);
    format!("ep_{}", hex(&Sha256::digest(text.as_bytes())[..8]))
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding
// ---------------------------------------------------------------------------------------------

/// Fixed-width RFC 3339 in UTC (`2026-11-30T02:00:00.000000000Z`): sorts as text.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(ts)
}

fn minute_of(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(60) * 60, 0).unwrap_or(t)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn sql_err(path: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite { path: path.to_owned(), source }
}

/// An immediate transaction: takes the write lock up front, so a read-then-write cannot fail
/// half-way with `SQLITE_BUSY` when another process writes.
fn begin<'c>(conn: &'c mut Connection, path: &str) -> Result<Transaction<'c>, StoreError> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql_err(path))
}

/// Decodes the columns of one stored row, naming it in errors.
struct Cells<'a> {
    path: &'a str,
    table: &'static str,
    id: &'a str,
}

impl Cells<'_> {
    fn bad(&self, column: &str, detail: impl fmt::Display) -> StoreError {
        StoreError::BadValue {
            path: self.path.to_owned(),
            table: self.table.to_owned(),
            id: self.id.to_owned(),
            column: column.to_owned(),
            detail: detail.to_string(),
        }
    }

    fn time(&self, column: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.bad(column, format!("`{text}` is not an RFC 3339 time ({e})")))
    }

    fn opt_time(&self, column: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, StoreError> {
        text.map(|text| self.time(column, text)).transpose()
    }

    fn count(&self, column: &str, n: i64) -> Result<u64, StoreError> {
        u64::try_from(n).map_err(|_| self.bad(column, format!("{n} is negative")))
    }

    fn parse<T: FromStr>(&self, column: &str, text: &str) -> Result<T, StoreError>
    where
        T::Err: fmt::Display,
    {
        text.parse().map_err(|e| self.bad(column, e))
    }
}

const TOKEN_COLUMNS: &str = "id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at";

struct RawToken {
    id: String,
    name: String,
    role: String,
    created_at: String,
    created_by: String,
    expires_at: Option<String>,
    last_used_at: Option<String>,
    revoked_at: Option<String>,
}

impl RawToken {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawToken> {
        Ok(RawToken {
            id: r.get(0)?,
            name: r.get(1)?,
            role: r.get(2)?,
            created_at: r.get(3)?,
            created_by: r.get(4)?,
            expires_at: r.get(5)?,
            last_used_at: r.get(6)?,
            revoked_at: r.get(7)?,
        })
    }

    fn decode(self, path: &str) -> Result<TokenRecord, StoreError> {
        let cells = Cells { path, table: "tokens", id: &self.id };
        let record = TokenRecord {
            role: cells.parse("role", &self.role)?,
            created_at: cells.time("created_at", &self.created_at)?,
            expires_at: cells.opt_time("expires_at", self.expires_at.as_deref())?,
            last_used_at: cells.opt_time("last_used_at", self.last_used_at.as_deref())?,
            revoked_at: cells.opt_time("revoked_at", self.revoked_at.as_deref())?,
            name: self.name,
            created_by: self.created_by,
            id: self.id,
        };
        Ok(record)
    }
}

const ALERT_COLUMNS: &str = "id, detector, severity, state, key, first_seen, last_seen, count, data";

struct RawAlert {
    id: String,
    detector: String,
    severity: String,
    state: String,
    key: String,
    first_seen: String,
    last_seen: String,
    count: i64,
    data: String,
}

impl RawAlert {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawAlert> {
        Ok(RawAlert {
            id: r.get(0)?,
            detector: r.get(1)?,
            severity: r.get(2)?,
            state: r.get(3)?,
            key: r.get(4)?,
            first_seen: r.get(5)?,
            last_seen: r.get(6)?,
            count: r.get(7)?,
            data: r.get(8)?,
        })
    }

    fn decode(self, path: &str) -> Result<AlertRow, StoreError> {
        let cells = Cells { path, table: "alerts", id: &self.id };
        let row = AlertRow {
            severity: cells.parse("severity", &self.severity)?,
            first_seen: cells.time("first_seen", &self.first_seen)?,
            last_seen: cells.time("last_seen", &self.last_seen)?,
            count: cells.count("count", self.count)?,
            detector: self.detector,
            state: self.state,
            key: self.key,
            data: self.data,
            id: self.id,
        };
        Ok(row)
    }
}

const DECISION_COLUMNS: &str = "id, kind, value, action, per_minute, reason, source, detector, alert_id, \
     created_at, expires_at, lifted_at, lifted_by";

struct RawDecision {
    id: String,
    kind: String,
    value: String,
    action: String,
    per_minute: Option<i64>,
    reason: String,
    source: String,
    detector: Option<String>,
    alert_id: Option<String>,
    created_at: String,
    expires_at: Option<String>,
    lifted_at: Option<String>,
    lifted_by: Option<String>,
}

impl RawDecision {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawDecision> {
        Ok(RawDecision {
            id: r.get(0)?,
            kind: r.get(1)?,
            value: r.get(2)?,
            action: r.get(3)?,
            per_minute: r.get(4)?,
            reason: r.get(5)?,
            source: r.get(6)?,
            detector: r.get(7)?,
            alert_id: r.get(8)?,
            created_at: r.get(9)?,
            expires_at: r.get(10)?,
            lifted_at: r.get(11)?,
            lifted_by: r.get(12)?,
        })
    }

    fn decode(self, path: &str) -> Result<DecisionRow, StoreError> {
        let cells = Cells { path, table: "decisions", id: &self.id };
        let per_minute = self
            .per_minute
            .map(|n| u32::try_from(n).map_err(|_| cells.bad("per_minute", format!("{n} is out of range"))))
            .transpose()?;
        let row = DecisionRow {
            per_minute,
            created_at: cells.time("created_at", &self.created_at)?,
            expires_at: cells.opt_time("expires_at", self.expires_at.as_deref())?,
            lifted_at: cells.opt_time("lifted_at", self.lifted_at.as_deref())?,
            kind: self.kind,
            value: self.value,
            action: self.action,
            reason: self.reason,
            source: self.source,
            detector: self.detector,
            alert_id: self.alert_id,
            lifted_by: self.lifted_by,
            id: self.id,
        };
        Ok(row)
    }
}

const SPEC_COLUMNS: &str = "id, name, content_type, content, sha256, uploaded_at, uploaded_by";

struct RawSpec {
    id: String,
    name: String,
    content_type: String,
    content: String,
    sha256: String,
    uploaded_at: String,
    uploaded_by: String,
}

impl RawSpec {
    fn read(r: &Row<'_>) -> rusqlite::Result<RawSpec> {
        Ok(RawSpec {
            id: r.get(0)?,
            name: r.get(1)?,
            content_type: r.get(2)?,
            content: r.get(3)?,
            sha256: r.get(4)?,
            uploaded_at: r.get(5)?,
            uploaded_by: r.get(6)?,
        })
    }

    fn decode(self, path: &str) -> Result<SpecRow, StoreError> {
        let cells = Cells { path, table: "specs", id: &self.id };
        let row = SpecRow {
            uploaded_at: cells.time("uploaded_at", &self.uploaded_at)?,
            name: self.name,
            content_type: self.content_type,
            content: self.content,
            sha256: self.sha256,
            uploaded_by: self.uploaded_by,
            id: self.id,
        };
        Ok(row)
    }
}

/// Runs `sql` with `args` and decodes every row.
fn query_all<R, T>(
    conn: &Connection,
    path: &str,
    sql: &str,
    args: impl rusqlite::Params,
    read: fn(&Row<'_>) -> rusqlite::Result<R>,
    decode: fn(R, &str) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let err = sql_err(path);
    let mut stmt = conn.prepare(sql).map_err(&err)?;
    let rows = stmt.query_map(args, read).map_err(&err)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(decode(row.map_err(&err)?, path)?);
    }
    Ok(out)
}

/// Runs `sql` with `args` and decodes the row it answers, if any.
fn query_one<R, T>(
    conn: &Connection,
    path: &str,
    sql: &str,
    args: impl rusqlite::Params,
    read: fn(&Row<'_>) -> rusqlite::Result<R>,
    decode: fn(R, &str) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let raw = conn.query_row(sql, args, read).optional().map_err(sql_err(path))?;
    raw.map(|raw| decode(raw, path)).transpose()
}

fn count(conn: &Connection, path: &str, sql: &str, args: impl rusqlite::Params) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row(sql, args, |r| r.get(0)).map_err(sql_err(path))?;
    Ok(n.max(0) as u64)
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/// How often `last_used_at` is written at most, per token.
const LAST_USED_GRANULARITY: TimeDelta = TimeDelta::minutes(1);

impl SqliteStore {
    /// Creates a token. Its secret is `rmp_` + base64url (no padding) of 32 random bytes from
    /// the operating system's CSPRNG; its id `tok_` + 12 random hex digits. Only the SHA-256 of
    /// the whole secret is stored: the secret in the answer is the only copy.
    pub fn create_token(
        &mut self,
        name: &str,
        role: Role,
        expires_at: Option<DateTime<Utc>>,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<NewToken, StoreError> {
        let secret = format!("rmp_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()?));
        let id = random_id("tok_", 12)?;
        let record = TokenRecord {
            id,
            name: name.to_owned(),
            role,
            created_at: now,
            created_by: created_by.to_owned(),
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        tx.execute(
            "INSERT INTO tokens (id, name, role, secret_sha256, created_at, created_by, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                record.id,
                record.name,
                record.role.as_str(),
                sha256_hex(secret.as_bytes()),
                ts(record.created_at),
                record.created_by,
                opt_ts(record.expires_at)
            ],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(NewToken { record, secret })
    }

    /// The token whose secret is `presented`, looked up by its SHA-256; `None` when it is
    /// unknown, revoked, or expired at `now`. Records the use in `last_used_at`, at most once a
    /// minute per token; failing to record it is logged, not an error.
    pub fn authenticate_token(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let found = query_one(
            &self.conn,
            &self.path,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE secret_sha256 = ?1"),
            params![sha256_hex(presented.as_bytes())],
            RawToken::read,
            RawToken::decode,
        )?;
        let Some(mut token) = found else { return Ok(None) };
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|expires| expires <= now) {
            return Ok(None);
        }
        if token.last_used_at.is_none_or(|last| now - last >= LAST_USED_GRANULARITY) {
            match self
                .conn
                .execute("UPDATE tokens SET last_used_at = ?1 WHERE id = ?2", params![ts(now), token.id])
            {
                Ok(_) => token.last_used_at = Some(now),
                Err(e) => {
                    tracing::warn!(db = %self.path, token = %token.id, error = %e, "could not record token use")
                }
            }
        }
        Ok(Some(token))
    }

    /// Every token, revoked and expired ones included, newest first.
    pub fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        query_all(
            &self.conn,
            &self.path,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at DESC, rowid DESC"),
            [],
            RawToken::read,
            RawToken::decode,
        )
    }

    pub fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        query_one(
            &self.conn,
            &self.path,
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1"),
            params![id],
            RawToken::read,
            RawToken::decode,
        )
    }

    /// Revokes a token; `false` when it is unknown or already revoked (the first revocation
    /// time is kept).
    pub fn revoke_token(&mut self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        let changed = tx
            .execute(
                "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![ts(now), id],
            )
            .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(changed > 0)
    }
}

// ---------------------------------------------------------------------------------------------
// Audit log
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// Appends one entry; answers its id (increasing).
    pub fn append_audit(
        &mut self,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
        client_ip: Option<&str>,
    ) -> Result<i64, StoreError> {
        let detail = serde_json::to_string(detail)?;
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        let id: i64 = tx
            .query_row(
                "INSERT INTO audit_log (at, actor, action, target, detail, client_ip)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![ts(at), actor, action, target, detail, client_ip],
                |r| r.get(0),
            )
            .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(id)
    }

    /// `(total, page)`: the number of entries and `limit` of them from `offset`, newest first.
    pub fn audit_log(&self, limit: u32, offset: u32) -> Result<(u64, Vec<AuditEntry>), StoreError> {
        let err = sql_err(&self.path);
        // One read transaction: the total and the page come from the same snapshot.
        let tx = self.conn.unchecked_transaction().map_err(&err)?;
        let total = count(&tx, &self.path, "SELECT COUNT(*) FROM audit_log", [])?;
        type RawAudit = (i64, String, String, String, String, String, Option<String>);
        let page = query_all(
            &tx,
            &self.path,
            "SELECT id, at, actor, action, target, detail, client_ip FROM audit_log
             ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            params![limit, offset],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
            |raw: RawAudit, path| {
                let (id, at, actor, action, target, detail, client_ip) = raw;
                let id_text = id.to_string();
                let cells = Cells { path, table: "audit_log", id: &id_text };
                Ok(AuditEntry {
                    id,
                    at: cells.time("at", &at)?,
                    actor,
                    action,
                    target,
                    detail: serde_json::from_str(&detail).map_err(|e| cells.bad("detail", e))?,
                    client_ip,
                })
            },
        )?;
        drop(tx);
        Ok((total, page))
    }
}

// ---------------------------------------------------------------------------------------------
// Finding states
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// The status of every finding that was ever changed, by finding id. A finding without an
    /// entry is `open`.
    pub fn finding_states(&self) -> Result<HashMap<String, FindingState>, StoreError> {
        type RawState = (String, String, Option<String>, String, String);
        let rows = query_all(
            &self.conn,
            &self.path,
            "SELECT finding_id, status, note, changed_at, changed_by FROM finding_state",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            |raw: RawState, path| {
                let (id, status, note, changed_at, changed_by) = raw;
                let cells = Cells { path, table: "finding_state", id: &id };
                let state = FindingState {
                    status: cells.parse("status", &status)?,
                    note,
                    changed_at: cells.time("changed_at", &changed_at)?,
                    changed_by,
                };
                Ok((id, state))
            },
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Sets (replaces) the status of one finding.
    pub fn set_finding_state(&mut self, finding_id: &str, state: &FindingState) -> Result<(), StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        tx.execute(
            "INSERT INTO finding_state (finding_id, status, note, changed_at, changed_by)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(finding_id) DO UPDATE SET status = excluded.status, note = excluded.note,
                 changed_at = excluded.changed_at, changed_by = excluded.changed_by",
            params![finding_id, state.status.as_str(), state.note, ts(state.changed_at), state.changed_by],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// Upserts alerts by id, in order, in one transaction. A stored `closed` alert is kept as it
    /// is when a row for it says otherwise without a later `last_seen` (a stale report); a
    /// later one replaces it.
    pub fn save_alerts(&mut self, alerts: &[AlertRow]) -> Result<(), StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        {
            let mut upsert = tx
                .prepare(
                    "INSERT INTO alerts (id, detector, severity, state, key, first_seen, last_seen, count, data)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT(id) DO UPDATE SET detector = excluded.detector,
                         severity = excluded.severity, state = excluded.state, key = excluded.key,
                         first_seen = excluded.first_seen, last_seen = excluded.last_seen,
                         count = excluded.count, data = excluded.data
                     WHERE NOT (alerts.state = 'closed' AND excluded.state != 'closed'
                                AND excluded.last_seen <= alerts.last_seen)",
                )
                .map_err(&err)?;
            for a in alerts {
                upsert
                    .execute(params![
                        a.id,
                        a.detector,
                        a.severity.as_str(),
                        a.state,
                        a.key,
                        ts(a.first_seen),
                        ts(a.last_seen),
                        to_i64(a.count),
                        a.data
                    ])
                    .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// `(total, page)` of the alerts `filter` selects, newest `last_seen` first.
    pub fn alerts(&self, filter: &AlertFilter) -> Result<(u64, Vec<AlertRow>), StoreError> {
        let mut conditions = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        match filter.state.as_deref() {
            None => {}
            Some("open") => conditions.push("state != 'closed'".to_owned()),
            Some(state) => {
                args.push(Value::Text(state.to_owned()));
                conditions.push(format!("state = ?{}", args.len()));
            }
        }
        if let Some(detector) = &filter.detector {
            args.push(Value::Text(detector.clone()));
            conditions.push(format!("detector = ?{}", args.len()));
        }
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let err = sql_err(&self.path);
        let tx = self.conn.unchecked_transaction().map_err(&err)?;
        let total = count(
            &tx,
            &self.path,
            &format!("SELECT COUNT(*) FROM alerts{where_clause}"),
            params_from_iter(args.iter()),
        )?;
        let n = args.len();
        args.push(Value::Integer(i64::from(filter.limit)));
        args.push(Value::Integer(i64::from(filter.offset)));
        let page = query_all(
            &tx,
            &self.path,
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts{where_clause} ORDER BY last_seen DESC, id LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ),
            params_from_iter(args.iter()),
            RawAlert::read,
            RawAlert::decode,
        )?;
        drop(tx);
        Ok((total, page))
    }

    pub fn alert(&self, id: &str) -> Result<Option<AlertRow>, StoreError> {
        query_one(
            &self.conn,
            &self.path,
            &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"),
            params![id],
            RawAlert::read,
            RawAlert::decode,
        )
    }

    /// Number of alerts stored; with `open_only`, of those whose state is not `closed`.
    pub fn alert_count(&self, open_only: bool) -> Result<u64, StoreError> {
        let sql = if open_only {
            "SELECT COUNT(*) FROM alerts WHERE state != 'closed'"
        } else {
            "SELECT COUNT(*) FROM alerts"
        };
        count(&self.conn, &self.path, sql, [])
    }
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

const ACTIVE_DECISION: &str = "lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)";

impl SqliteStore {
    /// Upserts decisions by id, in one transaction. A decision saved again (renewed) takes the
    /// new action, `per_minute`, reason and expiry and is in force again: a row without
    /// `lifted_at` clears the stored lift. A row with `lifted_at` records the lift, keeping an
    /// earlier one. The creation time, target and origin of a stored decision are kept.
    pub fn save_decisions(&mut self, decisions: &[DecisionRow]) -> Result<(), StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        {
            let mut upsert = tx
                .prepare(
                    "INSERT INTO decisions (id, kind, value, action, per_minute, reason, source, detector,
                         alert_id, created_at, expires_at, lifted_at, lifted_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT(id) DO UPDATE SET action = excluded.action,
                         per_minute = excluded.per_minute, reason = excluded.reason,
                         expires_at = excluded.expires_at,
                         lifted_at = CASE WHEN excluded.lifted_at IS NULL THEN NULL
                                          ELSE coalesce(decisions.lifted_at, excluded.lifted_at) END,
                         lifted_by = CASE WHEN excluded.lifted_at IS NULL THEN NULL
                                          WHEN decisions.lifted_at IS NULL THEN excluded.lifted_by
                                          ELSE decisions.lifted_by END",
                )
                .map_err(&err)?;
            for d in decisions {
                upsert
                    .execute(params![
                        d.id,
                        d.kind,
                        d.value,
                        d.action,
                        d.per_minute,
                        d.reason,
                        d.source,
                        d.detector,
                        d.alert_id,
                        ts(d.created_at),
                        opt_ts(d.expires_at),
                        opt_ts(d.lifted_at),
                        d.lifted_by
                    ])
                    .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// `(total, page)` of the decisions, newest created first; with `active_only`, only those
    /// in force at `now` (not lifted, not expired).
    pub fn decisions(
        &self,
        active_only: bool,
        now: DateTime<Utc>,
        limit: u32,
        offset: u32,
    ) -> Result<(u64, Vec<DecisionRow>), StoreError> {
        let where_clause = if active_only { format!(" WHERE {ACTIVE_DECISION}") } else { String::new() };
        let now = ts(now);
        let err = sql_err(&self.path);
        let tx = self.conn.unchecked_transaction().map_err(&err)?;
        // `?1` is `now`; a statement that does not use it cannot take it, hence two forms.
        let total = if active_only {
            count(&tx, &self.path, &format!("SELECT COUNT(*) FROM decisions{where_clause}"), params![now])?
        } else {
            count(&tx, &self.path, "SELECT COUNT(*) FROM decisions", [])?
        };
        let sql = |limit_at: u32| {
            format!(
                "SELECT {DECISION_COLUMNS} FROM decisions{where_clause}
                 ORDER BY created_at DESC, id LIMIT ?{limit_at} OFFSET ?{}",
                limit_at + 1
            )
        };
        let page = if active_only {
            query_all(
                &tx,
                &self.path,
                &sql(2),
                params![now, limit, offset],
                RawDecision::read,
                RawDecision::decode,
            )?
        } else {
            query_all(
                &tx,
                &self.path,
                &sql(1),
                params![limit, offset],
                RawDecision::read,
                RawDecision::decode,
            )?
        };
        drop(tx);
        Ok((total, page))
    }

    pub fn decision(&self, id: &str) -> Result<Option<DecisionRow>, StoreError> {
        query_one(
            &self.conn,
            &self.path,
            &format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?1"),
            params![id],
            RawDecision::read,
            RawDecision::decode,
        )
    }

    /// Lifts a decision and answers it as it now stands; `None` when it is unknown. Lifting a
    /// lifted decision keeps the first lift.
    pub fn lift_decision(
        &mut self,
        id: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DecisionRow>, StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        tx.execute(
            "UPDATE decisions SET lifted_at = ?1, lifted_by = ?2 WHERE id = ?3 AND lifted_at IS NULL",
            params![ts(now), by, id],
        )
        .map_err(&err)?;
        let row = query_one(
            &tx,
            &self.path,
            &format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?1"),
            params![id],
            RawDecision::read,
            RawDecision::decode,
        )?;
        tx.commit().map_err(&err)?;
        Ok(row)
    }
}

// ---------------------------------------------------------------------------------------------
// Specs
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// Stores an uploaded spec under `spec_` + the first 12 hex digits of its content's
    /// SHA-256. The same content uploaded again keeps its row and takes the new name, content
    /// type and upload time and author.
    pub fn add_spec(
        &mut self,
        name: &str,
        content_type: &str,
        content: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<SpecRow, StoreError> {
        let sha256 = sha256_hex(content.as_bytes());
        let id = format!("spec_{}", &sha256[..12]);
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        tx.execute(
            "INSERT INTO specs (id, name, content_type, content, sha256, uploaded_at, uploaded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, content_type = excluded.content_type,
                 uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by",
            params![id, name, content_type, content, sha256, ts(now), by],
        )
        .map_err(&err)?;
        let row = query_one(
            &tx,
            &self.path,
            &format!("SELECT {SPEC_COLUMNS} FROM specs WHERE id = ?1"),
            params![id],
            RawSpec::read,
            RawSpec::decode,
        )?;
        tx.commit().map_err(&err)?;
        row.ok_or_else(|| StoreError::BadValue {
            path: self.path.clone(),
            table: "specs".to_owned(),
            id,
            column: "id".to_owned(),
            detail: "the row just written is missing".to_owned(),
        })
    }

    /// Every spec, oldest upload first.
    pub fn specs(&self) -> Result<Vec<SpecRow>, StoreError> {
        query_all(
            &self.conn,
            &self.path,
            &format!("SELECT {SPEC_COLUMNS} FROM specs ORDER BY uploaded_at, id"),
            [],
            RawSpec::read,
            RawSpec::decode,
        )
    }

    pub fn spec(&self, id: &str) -> Result<Option<SpecRow>, StoreError> {
        query_one(
            &self.conn,
            &self.path,
            &format!("SELECT {SPEC_COLUMNS} FROM specs WHERE id = ?1"),
            params![id],
            RawSpec::read,
            RawSpec::decode,
        )
    }

    /// Deletes a spec; `false` when it is unknown.
    pub fn delete_spec(&mut self, id: &str) -> Result<bool, StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        let deleted = tx.execute("DELETE FROM specs WHERE id = ?1", params![id]).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(deleted > 0)
    }
}

// ---------------------------------------------------------------------------------------------
// Traffic
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// Adds the counts to the stored buckets (each bucket's minute truncated to the minute;
    /// `endpoint: None` is the global counter), in one transaction.
    pub fn add_traffic(&mut self, buckets: &[TrafficBucket]) -> Result<(), StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        {
            let mut add = tx
                .prepare(
                    "INSERT INTO traffic (endpoint, minute, requests, refused, errors, alerts)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT(endpoint, minute) DO UPDATE SET
                         requests = requests + excluded.requests, refused = refused + excluded.refused,
                         errors = errors + excluded.errors, alerts = alerts + excluded.alerts",
                )
                .map_err(&err)?;
            for b in buckets {
                add.execute(params![
                    b.endpoint.as_deref().unwrap_or(""),
                    ts(minute_of(b.minute)),
                    to_i64(b.requests),
                    to_i64(b.refused),
                    to_i64(b.errors),
                    to_i64(b.alerts)
                ])
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)
    }

    /// The buckets of `endpoint` (`None`: the global ones) whose minute is at or after
    /// `since`, oldest first.
    pub fn traffic(
        &self,
        endpoint: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<TrafficBucket>, StoreError> {
        type RawBucket = (String, String, i64, i64, i64, i64);
        query_all(
            &self.conn,
            &self.path,
            "SELECT endpoint, minute, requests, refused, errors, alerts FROM traffic
             WHERE endpoint = ?1 AND minute >= ?2 ORDER BY minute",
            params![endpoint.unwrap_or(""), ts(since)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            |raw: RawBucket, path| {
                let (endpoint, minute, requests, refused, errors, alerts) = raw;
                let id = format!("{endpoint}@{minute}");
                let cells = Cells { path, table: "traffic", id: &id };
                Ok(TrafficBucket {
                    minute: cells.time("minute", &minute)?,
                    endpoint: (!endpoint.is_empty()).then_some(endpoint),
                    requests: cells.count("requests", requests)?,
                    refused: cells.count("refused", refused)?,
                    errors: cells.count("errors", errors)?,
                    alerts: cells.count("alerts", alerts)?,
                })
            },
        )
    }

    /// Deletes the buckets (global and per endpoint) whose minute is before `before`; answers
    /// how many.
    pub fn prune_traffic(&mut self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        let deleted =
            tx.execute("DELETE FROM traffic WHERE minute < ?1", params![ts(before)]).map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(deleted)
    }
}

// ---------------------------------------------------------------------------------------------
// Ingested files, size
// ---------------------------------------------------------------------------------------------

impl SqliteStore {
    /// How far (bytes) the file at `path` of a watched directory was read; `None` when never.
    pub fn ingested_offset(&self, path: &str) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = self
            .conn
            .query_row("SELECT bytes_read FROM ingested_files WHERE path = ?1", params![path], |r| r.get(0))
            .optional()
            .map_err(sql_err(&self.path))?;
        let cells = Cells { path: &self.path, table: "ingested_files", id: path };
        n.map(|n| cells.count("bytes_read", n)).transpose()
    }

    pub fn set_ingested_offset(
        &mut self,
        path: &str,
        offset: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let err = sql_err(&self.path);
        let tx = begin(&mut self.conn, &self.path)?;
        tx.execute(
            "INSERT INTO ingested_files (path, bytes_read, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT(path) DO UPDATE SET bytes_read = excluded.bytes_read, updated_at = excluded.updated_at",
            params![path, to_i64(offset), ts(now)],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    /// Size in bytes of the database file plus its write-ahead log (0 in memory).
    pub fn size_bytes(&self) -> u64 {
        if self.path == ":memory:" {
            return 0;
        }
        let len = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        len(&self.path) + len(&format!("{}-wal", self.path))
    }

    /// The database file's path as given to [`SqliteStore::open`] (`:memory:` in memory).
    pub fn path(&self) -> &str {
        &self.path
    }
}
