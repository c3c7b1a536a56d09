//! `rampart-audit`: the static security audit of OpenAPI 3.0 / 3.1 documents behind
//! `rampart audit`, mapped to the OWASP API Security Top 10 (2023).
//!
//! What it does: reads a spec (YAML or JSON), checks it with the rules of [`rules::RULES`]
//! (at least every check of the Spectral OWASP ruleset, plus bank-minded ones: OAuth flows the
//! Security BCP forbids, plain-http OAuth URLs, undefined schemes, sensitive data in URLs,
//! open request objects, superseded versions…) and reports each finding as a
//! [`rampart_core::Finding`] that points at the exact line and column of the node concerned,
//! with its JSON pointer. [`report`] renders findings as text, JSON or SARIF 2.1.0.
//!
//! Choices, and why:
//! * **Its own positioned tree** ([`doc`]): findings need line and column, which `serde_json`
//!   and `yaml_serde` forget. YAML goes through `saphyr-parser`'s events (spans on every
//!   event); JSON through a small strict parser of ours that is several times faster than
//!   the YAML path on the 13 MB GitHub spec. Nodes live in one arena; YAML aliases share
//!   nodes instead of copying them, so alias bombs cost nothing.
//! * **Structural walks, not JSONPath over a resolved copy**: Spectral resolves every `$ref`
//!   into a copy of the document and runs JSONPath over it. Rampart walks the document as
//!   written, visits each schema once where it is defined, and resolves `$ref`s (cached,
//!   cycle-checked) only where a check needs the target. A component used by a hundred
//!   operations gives one finding at the component; nothing can loop on circular refs.
//! * **Never a panic on input**: syntax errors, broken and circular `$ref`s, Swagger 2.0 and
//!   non-OpenAPI documents come back as [`SpecError`]s with line, column and pointer; depth is
//!   bounded ([`load::MAX_DEPTH`]); a fuzz target (`fuzz/fuzz_targets/audit_spec.rs`) and
//!   property tests keep it so.
//! * **No I/O**: the caller reads files; the crate turns text into reports.

pub mod config;
pub mod doc;
pub mod load;
pub mod report;
pub mod rules;

use rampart_core::{Finding, Severity};
use serde::Serialize;

pub use config::{AuditConfig, ConfigError};
pub use rules::{RULES, RuleInfo, rule, spectral_equivalent};

/// The OpenAPI version family of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// 3.0.x: JSON Schema draft-04-ish, `nullable`, boolean `exclusiveMinimum`.
    V30,
    /// 3.1.x and later: JSON Schema 2020-12.
    V31,
}

/// A problem that stops a document (or one `$ref` of it) from being audited: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecError {
    pub line: u32,
    pub column: u32,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pointer: String,
    pub message: String,
}

/// The audit of one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// The file as the user named it (relative paths stay relative).
    pub file: String,
    /// The `openapi` version the document declares, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub openapi: Option<String>,
    pub findings: Vec<Finding>,
    /// Errors: the file could not be read or parsed, is not OpenAPI 3, or has broken or
    /// circular `$ref`s. A file with errors makes the command fail (exit code 2).
    pub errors: Vec<SpecError>,
    /// External `$ref`s (other files, URLs): not followed, counted.
    pub external_refs: usize,
}

impl FileReport {
    /// A report for a file that could not even be read.
    pub fn unreadable(file: &str, message: String) -> FileReport {
        FileReport {
            file: file.to_string(),
            openapi: None,
            findings: Vec::new(),
            errors: vec![SpecError { line: 0, column: 0, pointer: String::new(), message }],
            external_refs: 0,
        }
    }

    /// The highest severity found, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Parse a document and check that it is OpenAPI 3.x: the document, its version family and
/// the declared version string.
pub fn load_spec(text: &str) -> Result<(doc::Doc, Version, String), SpecError> {
    let document = load::parse(text).map_err(|err| {
        let (line, column) = clamp_to_text(text, err.position());
        let message = match err {
            load::LoadError::Syntax { message, .. } => format!("syntax error: {message}"),
        };
        SpecError { line, column, pointer: String::new(), message }
    })?;
    let root = document.root;
    let root_pos = document.node(root).pos;
    let at = |pos: doc::Pos, pointer: &str, message: String| SpecError {
        line: pos.line,
        column: pos.col,
        pointer: pointer.to_string(),
        message,
    };
    if !document.is_map(root) {
        return Err(at(root_pos, "", "not an OpenAPI document: the top level is not a mapping".into()));
    }
    if let Some(entry) = document.entry(root, "swagger") {
        return Err(at(
            entry.key_pos,
            "/swagger",
            "Swagger 2.0 is not supported: convert the document to OpenAPI 3 (for example with swagger2openapi)".into(),
        ));
    }
    let Some(entry) = document.entry(root, "openapi") else {
        return Err(at(root_pos, "", "not an OpenAPI document: no `openapi` field at the top level".into()));
    };
    let declared = match document.value(entry.value) {
        doc::Value::String(s) => s.to_string(),
        doc::Value::Number(n) => format!("{n:?}"),
        _ => String::new(),
    };
    let version = if declared.starts_with("3.0") {
        Version::V30
    } else if declared.starts_with("3.") {
        Version::V31
    } else {
        return Err(at(
            entry.key_pos,
            "/openapi",
            format!("unsupported OpenAPI version `{declared}` (expected 3.0.x or 3.1.x)"),
        ));
    };
    Ok((document, version, declared))
}

/// An end-of-input error can be placed on the line after the last one; keep positions inside
/// the file (at the end of its last line).
fn clamp_to_text(text: &str, (line, column): (u32, u32)) -> (u32, u32) {
    let bytes = text.as_bytes();
    let mut lines: u32 = 1;
    let mut last_line_start = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            lines += 1;
            last_line_start = i + 1;
        }
    }
    if line <= lines {
        return (line, column);
    }
    let last_len =
        text.get(last_line_start..).map_or(0, |l| l.trim_end_matches(['\r', '\n']).chars().count());
    (lines, u32::try_from(last_len + 1).unwrap_or(u32::MAX))
}

/// Audit one document. `file` is the name findings carry.
pub fn audit_text(file: &str, text: &str, config: &AuditConfig) -> FileReport {
    let (document, version, declared) = match load_spec(text) {
        Ok(loaded) => loaded,
        Err(error) => {
            return FileReport {
                file: file.to_string(),
                openapi: None,
                findings: Vec::new(),
                errors: vec![error],
                external_refs: 0,
            };
        }
    };
    let (findings, errors, external_refs) = rules::run(&document, version, file, config);
    FileReport { file: file.to_string(), openapi: Some(declared), findings, errors, external_refs }
}
