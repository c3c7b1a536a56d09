//! The one internal model of a declared spec, shared by OpenAPI 3.0 and 3.1 documents.

use std::collections::BTreeMap;

use rampart_core::ParamLocation;
use serde::{Deserialize, Serialize};

/// A loaded spec: its operations with every `$ref` inlined and server base paths applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecDocument {
    /// File name as given to [`crate::parse_spec`]; reported in comparisons and errors.
    pub file: String,
    /// The `openapi` field as written (`3.0.3`, `3.1.0`).
    pub openapi_version: String,
    pub title: Option<String>,
    /// Every host named by a server URL of the document (lower-case, default port dropped).
    pub hosts: Vec<String>,
    pub operations: Vec<SpecOperation>,
    /// `components.securitySchemes`, resolved. API-key schemes name headers and query parameters
    /// that are declared without being listed as parameters.
    pub security_schemes: BTreeMap<String, serde_json::Value>,
    /// Non-fatal problems: external `$ref`s, recursion cut short, server URLs that could not be read.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecOperation {
    /// Upper-case HTTP method.
    pub method: String,
    /// Full path template including the server base path: `/v1/accounts/{accountId}`.
    pub template: String,
    /// Hosts the operation is scoped to by its servers; empty = any host.
    pub hosts: Vec<String>,
    pub deprecated: bool,
    pub operation_id: Option<String>,
    /// Path-item parameters merged with the operation's (the operation's win).
    pub parameters: Vec<SpecParameter>,
    /// Request body schema per media type (`$ref`s inlined).
    pub request_body: BTreeMap<String, serde_json::Value>,
    /// Per response key (`200`, `4XX`, `default`): schema per media type. A response without
    /// content has an empty map.
    pub responses: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Security requirements (operation-level, else document-level); `None` when neither says.
    pub security: Option<Vec<BTreeMap<String, Vec<String>>>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecParameter {
    pub name: String,
    pub location: ParamLocation,
    pub required: bool,
    /// The parameter schema with `$ref`s inlined; `{}` when the spec gives none.
    pub schema: serde_json::Value,
}
