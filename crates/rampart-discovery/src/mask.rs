//! Masking of the example values kept in schemas.
//!
//! Examples make a reconstructed spec readable, but the inventory must never hold a customer's
//! data. The rules keep only what helps a reader recognise the *kind* of value: an email's domain,
//! the last four digits of a number, the first and last character of free text. Values that are
//! not personal by shape — dates, timestamps, UUIDs, enum-like codes (`ACTIVE`, `pending`) — are
//! kept as they are. Masked output is capped at [`MAX_MASKED_LEN`] characters whatever the input.

use crate::format::{is_date, is_date_time, is_email, is_time, is_uuid};

/// Longest masked example, in characters.
pub const MAX_MASKED_LEN: usize = 24;
/// Longest enum-like word kept verbatim.
const MAX_ENUM_LEN: usize = 12;
/// Strings this short carry too little shape to show anything.
const SHORT_LEN: usize = 4;

/// A masked copy of `s` that is safe to store as an example.
pub fn mask_example(s: &str) -> String {
    let mut out = String::new();
    mask_example_into(s, &mut out);
    out
}

/// [`mask_example`] into a reusable buffer (cleared first), for hot paths.
pub fn mask_example_into(s: &str, out: &mut String) {
    out.clear();
    let b = s.as_bytes();
    if s.is_empty() {
        return;
    }
    if kept_verbatim(b) {
        out.push_str(s);
        return;
    }
    let chars = s.chars().count();
    if chars <= SHORT_LEN {
        out.push_str("****");
        return;
    }
    if is_email(b) {
        mask_email(s, out);
        return;
    }
    if is_digit_heavy(b) {
        mask_keep_last_four(s, chars, out);
        return;
    }
    mask_keep_ends(s, chars, out);
}

/// Shapes that are not personal data: timestamps, UUIDs and enum-like codes.
fn kept_verbatim(b: &[u8]) -> bool {
    is_date(b) || is_date_time(b) || is_time(b) || is_uuid(b) || is_enum_like(b)
}

/// `ACTIVE`, `IN_REVIEW`, `pending`: one case, letters (and `_`), short. Capitalised words are
/// left out on purpose: that is how names look.
fn is_enum_like(b: &[u8]) -> bool {
    if b.len() > MAX_ENUM_LEN || !b.iter().any(u8::is_ascii_alphabetic) {
        return false;
    }
    let upper = b.iter().all(|c| c.is_ascii_uppercase() || *c == b'_');
    let lower = b.iter().all(|c| c.is_ascii_lowercase() || *c == b'_');
    upper || lower
}

/// At least half digits, and at least six of them: account, card and phone numbers.
fn is_digit_heavy(b: &[u8]) -> bool {
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    digits >= 6 && digits * 2 >= b.len()
}

fn push_stars(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('*', n));
}

/// `jane.tan@bank.example` → `j***@bank.example`.
fn mask_email(s: &str, out: &mut String) {
    let Some((local, domain)) = s.split_once('@') else {
        return mask_keep_ends(s, s.chars().count(), out);
    };
    out.extend(local.chars().next());
    out.push_str("***@");
    let room = MAX_MASKED_LEN.saturating_sub(out.len());
    if domain.len() <= room {
        out.push_str(domain);
    } else {
        // Keep the end of the domain (the registrable part) when it is too long.
        out.push('*');
        let mut start = domain.len() - room + 1;
        while !domain.is_char_boundary(start) {
            start += 1;
        }
        out.push_str(&domain[start..]);
    }
}

/// `4111111111111111` → `************1111`.
fn mask_keep_last_four(s: &str, chars: usize, out: &mut String) {
    push_stars(out, (chars - 4).min(MAX_MASKED_LEN - 4));
    out.extend(s.chars().skip(chars - 4));
}

/// `Orchard Road` → `O**********d`.
fn mask_keep_ends(s: &str, chars: usize, out: &mut String) {
    let mut it = s.chars();
    out.extend(it.next());
    push_stars(out, (chars - 2).min(MAX_MASKED_LEN - 2));
    out.extend(it.next_back());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_personal_values_by_shape() {
        assert_eq!(mask_example("jane.tan@bank.example"), "j***@bank.example");
        assert_eq!(mask_example("4111111111111111"), "************1111");
        assert_eq!(mask_example("+65 9123 4567"), "*********4567");
        assert_eq!(mask_example("Jane"), "****");
        assert_eq!(mask_example("Orchard Road"), "O**********d");
        assert_eq!(mask_example("Priya"), "P***a");
    }

    #[test]
    fn keeps_values_that_are_not_personal() {
        for s in ["ACTIVE", "pending", "IN_REVIEW", "2026-11-29", "2026-11-29T10:00:00Z"] {
            assert_eq!(mask_example(s), s);
        }
        assert_eq!(
            mask_example("3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"),
            "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"
        );
    }

    #[test]
    fn output_is_capped_whatever_the_input() {
        let long = "x".repeat(1_000_000);
        assert_eq!(mask_example(&long).chars().count(), MAX_MASKED_LEN);
        let digits = "7".repeat(100_000);
        let m = mask_example(&digits);
        assert_eq!(m.chars().count(), MAX_MASKED_LEN);
        assert!(m.ends_with("7777"));
        let email = format!("a@{}.example", "sub.".repeat(50).trim_end_matches('.'));
        assert!(mask_example(&email).chars().count() <= MAX_MASKED_LEN + 1);
    }

    #[test]
    fn multibyte_text_is_masked_on_char_boundaries() {
        assert_eq!(mask_example("陳大文先生"), "陳***生");
        assert_eq!(mask_example("éé"), "****");
    }
}
