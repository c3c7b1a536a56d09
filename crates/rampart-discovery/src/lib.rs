//! Per-exchange API discovery: what one HTTP exchange shows about its endpoint.
//!
//! After another stage has templated an exchange's path, [`record::record_exchange`] folds the
//! exchange into the endpoint's [`rampart_core::Endpoint`]: calls, statuses, latency, content
//! types, credentials, API version, query and header parameters, and the JSON Schema of request
//! and response bodies.
//!
//! * [`schema`] infers schemas into [`rampart_core::SchemaNode`]: bodies are deserialised straight
//!   into the schema (no intermediate JSON tree) because discovery must keep up with a gateway's
//!   traffic — well over 100 000 exchanges per second per core — and every walk is bounded by
//!   [`schema::InferenceLimits`] because bodies come from anyone.
//! * [`format`] recognises string formats with byte checks (no regexes on the hot path).
//! * [`mask`] masks the examples a schema keeps: the inventory must never hold customer data.
//! * [`auth`] classifies credentials and decodes (never verifies) JWTs, and derives a stable
//!   client identity that is never the credential itself.
//! * [`classify`] is the seam to a sensitive-data engine: every scalar recorded is classified
//!   and its sensitive kinds counted on its schema node.
//! * [`record`] ties them together and adds version detection and header filtering.
//! * [`engine`] runs a whole discovery: it feeds exchanges to the path templater
//!   (`rampart-template`) and to [`record`], and turns the result into an inventory.
//!
//! Nothing here does I/O or logs values: the crate is data in, data out.

pub mod auth;
pub mod classify;
pub mod engine;
pub mod format;
pub mod mask;
pub mod record;
pub mod schema;

pub use auth::{Credential, Credentials, classify, identity, record_auth};
pub use classify::{SensitiveEngine, ValueClassifier};
pub use engine::{Discovery, DiscoveryConfig};
pub use mask::mask_example;
pub use record::{RecordConfig, record_exchange, response_shape};
pub use schema::{BodyError, InferenceLimits, observe_body, observe_json, observe_text_value};
