//! Errors from loading and rendering specs. Every variant names the file and, where there is one,
//! the JSON pointer of the offending field, so that a user can jump straight to it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid {format}: {message}")]
    Syntax { file: String, format: &'static str, message: String },
    #[error("{file}: Swagger 2.0 is not supported; convert to OpenAPI 3 (for example with swagger2openapi)")]
    Swagger2 { file: String },
    #[error("{file}: {pointer}: {message}")]
    Invalid { file: String, pointer: String, message: String },
    #[error("cannot render YAML: {0}")]
    Yaml(String),
}

impl SpecError {
    pub(crate) fn invalid(file: &str, pointer: &str, message: impl Into<String>) -> SpecError {
        let pointer = if pointer.is_empty() { "#".to_owned() } else { format!("#{pointer}") };
        SpecError::Invalid { file: file.to_owned(), pointer, message: message.into() }
    }
}
