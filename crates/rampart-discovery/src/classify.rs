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
    /// `field` is the name of the property, parameter or header holding it, `context` the name
    /// of the list it sits in (`cards` for `cards[*].number`), when there is one.
    fn classify(
        &self,
        field: Option<&str>,
        context: Option<&str>,
        value: &str,
        found: &mut Vec<SensitiveType>,
    );

    /// `value`, known to carry `kind`, masked for keeping as an example.
    fn mask(&self, kind: SensitiveType, value: &str) -> String;
}

/// Rampart's own engine (`rampart-sensitive`) behind the seam.
pub struct SensitiveEngine {
    classifier: rampart_sensitive::Classifier,
}

impl SensitiveEngine {
    pub fn new(config: rampart_sensitive::ClassifierConfig) -> SensitiveEngine {
        SensitiveEngine { classifier: rampart_sensitive::Classifier::new(config) }
    }
}

impl Default for SensitiveEngine {
    fn default() -> SensitiveEngine {
        SensitiveEngine::new(rampart_sensitive::ClassifierConfig::default())
    }
}

impl ValueClassifier for SensitiveEngine {
    fn classify(
        &self,
        field: Option<&str>,
        context: Option<&str>,
        value: &str,
        found: &mut Vec<SensitiveType>,
    ) {
        for (kind, _confidence, _span) in self.classifier.classify_value_in_context(field, context, value) {
            if !found.contains(&kind) {
                found.push(kind);
            }
        }
    }

    fn mask(&self, kind: SensitiveType, value: &str) -> String {
        rampart_sensitive::mask::mask(kind, value, &self.classifier.config().mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_finds_and_masks_through_the_seam() {
        let engine = SensitiveEngine::default();
        let mut found = Vec::new();
        engine.classify(Some("nric"), None, "S1234567D", &mut found);
        assert_eq!(found, [SensitiveType::SgNric]);
        let masked = engine.mask(SensitiveType::SgNric, "S1234567D");
        assert!(!masked.contains("1234567"), "{masked}");
        found.clear();
        engine.classify(Some("orderId"), None, "20261129", &mut found);
        assert!(found.is_empty(), "{found:?}");
        engine.classify(Some("number"), Some("cards"), "4111111111111111", &mut found);
        assert_eq!(found, [SensitiveType::CardNumber], "the list names what its members are");
    }
}
