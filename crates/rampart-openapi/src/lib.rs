//! Declared OpenAPI specs in, reconstructed OpenAPI 3.1 out.
//!
//! * [`parse_spec`] / [`load_spec`] read OpenAPI 3.0.x and 3.1.x documents, JSON or YAML (told
//!   apart by content), into one internal model, [`SpecDocument`]. The document is handled as a
//!   raw `serde_json::Value` rather than through a typed OpenAPI crate: 3.0 and 3.1 differ in
//!   schema dialect (`nullable` vs type arrays, `$ref` siblings), real-world specs bend the rules,
//!   and comparison only needs a few fields. Local `$ref`s are inlined with a cycle and size
//!   bound; server URLs become a base path prefix and a host scope.
//! * [`compare`] marks every inventory endpoint Documented, Shadow, Zombie or Unused and lists
//!   its [`rampart_core::Drift`] from the declared operation (parameters, fields, statuses, media
//!   types, types).
//! * [`json_schema`] renders an observed [`rampart_core::SchemaNode`] as JSON Schema 2020-12, and
//!   [`export_openapi`] builds a reconstructed OpenAPI 3.1 document per host, checked in tests
//!   against the independent `openapi-spec-validator`.
//!
//! Nothing here does I/O except [`load_spec`], which reads one file.

mod compare;
mod error;
mod export;
pub mod keywords;
mod load;
mod model;
mod schema;

pub use compare::compare;
pub use error::SpecError;
pub use export::{export_openapi, path_shape, to_yaml};
pub use load::{declared_templates, load_spec, parse_spec};
pub use model::{SpecDocument, SpecOperation, SpecParameter};
pub use schema::json_schema;
