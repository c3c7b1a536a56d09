//! National identifiers: APAC national IDs, tax numbers and the US SSN.

use super::checksum::{mod11_2_check, verhoeff_digits, weighted_sum};
use super::date::{Ymd, is_birth_date_before, is_calendar_date, is_two_digit_year_birth_date, today};
use super::normalize::{compact, compact_with};

/// Two decimal digits as a number.
fn two(digits: &[u8], at: usize) -> u32 {
    u32::from(digits[at]) * 10 + u32::from(digits[at + 1])
}

/// Singapore NRIC / FIN (Immigration & Checkpoints Authority): a series letter, 7 digits and a
/// check letter.
///
/// Σ digit × (2,7,6,5,4,3,2), plus 4 for the T and G series (born or issued from 2000) and 3 for
/// the M series (FIN from 2022), mod 11, indexes the series' table: `JZIHGFEDCBA` for S/T
/// (citizens and PRs), `XWUTRQPNMLK` for F/G and `XWUTRQPNJLK` for M (foreigners).
pub fn sg_nric(s: &str) -> bool {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    let Some(compact) = compact(s, 9) else {
        return false;
    };
    let chars = compact.as_bytes();
    if chars.len() != 9 || !chars[1..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (offset, table): (u32, &[u8; 11]) = match chars[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        b'M' => (3, b"XWUTRQPNJLK"),
        _ => return false,
    };
    let mut digits = [0u8; 7];
    for (slot, byte) in digits.iter_mut().zip(&chars[1..8]) {
        *slot = byte - b'0';
    }
    let index = (weighted_sum(&digits, &WEIGHTS) + offset) % 11;
    table[index as usize] == chars[8]
}

/// Indian Aadhaar number (UIDAI): 12 digits, the first not 0 or 1, with a Verhoeff check digit
/// last. UIDAI issues no palindromic numbers (rule as implemented by python-stdnum), so those
/// are rejected too.
pub fn in_aadhaar(s: &str) -> bool {
    let Some(digits) = compact(s, 12).and_then(|c| c.digits::<12>()) else {
        return false;
    };
    let mut reversed = digits;
    reversed.reverse();
    digits[0] >= 2 && reversed != digits && verhoeff_digits(&digits)
}

/// Indian Permanent Account Number (Income Tax Department): `AAAPA1234A` — five letters, four
/// digits, a letter. The fourth letter is the holder type: P individual, C company, H HUF,
/// F firm/LLP, A AOP, T trust, B BOI, L local authority, J artificial juridical person,
/// G government. The sequence `0000` is never issued.
///
/// The last letter is a check character whose algorithm is not published, so it is not
/// verified; for the same reason only upper-case candidates are accepted.
pub fn in_pan(s: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let Some(compact) = compact(s, 10) else {
        return false;
    };
    let chars = compact.as_bytes();
    chars.len() == 10
        && chars[..5].iter().all(u8::is_ascii_uppercase)
        && chars[5..9].iter().all(u8::is_ascii_digit)
        && chars[9].is_ascii_uppercase()
        && b"PCHFATBLJG".contains(&chars[3])
        && &chars[5..9] != b"0000"
}

/// Chinese Resident Identity Card number (GB 11643-1999, Ministry of Public Security): 18
/// characters — 6-digit administrative division code (the first two a province-level code of
/// GB/T 2260, or 81/82/83 for Hong Kong, Macau and Taiwan residence permits), birth date
/// YYYYMMDD (a real date from 1900 to today), 3-digit sequence, and an ISO 7064 MOD 11-2 check
/// character (`X` for 10).
pub fn cn_resident_id(s: &str) -> bool {
    const PROVINCES: [u32; 35] = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53,
        54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ];
    let Some(compact) = compact(s, 18) else {
        return false;
    };
    let chars = compact.as_bytes();
    if chars.len() != 18 || !chars[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut body = [0u8; 17];
    for (slot, byte) in body.iter_mut().zip(chars) {
        *slot = byte - b'0';
    }
    let year = (two(&body, 6) * 100 + two(&body, 8)) as i32;
    PROVINCES.contains(&two(&body, 0))
        && is_birth_date_before(year, two(&body, 10), two(&body, 12), today())
        && mod11_2_check(&body) == chars[17]
}

/// Hong Kong Identity Card number (Immigration Department): one or two letters, six digits and
/// a check character (0-9 or A), the latter usually in parentheses: `A123456(3)`.
///
/// Letters count A=10 … Z=35 (a missing first letter counts 36), weights 9,8 for the letters and
/// 7..2 for the digits; the check is 11 − (sum mod 11), with 10 written A and 11 written 0.
pub fn hk_hkid(s: &str) -> bool {
    let trimmed = s.trim();
    // Parentheses may only enclose the check character, as printed on the card.
    let (body, check_in_parens) = match trimmed.strip_suffix(')') {
        Some(rest) => match rest.len().checked_sub(2).and_then(|at| rest.get(at..)) {
            Some(tail) if tail.as_bytes()[0] == b'(' => (&rest[..rest.len() - 2], Some(tail.as_bytes()[1])),
            _ => return false,
        },
        None => (trimmed, None),
    };
    let Some(compact) = compact(body, 9) else {
        return false;
    };
    let mut chars = [0u8; 9];
    let given = compact.as_bytes();
    let len = match check_in_parens {
        Some(check) => {
            if given.len() > 8 {
                return false;
            }
            chars[..given.len()].copy_from_slice(given);
            chars[given.len()] = check.to_ascii_uppercase();
            given.len() + 1
        }
        None => {
            chars[..given.len()].copy_from_slice(given);
            given.len()
        }
    };
    let (letters, rest) = match len {
        8 => (&chars[..1], &chars[1..8]),
        9 => (&chars[..2], &chars[2..9]),
        _ => return false,
    };
    if !letters.iter().all(u8::is_ascii_uppercase) || !rest[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let letter_value = |b: u8| u32::from(b - b'A') + 10;
    let mut sum = match letters {
        [only] => 36 * 9 + letter_value(*only) * 8,
        [first, second] => letter_value(*first) * 9 + letter_value(*second) * 8,
        _ => return false,
    };
    for (i, byte) in rest[..6].iter().enumerate() {
        sum += u32::from(byte - b'0') * (7 - i as u32);
    }
    let expected = match (11 - sum % 11) % 11 {
        10 => b'A',
        digit => b'0' + digit as u8,
    };
    rest[6] == expected
}

/// Taiwan National Identification Card number (Ministry of the Interior): a region letter, a
/// gender digit — 1/2 for nationals, 8/9 for the uniform resident-certificate numbers issued to
/// foreign residents since 2021 — seven digits and a check digit.
///
/// The letter maps to a two-digit number (A=10 … H=17, I=34, J=18 … N=22, O=35, P=23 … V=29,
/// W=32, X=30, Y=31, Z=33); with weights 1,9 for those two digits and 8..1,1 for the rest, the
/// sum is ≡ 0 mod 10.
pub fn tw_national_id(s: &str) -> bool {
    const LETTER_CODES: [u8; 26] = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30, 31,
        33,
    ];
    let Some(compact) = compact(s, 10) else {
        return false;
    };
    let chars = compact.as_bytes();
    if chars.len() != 10 || !chars[0].is_ascii_uppercase() || !chars[1..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !matches!(chars[1], b'1' | b'2' | b'8' | b'9') {
        return false;
    }
    let code = u32::from(LETTER_CODES[usize::from(chars[0] - b'A')]);
    let mut sum = code / 10 + (code % 10) * 9;
    for (i, byte) in chars[1..].iter().enumerate() {
        let weight = if i < 8 { 8 - i as u32 } else { 1 };
        sum += u32::from(byte - b'0') * weight;
    }
    sum.is_multiple_of(10)
}

/// Australian Tax File Number (Australian Taxation Office): 9 digits (8 for some older TFNs)
/// whose Σ digit × (1,4,3,7,5,8,6,9,10) is ≡ 0 mod 11. For 8-digit TFNs the first eight weights
/// are used, as python-stdnum does; the ATO does not publish the algorithm.
pub fn au_tfn(s: &str) -> bool {
    const WEIGHTS: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    let Some(compact) = compact(s, 9) else {
        return false;
    };
    if !compact.all_digits() || compact.len() < 8 {
        return false;
    }
    let mut digits = [0u8; 9];
    for (slot, byte) in digits.iter_mut().zip(compact.as_bytes()) {
        *slot = byte - b'0';
    }
    weighted_sum(&digits[..compact.len()], &WEIGHTS).is_multiple_of(11)
}

/// Australian Medicare card number (Services Australia): 8-digit identifier starting 2-6, a
/// check digit, the card issue number (1-9) and optionally the individual reference number
/// (IRN, 1-9) — 10 or 11 digits. The check digit is Σ digit × (1,3,7,9,1,3,7,9) mod 10 over the
/// identifier.
pub fn au_medicare(s: &str) -> bool {
    const WEIGHTS: [u32; 8] = [1, 3, 7, 9, 1, 3, 7, 9];
    let Some(compact) = compact(s, 11) else {
        return false;
    };
    if !compact.all_digits() || compact.len() < 10 {
        return false;
    }
    let mut digits = [0u8; 11];
    for (slot, byte) in digits.iter_mut().zip(compact.as_bytes()) {
        *slot = byte - b'0';
    }
    let issue_ok = digits[9] != 0;
    let irn_ok = compact.len() == 10 || digits[10] != 0;
    (2..=6).contains(&digits[0])
        && issue_ok
        && irn_ok
        && weighted_sum(&digits[..8], &WEIGHTS) % 10 == u32::from(digits[8])
}

/// Japanese Individual Number, "My Number" (Digital Agency; Ministry of Internal Affairs and
/// Communications ordinance): 12 digits, the last a check digit. With weights 6,5,4,3,2,7,6,5,4,3,2
/// over the first eleven, remainder r = sum mod 11; the check is 0 when r ≤ 1, else 11 − r.
pub fn jp_my_number(s: &str) -> bool {
    const WEIGHTS: [u32; 11] = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let Some(digits) = compact(s, 12).and_then(|c| c.digits::<12>()) else {
        return false;
    };
    let remainder = weighted_sum(&digits[..11], &WEIGHTS) % 11;
    let check = if remainder <= 1 { 0 } else { 11 - remainder };
    u32::from(digits[11]) == check
}

/// The birth date and structure of a Korean RRN, shared by [`kr_rrn`] and [`kr_rrn_legacy`].
fn kr_rrn_digits(s: &str, today: Ymd) -> Option<[u8; 13]> {
    let digits = compact(s, 13)?.digits::<13>()?;
    let century = match digits[6] {
        9 | 0 => 1800,
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => return None,
    };
    let (year, month, day) = (century + two(&digits, 0) as i32, two(&digits, 2), two(&digits, 4));
    let date_ok = if century == 1800 {
        is_calendar_date(year, month, day)
    } else {
        is_birth_date_before(year, month, day, today)
    };
    date_ok.then_some(digits)
}

/// South Korean Resident Registration Number (Ministry of the Interior and Safety):
/// `YYMMDD-SNNNNNN`. S gives sex and century — 9/0 born 1800-1899, 1/2 1900-1999, 3/4 from
/// 2000, 5/6 and 7/8 foreign residents born 1900-1999 and from 2000 — and YYMMDD must be a real,
/// past date in that century.
///
/// RRNs issued since October 2020 replaced the region code and check digit with random digits.
/// Those are given at birth (and on the rare re-issue), so the check digit is required of anyone
/// born before October 2020 and not of anyone born since: random 13-digit numbers with a plausible
/// date then pass only one time in eleven, as with the legacy rule.
pub fn kr_rrn(s: &str) -> bool {
    kr_rrn_digits(s, today())
        .is_some_and(|digits| born_since_the_2020_reform(&digits) || kr_rrn_checksum(&digits))
}

/// A South Korean RRN in the format issued before October 2020: as [`kr_rrn`], plus a region
/// code (digits 8-9) of at most 96 and the check digit: (11 − Σ digit × (2,3,4,5,6,7,8,9,2,3,4,5)
/// mod 11) mod 10.
pub fn kr_rrn_legacy(s: &str) -> bool {
    kr_rrn_digits(s, today()).is_some_and(|digits| kr_rrn_checksum(&digits))
}

fn kr_rrn_checksum(digits: &[u8; 13]) -> bool {
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let check = (11 - weighted_sum(&digits[..12], &WEIGHTS) % 11) % 10;
    two(digits, 7) <= 96 && u32::from(digits[12]) == check
}

/// Born in October 2020 or later (the century digit says 2000s and the date is on or after
/// 2020-10): such RRNs end in random digits.
fn born_since_the_2020_reform(digits: &[u8; 13]) -> bool {
    matches!(digits[6], 3 | 4 | 7 | 8) && (two(digits, 0), two(digits, 2)) >= (20, 10)
}

/// Malaysian MyKad / NRIC number (Jabatan Pendaftaran Negara): `YYMMDD-PB-###G`. YYMMDD is the
/// birth date (a real past date in 19YY or 20YY) and PB the place-of-birth code from JPN's
/// list: states 01-16 and 21-59, foreign countries 60-68, 71-72, 74-79, 82-93, 98-99. The last
/// four digits carry no check digit.
pub fn my_mykad(s: &str) -> bool {
    let Some(digits) = compact(s, 12).and_then(|c| c.digits::<12>()) else {
        return false;
    };
    let place = two(&digits, 6);
    let place_ok = matches!(place, 1..=16 | 21..=59 | 60..=68 | 71 | 72 | 74..=79 | 82..=93 | 98 | 99);
    place_ok && is_two_digit_year_birth_date(two(&digits, 0), two(&digits, 2), two(&digits, 4), today())
}

/// Indonesian Nomor Induk Kependudukan (Dukcapil, Ministry of Home Affairs): 16 digits —
/// province (2), regency/city (2), district (2), birth date DDMMYY with 40 added to the day for
/// women, and a 4-digit serial. Province codes are those of the Ministry: 11-19, 21, 31-36, 51-53,
/// 61-65, 71-76, 81-82 and the Papua codes 91-96 (provinces split in 2022 included); regency,
/// district and serial are non-zero; the date is a real past date in 19YY or 20YY. There is no
/// check digit.
pub fn id_nik(s: &str) -> bool {
    let Some(digits) = compact(s, 16).and_then(|c| c.digits::<16>()) else {
        return false;
    };
    let province = two(&digits, 0);
    let province_ok =
        matches!(province, 11..=19 | 21 | 31..=36 | 51..=53 | 61..=65 | 71..=76 | 81 | 82 | 91..=96);
    let day = match two(&digits, 6) {
        day @ 1..=31 => day,
        day @ 41..=71 => day - 40,
        _ => return false,
    };
    let serial_ok = digits[12..].iter().any(|&d| d != 0);
    province_ok
        && two(&digits, 2) != 0
        && two(&digits, 4) != 0
        && serial_ok
        && is_two_digit_year_birth_date(two(&digits, 10), two(&digits, 8), day, today())
}

/// Thai national identification number (Department of Provincial Administration): 13 digits,
/// the first (person type) 1-8, the last a check digit (11 − Σ digit × (13..2) mod 11) mod 10.
pub fn th_national_id(s: &str) -> bool {
    const WEIGHTS: [u32; 12] = [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2];
    let Some(digits) = compact(s, 13).and_then(|c| c.digits::<13>()) else {
        return false;
    };
    let check = (11 - weighted_sum(&digits[..12], &WEIGHTS) % 11) % 10;
    (1..=8).contains(&digits[0]) && u32::from(digits[12]) == check
}

/// US Social Security Number (Social Security Administration): `AAA-GG-SSSS`, written with `-`,
/// with spaces or without separators. Never issued: area 000, 666 or 900-999, group 00, serial
/// 0000. Numbers the SSA voided after they were published in advertising (078-05-1120,
/// 219-09-9999) and the widely published 457-55-5462 are rejected too. There is no check digit.
pub fn us_ssn(s: &str) -> bool {
    let s = s.trim();
    let bytes = s.as_bytes();
    // Separators, if any, must sit at the AAA-GG-SSSS boundaries and be the same.
    let grouped = bytes.len() == 11 && bytes[3] == bytes[6] && matches!(bytes[3], b'-' | b' ');
    if !(bytes.len() == 9 || grouped) {
        return false;
    }
    let Some(digits) =
        compact_with(s, 9, |b| grouped && matches!(b, b'-' | b' ')).and_then(|c| c.digits::<9>())
    else {
        return false;
    };
    let area = u32::from(digits[0]) * 100 + two(&digits, 1);
    let group = two(&digits, 3);
    let serial = two(&digits, 5) * 100 + two(&digits, 7);
    const VOIDED: [(u32, u32, u32); 3] = [(78, 5, 1120), (219, 9, 9999), (457, 55, 5462)];
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !VOIDED.contains(&(area, group, serial))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sg_nric_series_and_tables() {
        for s in ["S1234567D", "s1234567d", "T1234567J", "F1234567N", "G1234567X", "M1234567K", "S0000001I"] {
            assert!(sg_nric(s), "{s}");
        }
        for s in ["S1234567A", "T1234567D", "M1234567L", "X1234567D", "S123456D", "S12345678D", "S12A4567D"] {
            assert!(!sg_nric(s), "{s}");
        }
    }

    #[test]
    fn aadhaar_uses_verhoeff() {
        // UIDAI's sample number as printed on its specimen card.
        assert!(in_aadhaar("2341 2341 2346"));
        assert!(in_aadhaar("234123412346"));
        assert!(!in_aadhaar("234123412347"));
        assert!(!in_aadhaar("134123412346")); // cannot start with 1
        assert!(!in_aadhaar("23412341234"));
        assert!(!in_aadhaar("2341 2341 234X"));
    }

    #[test]
    fn pan_structure() {
        assert!(in_pan("ABCPE1234F"));
        assert!(in_pan("AAACB1234C"));
        assert!(!in_pan("ABCXE1234F")); // X is not a holder type
        assert!(!in_pan("ABCPE0000F")); // sequence 0000 is never issued
        assert!(!in_pan("abcpe1234f"));
        assert!(!in_pan("ABCP11234F"));
        assert!(!in_pan("ABCPE1234"));
    }

    #[test]
    fn cn_resident_id_checks_province_date_and_mod_11_2() {
        // The specimen number of GB 11643-1999.
        assert!(cn_resident_id("11010519491231002X"));
        assert!(cn_resident_id("11010519491231002x"));
        assert!(cn_resident_id("110105 19491231 002X"));
        assert!(!cn_resident_id("110105194912310021")); // wrong check character
        assert!(!cn_resident_id("99010519491231002X")); // no province 99
        assert!(!cn_resident_id("11010519491331002X")); // month 13
        assert!(!cn_resident_id("1101051949123100X2"));
        assert!(!cn_resident_id("11010518991231002X")); // born before 1900
    }

    #[test]
    fn hkid_with_and_without_parentheses() {
        for s in [
            "A123456(3)",
            "A1234563",
            "a123456(3)",
            "A 123456 (3)",
            "AB987654(3)",
            "C668668(9)",
            "C668668(E)",
        ] {
            let expect = !s.ends_with("(E)");
            assert_eq!(hk_hkid(s), expect, "{s}");
        }
        assert!(!hk_hkid("A123456(4)"));
        assert!(!hk_hkid("A123456(3"));
        assert!(!hk_hkid("A12(3456)3"));
        assert!(!hk_hkid("1123456(3)"));
        assert!(!hk_hkid("()"));
        assert!(!hk_hkid(")"));
    }

    #[test]
    fn taiwan_id_letter_mapping() {
        assert!(tw_national_id("A123456789"));
        assert!(tw_national_id("a123456789"));
        assert!(!tw_national_id("A123456788"));
        assert!(!tw_national_id("A323456789")); // gender digit 3
        assert!(!tw_national_id("1123456789"));
    }

    #[test]
    fn tfn_weights() {
        // ATO-published example TFN.
        assert!(au_tfn("123 456 782"));
        assert!(au_tfn("876543210"));
        assert!(!au_tfn("123456783"));
        assert!(!au_tfn("1234567"));
        assert!(!au_tfn("1234567820"));
    }

    #[test]
    fn medicare_check_digit_and_issue_number() {
        assert!(au_medicare("2123 45670 1"));
        assert!(au_medicare("2123456701"));
        assert!(au_medicare("2123 45670 1/2"));
        assert!(!au_medicare("2123456711"));
        assert!(!au_medicare("2123456700")); // issue number 0
        assert!(!au_medicare("7123456701")); // first digit 7
        assert!(!au_medicare("21234567010")); // IRN 0
    }

    #[test]
    fn my_number_check_digit() {
        assert!(jp_my_number("1234 5678 9018"));
        assert!(!jp_my_number("123456789012"));
        assert!(!jp_my_number("12345678901"));
    }

    #[test]
    fn korean_rrn_dates_and_legacy_checksum() {
        assert!(kr_rrn_legacy("971013-9019902"));
        assert!(kr_rrn("971013-9019902"));
        assert!(!kr_rrn_legacy("971013-9019903"));
        // Born before October 2020: the check digit is required.
        assert!(!kr_rrn("971013-9019903"));
        assert!(kr_rrn("900101-1234568"));
        assert!(!kr_rrn("900101-1234567"));
        // Born since: the last six digits are random, only the date and century digit count.
        assert!(kr_rrn("211013-3019903"));
        assert!(kr_rrn("201001-4123456"));
        assert!(!kr_rrn("200930-4123456")); // September 2020: still the legacy rule
        assert!(!kr_rrn("901301-1234568")); // month 13
        assert!(!kr_rrn("900229-1234568")); // 1990 was no leap year
        assert!(kr_rrn("000229-3234563")); // 2000 was
        assert!(!kr_rrn("990101-3234567")); // 2099 is in the future
        assert!(!kr_rrn("990101-7234567")); // 7 = foreign resident born 2099: future
        assert!(kr_rrn("990101-5234564")); // foreign resident born 1999
    }

    #[test]
    fn mykad_date_and_place_of_birth() {
        assert!(my_mykad("770305-10-5523"));
        assert!(my_mykad("001231-14-0001"));
        assert!(!my_mykad("770305-17-5523")); // 17 is not a place code
        assert!(!my_mykad("770305-00-5523"));
        assert!(!my_mykad("771305-10-5523"));
        assert!(!my_mykad("770305-10-552"));
    }

    #[test]
    fn nik_structure() {
        assert!(id_nik("3171 0145 0190 0001")); // woman, born 5 Jan 1990, Jakarta
        assert!(id_nik("3171.01.050190.0001"));
        assert!(!id_nik("3171013201900001")); // day 32
        assert!(!id_nik("3171014501900000")); // serial 0000
        assert!(!id_nik("3100014501900001")); // regency 00
        assert!(!id_nik("9971014501900001")); // province 99
        assert!(!id_nik("3171014513900001")); // month 13
    }

    #[test]
    fn thai_id_check_digit() {
        assert!(th_national_id("1-1017-00230-70-8"));
        assert!(th_national_id("3100600445635"));
        assert!(!th_national_id("3100600445636"));
        assert!(!th_national_id("9100600445634"));
        assert!(!th_national_id("0100600445635"));
    }

    #[test]
    fn ssn_rules() {
        assert!(us_ssn("536-90-4399"));
        assert!(us_ssn("536 90 4399"));
        assert!(us_ssn("536904399"));
        for s in [
            "078-05-1120",
            "219-09-9999",
            "000-12-3456",
            "666-12-3456",
            "912-12-3456",
            "123-00-4567",
            "123-45-0000",
            "536-904-399",
            "536-90 4399",
            "5369-04399",
            "53690439",
        ] {
            assert!(!us_ssn(s), "{s}");
        }
    }
}
