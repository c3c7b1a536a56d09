//! The API's state: the generated book (immutable) plus what requests change (sessions, payments,
//! beneficiaries, frozen cards, webhooks), behind one mutex.
//!
//! Everything random that a response shows (payment ids, token ids, session ids) is drawn from a
//! seeded stream, and time comes from a [`Clock`] that a recorder can drive, so that replaying the
//! same requests against a fresh state gives byte-identical responses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::data::{Beneficiary, Dataset, DemoRng};
use crate::jwt::SigningKeys;

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

pub(crate) struct Inner {
    pub data: Dataset,
    pub keys: Arc<SigningKeys>,
    pub clock: Clock,
    pub live: Mutex<Live>,
}

/// Shared, cheaply cloned handle on the API state.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("seed", &self.0.data.seed)
            .field("customers", &self.0.data.customers.len())
            .finish_non_exhaustive()
    }
}

const PAYEE_NAMES: &[&str] = &["SP Services", "Town Council", "StarHub", "Tata Power", "CLP Power", "TNB"];

impl AppState {
    /// A state over `data`, signing with `keys`, reading time from `clock`.
    pub fn new(data: Dataset, keys: Arc<SigningKeys>, clock: Clock) -> AppState {
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
        AppState(Arc::new(Inner { data, keys, clock, live: Mutex::new(live) }))
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

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.0.clock.now()
    }

    /// The mutable part. A panic while it was held does not leave it unusable: every change is
    /// a single push or insert, so the data stays consistent.
    pub(crate) fn live(&self) -> MutexGuard<'_, Live> {
        self.0.live.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
