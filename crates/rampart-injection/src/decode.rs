//! URL decoding for query strings, form bodies and cookies, borrowing when nothing is encoded.

use std::borrow::Cow;

/// Most decoding rounds tried: `%2527` → `%27` → `'`. A third catches triple encoding, which
/// some WAF-evasion kits emit; more would only be a CPU lever for an attacker.
pub const MAX_DECODE_ROUNDS: usize = 3;

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Whether the bytes contain a `%XX` escape.
pub fn has_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'%', bytes)
        .any(|at| bytes.len() > at + 2 && hex(bytes[at + 1]).is_some() && hex(bytes[at + 2]).is_some())
}

/// One round of `application/x-www-form-urlencoded` decoding (`+` is a space when
/// `plus_as_space`). Invalid escapes stay as they are, as servers do.
pub fn decode_once(bytes: &[u8], plus_as_space: bool) -> Cow<'_, [u8]> {
    let has_plus = plus_as_space && memchr::memchr(b'+', bytes).is_some();
    if !has_plus && memchr::memchr(b'%', bytes).is_none() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%'
            && let (Some(high), Some(low)) =
                (bytes.get(index + 1).copied().and_then(hex), bytes.get(index + 2).copied().and_then(hex))
        {
            out.push(high << 4 | low);
            index += 3;
            continue;
        }
        out.push(if byte == b'+' && plus_as_space { b' ' } else { byte });
        index += 1;
    }
    Cow::Owned(out)
}

/// Splits `a=1&b=2` (also `;`-free, as modern servers do) into raw name/value pairs.
pub fn split_pairs(text: &[u8], separator: u8) -> impl Iterator<Item = (&[u8], &[u8])> {
    text.split(move |&b| b == separator).filter(|pair| !pair.is_empty()).map(|pair| {
        match memchr::memchr(b'=', pair) {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_escapes_and_leaves_broken_escapes() {
        assert_eq!(&*decode_once(b"a+b%27%2", true), b"a b'%2");
        assert_eq!(&*decode_once(b"a+b", false), b"a+b");
        assert!(matches!(decode_once(b"plain", true), Cow::Borrowed(_)));
        assert_eq!(&*decode_once(b"%2527", true), b"%27");
        assert!(has_escape(b"x%27"));
        assert!(!has_escape(b"100%"));
        assert!(!has_escape(b"%zz"));
    }

    #[test]
    fn splits_pairs() {
        let pairs: Vec<_> = split_pairs(b"a=1&&b&c=x=y", b'&').collect();
        assert_eq!(pairs, vec![(&b"a"[..], &b"1"[..]), (b"b", b""), (b"c", b"x=y")]);
    }
}
