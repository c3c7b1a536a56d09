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
    if !(5..=300).contains(&chars) || value.chars().filter(|c| c.is_alphabetic()).count() < 3 {
        return false;
    }
    // An email address under `mail_address` or `emailAddresses[].address`: found as an email.
    if value.contains('@') && !value.contains(char::is_whitespace) {
        return false;
    }
    // One word without a digit (`simple`, `residential`, `HOME`) names a kind of address, not an
    // address; scripts written without spaces (`東京都千代田区丸の内`) are one word whatever
    // their length.
    let one_word = value.split_whitespace().nth(1).is_none();
    !one_word
        || value.bytes().any(|b| b.is_ascii_digit())
        || value.chars().filter(|&c| is_unspaced_script(c)).count() >= 4
}

/// Scripts written without spaces between words: Han, kana, Hangul syllables, Thai.
fn is_unspaced_script(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30FF}' // hiragana and katakana
            | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' // Han
            | '\u{AC00}'..='\u{D7AF}' // Hangul syllables
            | '\u{0E00}'..='\u{0E7F}' // Thai
    )
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
/// `31-01-1990`, `31.01.1990`, `19900131`, `31011990` (DigiLocker, core banking) when the
/// year-first reading has no month, US `01/31/1990` when the day-first reading fails, month
/// names (`05-Mar-1990`, `5 March 1990`, `March 5, 1990`) and `1990年3月5日` / `1990년 3월 5일`.
pub(crate) fn parse_date(value: &str) -> Option<(i32, u32, u32)> {
    if let Some(date) = with_month_name(value).or_else(|| year_month_day_marked(value)) {
        return Some(date);
    }
    let date = value.split(['T', ' ']).next()?;
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let number = |s: &str| s.parse::<u32>().ok();
    match parts.as_slice() {
        [single] if single.len() == 8 && single.bytes().all(|b| b.is_ascii_digit()) => {
            let year_first = (number(&single[..4])?, number(&single[4..6])?, number(&single[6..])?);
            // A year-first reading of a day-first date has month 19 or 20: the two never clash.
            let (year, month, day) = if (1..=12).contains(&year_first.1) && (1..=31).contains(&year_first.2) {
                year_first
            } else {
                (number(&single[4..])?, number(&single[2..4])?, number(&single[..2])?)
            };
            Some((i32::try_from(year).ok()?, month, day))
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

/// `05-Mar-1990`, `5 March 1990`, `05 MAR 1990`, `March 5, 1990`, `Mar. 5 1990`: a day, an
/// English month name or its three-letter abbreviation, and a four-digit year.
fn with_month_name(value: &str) -> Option<(i32, u32, u32)> {
    let mut parts = value.split([' ', '-', '/', '.', ',']).filter(|part| !part.is_empty());
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || third.len() != 4 {
        return None;
    }
    let (month, day) = match (month_number(first), month_number(second)) {
        (None, Some(month)) => (month, first),
        (Some(month), None) => (month, second),
        _ => return None,
    };
    if !(1..=2).contains(&day.len()) {
        return None;
    }
    let year = third.parse::<u32>().ok()?;
    Some((i32::try_from(year).ok()?, month, day.parse().ok()?))
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if word.len() < 3 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let index = MONTHS.iter().position(|month| {
        word.eq_ignore_ascii_case(month)
            || word.eq_ignore_ascii_case(&month[..3])
            || (*month == "september" && word.eq_ignore_ascii_case("sept"))
    })?;
    u32::try_from(index + 1).ok()
}

/// `1990年3月5日` (Japanese, Chinese) and `1990년 3월 5일` (Korean).
fn year_month_day_marked(value: &str) -> Option<(i32, u32, u32)> {
    let (year, rest) = value.split_once('年').or_else(|| value.split_once('년'))?;
    let (month, rest) = rest.split_once('月').or_else(|| rest.split_once('월'))?;
    let day = rest.trim().strip_suffix('日').or_else(|| rest.trim().strip_suffix('일'))?;
    let number = |s: &str| {
        let s = s.trim();
        if (1..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u32>().ok()
        } else {
            None
        }
    };
    let year = year.trim();
    if year.len() != 4 {
        return None;
    }
    Some((i32::try_from(number(year)?).ok()?, number(month)?, number(day)?))
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

    fn is_birth_date(value: &str) -> bool {
        parse_date(value).is_some_and(|(y, m, d)| validate::birth_date(y, m, d))
    }

    #[test]
    fn compact_day_first_dates_when_the_year_first_reading_fails() {
        // DigiLocker and core-banking rows write DDMMYYYY.
        assert_eq!(parse_date("31121990"), Some((1990, 12, 31)));
        assert_eq!(parse_date("15091989"), Some((1989, 9, 15)));
        assert_eq!(parse_date("06081953"), Some((1953, 8, 6)));
        assert_eq!(parse_date("29022000"), Some((2000, 2, 29)));
        // Year first still wins when it reads as a date.
        assert_eq!(parse_date("19650110"), Some((1965, 1, 10)));
        assert_eq!(parse_date("20040505"), Some((2004, 5, 5)));
        assert!(is_birth_date("31121990"));
        // Eight digits that are no birth date either way stay unreported.
        for value in ["12345678", "99999999", "31131990", "30021990", "01012999", "00000000", "32011990"] {
            assert!(!is_birth_date(value), "{value}");
        }
    }

    #[test]
    fn dates_with_month_names_and_cjk_markers() {
        assert_eq!(parse_date("05-Mar-1990"), Some((1990, 3, 5)));
        assert_eq!(parse_date("05-MAR-1990"), Some((1990, 3, 5)));
        assert_eq!(parse_date("5 March 1990"), Some((1990, 3, 5)));
        assert_eq!(parse_date("17 OCT 1985"), Some((1985, 10, 17)));
        assert_eq!(parse_date("12 Sept 1979"), Some((1979, 9, 12)));
        assert_eq!(parse_date("March 5, 1990"), Some((1990, 3, 5)));
        assert_eq!(parse_date("Aug. 21, 2001"), Some((2001, 8, 21)));
        assert_eq!(parse_date("1990年3月5日"), Some((1990, 3, 5)));
        assert_eq!(parse_date("1990年03月05日"), Some((1990, 3, 5)));
        assert_eq!(parse_date("1990년 3월 5일"), Some((1990, 3, 5)));
        assert!(is_birth_date("5 March 1990"));
        for value in [
            "Mar 1990",
            "5 Marché 1990",
            "March 2024 report",
            "may 5 90",
            "5 Foo 1990",
            "123 Main 1990",
            "30 Feb 1990",
            "1990年13月5日",
            "平成2年3月5日",
            "5 March 2999",
        ] {
            assert!(!is_birth_date(value), "{value}");
        }
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
        assert!(looks_like_address("Flat 37Y\nKirsty Extension"));
        assert!(looks_like_address("USNS Werner, FPO AE 16299"));
        assert!(looks_like_address("東京都千代田区丸の内1-1-1"));
        assert!(looks_like_address("北京市朝阳区建国路88号"));
        assert!(looks_like_address("東京都千代田区丸の内"));
        assert!(looks_like_address("서울특별시 중구 세종대로 110"));
        assert!(looks_like_address("Jalan Ampang"));
        // Emails under `mail_address`, and one-word kinds of address, are not addresses.
        for value in
            ["zkondo@example.com", "tan.wei.ming@example.com.sg", "simple", "residential", "HOME", "Mailing"]
        {
            assert!(!looks_like_address(value), "{value}");
        }
        assert!(looks_like_account_number("123-456789-001"));
        assert!(!looks_like_account_number("000000000"));
        assert!(!looks_like_account_number("12345"));
        assert!(is_placeholder("********"));
        assert!(!is_placeholder("hunter22"));
    }
}
