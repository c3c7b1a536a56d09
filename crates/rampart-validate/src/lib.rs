//! The gateway's positive security model: which declared OpenAPI operation is this request, does
//! it conform, and does the response stay within what the spec declares.
//!
//! * [`SpecValidator::new`] / [`SpecValidator::from_config`] take specs loaded by
//!   `rampart-openapi` (3.0 and 3.1, every `$ref` already inlined) and compile everything once:
//!   a segment trie for routing, one JSON Schema validator per distinct schema (shared between
//!   operations: the `Problem` schema under every error response compiles once), typed readers
//!   for parameters and form fields, and for the strict response mode a tree of declared
//!   properties.
//! * [`SpecValidator::check_request`] routes (`unknown-path`, `method-not-allowed`) and checks
//!   path, query, header and cookie parameters and JSON or form bodies.
//!   [`SpecValidator::check_response`] checks the status against the declared ones (exact,
//!   `2XX`, `default`) and the JSON body against its schema; an undeclared property is reported
//!   where `additionalProperties: false` says so, and everywhere with
//!   [`ValidateConfig::strict_response_properties`] — that is what stops an endpoint that starts
//!   returning `nric` inline.
//! * Results are [`Violation`]s with a stable id per kind; [`render_problem`] makes the RFC 9457
//!   body the gateway sends in block mode. Messages describe an offending value by type and
//!   length only: it may be a card number.
//!
//! Measured (`cargo bench --bench validate`, 2 shared cores): routing `POST /v2/payments` takes
//! ~0.14 µs; route + full check of a typical payment POST ~2.6 µs, about 2× parsing the same
//! body with serde_json alone (~1.3 µs), so the schema checks cost about one more parse.
//!
//! Nothing here does I/O except [`SpecValidator::from_config`], which reads the spec files, and
//! nothing locks: a built validator is shared read-only across connections.
//!
//! Dependencies, and why:
//! * `jsonschema` (0.61, no default features: the defaults pull reqwest and rustls for remote
//!   `$ref`s, which never occur once rampart-openapi has inlined them) is the validator; it is
//!   the heaviest dependency (about 1 minute to build here on 2 cores with its regex engines)
//!   and is kept in this crate alone so the gateway core rebuilds without it. OpenAPI 3.0's
//!   dialect (`nullable`, boolean `exclusiveMinimum`, `discriminator`, `xml`, `example`) is
//!   rewritten to 2020-12 before compiling, and `readOnly`/`writeOnly` properties stop being
//!   required on the side they do not travel.
//! * Routing is our own trie rather than `matchit`: matchit rejects specs that name the same
//!   path position differently (`/accounts/{id}` beside `/accounts/{accountId}/balances`), and
//!   OpenAPI allows partial-segment templates (`/files/{name}.{ext}`).
//! * `form_urlencoded` (tiny, already in the dependency tree) parses query strings and form
//!   bodies; `http` provides the request types the gateway already has.

mod config;
mod error;
mod params;
mod router;
mod schema;
mod validator;
mod violation;

pub use config::ValidateConfig;
pub use error::BuildError;
pub use validator::{OperationId, OperationInfo, RequestCheck, RouteMatch, SpecValidator};
pub use violation::{
    PROBLEM_CONTENT_TYPE, Problem, Violation, ViolationKind, ViolationLocation, problem_status,
    render_problem,
};
