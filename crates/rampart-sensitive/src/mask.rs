//! Masking: what an operator may still see of a sensitive value.
//!
//! The same function serves discovery (masked samples in the inventory) and, later, the gateway
//! (masking response bodies in place), so it keeps the value's shape: separators stay where they
//! were and only letters and digits are replaced. Defaults follow PCI DSS for cards (first 6 and
//! last 4 at most) and keep the last 4 of identifiers and the domain of emails; secrets are
//! fully redacted.

use std::collections::BTreeMap;

use rampart_core::{SensitiveCategory, SensitiveType};
use serde::{Deserialize, Serialize};

/// The character that replaces hidden characters.
pub const MASK_CHAR: char = '*';

/// How one type is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum MaskRule {
    /// Keep the first `first` and last `last` letters/digits, mask the rest; separators stay.
    Keep { first: usize, last: usize },
    /// Keep the domain of an email (`j***@example.com`): the first character of the local part
    /// and everything from `@`.
    EmailDomain,
    /// Replace the whole value with a fixed marker; its length is not revealed.
    Redact,
}

/// Per-type masking rules; types without an override use [`MaskConfig::default_rule`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskConfig {
    #[serde(default)]
    pub overrides: BTreeMap<SensitiveType, MaskRule>,
}

/// What [`MaskRule::Redact`] produces.
pub const REDACTED: &str = "[REDACTED]";

/// Values this short are masked in full whatever the rule: keeping 4 of 6 characters would
/// reveal most of the value.
const MIN_PARTIAL_LEN: usize = 8;

impl MaskConfig {
    pub fn rule(&self, kind: SensitiveType) -> MaskRule {
        self.overrides.get(&kind).copied().unwrap_or_else(|| Self::default_rule(kind))
    }

    /// The built-in rule of a type.
    pub fn default_rule(kind: SensitiveType) -> MaskRule {
        use SensitiveType::*;
        match kind {
            CardNumber => MaskRule::Keep { first: 6, last: 4 },
            Email => MaskRule::EmailDomain,
            Phone => MaskRule::Keep { first: 0, last: 3 },
            IpAddress | DateOfBirth | PersonName | Address | SwiftBic => MaskRule::Keep { first: 0, last: 0 },
            _ if kind.category() == SensitiveCategory::Secret => MaskRule::Redact,
            _ => MaskRule::Keep { first: 0, last: 4 },
        }
    }
}

/// Whether `value` could hold a `kind` at all, from a count of its ASCII digits and its length:
/// a test that rules out most values (names, codes, amounts, statuses) before the full
/// classification when only a few kinds are masked. Conservative by construction: each rule is
/// a minimum every detector of that kind needs (a card has 12 to 19 digits, an IBAN at least 15
/// characters with its two check digits, …), and a kind without such a minimum always says yes.
pub fn could_hold(kind: SensitiveType, value: &str, digits: usize) -> bool {
    use SensitiveType as T;
    match kind {
        T::CardNumber => digits >= 12,
        T::Iban => digits >= 2 && value.len() >= 15,
        T::Email => value.contains('@'),
        T::InAadhaar | T::JpMyNumber | T::MyMykad => digits >= 12,
        T::CnResidentId => digits >= 17,
        T::IdNik => digits >= 16,
        T::KrRrn | T::ThNationalId => digits >= 13,
        T::UsSsn | T::TwNationalId => digits >= 9,
        T::AuMedicare => digits >= 10,
        T::AuTfn => digits >= 8,
        T::SgNric => digits >= 7,
        T::HkHkid => digits >= 6,
        T::InPan => digits >= 4,
        _ => true,
    }
}

/// [`could_hold`] for any of `kinds`, counting the digits once.
pub fn could_hold_any(kinds: &[SensitiveType], value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    kinds.iter().any(|&kind| could_hold(kind, value, digits))
}

/// Masks `value` as `config` says for `kind`. Never returns the value itself: at least 6 letters
/// or digits (or half of them, for short values) are hidden, all of them under 8.
pub fn mask(kind: SensitiveType, value: &str, config: &MaskConfig) -> String {
    let masked = match config.rule(kind) {
        MaskRule::Redact => return REDACTED.to_owned(),
        MaskRule::EmailDomain => mask_email(value),
        MaskRule::Keep { first, last } => keep(value, first, last),
    };
    // A value already made of mask characters (`*@example.com`) would survive its own masking.
    if !value.is_empty() && masked.contains(value) { REDACTED.to_owned() } else { masked }
}

fn mask_email(value: &str) -> String {
    match value.rfind('@') {
        Some(at) if at > 0 => {
            let (local, domain) = value.split_at(at);
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***{domain}")
        }
        _ => keep(value, 0, 0),
    }
}

fn keep(value: &str, first: usize, last: usize) -> String {
    let significant = value.chars().filter(|c| c.is_alphanumeric()).count();
    if significant == 0 {
        // Nothing to hide by position (only punctuation): hide it all rather than return it.
        return REDACTED.to_owned();
    }
    let (first, last) = shrink(first, last, significant);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_alphanumeric() {
                return c;
            }
            let index = seen;
            seen += 1;
            if index < first || index >= significant - last.min(significant) { c } else { MASK_CHAR }
        })
        .collect()
}

/// Keeps at least 6 characters (or half the value, if shorter) hidden: a 10-digit value under a
/// first-6-last-4 rule would otherwise be returned whole. Values under 8 characters are hidden
/// entirely.
fn shrink(first: usize, last: usize, significant: usize) -> (usize, usize) {
    if significant < MIN_PARTIAL_LEN {
        return (0, 0);
    }
    let hidden = 6.min(significant / 2);
    let budget = significant - hidden;
    let last = last.min(budget);
    let first = first.min(budget - last);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_mask(kind: SensitiveType, value: &str) -> String {
        mask(kind, value, &MaskConfig::default())
    }

    #[test]
    fn a_value_that_survives_its_masking_is_redacted() {
        assert_eq!(mask(SensitiveType::Email, "*@ 00a a", &MaskConfig::default()), REDACTED);
        assert_eq!(
            mask(SensitiveType::Email, "wei.ming@example.sg", &MaskConfig::default()),
            "w***@example.sg"
        );
    }

    #[test]
    fn cards_keep_first_six_last_four_and_separators() {
        assert_eq!(default_mask(SensitiveType::CardNumber, "4111 1111 1111 1111"), "4111 11** **** 1111");
        assert_eq!(default_mask(SensitiveType::CardNumber, "4111-1111-1111-1111"), "4111-11**-****-1111");
        assert_eq!(default_mask(SensitiveType::CardNumber, "4111111111111111"), "411111******1111");
    }

    #[test]
    fn identifiers_keep_last_four_emails_keep_domain_secrets_vanish() {
        assert_eq!(default_mask(SensitiveType::SgNric, "S1234567D"), "*****567D");
        assert_eq!(default_mask(SensitiveType::InAadhaar, "2345 6789 0124"), "**** **** 0124");
        assert_eq!(default_mask(SensitiveType::Email, "jane.doe@example.com"), "j***@example.com");
        assert_eq!(default_mask(SensitiveType::Password, "hunter2hunter2"), REDACTED);
        assert_eq!(default_mask(SensitiveType::AwsAccessKey, "AKIAIOSFODNN7EXAMPLE"), REDACTED);
    }

    #[test]
    fn short_values_are_masked_whole_and_long_ones_never_more_than_half() {
        assert_eq!(default_mask(SensitiveType::UsSsn, "1234567"), "*******");
        // 10 digits with a 6+4 rule would reveal everything.
        assert_eq!(default_mask(SensitiveType::CardNumber, "1234567890"), "1*****7890");
    }

    #[test]
    fn values_without_letters_or_digits_are_never_returned_as_they_are() {
        assert_eq!(default_mask(SensitiveType::CardNumber, ":[{: { :"), REDACTED);
        assert_eq!(default_mask(SensitiveType::Email, "--------"), REDACTED);
    }

    #[test]
    fn overrides_apply_per_type() {
        let mut config = MaskConfig::default();
        config.overrides.insert(SensitiveType::CardNumber, MaskRule::Keep { first: 0, last: 4 });
        config.overrides.insert(SensitiveType::Email, MaskRule::Redact);
        assert_eq!(mask(SensitiveType::CardNumber, "4111 1111 1111 1111", &config), "**** **** **** 1111");
        assert_eq!(mask(SensitiveType::Email, "a@b.co", &config), REDACTED);
    }
}
