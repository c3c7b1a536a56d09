//! Every identifier the demo bank generates passes its real-world check, verified by validators
//! written here independently of the generators.

use rampart_demo::data::{Dataset, NationalIdKind};

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn valid_nric(id: &str) -> bool {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 9 || !matches!(chars[0], 'S' | 'T') || !chars[1..8].iter().all(char::is_ascii_digit) {
        return false;
    }
    let weights = [2, 7, 6, 5, 4, 3, 2];
    let mut sum: u32 = chars[1..8].iter().zip(weights).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    if chars[0] == 'T' {
        sum += 4;
    }
    "JZIHGFEDCBA".chars().nth((sum % 11) as usize) == Some(chars[8])
}

fn valid_verhoeff(number: &str) -> bool {
    const D: [[usize; 10]; 10] = [
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
    const P: [[usize; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0;
    for (i, d) in digits(number).iter().rev().enumerate() {
        c = D[c][P[i % 8][*d as usize]];
    }
    c == 0
}

fn valid_aadhaar(id: &str) -> bool {
    let d = digits(id);
    d.len() == 12 && d[0] >= 2 && valid_verhoeff(id)
}

fn valid_china_rid(id: &str) -> bool {
    if id.len() != 18 || !id[..17].bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if chrono::NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
        return false;
    }
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits(&id[..17]).iter().zip(weights).map(|(d, w)| d * w).sum();
    let expected = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    id.ends_with(expected)
}

fn valid_hkid(id: &str) -> bool {
    // A123456(3): the weighted sum including the check value is a multiple of 11.
    let b = id.as_bytes();
    if b.len() != 10 || !b[0].is_ascii_uppercase() || b[7] != b'(' || b[9] != b')' {
        return false;
    }
    let check = match b[8] {
        b'A' => 10,
        c if c.is_ascii_digit() => u32::from(c - b'0'),
        _ => return false,
    };
    let mut sum = 36 * 9 + (u32::from(b[0] - b'A') + 10) * 8;
    for (i, c) in b[1..7].iter().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        sum += u32::from(c - b'0') * (7 - i as u32);
    }
    (sum + check).is_multiple_of(11)
}

fn valid_luhn(pan: &str) -> bool {
    let d = digits(pan);
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, x)| if i % 2 == 1 { if x * 2 > 9 { x * 2 - 9 } else { x * 2 } } else { *x })
        .sum();
    d.len() >= 12 && sum.is_multiple_of(10)
}

fn brand_prefix_ok(brand: &str, pan: &str) -> bool {
    let p2: u32 = pan[..2].parse().unwrap();
    let p4: u32 = pan[..4].parse().unwrap();
    match brand {
        "VISA" => pan.starts_with('4') && pan.len() == 16,
        "MASTERCARD" => ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && pan.len() == 16,
        "UNIONPAY" => p2 == 62 && (pan.len() == 16 || pan.len() == 19),
        "JCB" => (3528..=3589).contains(&p4) && pan.len() == 16,
        "AMEX" => (p2 == 34 || p2 == 37) && pan.len() == 15,
        _ => false,
    }
}

fn valid_iban(iban: &str) -> bool {
    let expected_len = match &iban[..2] {
        "GB" | "DE" => 22,
        "AE" => 23,
        "SA" => 24,
        _ => return false,
    };
    if iban.len() != expected_len {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    let mut rem: u64 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap() as u64;
        rem = if v >= 10 { (rem * 100 + v) % 97 } else { (rem * 10 + v) % 97 };
    }
    rem == 1
}

#[test]
fn validators_reject_corrupted_identifiers() {
    assert!(valid_nric("S1234567D") && !valid_nric("S1234567E"));
    assert!(valid_verhoeff("2363") && !valid_verhoeff("2364"));
    assert!(valid_china_rid("11010519491231002X") && !valid_china_rid("110105194912310021"));
    assert!(valid_hkid("A123456(3)") && !valid_hkid("A123456(4)"));
    assert!(valid_luhn("4111111111111111") && !valid_luhn("4111111111111112"));
    assert!(valid_iban("GB82WEST12345698765432") && !valid_iban("GB82WEST12345698765433"));
}

#[test]
fn every_generated_identifier_passes_its_check() {
    let data = Dataset::generate(7, 400);
    let mut kinds = std::collections::BTreeMap::new();
    for c in &data.customers {
        let ok = match c.national_id_kind {
            NationalIdKind::Nric => valid_nric(&c.national_id),
            NationalIdKind::Aadhaar => valid_aadhaar(&c.national_id),
            NationalIdKind::ResidentId => {
                valid_china_rid(&c.national_id)
                    && c.national_id[6..14] == c.date_of_birth.format("%Y%m%d").to_string()
            }
            NationalIdKind::Hkid => valid_hkid(&c.national_id),
            NationalIdKind::Mykad => c.national_id[..6] == c.date_of_birth.format("%y%m%d").to_string(),
        };
        assert!(ok, "{:?} {} fails its check", c.national_id_kind, c.national_id);
        *kinds.entry(c.national_id_kind.field_name()).or_insert(0) += 1;
        assert!(c.phone.starts_with('+') && c.phone[1..].bytes().all(|b| b.is_ascii_digit()), "{}", c.phone);
        assert!((9..=15).contains(&(c.phone.len() - 1)), "E.164 length: {}", c.phone);
        assert!(c.email.contains('@'));
    }
    assert_eq!(kinds.len(), 5, "all five countries present: {kinds:?}");

    let mut brands = std::collections::BTreeSet::new();
    for card in &data.cards {
        assert!(valid_luhn(&card.pan), "{} fails Luhn", card.pan);
        assert!(brand_prefix_ok(card.brand, &card.pan), "{} is not a {} number", card.pan, card.brand);
        brands.insert(card.brand);
    }
    assert_eq!(brands.len(), 5, "{brands:?}");

    let ibans: Vec<&String> = data.accounts.iter().filter_map(|a| a.iban.as_ref()).collect();
    assert!(ibans.len() > 20);
    for iban in &ibans {
        assert!(valid_iban(iban), "{iban} fails mod-97");
    }
    let countries: std::collections::BTreeSet<&str> = ibans.iter().map(|i| &i[..2]).collect();
    assert_eq!(countries.len(), 4);
}

#[test]
fn aadhaar_validator_catches_single_digit_errors() {
    let data = Dataset::generate(3, 200);
    let aadhaar = data.customers.iter().find(|c| c.national_id_kind == NationalIdKind::Aadhaar).unwrap();
    let id = aadhaar.national_id.clone();
    assert!(valid_aadhaar(&id));
    for position in [0, 5, 13] {
        let mut bytes = id.clone().into_bytes();
        bytes[position] = if bytes[position] == b'9' { b'2' } else { bytes[position] + 1 };
        assert!(!valid_aadhaar(&String::from_utf8(bytes).unwrap()));
    }
}
