//! The `[gateway.validate]` section of `rampart.toml` (the gateway chooses the section name).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::BuildError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidateConfig {
    /// OpenAPI 3.0/3.1 files (YAML or JSON) whose operations form the positive model.
    pub specs: Vec<PathBuf>,
    /// Check `format` (date, date-time, uuid, email, ipv4, …); unknown formats such as `int64`
    /// are ignored either way.
    pub validate_formats: bool,
    /// Report a request without a body when the operation declares one. rampart-openapi does not
    /// carry `requestBody.required`, so this applies to every declared body.
    pub require_declared_request_body: bool,
    /// Also report response properties that the schema does not declare even where it leaves
    /// `additionalProperties` open (catches an endpoint that starts returning `nric`).
    pub strict_response_properties: bool,
    /// Treat `/v2/accounts/` as `/v2/accounts`.
    pub ignore_trailing_slash: bool,
    /// Most violations reported for one request or response: bounds the work on hostile input.
    pub max_violations: usize,
    /// Start without the schemas that do not compile (logged) instead of refusing to start.
    pub skip_invalid_schemas: bool,
}

impl Default for ValidateConfig {
    fn default() -> Self {
        Self {
            specs: Vec::new(),
            validate_formats: true,
            require_declared_request_body: true,
            strict_response_properties: false,
            ignore_trailing_slash: true,
            max_violations: 16,
            skip_invalid_schemas: false,
        }
    }
}

impl ValidateConfig {
    pub fn validate(&self) -> Result<(), BuildError> {
        if self.max_violations == 0 {
            return Err(BuildError::Config { field: "max_violations", message: "must be at least 1".into() });
        }
        if self.max_violations > 1000 {
            return Err(BuildError::Config {
                field: "max_violations",
                message: format!(
                    "{} is more than the 1000 a problem body can usefully carry",
                    self.max_violations
                ),
            });
        }
        if let Some(empty) = self.specs.iter().position(|p| p.as_os_str().is_empty()) {
            return Err(BuildError::Config { field: "specs", message: format!("entry {empty} is empty") });
        }
        Ok(())
    }
}
