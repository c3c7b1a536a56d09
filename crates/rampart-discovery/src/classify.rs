//! The seam between discovery and a sensitive-data engine.
//!
//! Discovery asks one question of every scalar it records — *what sensitive data is this value,
//! given the name of the field that holds it?* — and one favour — *mask it for me*. The engine
//! (`rampart-sensitive`) answers through [`ValueClassifier`]; discovery stays free of its
//! detectors, and its tests can use a classifier of their own.

use rampart_core::SensitiveType;

/// A sensitive-data engine as discovery uses it. Called for every string value of every body
/// and parameter: it must be cheap when nothing matches.
pub trait ValueClassifier: Send + Sync {
    /// Push onto `found` the kinds of sensitive data `value` carries (nothing when none);
    /// `field` is the name of the property, parameter or header holding it.
    fn classify(&self, field: Option<&str>, value: &str, found: &mut Vec<SensitiveType>);

    /// `value`, known to carry `kind`, masked for keeping as an example.
    fn mask(&self, kind: SensitiveType, value: &str) -> String;
}
