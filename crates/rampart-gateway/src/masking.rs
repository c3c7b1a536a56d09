//! Response masking: sensitive values of the chosen types are masked in JSON responses before
//! they leave the bank (`4111 11** **** 1111`), with the same classifier and masking rules as
//! discovery, so what the inventory reports is what the gateway hides.

use std::sync::Arc;

use rampart_core::SensitiveType;
use rampart_sensitive::{Classifier, MaskConfig};
use serde_json::Value;

/// Values deeper than this are left alone (the classifier bounds its own walks the same way).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone)]
pub struct ResponseMasker {
    classifier: Arc<Classifier>,
    rules: MaskConfig,
}

/// What masking did to one body.
#[derive(Debug, PartialEq, Eq)]
pub struct Masked {
    pub body: Vec<u8>,
    /// Values masked, per type.
    pub count: usize,
}

impl ResponseMasker {
    pub fn new(classifier: Arc<Classifier>) -> ResponseMasker {
        let rules = classifier.config().mask.clone();
        ResponseMasker { classifier, rules }
    }

    /// Masks every value of `kinds` in a JSON document. `None` when the body is not JSON or
    /// holds nothing to mask (the original bytes then go out untouched).
    pub fn mask_json(&self, body: &[u8], kinds: &[SensitiveType]) -> Option<Masked> {
        if kinds.is_empty() {
            return None;
        }
        let mut document: Value = serde_json::from_slice(body).ok()?;
        let mut count = 0;
        self.walk(&mut document, None, None, kinds, 0, &mut count);
        if count == 0 {
            return None;
        }
        serde_json::to_vec(&document).ok().map(|body| Masked { body, count })
    }

    fn walk(
        &self,
        value: &mut Value,
        field: Option<&str>,
        parent: Option<&str>,
        kinds: &[SensitiveType],
        depth: usize,
        count: &mut usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(members) => {
                for (key, member) in members.iter_mut() {
                    self.walk(member, Some(key), field, kinds, depth + 1, count);
                }
            }
            // Elements take the list's name, as the classifier expects (`cards[*]`).
            Value::Array(items) => {
                for item in items {
                    self.walk(item, field, parent, kinds, depth + 1, count);
                }
            }
            Value::String(text) => {
                if let Some(masked) = self.mask_text(field, parent, text, kinds) {
                    *text = masked;
                    *count += 1;
                }
            }
            // A card number or an ID sent as a JSON number becomes a masked string.
            Value::Number(number) => {
                let text = number.to_string();
                if let Some(masked) = self.mask_text(field, parent, &text, kinds) {
                    *value = Value::String(masked);
                    *count += 1;
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }

    fn mask_text(
        &self,
        field: Option<&str>,
        parent: Option<&str>,
        text: &str,
        kinds: &[SensitiveType],
    ) -> Option<String> {
        let mut found: Vec<(SensitiveType, (usize, usize))> = self
            .classifier
            .classify_value_in_context(field, parent, text)
            .into_iter()
            .filter(|(kind, _, _)| kinds.contains(kind))
            .map(|(kind, _, span)| (kind, span))
            .collect();
        if found.is_empty() {
            return None;
        }
        // Right to left, skipping overlaps, so earlier spans stay valid.
        found.sort_by_key(|(_, (start, end))| (std::cmp::Reverse(*start), std::cmp::Reverse(*end)));
        let mut masked = text.to_owned();
        let mut limit = text.len();
        for (kind, (start, end)) in found {
            if end > limit || start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                continue;
            }
            let replacement = rampart_sensitive::mask::mask(kind, &text[start..end], &self.rules);
            masked.replace_range(start..end, &replacement);
            limit = start;
        }
        Some(masked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_sensitive::ClassifierConfig;

    fn masker() -> ResponseMasker {
        ResponseMasker::new(Arc::new(Classifier::new(ClassifierConfig::default())))
    }

    #[test]
    fn cards_and_nrics_are_masked_and_the_rest_is_kept() {
        let body = br#"{"customer":{"name":"Tan Wei Ming","nric":"S1234567D"},"cards":[{"cardNumber":"4111 1111 1111 1111","expiry":"12/27"}],"balance":1200.5}"#;
        let masked = masker().mask_json(body, &[SensitiveType::CardNumber, SensitiveType::SgNric]).unwrap();
        let text = String::from_utf8(masked.body).unwrap();
        assert_eq!(masked.count, 2);
        assert!(!text.contains("4111 1111 1111 1111") && !text.contains("S1234567D"), "{text}");
        assert!(text.contains("4111 11** **** 1111"), "{text}");
        assert!(text.contains("Tan Wei Ming") && text.contains("1200.5") && text.contains("12/27"), "{text}");
        // Key order is kept.
        assert!(text.find("customer") < text.find("cards"));
    }

    #[test]
    fn nothing_to_mask_leaves_the_body_alone() {
        assert!(masker().mask_json(br#"{"status":"ok"}"#, &[SensitiveType::CardNumber]).is_none());
        assert!(masker().mask_json(b"not json", &[SensitiveType::CardNumber]).is_none());
        assert!(masker().mask_json(br#"{"nric":"S1234567D"}"#, &[]).is_none());
    }

    #[test]
    fn a_card_sent_as_a_number_is_masked_too() {
        let masked =
            masker().mask_json(br#"{"pan":4111111111111111}"#, &[SensitiveType::CardNumber]).unwrap();
        let text = String::from_utf8(masked.body).unwrap();
        assert!(!text.contains("4111111111111111"), "{text}");
    }
}
