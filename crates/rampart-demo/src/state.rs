//! The API's state: the generated book (immutable) plus what requests change (sessions, payments,
//! beneficiaries, frozen cards, webhooks), behind one mutex.
//!
//! Everything random that a response shows (payment ids, token ids, session ids) is drawn from a
//! seeded stream, and time comes from a [`Clock`] that a recorder can drive, so that replaying the
//! same requests against a fresh state gives byte-identical responses.
//!
//! The state also holds the API's [`Mode`]: the **flawed** bank (the default, with its planted
//! weaknesses) or the **fixed** one, where the same endpoints are safe.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::data::{Beneficiary, Dataset, DemoRng};
use crate::jwt::SigningKeys;

/// Which bank the API is: the one with planted flaws, or the same one with every flaw fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Every planted flaw is live (issues 5 and 6). What the traffic generator and recorded
    /// samples run against.
    #[default]
    Flawed,
    /// The same endpoints, safe: legacy `/v1` retired, `/internal` behind the ops key only,
    /// strict input validation, rate-limited logins, CORS allowlist, security headers everywhere.
    Fixed,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Flawed => "flawed",
            Mode::Fixed => "fixed",
        }
    }

    pub fn is_fixed(self) -> bool {
        self == Mode::Fixed
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(text: &str) -> Result<Mode, String> {
        match text.to_ascii_lowercase().as_str() {
            "flawed" => Ok(Mode::Flawed),
            "fixed" => Ok(Mode::Fixed),
            _ => Err(format!("unknown mode {text:?}: expected flawed or fixed")),
        }
    }
}

/// Where the API reads the time from.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    /// Set by whoever drives the API (the recorder), for reproducible timestamps.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock starting at `start`.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock to `at`; a system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Clock::Manual(t) = self {
            *t.lock().unwrap_or_else(PoisonError::into_inner) = at;
        }
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub payment_id: uuid::Uuid,
    pub customer_index: usize,
    pub from_account_index: usize,
    pub amount_minor: i64,
    pub currency: String,
    pub beneficiary_id: Option<String>,
    pub creditor_name: String,
    pub creditor_account: String,
    pub creditor_bank_code: String,
    pub reference: String,
    pub status: &'static str,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub webhook_id: String,
    pub customer_index: Option<usize>,
    pub owner: String,
    pub callback_url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub customer_index: usize,
    pub expires_at: DateTime<Utc>,
}

/// What requests change.
#[derive(Debug)]
pub struct Live {
    pub rng: DemoRng,
    pub requests_served: u64,
    pub sessions: BTreeMap<String, Session>,
    pub revoked_token_ids: BTreeSet<String>,
    pub payments: Vec<Payment>,
    /// (caller, key) → (SHA-256 of the request body, index into `payments`).
    pub idempotency: BTreeMap<(String, String), ([u8; 32], usize)>,
    pub beneficiaries: Vec<Beneficiary>,
    pub frozen_cards: BTreeSet<usize>,
    pub webhooks: Vec<Webhook>,
    pub last_login: BTreeMap<usize, DateTime<Utc>>,
    pub failed_logins: BTreeMap<usize, u32>,
    pub cached_entries: u64,
}

/// Times of recent password attempts per (client IP, username).
pub type LoginAttempts = BTreeMap<(String, String), VecDeque<DateTime<Utc>>>;

pub(crate) struct Inner {
    pub data: Dataset,
    pub keys: Arc<SigningKeys>,
    pub clock: Clock,
    pub mode: Mode,
    pub live: Mutex<Live>,
    /// Password attempts per (client IP, username), for the fixed mode's login rate limit.
    pub login_attempts: Mutex<LoginAttempts>,
    /// The transaction search database, built on first use.
    pub search: crate::search::SearchDb,
}

/// Shared, cheaply cloned handle on the API state.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("seed", &self.0.data.seed)
            .field("customers", &self.0.data.customers.len())
            .field("mode", &self.0.mode)
            .finish_non_exhaustive()
    }
}

const PAYEE_NAMES: &[&str] = &["SP Services", "Town Council", "StarHub", "Tata Power", "CLP Power", "TNB"];

impl AppState {
    /// A state over `data`, signing with `keys`, reading time from `clock`: the flawed bank.
    pub fn new(data: Dataset, keys: Arc<SigningKeys>, clock: Clock) -> AppState {
        AppState::with_mode(data, keys, clock, Mode::Flawed)
    }

    /// A state over `data` in `mode`. Both modes start from the same book and history.
    pub fn with_mode(data: Dataset, keys: Arc<SigningKeys>, clock: Clock, mode: Mode) -> AppState {
        let mut rng = DemoRng::new(data.seed ^ 0xA5A5_0000_FFFF);
        let start = clock.now();
        // A little payment history per customer so that lists are not empty on first use.
        let mut payments = Vec::new();
        for (customer_index, _) in data.customers.iter().enumerate() {
            for _ in 0..rng.below(3) {
                let Some((account_index, account)) = data.accounts_of(customer_index).next() else {
                    continue;
                };
                payments.push(Payment {
                    payment_id: rng.uuid(),
                    customer_index,
                    from_account_index: account_index,
                    amount_minor: rng.range(2_000, 60_000),
                    currency: account.currency.to_owned(),
                    beneficiary_id: None,
                    creditor_name: rng.pick(PAYEE_NAMES).to_string(),
                    creditor_account: rng.digits(10),
                    creditor_bank_code: "7171".into(),
                    reference: format!("BILL {}", rng.digits(8)),
                    status: if rng.chance(90) { "COMPLETED" } else { "REJECTED" },
                    created_at: start
                        - Duration::days(rng.range(1, 60))
                        - Duration::minutes(rng.range(0, 1439)),
                });
            }
        }
        let live = Live {
            rng,
            requests_served: 0,
            sessions: BTreeMap::new(),
            revoked_token_ids: BTreeSet::new(),
            payments,
            idempotency: BTreeMap::new(),
            beneficiaries: data.beneficiaries.clone(),
            frozen_cards: BTreeSet::new(),
            webhooks: Vec::new(),
            last_login: BTreeMap::new(),
            failed_logins: BTreeMap::new(),
            cached_entries: 1_024,
        };
        AppState(Arc::new(Inner {
            data,
            keys,
            clock,
            mode,
            live: Mutex::new(live),
            login_attempts: Mutex::new(BTreeMap::new()),
            search: crate::search::SearchDb::default(),
        }))
    }

    pub fn dataset(&self) -> &Dataset {
        &self.0.data
    }

    pub fn keys(&self) -> &SigningKeys {
        &self.0.keys
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    pub fn mode(&self) -> Mode {
        self.0.mode
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// The mutable part. A panic while it was held does not leave it unusable: every change is
    /// a single push or insert, so the data stays consistent.
    pub(crate) fn live(&self) -> MutexGuard<'_, Live> {
        self.0.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a password attempt by `client` for `username` at `now` and tells whether it is
    /// allowed: at most `limit` attempts in any `window`. When refused, the attempt is not
    /// recorded and the answer carries the seconds until one is allowed again.
    pub(crate) fn login_attempt(
        &self,
        client: &str,
        username: &str,
        limit: usize,
        window: Duration,
    ) -> Result<(), i64> {
        let now = self.now();
        let mut attempts = self.0.login_attempts.lock().unwrap_or_else(PoisonError::into_inner);
        if attempts.len() > 50_000 {
            attempts.retain(|_, times| times.back().is_some_and(|t| *t > now - window));
        }
        let username: String = username.chars().take(128).collect();
        let times = attempts.entry((client.to_owned(), username)).or_default();
        while times.front().is_some_and(|t| *t <= now - window) {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            let wait_ms = ((oldest + window) - now).num_milliseconds();
            return Err(((wait_ms + 999) / 1000).max(1));
        }
        times.push_back(now);
        Ok(())
    }
}
