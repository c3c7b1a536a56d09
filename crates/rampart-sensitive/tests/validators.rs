//! Property tests of the validators: numbers *built* by each issuer's rule (random body, check
//! digit computed here, independently of the crate) are accepted; a single changed digit is
//! rejected — always, for checksums that guarantee single-error detection, and at least 90% of
//! the time for the weaker ones; hostile input never panics and is handled in one pass.

use proptest::prelude::*;
use rampart_sensitive::validate::{self, CardBrand};

/// SplitMix64: a tiny deterministic generator, so that one proptest `u64` seeds a whole number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digit(&mut self) -> u8 {
        self.below(10) as u8
    }
    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.digit()).collect()
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo + 1)) as u32
    }
    fn upper(&mut self) -> char {
        char::from(b'A' + self.below(26) as u8)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn text(digits: &[u8]) -> String {
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

fn weighted(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum()
}

/// Every string obtained by replacing one ASCII digit of `value` with a different digit.
fn single_digit_changes(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, c) in value.char_indices() {
        if let Some(old) = c.to_digit(10) {
            for new in (0..10).filter(|&d| d != old) {
                let mut changed = value.to_owned();
                changed.replace_range(i..i + 1, &new.to_string());
                out.push(changed);
            }
        }
    }
    out
}

// ---- builders: each computes its check digit from the issuer's published rule -------------------

fn luhn_number(rng: &mut Rng, prefix: &[u8], len: usize) -> String {
    let mut body = prefix.to_vec();
    body.extend(rng.digits(len - prefix.len() - 1));
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 { (d * 2) / 10 + (d * 2) % 10 } else { d }
        })
        .sum();
    body.push(((10 - sum % 10) % 10) as u8);
    text(&body)
}

/// IBAN structures from the SWIFT registry for a spread of countries and alphabets.
const IBAN_SAMPLES: &[(&str, &str)] = &[
    ("GB", "4a6n8n"),
    ("DE", "8n10n"),
    ("FR", "5n5n11c2n"),
    ("SA", "2n18c"),
    ("AE", "3n16n"),
    ("NL", "4a10n"),
    ("BR", "8n5n10n1a1c"),
    ("MU", "4a2n2n12n3n3a"),
    ("NO", "4n6n1n"),
    ("LC", "4a24c"),
];

fn iban_number(rng: &mut Rng) -> String {
    let (country, structure) = rng.pick(IBAN_SAMPLES);
    let mut bban = String::new();
    let mut count = 0;
    for c in structure.chars() {
        if let Some(d) = c.to_digit(10) {
            count = count * 10 + d;
            continue;
        }
        for _ in 0..count {
            let alnum = rng.below(2) == 0;
            bban.push(match c {
                'n' => char::from(b'0' + rng.digit()),
                'a' => rng.upper(),
                _ if alnum => rng.upper(),
                _ => char::from(b'0' + rng.digit()),
            });
        }
        count = 0;
    }
    // Check digits: 98 − (BBAN + country + "00" as a number mod 97), ISO 13616.
    let rearranged = format!("{bban}{country}00");
    let mut rem = 0u64;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0) as u64;
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    format!("{country}{:02}{bban}", 98 - rem)
}

fn verhoeff_check(body: &[u8]) -> u8 {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];
    let mut c = 0;
    for (i, &d) in body.iter().rev().enumerate() {
        c = D[c as usize][P[(i + 1) % 8][d as usize] as usize];
    }
    INV[c as usize]
}

fn aadhaar_number(rng: &mut Rng) -> String {
    loop {
        let mut body = vec![2 + rng.below(8) as u8];
        body.extend(rng.digits(10));
        body.push(verhoeff_check(&body));
        let reversed: Vec<u8> = body.iter().rev().copied().collect();
        if reversed != body {
            return text(&body);
        }
    }
}

fn cn_number(rng: &mut Rng) -> String {
    let province = rng.pick(&[11, 13, 31, 44, 51, 65, 81]);
    let year = rng.range(1900, 2020);
    let (month, day) = (rng.range(1, 12), rng.range(1, 28));
    let body = format!("{province}{:04}{year}{month:02}{day:02}{:03}", rng.below(10_000), rng.below(1000));
    // ISO 7064 MOD 11-2: weights 2^(17-i) mod 11; check = (12 − Σ mod 11) mod 11.
    let sum: u32 =
        body.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * ((1 << (17 - i)) % 11)).sum();
    let check = (12 - sum % 11) % 11;
    format!("{body}{}", if check == 10 { 'X' } else { char::from(b'0' + check as u8) })
}

fn nric_number(rng: &mut Rng) -> String {
    let series = rng.pick(&['S', 'T', 'F', 'G', 'M']);
    let digits = rng.digits(7);
    let offset = match series {
        'T' | 'G' => 4,
        'M' => 3,
        _ => 0,
    };
    let table = match series {
        'S' | 'T' => "JZIHGFEDCBA",
        'F' | 'G' => "XWUTRQPNMLK",
        _ => "XWUTRQPNJLK",
    };
    let index = (weighted(&digits, &[2, 7, 6, 5, 4, 3, 2]) + offset) % 11;
    format!("{series}{}{}", text(&digits), &table[index as usize..index as usize + 1])
}

fn hkid_number(rng: &mut Rng) -> String {
    let two_letters = rng.below(4) == 0;
    let letters: String = (0..if two_letters { 2 } else { 1 }).map(|_| rng.upper()).collect();
    let digits = rng.digits(6);
    let value = |c: char| u32::from(c as u8 - b'A') + 10;
    let mut chars = letters.chars();
    let (first, second) = if two_letters {
        (chars.next().map_or(0, value), chars.next().map_or(0, value))
    } else {
        (36, chars.next().map_or(0, value))
    };
    let sum = first * 9 + second * 8 + weighted(&digits, &[7, 6, 5, 4, 3, 2]);
    let check = match (11 - sum % 11) % 11 {
        10 => 'A',
        d => char::from(b'0' + d as u8),
    };
    if rng.below(2) == 0 {
        format!("{letters}{}({check})", text(&digits))
    } else {
        format!("{letters}{}{check}", text(&digits))
    }
}

fn tw_number(rng: &mut Rng) -> String {
    const CODES: &str = "ABCDEFGHJKLMNPQRSTUVXYWZIO"; // 10, 11, … in this order
    let index = rng.below(26) as usize;
    let letter = CODES.as_bytes()[index] as char;
    let code = 10 + index as u32;
    let mut digits = vec![rng.pick(&[1u8, 2, 8, 9])];
    digits.extend(rng.digits(7));
    let sum = code / 10 + (code % 10) * 9 + weighted(&digits, &[8, 7, 6, 5, 4, 3, 2, 1]);
    digits.push(((10 - sum % 10) % 10) as u8);
    format!("{letter}{}", text(&digits))
}

fn tfn_number(rng: &mut Rng) -> String {
    const WEIGHTS: [u32; 9] = [1, 4, 3, 7, 5, 8, 6, 9, 10];
    loop {
        let len = if rng.below(4) == 0 { 8 } else { 9 };
        let body = rng.digits(len - 1);
        let sum = weighted(&body, &WEIGHTS);
        // Find the last digit d with (sum + d·w) ≡ 0 mod 11; none exists for some bodies.
        if let Some(d) = (0..10u8).find(|&d| (sum + u32::from(d) * WEIGHTS[len - 1]).is_multiple_of(11)) {
            let mut digits = body;
            digits.push(d);
            return text(&digits);
        }
    }
}

fn medicare_number(rng: &mut Rng) -> String {
    let mut digits = vec![2 + rng.below(5) as u8];
    digits.extend(rng.digits(7));
    digits.push((weighted(&digits, &[1, 3, 7, 9, 1, 3, 7, 9]) % 10) as u8);
    digits.push(1 + rng.below(9) as u8);
    if rng.below(2) == 0 {
        digits.push(1 + rng.below(9) as u8);
    }
    text(&digits)
}

fn my_number(rng: &mut Rng) -> String {
    let mut digits = rng.digits(11);
    let r = weighted(&digits, &[6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11;
    digits.push(if r <= 1 { 0 } else { (11 - r) as u8 });
    text(&digits)
}

fn thai_number(rng: &mut Rng) -> String {
    let mut digits = vec![1 + rng.below(8) as u8];
    digits.extend(rng.digits(11));
    let sum = weighted(&digits, &[13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    digits.push(((11 - sum % 11) % 10) as u8);
    text(&digits)
}

fn kr_legacy_number(rng: &mut Rng) -> String {
    let year = rng.range(1930, 2015);
    let gender = match (year >= 2000, rng.below(2) == 0) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    };
    let mut digits: Vec<u8> = format!("{:02}{:02}{:02}", year % 100, rng.range(1, 12), rng.range(1, 28))
        .bytes()
        .map(|b| b - b'0')
        .collect();
    digits.push(gender);
    digits.extend(format!("{:02}", rng.range(0, 96)).bytes().map(|b| b - b'0'));
    digits.extend(rng.digits(3));
    let sum = weighted(&digits, &[2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]);
    digits.push(((11 - sum % 11) % 10) as u8);
    let s = text(&digits);
    format!("{}-{}", &s[..6], &s[6..])
}

fn past_date(rng: &mut Rng) -> (u32, u32, u32) {
    (rng.range(1930, 2020), rng.range(1, 12), rng.range(1, 28))
}

// ---- strong checksums: every single-digit change is caught -------------------------------------

fn assert_built_and_every_change_rejected(
    value: &str,
    validator: fn(&str) -> bool,
) -> Result<(), TestCaseError> {
    prop_assert!(validator(value), "built value rejected: {value}");
    for changed in single_digit_changes(value) {
        prop_assert!(!validator(&changed), "{value} changed to {changed} still accepted");
    }
    Ok(())
}

proptest! {
    // Failures print their seed; persisting them would write regression files into tests/.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn luhn_built_accepted_and_single_changes_rejected(seed in any::<u64>(), len in 8usize..=19) {
        let number = luhn_number(&mut Rng(seed), &[], len);
        assert_built_and_every_change_rejected(&number, validate::luhn)?;
    }

    #[test]
    fn card_brands_of_built_numbers(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let visa = luhn_number(&mut rng, &[4], 16);
        prop_assert_eq!(validate::card_brand(&visa), Some(CardBrand::Visa));
        let second = 1 + rng.below(5) as u8;
        let mastercard = luhn_number(&mut rng, &[5, second], 16);
        prop_assert_eq!(validate::card_brand(&mastercard), Some(CardBrand::Mastercard));
        let second = rng.pick(&[4, 7]);
        let amex = luhn_number(&mut rng, &[3, second], 15);
        prop_assert_eq!(validate::card_brand(&amex), Some(CardBrand::Amex));
        let len = 16 + rng.below(4) as usize;
        let unionpay = luhn_number(&mut rng, &[6, 2], len);
        prop_assert_eq!(validate::card_brand(&unionpay), Some(CardBrand::UnionPay));
        let third = 3 + rng.below(6) as u8;
        let jcb = luhn_number(&mut rng, &[3, 5, third], 16);
        prop_assert_eq!(validate::card_brand(&jcb), Some(CardBrand::Jcb));
        for number in [visa, mastercard, amex, unionpay, jcb] {
            for changed in single_digit_changes(&number) {
                prop_assert_eq!(validate::card_brand(&changed), None, "{} -> {}", number, changed);
            }
        }
    }

    #[test]
    fn iban_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        let number = iban_number(&mut Rng(seed));
        assert_built_and_every_change_rejected(&number, validate::iban)?;
        let grouped: String = number.chars().collect::<Vec<_>>().chunks(4)
            .map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
        prop_assert!(validate::iban(&grouped), "{}", grouped);
    }

    #[test]
    fn aadhaar_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        assert_built_and_every_change_rejected(&aadhaar_number(&mut Rng(seed)), validate::in_aadhaar)?;
    }

    #[test]
    fn cn_resident_id_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        assert_built_and_every_change_rejected(&cn_number(&mut Rng(seed)), validate::cn_resident_id)?;
    }

    #[test]
    fn sg_nric_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        assert_built_and_every_change_rejected(&nric_number(&mut Rng(seed)), validate::sg_nric)?;
    }

    #[test]
    fn hkid_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        assert_built_and_every_change_rejected(&hkid_number(&mut Rng(seed)), validate::hk_hkid)?;
    }

    #[test]
    fn tfn_built_accepted_and_single_changes_rejected(seed in any::<u64>()) {
        assert_built_and_every_change_rejected(&tfn_number(&mut Rng(seed)), validate::au_tfn)?;
    }

    #[test]
    fn medicare_built_accepted_and_identifier_changes_rejected(seed in any::<u64>()) {
        let number = medicare_number(&mut Rng(seed));
        prop_assert!(validate::au_medicare(&number), "{}", number);
        // The check digit covers the 8-digit identifier and itself, not the issue number or IRN.
        for changed in single_digit_changes(&number[..9]) {
            let changed = format!("{changed}{}", &number[9..]);
            prop_assert!(!validate::au_medicare(&changed), "{} -> {}", number, changed);
        }
    }

    // ---- weaker checksums and structural rules: built numbers are accepted ----------------------

    #[test]
    fn weak_checksum_types_accept_built_numbers(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let tw = tw_number(&mut rng);
        prop_assert!(validate::tw_national_id(&tw), "{}", tw);
        let jp = my_number(&mut rng);
        prop_assert!(validate::jp_my_number(&jp), "{}", jp);
        let th = thai_number(&mut rng);
        prop_assert!(validate::th_national_id(&th), "{}", th);
        let kr = kr_legacy_number(&mut rng);
        prop_assert!(validate::kr_rrn_legacy(&kr), "{}", kr);
        prop_assert!(validate::kr_rrn(&kr), "{}", kr);
    }

    #[test]
    fn structural_types_accept_numbers_built_by_their_rules(seed in any::<u64>()) {
        let mut rng = Rng(seed);
        let (year, month, day) = past_date(&mut rng);

        let area = loop {
            let area = rng.range(1, 899);
            if area != 666 { break area; }
        };
        let ssn = format!("{area:03}-{:02}-{:04}", rng.range(1, 99), rng.range(1, 9999));
        prop_assert!(validate::us_ssn(&ssn) || ["078-05-1120", "219-09-9999", "457-55-5462"].contains(&ssn.as_str()), "{}", ssn);

        let place = rng.pick(&[1, 10, 14, 16, 21, 59, 60, 71, 74, 82, 93, 98, 99]);
        let mykad = format!("{:02}{month:02}{day:02}-{place:02}-{:04}", year % 100, rng.below(10_000));
        prop_assert!(validate::my_mykad(&mykad), "{}", mykad);

        let female = rng.below(2) == 0;
        let nik = format!(
            "{}{:02}{:02}{:02}{month:02}{:02}{:04}",
            rng.pick(&[11, 31, 32, 35, 51, 64, 65, 73, 91, 94]),
            rng.range(1, 79),
            rng.range(1, 40),
            day + if female { 40 } else { 0 },
            year % 100,
            rng.range(1, 9999),
        );
        prop_assert!(validate::id_nik(&nik), "{}", nik);

        let pan = format!(
            "{}{}{}{}{}{:04}{}",
            rng.upper(), rng.upper(), rng.upper(),
            rng.pick(&['P', 'C', 'H', 'F', 'A', 'T', 'B', 'L', 'J', 'G']),
            rng.upper(), rng.range(1, 9999), rng.upper(),
        );
        prop_assert!(validate::in_pan(&pan), "{}", pan);

        // Born since October 2020: the last six digits are random, only the date and the
        // century digit count (earlier births need the check digit, tested above).
        let reform_year = if month == 2 && day == 29 { 2024 } else { 2021 + year % 4 };
        let rrn = format!("{:02}{month:02}{day:02}-{}{:06}", reform_year % 100, rng.pick(&[3, 4, 7, 8]), rng.below(1_000_000));
        prop_assert!(validate::kr_rrn(&rrn), "{}", rrn);

        prop_assert!(validate::birth_date(year as i32, month, day));
    }

    // ---- hostile input ---------------------------------------------------------------------------

    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,64}") {
        run_all(&s);
    }

    #[test]
    fn identifier_shaped_strings_never_panic(s in "[0-9A-Za-z ()/.\\-]{0,40}") {
        run_all(&s);
    }

    #[test]
    fn birth_date_is_total(year in any::<i32>(), month in any::<u32>(), day in any::<u32>()) {
        let _ = validate::birth_date(year, month, day);
    }
}

fn run_all(s: &str) -> usize {
    let results = [
        validate::luhn(s),
        validate::card_brand(s).is_some(),
        validate::iban(s),
        validate::swift_bic(s),
        validate::sg_nric(s),
        validate::in_aadhaar(s),
        validate::in_pan(s),
        validate::cn_resident_id(s),
        validate::hk_hkid(s),
        validate::tw_national_id(s),
        validate::au_tfn(s),
        validate::au_medicare(s),
        validate::jp_my_number(s),
        validate::kr_rrn(s),
        validate::kr_rrn_legacy(s),
        validate::my_mykad(s),
        validate::id_nik(s),
        validate::th_national_id(s),
        validate::us_ssn(s),
    ];
    results.iter().filter(|&&accepted| accepted).count()
}

type Builder = fn(&mut Rng) -> String;
type Validator = fn(&str) -> bool;

/// Fraction of single-digit changes of built numbers that the validator rejects.
fn rejection_rate(build: Builder, validator: Validator) -> f64 {
    let mut rng = Rng(0x5EED);
    let (mut rejected, mut total) = (0usize, 0usize);
    for _ in 0..2000 {
        let number = build(&mut rng);
        assert!(validator(&number), "built number rejected: {number}");
        for changed in single_digit_changes(&number) {
            total += 1;
            rejected += usize::from(!validator(&changed));
        }
    }
    rejected as f64 / total as f64
}

#[test]
fn weak_checksums_reject_at_least_90_percent_of_single_digit_changes() {
    let cases: [(&str, Builder, Validator); 4] = [
        ("tw_national_id", tw_number, validate::tw_national_id),
        ("jp_my_number", my_number, validate::jp_my_number),
        ("th_national_id", thai_number, validate::th_national_id),
        ("kr_rrn_legacy", kr_legacy_number, validate::kr_rrn_legacy),
    ];
    for (name, build, validator) in cases {
        let rate = rejection_rate(build, validator);
        eprintln!("{name}: {:.2}% of single-digit changes rejected", rate * 100.0);
        assert!(rate >= 0.9, "{name}: only {rate:.3} of single-digit changes rejected");
    }
}

#[test]
fn megabyte_inputs_are_rejected_in_one_pass() {
    let digits = "4".repeat(1 << 20);
    assert_eq!(run_all(&digits), 0);
    let letters = "A".repeat(1 << 20);
    assert_eq!(run_all(&letters), 0);
    let parens = "(".repeat(1 << 20) + ")";
    assert_eq!(run_all(&parens), 0);
    // Separators are skipped, not counted: a card number after a megabyte of spaces is found,
    // which also shows the whole input is scanned once rather than re-scanned per digit.
    let padded = " ".repeat(1 << 20) + "4111 1111 1111 1111";
    assert!(validate::luhn(&padded));
    assert_eq!(validate::card_brand(&padded), Some(CardBrand::Visa));
}

#[test]
fn lookalikes_are_rejected() {
    // Shapes that flow through API traffic next to real identifiers.
    let lookalikes = [
        "550e8400-e29b-41d4-a716-446655440000", // UUID
        "2024-03-15",                           // date
        "1710498000",                           // Unix timestamp
        "1710498000123",                        // Unix timestamp in ms
        "12,345.67",                            // amount
        "ORD-2024-000123",                      // order number
        "192.168.100.200",                      // IPv4 address
    ];
    for s in lookalikes {
        assert!(validate::card_brand(s).is_none(), "{s}");
        assert!(!validate::iban(s), "{s}");
        assert!(!validate::sg_nric(s), "{s}");
        assert!(!validate::cn_resident_id(s), "{s}");
        assert!(!validate::hk_hkid(s), "{s}");
        assert!(!validate::us_ssn(s), "{s}");
    }
}

#[test]
fn hkid_check_character_bare_in_parentheses_or_after_a_dash() {
    for s in ["A123456(3)", "A1234563", "A123456-3", "XA123456-8", "XA123456(8)", "W954895-8", "H100723-A"] {
        assert!(validate::hk_hkid(s), "{s}");
    }
    for s in ["A123456-4", "XA123456-2", "A123456(3", "A123456-3)", "A123456(-3)", "A123456-33", "1234567-3"]
    {
        assert!(!validate::hk_hkid(s), "{s}");
    }
}

#[test]
fn rupay_81_and_82_series_are_cards() {
    assert_eq!(validate::card_brand("8200 0993 6237 0218"), Some(CardBrand::RuPay));
    assert_eq!(validate::card_brand("8100000000000002"), Some(CardBrand::RuPay));
    // Luhn still holds them, and their length is 16.
    assert_eq!(validate::card_brand("8200099362370219"), None);
    assert_eq!(validate::card_brand("82000993623702180"), None);
    assert_eq!(validate::card_brand("8000000000000003"), None);
}
