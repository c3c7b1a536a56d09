//! Check digits for the identifiers the demo bank hands out.
//!
//! Only the *generators'* side lives here (compute a check digit for a payload); the integration
//! tests carry independent validators, so a bug here cannot hide behind itself.

/// Singapore NRIC/FIN check letter for an `S` or `T` prefix and seven digits.
pub fn nric_check_letter(prefix: char, digits: &[u8; 7]) -> char {
    const WEIGHTS: [u32; 7] = [2, 7, 6, 5, 4, 3, 2];
    const LETTERS_ST: &[u8; 11] = b"JZIHGFEDCBA";
    let mut sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
    if prefix == 'T' {
        sum += 4;
    }
    char::from(LETTERS_ST[(sum % 11) as usize])
}

const VERHOEFF_D: [[u8; 10]; 10] = [
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
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

/// Verhoeff check digit (as used by Aadhaar) for a digit payload.
pub fn verhoeff_check_digit(digits: &[u8]) -> u8 {
    let mut c = 0u8;
    for (i, d) in digits.iter().rev().enumerate() {
        c = VERHOEFF_D[usize::from(c)][usize::from(VERHOEFF_P[(i + 1) % 8][usize::from(*d)])];
    }
    VERHOEFF_INV[usize::from(c)]
}

/// China resident identity card check character (ISO 7064 MOD 11-2) for the first 17 digits.
pub fn china_rid_check_char(digits: &[u8; 17]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| u32::from(*d) * w).sum();
    char::from(CHECK[(sum % 11) as usize])
}

/// Hong Kong identity card check character for a one-letter prefix and six digits.
pub fn hkid_check_char(letter: char, digits: &[u8; 6]) -> char {
    // A single-letter HKID is weighed as if preceded by a space, worth 36 at weight 9.
    let letter_value = u32::from(letter) - u32::from('A') + 10;
    let mut sum = 36 * 9 + letter_value * 8;
    for (i, d) in digits.iter().enumerate() {
        sum += u32::from(*d) * (7 - i as u32);
    }
    match 11 - sum % 11 {
        11 => '0',
        10 => 'A',
        n => char::from(b'0' + n as u8),
    }
}

/// Luhn check digit for a digit payload (the PAN without its last digit).
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The two IBAN check digits for a country code and BBAN (ISO 13616 mod-97).
pub fn iban_check_digits(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut remainder: u32 = 0;
    for c in rearranged.chars() {
        let value = match c {
            '0'..='9' => u32::from(c) - u32::from('0'),
            'A'..='Z' => u32::from(c) - u32::from('A') + 10,
            _ => continue,
        };
        let width = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * width + value) % 97;
    }
    format!("{:02}", 98 - remainder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_published_examples() {
        // Check letters and digits of widely published sample identifiers.
        assert_eq!(nric_check_letter('S', &[1, 2, 3, 4, 5, 6, 7]), 'D');
        assert_eq!(verhoeff_check_digit(&[2, 3, 6]), 3);
        let rid: Vec<u8> = "11010519491231002".bytes().map(|b| b - b'0').collect();
        assert_eq!(china_rid_check_char(&rid.try_into().unwrap()), 'X');
        assert_eq!(hkid_check_char('A', &[1, 2, 3, 4, 5, 6]), '3');
        assert_eq!(luhn_check_digit(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 1);
        assert_eq!(iban_check_digits("GB", "WEST12345698765432"), "82");
        assert_eq!(iban_check_digits("DE", "370400440532013000"), "89");
    }
}
