//! The transaction search behind `GET /v2/accounts/{accountId}/transactions?q=`: the whole
//! book's transactions in an in-memory SQLite database (built on the first search), searched by
//! description (substring, case-insensitive) or merchant name (exact).
//!
//! In the flawed mode the search term is pasted into the SQL text of the merchant filter (see
//! [`flawed_sql`]); in the fixed mode it is a bound parameter throughout. Either way a query runs on a blocking thread, is interrupted
//! after [`QUERY_TIMEOUT`], and may not build strings or blobs over a megabyte, so that a hostile
//! query can slow the demo down but not take it over.

use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use rusqlite::limits::Limit;
use rusqlite::{Connection, InterruptHandle, params};

use crate::state::{AppState, Mode};

/// How long one search may run before it is interrupted.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many rows are read from one search.
const MAX_ROWS: usize = 200_000;

/// The lazily built database.
#[derive(Default)]
pub struct SearchDb {
    conn: Mutex<Option<Connection>>,
    interrupt: OnceLock<InterruptHandle>,
}

impl std::fmt::Debug for SearchDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchDb").finish_non_exhaustive()
    }
}

/// Why a search failed.
#[derive(Debug)]
pub enum SearchError {
    /// SQLite refused or aborted the statement: its own message, and the statement.
    Sql { message: String, sql: String },
    /// The search could not run at all (thread lost, timeout).
    Internal(String),
}

fn build(state: &AppState) -> rusqlite::Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, 1_000_000)?;
    conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 100_000)?;
    conn.execute_batch(
        "CREATE TABLE transactions (
             account_index INTEGER NOT NULL,
             position INTEGER NOT NULL,
             account_id TEXT NOT NULL,
             transaction_id TEXT NOT NULL,
             booked_at TEXT NOT NULL,
             amount_minor INTEGER NOT NULL,
             description TEXT NOT NULL,
             merchant TEXT,
             reference TEXT NOT NULL
         );",
    )?;
    let data = state.dataset();
    let tx = conn.transaction()?;
    {
        let mut insert =
            tx.prepare("INSERT INTO transactions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?;
        for (account_index, list) in data.transactions.iter().enumerate() {
            let account_id = &data.accounts[account_index].account_id;
            for (position, t) in list.iter().enumerate() {
                insert.execute(params![
                    account_index as i64,
                    position as i64,
                    account_id,
                    t.transaction_id.to_string(),
                    t.booked_at.to_rfc3339(),
                    t.amount_minor,
                    t.description,
                    t.merchant.map(|(name, _)| name),
                    t.reference,
                ])?;
            }
        }
    }
    tx.commit()?;
    conn.execute_batch("CREATE INDEX transactions_account ON transactions (account_id, position);")?;
    Ok(conn)
}

/// The SQL text the flawed search runs for the search term `q` (`?1` is the account id, `?2` the
/// term again, both bound).
pub fn flawed_sql(q: &str) -> String {
    // PLANTED FLAW (issue 6): the merchant filter, added later, pastes the search term into the
    // SQL text instead of binding it like the description filter: a quote ends the string literal
    // and the rest of the term is SQL. `'` answers 500 with SQLite's `unrecognized token`,
    // `x' OR '1'='1` returns every transaction of the account, `x') OR 1=1 --` every transaction
    // of every customer (class `sql-injection`).
    format!(
        "SELECT account_index, position FROM transactions WHERE account_id = ?1 \
         AND (description LIKE '%' || ?2 || '%' OR merchant = '{q}') ORDER BY account_index, position"
    )
}

const FIXED_SQL: &str = "SELECT account_index, position FROM transactions WHERE account_id = ?1 \
     AND (description LIKE '%' || ?2 || '%' OR merchant = ?2) ORDER BY account_index, position";

fn run(state: &AppState, account_id: &str, q: &str) -> Result<Vec<(usize, usize)>, SearchError> {
    let db = &state.0.search;
    let mut guard = db.conn.lock().unwrap_or_else(PoisonError::into_inner);
    if guard.is_none() {
        let conn = build(state).map_err(|e| SearchError::Internal(format!("search database: {e}")))?;
        let _ = db.interrupt.set(conn.get_interrupt_handle());
        *guard = Some(conn);
    }
    let Some(conn) = guard.as_ref() else {
        return Err(SearchError::Internal("search database unavailable".into()));
    };
    let sql = match state.mode() {
        Mode::Flawed => flawed_sql(q),
        Mode::Fixed => FIXED_SQL.to_owned(),
    };
    let sql_error = |e: rusqlite::Error| SearchError::Sql { message: e.to_string(), sql: sql.clone() };
    let mut statement = conn.prepare(&sql).map_err(sql_error)?;
    let mut rows = statement.query(params![account_id, q]).map_err(sql_error)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next().map_err(sql_error)? {
        let account_index: i64 = row.get(0).map_err(sql_error)?;
        let position: i64 = row.get(1).map_err(sql_error)?;
        if let (Ok(a), Ok(p)) = (usize::try_from(account_index), usize::try_from(position)) {
            found.push((a, p));
        }
        if found.len() >= MAX_ROWS {
            break;
        }
    }
    Ok(found)
}

/// The `(account index, position in that account's list)` of the transactions matching `q` on
/// `account_id`, in the book's order (newest first per account).
pub async fn search(state: &AppState, account_id: &str, q: &str) -> Result<Vec<(usize, usize)>, SearchError> {
    let task = {
        let (state, account_id, q) = (state.clone(), account_id.to_owned(), q.to_owned());
        tokio::task::spawn_blocking(move || run(&state, &account_id, &q))
    };
    match tokio::time::timeout(QUERY_TIMEOUT, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(SearchError::Internal(format!("search task failed: {e}"))),
        Err(_) => {
            if let Some(handle) = state.0.search.interrupt.get() {
                handle.interrupt();
            }
            Err(SearchError::Internal("search timed out".into()))
        }
    }
}
