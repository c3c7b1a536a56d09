//! Turning a candidate as written in text into its compact form, without allocating.

/// The longest compact form any validator accepts (IBAN: 34 characters).
pub(crate) const MAX_COMPACT: usize = 34;

/// A candidate with its separators removed and letters upper-cased, held on the stack.
pub(crate) struct Compact {
    buf: [u8; MAX_COMPACT],
    len: usize,
}

impl Compact {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True when every character is an ASCII digit.
    pub(crate) fn all_digits(&self) -> bool {
        self.as_bytes().iter().all(u8::is_ascii_digit)
    }

    /// The digit values, when the compact form has exactly `N` characters, all digits.
    pub(crate) fn digits<const N: usize>(&self) -> Option<[u8; N]> {
        if self.len != N || !self.all_digits() {
            return None;
        }
        let mut out = [0u8; N];
        for (slot, byte) in out.iter_mut().zip(self.as_bytes()) {
            *slot = byte - b'0';
        }
        Some(out)
    }
}

/// The separators people and systems put inside identifiers.
pub(crate) fn is_common_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b'-' | b'/' | b'.')
}

/// Removes separators (as decided by `is_separator`) and upper-cases letters. Returns `None`
/// when the candidate holds any other character or more than `max_len` significant characters;
/// stops reading at the first such character, so hostile input costs at most one scan.
pub(crate) fn compact_with(s: &str, max_len: usize, is_separator: impl Fn(u8) -> bool) -> Option<Compact> {
    let max_len = max_len.min(MAX_COMPACT);
    let mut out = Compact { buf: [0; MAX_COMPACT], len: 0 };
    for &byte in s.as_bytes() {
        if is_separator(byte) {
            continue;
        }
        if !byte.is_ascii_alphanumeric() || out.len == max_len {
            return None;
        }
        out.buf[out.len] = byte.to_ascii_uppercase();
        out.len += 1;
    }
    Some(out)
}

/// [`compact_with`] with the common separators.
pub(crate) fn compact(s: &str, max_len: usize) -> Option<Compact> {
    compact_with(s, max_len, is_common_separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_separators_and_uppercases() {
        let c = compact("ab-12 3/4.5", 20).unwrap();
        assert_eq!(c.as_bytes(), b"AB12345");
    }

    #[test]
    fn rejects_other_characters_and_overlong_input() {
        assert!(compact("12_34", 20).is_none());
        assert!(compact("12é4", 20).is_none());
        assert!(compact("123456", 5).is_none());
        assert!(compact("12345", 5).is_some());
    }

    #[test]
    fn digits_needs_exact_length_and_only_digits() {
        let c = compact("1234", 10).unwrap();
        assert_eq!(c.digits::<4>(), Some([1, 2, 3, 4]));
        assert_eq!(c.digits::<5>(), None);
        assert_eq!(compact("12A4", 10).unwrap().digits::<4>(), None);
    }
}
