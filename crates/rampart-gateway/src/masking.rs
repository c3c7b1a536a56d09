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

    /// A request path fit for the access log: a segment that is an identifier worth hiding
    /// (`/customers/S1234567D`, `/cards/4111…`, an email) is masked as its type says; the rest
    /// is kept, so the line still shows which endpoint was called.
    pub fn log_safe_path<'p>(&self, path: &'p str) -> std::borrow::Cow<'p, str> {
        let rules = &self.classifier.config().mask;
        let mut masked: Option<String> = None;
        let mut previous = "";
        for (index, segment) in path.split('/').enumerate() {
            // The segment before names what follows (`/cards/4111…`), as a field name would.
            let field = Some(previous).filter(|p| !p.is_empty());
            let found = if segment.len() >= 6 {
                self.classifier.classify_value_in_context(None, field, segment)
            } else {
                Vec::new()
            };
            previous = segment;
            let replacement =
                found.first().map(|(kind, _, _)| rampart_sensitive::mask::mask(*kind, segment, rules));
            match (&mut masked, replacement) {
                (None, None) => {}
                (None, Some(replacement)) => {
                    // The first segment to hide: copy what came before it.
                    let mut text: String = path.split('/').take(index).collect::<Vec<_>>().join("/");
                    if index > 0 {
                        text.push('/');
                    }
                    text.push_str(&replacement);
                    masked = Some(text);
                }
                (Some(text), replacement) => {
                    text.push('/');
                    text.push_str(replacement.as_deref().unwrap_or(segment));
                }
            }
        }
        masked.map_or(std::borrow::Cow::Borrowed(path), std::borrow::Cow::Owned)
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
    fn identifiers_in_paths_are_masked_for_the_log() {
        let masker = masker();
        assert_eq!(
            masker.log_safe_path("/v2/accounts/ACC-0012/transactions"),
            "/v2/accounts/ACC-0012/transactions"
        );
        let masked = masker.log_safe_path("/v1/customers/S1234567D/cards/4111111111111111");
        assert!(!masked.contains("S1234567D") && !masked.contains("4111111111111111"), "{masked}");
        assert!(masked.starts_with("/v1/customers/") && masked.contains("/cards/"), "{masked}");
        assert_eq!(masker.log_safe_path("/"), "/");
        assert_eq!(masker.log_safe_path(""), "");
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
