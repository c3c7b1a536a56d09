//! What went wrong, and where, while reading a traffic file.

use std::fmt;

use crate::InputFormat;

/// How many errors a report keeps in full; the rest are only counted.
pub const MAX_KEPT_ERRORS: usize = 100;

/// One problem found in an input file, located as precisely as the format allows.
///
/// Displays like `traffic.har: entry 17: request.url: missing` or
/// `traffic.jsonl: line 5, column 12: expected value`. HAR entry indexes are 0-based (they match
/// `Exchange.source.entry`); lines and columns are 1-based, as in editors and serde_json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IngestError {
    pub file: String,
    pub entry: Option<u64>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl IngestError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> IngestError {
        IngestError {
            file: file.into(),
            entry: None,
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    pub(crate) fn in_field(field: impl Into<String>, message: impl Into<String>) -> IngestError {
        IngestError { field: Some(field.into()), ..IngestError::new("", message) }
    }

    pub(crate) fn at_position(mut self, line: u64, column: u64) -> IngestError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut separator = "";
        if !self.file.is_empty() {
            f.write_str(&self.file)?;
            separator = ": ";
        }
        if let Some(entry) = self.entry {
            write!(f, "{separator}entry {entry}")?;
            separator = ": ";
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{separator}line {line}, column {column}")?,
            (Some(line), None) => write!(f, "{separator}line {line}")?,
            (None, _) => {}
        }
        if self.line.is_some() {
            separator = ": ";
        }
        if let Some(field) = &self.field {
            write!(f, "{separator}{field}")?;
            separator = ": ";
        }
        write!(f, "{separator}{}", self.message)
    }
}

/// The outcome of reading one file.
#[derive(Debug, Default)]
pub struct IngestReport {
    pub file: String,
    pub format: Option<InputFormat>,
    /// Exchanges handed to the sink.
    pub exchanges: u64,
    /// Entries or lines that were unusable and skipped (each has an error).
    pub skipped: u64,
    /// First [`MAX_KEPT_ERRORS`] errors kept in full; all are counted in `skipped` (or fatal).
    pub errors: Vec<IngestError>,
    /// An error that stopped reading the file before anything usable was read (unreadable,
    /// unknown or compressed format, syntax error before the first entry).
    pub fatal: Option<IngestError>,
    /// True when reading stopped before the end of the input (a truncated or corrupt HAR) after
    /// some entries had been read: they were kept, and the error is the last one in `errors`.
    pub truncated: bool,
}

impl IngestReport {
    pub(crate) fn new(file: &str, format: InputFormat) -> IngestReport {
        IngestReport { file: file.to_owned(), format: Some(format), ..IngestReport::default() }
    }

    /// Records an error without counting it as a skipped record.
    pub(crate) fn note(&mut self, error: IngestError) {
        tracing::debug!(%error, "ingest problem");
        if self.errors.len() < MAX_KEPT_ERRORS {
            self.errors.push(error);
        }
    }

    /// Records an unusable record: counted in `skipped`, kept when there is room.
    pub(crate) fn skip(&mut self, error: IngestError) {
        self.skipped += 1;
        self.note(error);
    }

    /// True when the file was read to its end (entries may still have been skipped).
    pub fn is_complete(&self) -> bool {
        self.fatal.is_none() && !self.truncated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_file_entry_field_and_message() {
        let error = IngestError {
            entry: Some(17),
            field: Some("request.url".into()),
            ..IngestError::new("traffic.har", "missing")
        };
        assert_eq!(error.to_string(), "traffic.har: entry 17: request.url: missing");
    }

    #[test]
    fn displays_line_and_column() {
        let error = IngestError::new("t.jsonl", "expected value").at_position(5, 12);
        assert_eq!(error.to_string(), "t.jsonl: line 5, column 12: expected value");
        let bare = IngestError::in_field("startedDateTime", "missing");
        assert_eq!(bare.to_string(), "startedDateTime: missing");
    }

    #[test]
    fn keeps_at_most_the_first_errors_but_counts_all() {
        let mut report = IngestReport::default();
        for i in 0..(MAX_KEPT_ERRORS as u64 + 5) {
            report.skip(IngestError { entry: Some(i), ..IngestError::new("f", "bad") });
        }
        assert_eq!(report.skipped, MAX_KEPT_ERRORS as u64 + 5);
        assert_eq!(report.errors.len(), MAX_KEPT_ERRORS);
        assert_eq!(report.errors[0].entry, Some(0));
    }
}
