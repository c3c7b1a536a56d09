//! The check-digit algorithms shared by several identifiers, over digit values (0-9).

/// Luhn (ISO/IEC 7812-1 annex B): true when the digits, check digit last, sum to 0 mod 10.
pub(crate) fn luhn_digits(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
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

/// Verhoeff (dihedral group D5): true when the digits, check digit last, check to 0.
pub(crate) fn verhoeff_digits(digits: &[u8]) -> bool {
    let mut c = 0u8;
    for (i, &d) in digits.iter().rev().enumerate() {
        let Some(&permuted) = VERHOEFF_P[i % 8].get(usize::from(d)) else {
            return false;
        };
        c = VERHOEFF_D[usize::from(c)][usize::from(permuted)];
    }
    c == 0
}

/// ISO 7064 MOD 97-10 over an upper-case alphanumeric string, letters worth 10..=35, read as
/// one big number: true when it is ≡ 1 mod 97.
pub(crate) fn mod97_alnum(chars: impl Iterator<Item = u8>) -> bool {
    let mut rem: u32 = 0;
    for byte in chars {
        rem = match byte {
            b'0'..=b'9' => (rem * 10 + u32::from(byte - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(byte - b'A') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

/// ISO 7064 MOD 11-2 check character for 17 body digits ('X' stands for 10).
pub(crate) fn mod11_2_check(body: &[u8]) -> u8 {
    let mut p: u32 = 0;
    for &d in body {
        p = ((p + u32::from(d)) * 2) % 11;
    }
    let check = (12 - p % 11) % 11;
    if check == 10 { b'X' } else { b'0' + check as u8 }
}

/// Σ weight·digit over pairs.
pub(crate) fn weighted_sum(digits: &[u8], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b - b'0').collect()
    }

    #[test]
    fn luhn_known_values() {
        assert!(luhn_digits(&digits("79927398713")));
        assert!(!luhn_digits(&digits("79927398710")));
    }

    #[test]
    fn verhoeff_known_values() {
        // Wikipedia's worked example: 236 has check digit 3.
        assert!(verhoeff_digits(&digits("2363")));
        assert!(!verhoeff_digits(&digits("2364")));
        assert!(!verhoeff_digits(&[1, 2, 11]));
    }

    #[test]
    fn mod97_known_values() {
        // ISO 7064 example: 3214282912345698765432161182 ≡ 1 (GB82WEST… rearranged).
        assert!(mod97_alnum(b"WEST12345698765432GB82".iter().copied()));
        assert!(!mod97_alnum(b"WEST12345698765432GB83".iter().copied()));
        assert!(!mod97_alnum(b"WEST-2345".iter().copied()));
    }

    #[test]
    fn mod11_2_known_values() {
        // GB 11643-1999 example: 11010519491231002 → X.
        assert_eq!(mod11_2_check(&digits("11010519491231002")), b'X');
        assert_eq!(mod11_2_check(&digits("44052418800101001")), b'4');
    }
}
