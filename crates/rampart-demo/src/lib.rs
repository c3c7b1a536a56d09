//! `rampart-demo`: a realistic open-banking API to demonstrate and test Rampart against, and a
//! traffic generator that drives it.
//!
//! * The **API** ([`router`], [`serve`]) is an axum service over an in-memory book generated from
//!   a seed ([`data::Dataset`]): APAC customers whose national IDs (NRIC, Aadhaar, China resident
//!   ID, HKID) pass their checksums, Luhn-valid cards with real issuer prefixes, mod-97-valid
//!   IBANs. It has OAuth2 token issuance (RS256 JWTs, JWKS), a customer API under `/v2`, a legacy
//!   `/v1` that is still answering, and an internal admin area behind an API key — the mix of
//!   documented, shadow and zombie endpoints a real bank has. [`routes`] is the ground truth list
//!   of every route the traffic reaches, for discovery tests.
//! * The **traffic generator** ([`traffic`]) plays simulated customers, a legacy mobile client, a
//!   partner and an ops user against the API over real HTTP, and records every exchange as a
//!   [`rampart_core::Exchange`]. [`traffic::run_until`] plays them without end, at a real-time
//!   pace, for live demos.
//! * The **attackers** ([`attackers`]) are four scripted attacks for the live demo — credential
//!   stuffing, BOLA enumeration, SQL injection with sqlmap, scraping — each from its own address,
//!   for Rampart's behavioural detectors to catch (see [below](#the-live-demo-customers-and-attackers)).
//!
//! Design choices: the API's state draws every random value from seeded streams and reads time
//! from a [`state::Clock`] the recorder can drive, and the generator is sequential, so a recorded
//! sample is reproducible byte for byte from its seed.
//!
//! # Two banks: flawed and fixed
//!
//! The API runs in one of two [`Mode`]s (`rampart-demo serve --mode flawed|fixed`,
//! [`AppState::with_mode`]). The **flawed** bank (the default, [`AppState::new`]) has the planted
//! weaknesses below, for Rampart's passive analysis and its active scanner to find; whatever the
//! traffic generator sends, it answers exactly as it always did, so recorded samples do not
//! change. The **fixed** bank serves the same endpoints safely, for checking that a scanner
//! reports nothing there.
//!
//! The passive weaknesses of issue 5 — a legacy `/v1` surface on an old stack (weak HS256 tokens
//! without expiry, no login rate limit, tokens in URLs, stack traces, a BOLA, an unauthenticated
//! customer lookup, version banners), a full PAN in the card detail, a CORS policy that trusts any
//! origin, a mass-assignable beneficiary status, an SSRF-prone webhook registration, and an
//! internal admin area reached by customers — are marked in the code with `PLANTED FLAW (issue 5)`;
//! [`planted_flaws`] lists what passive analysis of the traffic finds. The active ones of issue 6
//! are marked `PLANTED FLAW (issue 6)`; [`scan_planted_flaws`] lists every weakness an active
//! scanner must prove against the flawed bank, by class:
//!
//! | class | OWASP | where | how it shows (flawed) | fixed |
//! |---|---|---|---|---|
//! | `bola-read` | API1 | `GET /v1/accounts/{accountId}` | any logged-in customer reads any account | `/v1` retired: 410 |
//! | `bola-write` | API1 | `DELETE /v2/beneficiaries/{beneficiaryId}` | a customer deletes another customer's payee: 204 | 404 unless the caller owns it |
//! | `no-auth-sensitive-data` | API2 | `GET /v1/customers/{customerId}` | name, national ID, phone, email, birth date, address without any credential | 410 |
//! | `jwt-weak-secret` | API2 | `POST /v1/auth/login` | its `legacyToken` is HS256 signed with `s3cr3t` | 410 |
//! | `jwt-no-expiry` | API2 | `POST /v1/auth/login` | the `legacyToken` has no `exp` | 410 |
//! | `jwt-alg-none` | API2 | `GET /v1/accounts`, `GET /v1/accounts/{accountId}` | an unsigned token (`"alg": "none"`, any `sub`) is accepted | 410; `/v2` refuses it too |
//! | `login-no-rate-limit` | API4 | `POST /v1/auth/login`, `POST /oauth/token` | password attempts are never answered 429 | `/oauth/token`: 10 attempts a minute per client IP and username, then 429 with `Retry-After` |
//! | `user-enumeration` | API2 | `POST /v1/auth/login` | both refused with 401, but an unknown username's detail is `no such user`, a wrong password's `wrong username or password` | 410; `/oauth/token` answers both alike in either mode |
//! | `nosql-injection` | API8 | `POST /v1/auth/login` | `{"username": "<user>", "password": {"$ne": "x"}}` logs in; `$gt`, `$regex`, `$exists`, `$in` work; `{"$foo": 1}`: 500 `MongoServerError: unknown operator: $foo` | 410 |
//! | `mass-assignment` | API3 | `POST /v2/beneficiaries` | `"status": "ACTIVE"` is stored and echoed | always `PENDING_VERIFICATION` |
//! | `excessive-data-exposure` | API3 | `GET /v2/cards/{cardId}` | the full card number in `pan` | masked PAN only |
//! | `unbounded-page-size` | API4 | `GET /v2/accounts/{accountId}/transactions` | `limit` (declared `maximum: 100`) takes any number and returns that many | 400 above 100 |
//! | `oversized-body` | API4 | `POST /v2/payments` | bodies up to 10 MiB, a `reference` of any length stored and echoed | 413 above 64 KiB; 400 for a `reference` over 140 characters |
//! | `bfla-admin` | API5 | `GET /internal/admin/users/{username}` | a customer's bearer token reads the admin user record | `/internal` takes the ops API key only: 403 for customer tokens |
//! | `method-swap` | API5 | `DELETE /v2/payments/{paymentId}` | undeclared, cancels the customer's payment (completed ones too): 204 | not routed: 405 with `Allow: GET,HEAD` |
//! | `ssrf` | API7 | `POST /v2/webhooks` | the `callbackUrl` (any host, loopback and metadata included) is called at registration, its status and body reported under `verification` | https only, and the host must resolve to public addresses only (400); nothing is called |
//! | `cors` | API8 | `GET /v2/customers/me` | any `Origin` is reflected with credentials | only the bank's web apps' origins |
//! | `security-headers` | API8 | every `/v1` route | `Server: nginx/1.18.0`, `X-Powered-By: PHP/7.2.34`, no HSTS, no `nosniff` | HSTS, `nosniff`, `no-store`, CSP on every response, no banners |
//! | `verbose-error` | API8 | `GET /v1/accounts` | `?sort=` other than `id`/`type`: 500 with a PHP stack trace | 410; errors are problem documents without internals |
//! | `trace-method` | API8 | `TRACE` on any path (`*`) | 200 `message/http` echoing the request, `Authorization` and `Cookie` included | 405 |
//! | `sql-injection` | API8 | `GET /v2/accounts/{accountId}/transactions` | `q` is pasted into SQLite SQL: `'` gives 500 `unrecognized token`, `x' OR '1'='1` returns every transaction, `x') OR 1=1 --` every customer's | bound parameter: the same results for ordinary searches, no error |
//! | `command-injection` | API8 | `GET /v2/statements/{yearMonth}` | `format` (and the month) go into a simulated `sh -c` line: `format=json;id`, `|id`, `$(id)`, `` `id` ``, `;sleep 5`, `;echo R$((6*7))` run | `format` must be `pdf`, `csv` or `json` (400), the month `YYYY-MM` (422) |
//! | `old-api-version` | API9 | `GET /v1/accounts`, `GET /v1/accounts/{accountId}`, `GET /v1/customers/{customerId}` | the deprecated or superseded `/v1` still answers beside `/v2` | 410 |
//! | `undocumented-endpoint` | API9 | [`SHADOW_ROUTES`] | served, not in `examples/bank-api.openapi.yaml` | `/internal` behind the ops key (401/403); `/v2/webhooks` and the card freeze stay served, as authenticated customer functions |
//!
//! The command injection's shell is simulated ([`shell`]): no process is ever started, `sleep`
//! is a timer capped at 10 s. The SSRF's verification call is real (2 s timeout), except for
//! callback hosts under the reserved `.example` and `.invalid` domains, which the traffic
//! generator uses: those are never called, so recorded samples stay as they were.
//!
//! `examples/scan/demo-identities.toml` ([`identities::identities_toml`], `rampart-demo
//! identities`) gives a scanner two ordinary customers and the ops admin of the default book.
//!
//! # The live demo: customers and attackers
//!
//! `rampart demo` runs the flawed bank behind Rampart's gateway, which trusts `127.0.0.1` as a
//! proxy, so that each simulated client is told apart by `X-Forwarded-For`, and drives it with
//! two things from this crate until Ctrl-C:
//!
//! * ordinary customers: [`traffic::run_until`] with [`traffic::TrafficConfig::demo`] —
//!   [`benign_only`](traffic::TrafficConfig::benign_only) (no password-guessing burst, no
//!   snooping customer), every request named by `X-Forwarded-For`, about
//!   [`traffic::DEMO_REQUESTS_PER_SECOND`] requests a second all together, only counts kept
//!   ([`traffic::TrafficSummary`], which also lists any simulated caller the gateway refused);
//! * attackers: [`attackers::run_attackers`], each from its own address, repeating its attack
//!   in rounds and slowing down to one request every 1–2 s once the gateway refuses it:
//!
//! | attacker | address | user agent | attack | caught by (docs/detect.md) |
//! |---|---|---|---|---|
//! | credential stuffer | `198.18.5.66` | `python-requests/2.31.0` | `POST /oauth/token`, leaked-list usernames and passwords, 5/s | `credential-stuffing` (block) |
//! | enumerator | `198.18.7.20` | `Go-http-client/1.1` | `GET /v1/customers/{customerId}` without credentials, sequential ids, 10/s | `bola-enumeration` (block) |
//! | injector | `198.18.9.30` | `sqlmap/1.7.2#stable (https://sqlmap.org)` | sqlmap payloads in `q` of `GET /v2/accounts/{accountId}/transactions`, with a customer's token, 4/s | `scanner`, `injection` (block) |
//! | scraper | `198.18.11.40` | `Scrapy/2.11.2 (+https://scrapy.org)` | every account's whole transaction history (`page_size=100`) and the card list, over and over, with a customer's token, 33/s | `scraping`, `volumetric` (rate limit) |
//!
//! The injector and the scraper log in as the last two customers of the book, which the
//! benign-only customers never play: a decision against those identities touches no ordinary
//! customer. The addresses are constants in [`attackers`] (for tests and dashboards), all in
//! `198.18.0.0/15`, apart from the customers' networks.

pub mod api;
pub mod attackers;
pub mod data;
pub mod identities;
pub mod ids;
pub mod jwt;
pub mod mongo;
pub mod search;
pub mod shell;
pub mod state;
pub mod traffic;
pub mod webhook;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};

pub use state::{AppState, Clock, Mode};

/// Every route the API serves to its clients, as `(method, template)`; templates use `{name}`
/// parameters. The flawed mode also answers two that no client uses, `DELETE
/// /v2/payments/{paymentId}` and `TRACE` on any path (see [`scan_planted_flaws`]).
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

/// The weaknesses an active scanner must prove against the flawed bank, as `(OWASP API Security
/// Top 10 2023 category, class, method, template)`: one entry per planted instance. The template
/// `*` means any path. Against the fixed bank a scanner should find none of them, nor anything
/// else of medium severity or higher. The crate documentation describes each class.
pub fn scan_planted_flaws() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
    let mut flaws = vec![
        ("API1", "bola-read", "GET", "/v1/accounts/{accountId}"),
        ("API1", "bola-write", "DELETE", "/v2/beneficiaries/{beneficiaryId}"),
        ("API2", "no-auth-sensitive-data", "GET", "/v1/customers/{customerId}"),
        ("API2", "jwt-weak-secret", "POST", "/v1/auth/login"),
        ("API2", "jwt-no-expiry", "POST", "/v1/auth/login"),
        ("API2", "jwt-alg-none", "GET", "/v1/accounts"),
        ("API2", "jwt-alg-none", "GET", "/v1/accounts/{accountId}"),
        ("API2", "user-enumeration", "POST", "/v1/auth/login"),
        ("API3", "mass-assignment", "POST", "/v2/beneficiaries"),
        ("API3", "excessive-data-exposure", "GET", "/v2/cards/{cardId}"),
        ("API4", "login-no-rate-limit", "POST", "/v1/auth/login"),
        ("API4", "login-no-rate-limit", "POST", "/oauth/token"),
        ("API4", "unbounded-page-size", "GET", "/v2/accounts/{accountId}/transactions"),
        ("API4", "oversized-body", "POST", "/v2/payments"),
        ("API5", "bfla-admin", "GET", "/internal/admin/users/{username}"),
        ("API5", "method-swap", "DELETE", "/v2/payments/{paymentId}"),
        ("API7", "ssrf", "POST", "/v2/webhooks"),
        ("API8", "cors", "GET", "/v2/customers/me"),
        ("API8", "verbose-error", "GET", "/v1/accounts"),
        ("API8", "trace-method", "TRACE", "*"),
        ("API8", "sql-injection", "GET", "/v2/accounts/{accountId}/transactions"),
        ("API8", "nosql-injection", "POST", "/v1/auth/login"),
        ("API8", "command-injection", "GET", "/v2/statements/{yearMonth}"),
    ];
    for (method, template) in routes().into_iter().filter(|(_, t)| t.starts_with("/v1/")) {
        flaws.push(("API8", "security-headers", method, template));
    }
    for (method, template) in ZOMBIE_ROUTES {
        flaws.push(("API9", "old-api-version", method, template));
    }
    for (method, template) in SHADOW_ROUTES {
        flaws.push(("API9", "undocumented-endpoint", method, template));
    }
    flaws.sort();
    flaws
}

/// The classes of [`scan_planted_flaws`], as the scanner's ground truth names them.
pub const SCAN_FLAW_CLASSES: [&str; 24] = [
    "bola-read",
    "bola-write",
    "no-auth-sensitive-data",
    "jwt-weak-secret",
    "jwt-alg-none",
    "jwt-no-expiry",
    "login-no-rate-limit",
    "user-enumeration",
    "mass-assignment",
    "excessive-data-exposure",
    "unbounded-page-size",
    "oversized-body",
    "bfla-admin",
    "method-swap",
    "ssrf",
    "cors",
    "security-headers",
    "verbose-error",
    "trace-method",
    "old-api-version",
    "undocumented-endpoint",
    "sql-injection",
    "nosql-injection",
    "command-injection",
];

/// The API as an axum router over `state`, in the state's mode.
pub fn router(state: AppState) -> Router {
    let mode = state.mode();
    let payments = post(api::create_payment).get(api::list_payments);
    let payment = get(api::get_payment);
    let (payments, payment) = match mode {
        // PLANTED FLAW (issue 6): a 10 MiB body limit on payments (class `oversized-body`), and
        // the undeclared `DELETE` that cancels a payment (class `method-swap`).
        Mode::Flawed => (
            payments.layer(DefaultBodyLimit::max(api::FLAWED_PAYMENT_BODY_BYTES)),
            payment.delete(api::cancel_payment),
        ),
        Mode::Fixed => (payments, payment),
    };
    let router = Router::new()
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
        .route("/v2/payments", payments)
        .route("/v2/payments/{paymentId}", payment)
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
        .route("/v1/customers/{customerId}", get(api::v1_customer));
    let router = match mode {
        Mode::Flawed => router,
        Mode::Fixed => router.layer(DefaultBodyLimit::max(api::MAX_BODY_BYTES)),
    };
    router
        .fallback(api::not_found_fallback)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), api::mode_guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), api::common_headers))
        .with_state(state)
}

/// Serves `state` on `listener` until the listener fails. Handlers see the client's address
/// (the fixed mode's login rate limit keys on it).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
}
