//! The types a field name decides: the value only has to be plausible (a name looks like a
//! name, a date of birth is a real past date, a password is not empty or already masked).

use rampart_core::SensitiveType;

use crate::Confidence;
use crate::detect::{Found, entropy};
use crate::field_names::Strength;
use crate::validate;

/// `out[already..]` holds what the value detectors found in this value.
pub(crate) fn by_name(
    kind: SensitiveType,
    strength: Strength,
    value: &str,
    out: &mut Vec<Found>,
    already: usize,
) {
    use SensitiveType::*;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return;
    }
    let offset = value.len() - value.trim_start().len();
    let span = (offset, offset + trimmed.len());
    let confidence = match strength {
        Strength::Strong => Confidence::High,
        Strength::Weak => Confidence::Medium,
    };
    let found_payment = out[already..].iter().any(|f| matches!(f.kind, CardNumber | Iban));
    let found_jwt = out[already..].iter().any(|f| f.kind == Jwt);
    let plausible = match kind {
        PersonName => looks_like_name(trimmed),
        Address => looks_like_address(trimmed),
        DateOfBirth => parse_date(trimmed).is_some_and(|(y, m, d)| validate::birth_date(y, m, d)),
        Password => trimmed.len() >= 4 && !is_placeholder(trimmed),
        BankAccount => !found_payment && looks_like_account_number(trimmed),
        AwsSecretKey => {
            trimmed.len() == 40
                && trimmed.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        }
        BearerToken => is_token(trimmed, 16) && !found_jwt,
        ApiKey => {
            let kind = if strength == Strength::Strong { ApiKey } else { HighEntropySecret };
            // A weak name (`token`, `key`) needs a value that looks random.
            let random_enough =
                strength == Strength::Strong || (trimmed.len() >= 20 && entropy(trimmed) >= 3.5);
            if is_token(trimmed, 16) && random_enough && !is_placeholder(trimmed) {
                out.push(Found { kind, confidence, span });
            }
            return;
        }
        PrivateKey => is_token(trimmed, 64),
        _ => false,
    };
    if plausible {
        out.push(Found { kind, confidence, span });
    }
}

/// `********`, `xxxx`, `<redacted>`, `null`: already masked or empty markers.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    value.bytes().all(|b| b == b'*' || b == b'x' || b == b'X' || b == b'#' || b == b'.')
        || ["null", "none", "redacted", "<redacted>", "[redacted]", "n/a", "changeme"]
            .contains(&lower.as_str())
}

/// One piece of text without spaces, of at least `min_len` bytes.
fn is_token(value: &str, min_len: usize) -> bool {
    value.len() >= min_len && !value.bytes().any(|b| b.is_ascii_whitespace())
}

fn looks_like_name(value: &str) -> bool {
    let chars = value.chars().count();
    (2..=80).contains(&chars)
        && value.chars().any(char::is_alphabetic)
        && value.chars().all(|c| c.is_alphabetic() || is_combining_mark(c) || " .'-,".contains(c))
        && value.split_whitespace().count() <= 6
}

/// The combining marks (general categories Mn and Mc) that names of the region are spelt with
/// and that `char::is_alphabetic` leaves out: Thai tone marks (`ณัฐพิชา พงศ์`), the Indic virama
/// and nukta, Latin accents written decomposed (`e` + U+0301), and the zero-width joiners Indic
/// spellings need. Ranges rather than a Unicode-tables crate: these few blocks are the ones that
/// matter for the region's names.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}' // combining diacritical marks
            | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}'
            | '\u{0962}'..='\u{0963}' // Devanagari
            | '\u{0981}'..='\u{0983}' | '\u{09BC}'..='\u{09D7}' | '\u{09E2}'..='\u{09E3}' // Bengali
            | '\u{0B82}' | '\u{0BBE}'..='\u{0BCD}' | '\u{0BD7}' // Tamil
            | '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' // Thai
            | '\u{0EB1}' | '\u{0EB4}'..='\u{0EBC}' | '\u{0EC8}'..='\u{0ECE}' // Lao
            | '\u{102B}'..='\u{103E}' // Myanmar
            | '\u{1100}'..='\u{11FF}' // Hangul jamo (conjoining, as in decomposed Hangul)
            | '\u{17B4}'..='\u{17D3}' // Khmer
            | '\u{200C}' | '\u{200D}' // zero-width non-joiner and joiner
    )
}

fn looks_like_address(value: &str) -> bool {
    let chars = value.chars().count();
    (5..=300).contains(&chars) && value.chars().filter(|c| c.is_alphabetic()).count() >= 3
}

fn looks_like_account_number(value: &str) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' ')
        && value.bytes().filter(u8::is_ascii_alphabetic).count() <= 4
        && !value
            .bytes()
            .filter(u8::is_ascii_digit)
            .all(|d| Some(d) == value.bytes().find(u8::is_ascii_digit))
}

/// Dates as APIs write them: `1990-01-31` (also with a time), `1990/01/31`, `31/01/1990`,
/// `31-01-1990`, `31.01.1990`, `19900131`, and US `01/31/1990` when the day-first reading fails.
pub(crate) fn parse_date(value: &str) -> Option<(i32, u32, u32)> {
    let date = value.split(['T', ' ']).next()?;
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let number = |s: &str| s.parse::<u32>().ok();
    match parts.as_slice() {
        [single] if single.len() == 8 && single.bytes().all(|b| b.is_ascii_digit()) => {
            Some((i32::try_from(number(&single[..4])?).ok()?, number(&single[4..6])?, number(&single[6..])?))
        }
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            Some((i32::try_from(number(y)?).ok()?, number(m)?, number(d)?))
        }
        [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 => {
            let year = i32::try_from(number(y)?).ok()?;
            let (a, b) = (number(a)?, number(b)?);
            if b <= 12 { Some((year, b, a)) } else { Some((year, a, b)) }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_common_formats() {
        assert_eq!(parse_date("1990-01-31"), Some((1990, 1, 31)));
        assert_eq!(parse_date("1990-01-31T00:00:00Z"), Some((1990, 1, 31)));
        assert_eq!(parse_date("31/01/1990"), Some((1990, 1, 31)));
        assert_eq!(parse_date("01/31/1990"), Some((1990, 1, 31)));
        assert_eq!(parse_date("19900131"), Some((1990, 1, 31)));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("1990"), None);
    }

    #[test]
    fn names_addresses_and_accounts() {
        assert!(looks_like_name("Tan Wei Ming"));
        assert!(looks_like_name("O'Brien-Smith"));
        assert!(!looks_like_name("ACC-12345"));
        // Thai with tone marks and vowel signs, Hindi with virama, decomposed Latin accents,
        // Hangul as conjoining jamo.
        assert!(looks_like_name("ณัฐพิชา พงศ์ฉบับนภา"));
        assert!(looks_like_name("ภูวรา เลขะพันธุ์"));
        assert!(looks_like_name("ชัญญานุนาย ศรีเผด็จ"));
        assert!(looks_like_name("अमित शर्मा"));
        assert!(looks_like_name("Jose\u{301} Nguye\u{302}\u{303}n"));
        assert!(looks_like_name("\u{1100}\u{1161}\u{11A8} \u{1109}\u{1165}"));
        // Marks alone, or marks among digits, are not a name.
        assert!(!looks_like_name("\u{0E48}\u{0E49}"));
        assert!(!looks_like_name("ก\u{0E48}12345"));
        assert!(looks_like_address("10 Anson Road, #21-02, Singapore 079903"));
        assert!(looks_like_account_number("123-456789-001"));
        assert!(!looks_like_account_number("000000000"));
        assert!(!looks_like_account_number("12345"));
        assert!(is_placeholder("********"));
        assert!(!is_placeholder("hunter22"));
    }
}
