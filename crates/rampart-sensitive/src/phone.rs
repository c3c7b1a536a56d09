//! Phone numbers of the region, by compact numbering-plan rules: country code, the lengths of
//! the national significant number (NSN) and its leading digits, and whether the national form
//! starts with a trunk `0`. A full numbering database (`phonenumber`, libphonenumber's metadata)
//! would be more exact but costs megabytes and seconds of build for a signal that the field name
//! and the `+` already carry; these rules reject the look-alikes that matter (amounts, order
//! numbers, dates) without it.

struct Plan {
    country_code: &'static str,
    /// Allowed NSN lengths (inclusive).
    lengths: (usize, usize),
    /// Allowed first digits of the NSN.
    leading: &'static [u8],
    /// The national form is `0` + NSN (otherwise the NSN is dialled as is).
    trunk_zero: bool,
}

const PLANS: &[Plan] = &[
    Plan { country_code: "65", lengths: (8, 8), leading: b"3689", trunk_zero: false }, // SG
    Plan { country_code: "91", lengths: (10, 10), leading: b"123456789", trunk_zero: true }, // IN
    Plan { country_code: "86", lengths: (9, 11), leading: b"123456789", trunk_zero: true }, // CN
    Plan { country_code: "852", lengths: (8, 8), leading: b"2345679", trunk_zero: false }, // HK
    Plan { country_code: "61", lengths: (9, 9), leading: b"23478", trunk_zero: true }, // AU
    Plan { country_code: "81", lengths: (9, 10), leading: b"123456789", trunk_zero: true }, // JP
    Plan { country_code: "82", lengths: (8, 10), leading: b"123456", trunk_zero: true }, // KR
    Plan { country_code: "62", lengths: (8, 12), leading: b"23456789", trunk_zero: true }, // ID
    Plan { country_code: "60", lengths: (8, 10), leading: b"13456789", trunk_zero: true }, // MY
    Plan { country_code: "63", lengths: (8, 10), leading: b"23456789", trunk_zero: true }, // PH
    Plan { country_code: "66", lengths: (8, 9), leading: b"23456789", trunk_zero: true }, // TH
    Plan { country_code: "84", lengths: (9, 10), leading: b"235789", trunk_zero: true }, // VN
];

fn nsn_fits(plan: &Plan, nsn: &[u8]) -> bool {
    (plan.lengths.0..=plan.lengths.1).contains(&nsn.len())
        && nsn.first().is_some_and(|first| plan.leading.contains(first))
        && !mostly_one_digit(nsn)
}

/// `00000000`, `99999999`: placeholders, not numbers.
fn mostly_one_digit(digits: &[u8]) -> bool {
    digits.iter().all(|&d| d == digits[0])
}

/// An international number (`+65 9123 4567`, `006591234567`): digits after the `+` or `00`.
/// Some writers keep the trunk zero in brackets (`+61 (0)2 9876 5432`); it is skipped.
pub(crate) fn is_international(digits_after_plus: &[u8]) -> bool {
    PLANS.iter().any(|plan| {
        digits_after_plus.strip_prefix(plan.country_code.as_bytes()).is_some_and(|nsn| {
            let nsn = if plan.trunk_zero { nsn.strip_prefix(b"0").unwrap_or(nsn) } else { nsn };
            nsn_fits(plan, nsn)
        })
    })
}

/// A number in the national form of one of the countries (`0412 345 678`, `9123 4567`,
/// `010-1234-5678`). Weak alone — many 8–11 digit strings fit some plan — so callers require a
/// field name that says phone.
pub(crate) fn is_national(digits: &[u8]) -> bool {
    PLANS.iter().any(|plan| {
        if plan.trunk_zero {
            digits.strip_prefix(b"0").is_some_and(|nsn| nsn_fits(plan, nsn))
        } else {
            nsn_fits(plan, digits)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_of_every_listed_country() {
        for number in [
            "6591234567",
            "6561234567",
            "919876543210",
            "8613812345678",
            "85223456789",
            "61412345678",
            "61298765432",
            "819012345678",
            "821012345678",
            "6281234567890",
            "60123456789",
            "639171234567",
            "66812345678",
            "84912345678",
            "610298765432",
        ] {
            assert!(is_international(number.as_bytes()), "{number}");
        }
    }

    #[test]
    fn wrong_lengths_and_codes_are_rejected() {
        for number in ["659123456", "65912345678", "6511234567", "4412345678", "1", "", "6500000000"] {
            assert!(!is_international(number.as_bytes()), "{number}");
        }
    }

    #[test]
    fn national_forms() {
        for number in ["91234567", "0412345678", "01012345678", "0298765432", "0812345678"] {
            assert!(is_national(number.as_bytes()), "{number}");
        }
        for number in ["12345", "1234567890123456", "00000000"] {
            assert!(!is_national(number.as_bytes()), "{number}");
        }
    }
}
