//! `rampart-demo`: a realistic open-banking API to demonstrate and test Rampart against, and a
//! traffic generator that drives it.
//!
//! * The **API** ([`router`], [`serve`]) is an axum service over an in-memory book generated from
//!   a seed ([`data::Dataset`]): APAC customers whose national IDs (NRIC, Aadhaar, China resident
//!   ID, HKID) pass their checksums, Luhn-valid cards with real issuer prefixes, mod-97-valid
//!   IBANs. It has OAuth2 token issuance (RS256 JWTs, JWKS), a customer API under `/v2`, a legacy
//!   `/v1` that is still answering, and an internal admin area behind an API key — the mix of
//!   documented, shadow and zombie endpoints a real bank has. [`routes`] is the ground truth list
//!   of every route, for discovery tests.
//! * The **traffic generator** ([`traffic`]) plays simulated customers, a legacy mobile client, a
//!   partner and an ops user against the API over real HTTP, and records every exchange as a
//!   [`rampart_core::Exchange`].
//!
//! Design choices: the API's state draws every random value from seeded streams and reads time
//! from a [`state::Clock`] the recorder can drive, and the generator is sequential, so a recorded
//! sample is reproducible byte for byte from its seed.
//!
//! The bank has **planted flaws** for Rampart to find — a legacy `/v1` surface on an old stack
//! (weak HS256 tokens without expiry, no login rate limit, tokens in URLs, stack traces, a BOLA,
//! an unauthenticated customer lookup, version banners), a full PAN in the card detail, a CORS
//! policy that trusts any origin, a mass-assignable beneficiary status, an SSRF-prone webhook
//! registration, and an internal admin area reached by customers. Each is marked in the code
//! with `PLANTED FLAW (issue 5)`; [`planted_flaws`] lists them as ground truth.

pub mod api;
pub mod data;
pub mod ids;
pub mod jwt;
pub mod state;
pub mod traffic;

use axum::Router;
use axum::routing::{delete, get, post};

pub use state::{AppState, Clock};

/// Every route the API serves, as `(method, template)`; templates use `{name}` parameters.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    vec![
        ("POST", "/oauth/token"),
        ("GET", "/.well-known/jwks.json"),
        ("POST", "/v1/auth/login"),
        ("POST", "/v1/auth/logout"),
        ("GET", "/v2/customers/me"),
        ("GET", "/v2/customers/{customerId}"),
        ("GET", "/v2/accounts"),
        ("GET", "/v2/accounts/{accountId}"),
        ("GET", "/v2/accounts/{accountId}/balances"),
        ("GET", "/v2/accounts/{accountId}/transactions"),
        ("GET", "/v2/accounts/{accountId}/transactions/{transactionId}"),
        ("POST", "/v2/payments"),
        ("GET", "/v2/payments"),
        ("GET", "/v2/payments/{paymentId}"),
        ("GET", "/v2/beneficiaries"),
        ("POST", "/v2/beneficiaries"),
        ("DELETE", "/v2/beneficiaries/{beneficiaryId}"),
        ("GET", "/v2/cards"),
        ("GET", "/v2/cards/{cardId}"),
        ("POST", "/v2/cards/{cardId}/freeze"),
        ("GET", "/v2/statements/{yearMonth}"),
        ("POST", "/v2/webhooks"),
        ("GET", "/v2/webhooks"),
        ("GET", "/internal/admin/users"),
        ("GET", "/internal/admin/users/{username}"),
        ("POST", "/internal/admin/cache/flush"),
        ("GET", "/internal/health"),
        ("GET", "/v1/accounts"),
        ("GET", "/v1/accounts/{accountId}"),
        ("GET", "/v1/customers/{customerId}"),
    ]
}

/// The weaknesses planted in the demo bank, as `(rule, method, template)`: what passive posture
/// analysis (`rampart-posture`) of its recorded traffic and declared spec must find — and all it
/// may find. Each is marked in the code with a `PLANTED FLAW (issue 5)` comment.
pub fn planted_flaws() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut flaws = vec![
        // The legacy /v1 surface.
        ("jwt-weak-secret", "POST", "/v1/auth/login"),
        ("jwt-without-expiry", "POST", "/v1/auth/login"),
        ("auth-no-rate-limit", "POST", "/v1/auth/login"),
        ("token-in-url", "GET", "/v1/accounts"),
        ("verbose-error", "GET", "/v1/accounts"),
        ("bola-candidate", "GET", "/v1/accounts/{accountId}"),
        ("sensitive-data-unauthenticated", "GET", "/v1/customers/{customerId}"),
        // The customer API.
        ("cors-credentials-any-origin", "GET", "/v2/customers/me"),
        ("full-card-number-returned", "GET", "/v2/cards/{cardId}"),
        ("mass-assignment-candidate", "POST", "/v2/beneficiaries"),
        ("ssrf-candidate", "POST", "/v2/webhooks"),
        // The internal admin area.
        ("sensitive-data-in-bulk", "GET", "/internal/admin/users"),
        ("admin-endpoint-ordinary-identity", "GET", "/internal/admin/users/{username}"),
    ];
    // The old stack serving /v1: banners, no HSTS, no nosniff.
    for (method, template) in routes().into_iter().filter(|(_, t)| t.starts_with("/v1/")) {
        flaws.push(("server-banner", method, template));
        flaws.push(("missing-security-headers", method, template));
    }
    // PLANTED FLAW (issue 5): undeclared endpoints (shadow) and a legacy version still called
    // beside /v2 (zombie), against examples/bank-api.openapi.yaml.
    for (method, template) in SHADOW_ROUTES {
        flaws.push(("shadow-endpoint", method, template));
    }
    for (method, template) in ZOMBIE_ROUTES {
        flaws.push(("zombie-endpoint", method, template));
    }
    flaws.sort();
    flaws
}

/// Routes the declared spec (`examples/bank-api.openapi.yaml`) does not declare.
pub const SHADOW_ROUTES: [(&str, &str); 7] = [
    ("POST", "/internal/admin/cache/flush"),
    ("GET", "/internal/admin/users"),
    ("GET", "/internal/admin/users/{username}"),
    ("GET", "/internal/health"),
    ("POST", "/v2/cards/{cardId}/freeze"),
    ("GET", "/v2/webhooks"),
    ("POST", "/v2/webhooks"),
];

/// Legacy routes the spec deprecates or a /v2 route supersedes.
pub const ZOMBIE_ROUTES: [(&str, &str); 3] =
    [("GET", "/v1/accounts"), ("GET", "/v1/accounts/{accountId}"), ("GET", "/v1/customers/{customerId}")];

/// The API as an axum router over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/oauth/token", post(api::oauth_token))
        .route("/.well-known/jwks.json", get(api::jwks))
        .route("/v1/auth/login", post(api::login))
        .route("/v1/auth/logout", post(api::logout))
        .route("/v2/customers/me", get(api::customer_me))
        .route("/v2/customers/{customerId}", get(api::customer_by_id))
        .route("/v2/accounts", get(api::list_accounts))
        .route("/v2/accounts/{accountId}", get(api::get_account))
        .route("/v2/accounts/{accountId}/balances", get(api::account_balances))
        .route("/v2/accounts/{accountId}/transactions", get(api::list_transactions))
        .route("/v2/accounts/{accountId}/transactions/{transactionId}", get(api::get_transaction))
        .route("/v2/payments", post(api::create_payment).get(api::list_payments))
        .route("/v2/payments/{paymentId}", get(api::get_payment))
        .route("/v2/beneficiaries", get(api::list_beneficiaries).post(api::create_beneficiary))
        .route("/v2/beneficiaries/{beneficiaryId}", delete(api::delete_beneficiary))
        .route("/v2/cards", get(api::list_cards))
        .route("/v2/cards/{cardId}", get(api::get_card))
        .route("/v2/cards/{cardId}/freeze", post(api::freeze_card))
        .route("/v2/statements/{yearMonth}", get(api::statement))
        .route("/v2/webhooks", post(api::create_webhook).get(api::list_webhooks))
        .route("/internal/admin/users", get(api::admin_users))
        .route("/internal/admin/users/{username}", get(api::admin_user))
        .route("/internal/admin/cache/flush", post(api::flush_cache))
        .route("/internal/health", get(api::health))
        .route("/v1/accounts", get(api::v1_accounts))
        .route("/v1/accounts/{accountId}", get(api::v1_account))
        .route("/v1/customers/{customerId}", get(api::v1_customer))
        .fallback(api::not_found_fallback)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), api::common_headers))
        .with_state(state)
}

/// Serves `state` on `listener` until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
