use std::path::PathBuf;

/// Why a [`crate::SpecValidator`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("validate.{field}: {message}")]
    Config { field: &'static str, message: String },
    #[error("validate.specs: {path}: {source}")]
    Spec {
        path: PathBuf,
        #[source]
        source: rampart_openapi::SpecError,
    },
    #[error("{file}: {method} {template}: {part} schema does not compile: {message}")]
    Schema { file: String, method: String, template: String, part: String, message: String },
    #[error("{file}: {method} {template}: {message}")]
    Operation { file: String, method: String, template: String, message: String },
}
