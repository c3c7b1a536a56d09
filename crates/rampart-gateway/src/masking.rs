//! Response masking: sensitive values of the chosen types are masked in JSON responses before
//! they leave the bank (`4111 11** **** 1111`), with the same classifier and masking rules as
//! discovery, so what the inventory reports is what the gateway hides.

use std::sync::Arc;

use rampart_core::SensitiveType;
use rampart_sensitive::Classifier;

#[derive(Debug, Clone)]
pub struct ResponseMasker {
    classifier: Arc<Classifier>,
}

/// What masking did to one body.
#[derive(Debug, PartialEq, Eq)]
pub struct Masked {
    pub body: Vec<u8>,
    /// Values masked.
    pub count: usize,
}

impl ResponseMasker {
    pub fn new(classifier: Arc<Classifier>) -> ResponseMasker {
        ResponseMasker { classifier }
    }

    /// Masks every value of `kinds` in a JSON document, in place (the rest of the bytes are
    /// the upstream's own). `None` when the body is not JSON or holds nothing to mask (the
    /// original bytes then go out untouched).
    pub fn mask_json(&self, body: &[u8], kinds: &[SensitiveType]) -> Option<Masked> {
        let masked = self.classifier.mask_json(body, kinds).ok()??;
        Some(Masked { body: masked.body, count: masked.count })
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
