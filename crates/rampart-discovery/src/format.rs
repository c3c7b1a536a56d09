//! String format recognition with plain byte checks.
//!
//! Runs on every string of every body, so it avoids regexes and allocation: each check first
//! rejects on length or the first byte, and only then walks the string.

use std::net::{Ipv4Addr, Ipv6Addr};

use rampart_core::StringFormat;

/// Strings shorter than this are never called opaque tokens.
const MIN_TOKEN_LEN: usize = 20;
/// Hex strings shorter than this are never called opaque tokens.
const MIN_HEX_TOKEN_LEN: usize = 16;
/// Longest string checked as an email (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

/// The format a string has, if it has one of the recognised ones.
pub fn detect_format(s: &str) -> Option<StringFormat> {
    let b = s.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit() {
        if is_uuid(b) {
            return Some(StringFormat::Uuid);
        }
        if is_date_time(b) {
            return Some(StringFormat::DateTime);
        }
        if is_date(b) {
            return Some(StringFormat::Date);
        }
        if is_time(b) {
            return Some(StringFormat::Time);
        }
        if b.iter().all(u8::is_ascii_digit) {
            return Some(StringFormat::Digits);
        }
        if b.len() <= 15 && s.parse::<Ipv4Addr>().is_ok() {
            return Some(StringFormat::Ipv4);
        }
    } else if is_uuid(b) {
        return Some(StringFormat::Uuid);
    }
    if is_email(b) {
        return Some(StringFormat::Email);
    }
    if is_uri(b) {
        return Some(StringFormat::Uri);
    }
    if b.len() <= 45 && b.contains(&b':') && s.parse::<Ipv6Addr>().is_ok() {
        return Some(StringFormat::Ipv6);
    }
    if is_token(b) {
        return Some(StringFormat::Token);
    }
    None
}

fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

pub(crate) fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `YYYY-MM-DD` with a plausible month and day.
pub(crate) fn is_date(b: &[u8]) -> bool {
    b.len() == 10
        && all_digits(&b[0..4])
        && b[4] == b'-'
        && b[7] == b'-'
        && matches!(two_digits(&b[5..7]), Some(1..=12))
        && matches!(two_digits(&b[8..10]), Some(1..=31))
}

/// `HH:MM:SS`, optional fraction, optional offset (RFC 3339 partial or full time).
pub(crate) fn is_time(b: &[u8]) -> bool {
    match time_len(b) {
        Some(n) => n == b.len() || offset_len(&b[n..]) == Some(b.len() - n),
        None => false,
    }
}

/// RFC 3339 date-time: the offset is required.
pub(crate) fn is_date_time(b: &[u8]) -> bool {
    if b.len() < 20 || !is_date(&b[..10]) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let rest = &b[11..];
    match time_len(rest) {
        Some(n) => offset_len(&rest[n..]) == Some(rest.len() - n),
        None => false,
    }
}

/// Length of a leading `HH:MM:SS[.fraction]`.
fn time_len(b: &[u8]) -> Option<usize> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    if !matches!(two_digits(&b[0..2]), Some(0..=23))
        || !matches!(two_digits(&b[3..5]), Some(0..=59))
        || !matches!(two_digits(&b[6..8]), Some(0..=60))
    {
        return None;
    }
    let mut n = 8;
    if b.get(8) == Some(&b'.') {
        let digits = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        n = 9 + digits;
    }
    Some(n)
}

/// Length of a whole `Z` or `±HH:MM` offset.
fn offset_len(b: &[u8]) -> Option<usize> {
    match b {
        [b'Z' | b'z'] => Some(1),
        [b'+' | b'-', h @ .., b':', _, _] if h.len() == 2 => {
            matches!(two_digits(h), Some(0..=23)).then_some(())?;
            matches!(two_digits(&b[4..6]), Some(0..=59)).then_some(6)
        }
        _ => None,
    }
}

pub(crate) fn is_email(b: &[u8]) -> bool {
    if b.len() < 6 || b.len() > MAX_EMAIL_LEN {
        return false;
    }
    let Some(at) = b.iter().position(|c| *c == b'@') else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    if local.is_empty() || local.len() > 64 || local[0] == b'.' || local[local.len() - 1] == b'.' {
        return false;
    }
    let local_ok = local.iter().all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(c));
    local_ok && is_domain(domain)
}

/// A dotted host name with a letters-only TLD of at least two letters.
fn is_domain(b: &[u8]) -> bool {
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in b.split(|c| *c == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.len() >= 2 && last.iter().all(u8::is_ascii_alphabetic)
}

/// `scheme://host...` with no whitespace.
pub(crate) fn is_uri(b: &[u8]) -> bool {
    if b.len() < 4 || b.len() > 8192 || !b[0].is_ascii_alphabetic() {
        return false;
    }
    let Some(colon) = b.iter().take(33).position(|c| *c == b':') else {
        return false;
    };
    let scheme_ok = b[..colon].iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'));
    let rest = &b[colon + 1..];
    scheme_ok
        && rest.starts_with(b"//")
        && rest.get(2).is_some_and(|c| !matches!(c, b'/' | b'?' | b'#'))
        && rest.iter().all(|c| c.is_ascii_graphic() || *c >= 0x80)
}

/// A long opaque value: hex, or base64/base64url with mixed case and digits.
pub(crate) fn is_token(b: &[u8]) -> bool {
    if b.len() >= MIN_HEX_TOKEN_LEN
        && b.iter().all(u8::is_ascii_hexdigit)
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().any(u8::is_ascii_alphabetic)
    {
        return true;
    }
    if b.len() < MIN_TOKEN_LEN {
        return false;
    }
    let (mut upper, mut lower, mut digit) = (false, false, false);
    for c in b {
        match c {
            b'A'..=b'Z' => upper = true,
            b'a'..=b'z' => lower = true,
            b'0'..=b'9' => digit = true,
            b'+' | b'/' | b'=' | b'-' | b'_' | b'.' => {}
            _ => return false,
        }
    }
    upper && lower && digit
}

#[cfg(test)]
mod tests {
    use super::*;
    use StringFormat::*;

    #[test]
    fn recognises_bank_payload_formats() {
        let cases: &[(&str, Option<StringFormat>)] = &[
            ("2026-11-29T10:00:00.120Z", Some(DateTime)),
            ("2026-11-29T10:00:00+08:00", Some(DateTime)),
            ("2026-11-29T10:00:00", None),
            ("2026-11-29", Some(Date)),
            ("2026-13-29", None),
            ("10:30:00", Some(Time)),
            ("10:30:00.5+05:30", Some(Time)),
            ("25:30:00", None),
            ("jane.tan@bank.example", Some(Email)),
            ("jane@localhost", None),
            ("not an@email.com", None),
            ("3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b", Some(Uuid)),
            ("https://api.bank.example/v1/accounts?x=1", Some(Uri)),
            ("https:///nohost", None),
            ("mailto:jane@bank.example", None),
            ("203.0.113.7", Some(Ipv4)),
            ("203.0.113.256", None),
            ("2001:db8::1", Some(Ipv6)),
            ("0012345678", Some(Digits)),
            ("4111111111111111", Some(Digits)),
            ("9f86d081884c7d659a2feaa0c55ad015", Some(Token)),
            ("dGhpcyBpcyBhIHNlY3JldCB0b2tlbjEy", Some(Token)),
            ("ACCOUNT_STATUS_ACTIVE_2024", None),
            ("internationalisation", None),
            ("Savings account", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(detect_format(s), *want, "{s}");
        }
    }

    #[test]
    fn never_panics_on_truncated_prefixes() {
        let samples = ["2026-11-29T10:00:00.120+08:00", "10:30:00.123Z", "a@b.cd", "https://x.y"];
        for s in samples {
            for i in 0..=s.len() {
                let _ = detect_format(&s[..i]);
            }
        }
    }
}
