//! Phone numbers of the region (and of North America, common in payment data), by compact
//! numbering-plan rules: country code, the lengths of the national significant number (NSN) and
//! its leading digits, and whether the national form starts with a trunk `0`. A full numbering
//! database (`phonenumber`, libphonenumber's metadata) would be more exact but costs megabytes
//! and seconds of build for a signal that the field name and the `+` already carry; these rules
//! reject the look-alikes that matter (amounts, order numbers, dates) without it.

/// One range of a numbering plan: NSNs that start with `prefix` and have one of `lengths`.
struct Range {
    /// Digits, `[…]` classes and `|` alternatives (`8[1-9]|9[0-8]`), as libphonenumber's
    /// metadata writes leading digits.
    prefix: &'static str,
    /// Allowed NSN lengths (inclusive).
    lengths: (usize, usize),
    /// Dialled nationally without the trunk `0` even where the country has one (China's
    /// mobiles: `131 2345 6789`).
    without_trunk: bool,
}

struct Plan {
    country_code: &'static str,
    /// The national form is `0` + NSN (otherwise the NSN is dialled as is).
    trunk_zero: bool,
    ranges: &'static [Range],
}

const fn range(prefix: &'static str, min: usize, max: usize) -> Range {
    Range { prefix, lengths: (min, max), without_trunk: false }
}

// Mobile and fixed-line ranges from each regulator's plan as libphonenumber records it, coarsened
// to the leading digits that matter: the random digit strings under a phone name that
// libphonenumber calls invalid mostly fail on the first two digits or the length. Toll-free,
// premium and pager ranges are left out: they are not personal numbers.
const PLANS: &[Plan] = &[
    // SG: fixed 6, mobile 8 and 9[0-8], VoIP 3[12]; eight digits, no trunk prefix.
    Plan {
        country_code: "65",
        trunk_zero: false,
        ranges: &[range("3[12]", 8, 8), range("6", 8, 8), range("8", 8, 8), range("9[0-8]", 8, 8)],
    },
    // IN: ten digits; mobiles [6-9], fixed lines an area code of 2–4 digits from 1–8.
    Plan { country_code: "91", trunk_zero: true, ranges: &[range("[1-9]", 10, 10)] },
    // CN: mobiles 1[3-9] + 9 digits (the allocated 1xx blocks), dialled without the trunk 0; fixed lines 10 (Beijing) and
    // 2x (the big cities) + 8 digits, the 3-digit area codes + 7 or 8 by city size.
    Plan {
        country_code: "86",
        trunk_zero: true,
        ranges: &[
            Range {
                prefix: "1[38]|14[57]|1[59][0-35-9]|16[25-7]|17[0-35-8]|1610|1740",
                lengths: (11, 11),
                without_trunk: true,
            },
            range("10", 10, 10),
            range("2", 10, 10),
            // Area codes followed by 8 digits, then those followed by 7.
            range(
                "311|37[179]|4[15]1|43[12]|51|52[37]|53[12]|551|57[13-79]|59[15]|7[39]1|75[57]|76[09]|871|898",
                11,
                11,
            ),
            range("43[35]|754|851", 10, 11),
            range(
                "31[02-9]|335|349|35|37[02-6]|39[1-68]|41[25-9]|42[179]|43[46-9]|45[2-9]|46[47-9]|47|48[23]\
                 |53[03-9]|54[36]|55[02-9]|56[1-46]|57[028]|580|59[2-46-9]|63[1-35]|66[0238]|69[12]|701|7[17]\
                 |72[248]|73[04-9]|74[3-6]|75[0-3689]|76[2368]|79[02-9]|81[236-8]|82[5-7]|83|85[4-9]|87[02-9]\
                 |88[36-8]|89[1-7]|90[1-3689]|91[1-79]|93|94[13]|95[1-5]|97[0-79]|99[0-35-9]",
                10,
                10,
            ),
        ],
    },
    // HK: eight digits; fixed 2 and 3, mobiles 4–7 and 9, 8[1-4] personal and mobile.
    Plan {
        country_code: "852",
        trunk_zero: false,
        ranges: &[range("2[13-9]|22[013-9]|[3-69]", 8, 8), range("7[01]", 8, 8), range("8[1-4]", 8, 8)],
    },
    // AU: nine digits; fixed 2, 3, 7, 8[5-9] and mobiles 4.
    Plan { country_code: "61", trunk_zero: true, ranges: &[range("[2347]|8[5-9]", 9, 9)] },
    // JP: mobiles 070/080/090 and IP phones 050 + 8 digits; fixed lines nine digits whose area
    // code never has 0 second; 0120 and 0800 freephone, printed on every company's page.
    Plan {
        country_code: "81",
        trunk_zero: true,
        ranges: &[
            range("[5789]0[1-9]", 10, 10),
            range("1[1-9]", 9, 9),
            range("2[2-9]", 9, 9),
            range("[36][1-9]", 9, 9),
            range("[4579][2-9]", 9, 9),
            range("8[2-9]", 9, 9),
            range("120", 9, 9),
            range("800", 10, 10),
        ],
    },
    // KR: mobiles 01x; Seoul 02 + 7–8 digits; other areas 0[3-6]x + 7–8 digits; VoIP 070.
    Plan {
        country_code: "82",
        trunk_zero: true,
        ranges: &[
            range("1[0-26-9]", 9, 10),
            range("2[1-9]", 8, 9),
            range("3[1-3][1-9]", 9, 10),
            range("4[1-4][1-9]", 9, 10),
            range("5[1-5][1-9]", 9, 10),
            range("6[1-4][1-9]", 9, 10),
            range("70", 10, 10),
        ],
    },
    // ID: mobiles 08[1-35-9] with 9–12 digits after the 0; Jakarta, Bandung and Semarang
    // 02[124] + 7–8 digits; Surabaya 031 and the other area codes (3 digits) + 5–8.
    Plan {
        country_code: "62",
        trunk_zero: true,
        ranges: &[
            range("8[1-35-9]", 9, 12),
            range("2[124]", 9, 10),
            range("31", 7, 10),
            range("2[35][1-4]|26[0-8]|27[1-6]|28|29[1-8]", 8, 11),
            range("3[25][1-8]|33[1-68]|34[1-3]|36[1-3568]|37[0-469]|38", 8, 11),
            range(
                "40[1-589]|41[01347-9]|42[0-36-8]|43[0-24-68]|443|45[1-378]|46[1-5]|47[134]|48[1245]",
                8,
                11,
            ),
            range("51[1-35-9]|52[25-8]|53[124-9]|54[1-3589]|55[1-46]|56[1-8]", 8, 11),
            range("6[125]|63[1-69]|64[1-6]", 8, 11),
            range("702|7[125][1-9]|7[36]|74[1-8]|77[0-36-9]", 8, 11),
            range("90[12]|91[013-8]|92[0-479]|95[125-8]|96[23679]|97[159]|98[01346]", 8, 11),
        ],
    },
    // MY: mobiles 01x + 7 digits (011 and 019 + 8); Kuala Lumpur 03 + 8 digits; other states
    // 0[4-9] + 7, the area code never followed by 0 or 1 outside Kelantan and Terengganu (09).
    Plan {
        country_code: "60",
        trunk_zero: true,
        ranges: &[
            range("1[0-46-9]", 9, 9),
            range("1[19]", 10, 10),
            range("3[2-9]", 9, 9),
            range("[4-7][2-9]", 8, 8),
            range("8[24][2-8]|83[2-5]|85[2-7]|86[2-589]|87[2-578]|8[89][2-9]", 8, 8),
            range("90[57]|913|9[25-7]|9[3489][0-8]", 8, 8),
        ],
    },
    // PH: mobiles 09xx and 08[19]x + 7 digits; Metro Manila 02 + 8 digits; provinces area code
    // of 2 + 7 digits.
    Plan {
        country_code: "63",
        trunk_zero: true,
        ranges: &[
            range("9[0-35-9]", 10, 10),
            range("94[2-9]", 10, 10),
            range("8[19]", 10, 10),
            range("2[3-8]", 9, 9),
            range("3[2-68]", 9, 9),
            range("4[2-9]", 9, 9),
            range("5[2-6]", 9, 9),
            range("6[2-58]", 9, 9),
            range("7[24578]", 9, 9),
            range("8[2-8]", 9, 9),
        ],
    },
    // TH: fixed eight digits (Bangkok 02, provinces 03x–07x); mobiles and VoIP 06[0-6], 067[1-3],
    // 08 and 09 + 8 digits.
    Plan {
        country_code: "66",
        trunk_zero: true,
        ranges: &[
            range("2", 8, 8),
            range("3[2-9]", 8, 8),
            range("4[2-5]", 8, 8),
            range("5[2-6]", 8, 8),
            range("7[3-7]", 8, 8),
            range("6[0-6]", 9, 9),
            range("67[1-3]", 9, 9),
            range("[89]", 9, 9),
        ],
    },
    // NANP (US, Canada and the +1 Caribbean): ten digits, a three-digit area code (NPA) and an
    // exchange (NXX) that starts 2–9. The area codes are those libphonenumber (phonenumbers
    // 9.0.43) holds valid for every [2-9]XX exchange as fixed line or mobile; toll-free (8XX),
    // premium (900), personal (5XX) and the Caribbean codes valid for some exchanges only are
    // left out. Against 300 000 random ten-digit numbers, none it accepts is invalid there. The
    // national form is the NSN itself: `(201) 555-0123`, `201-555-0123`.
    Plan {
        country_code: "1",
        trunk_zero: false,
        ranges: &[range(
            "20[1-9][2-9]|21[02-9][2-9]|22[03-9][2-9]|23[14-69][2-9]|24[089][2-9]|25[0-467][2-9]|\
             26[02379][2-9]|27[02-469][2-9]|28[139][2-9]|30[1-9][2-9]|31[02-9][2-9]|\
             32[013-79][2-9]|33[0-24679][2-9]|34[1367][2-9]|35[0-4][2-9]|36[013-57-9][2-9]|\
             38[0256][2-9]|40[1-9][2-9]|41[02-9][2-9]|42[3-58][2-9]|43[0-24578][2-9]|\
             44[023578][2-9]|45[08][2-9]|46[3489][2-9]|47[024589][2-9]|48[04][2-9]|50[1-9][2-9]|\
             51[02-9][2-9]|520[2-9]|53[0149][2-9]|54[018][2-9]|55[179][2-9]|56[1-47][2-9]|\
             57[0-59][2-9]|58[0-24-7][2-9]|60[1-9][2-9]|61[02-9][2-9]|62[03689][2-9]|\
             63[0169][2-9]|64[015-7][2-9]|65[016-9][2-9]|66[0-279][2-9]|67[28][2-9]|\
             68[0-369][2-9]|70[1-9][2-9]|71[2-9][2-9]|72[04-8][2-9]|73[0-2478][2-9]|\
             74[02378][2-9]|75[347][2-9]|76[02359][2-9]|77[0-589][2-9]|78[0-25-7][2-9]|\
             80[1-8][2-9]|81[02-9][2-9]|82[01568][2-9]|83[0-2589][2-9]|84[03578][2-9]|\
             85[046-9][2-9]|86[02-57][2-9]|87[02389][2-9]|90[1-9][2-9]|91[02-9][2-9]|\
             92[0589][2-9]|93[0146-9][2-9]|94[0-357-9][2-9]|95[12469][2-9]|97[0-3589][2-9]|\
             98[04-69][2-9]",
            10,
            10,
        )],
    },
    // VN: fixed 02xx + 7 digits; mobiles 03, 05, 07, 08, 09 + 8 digits.
    Plan {
        country_code: "84",
        trunk_zero: true,
        ranges: &[
            range("2[0-9]", 10, 10),
            range("3", 9, 9),
            range("5[1689]|52[238]|559", 9, 9),
            range("7[06-9]", 9, 9),
            range("8[1-9]", 9, 9),
            range("9", 9, 9),
        ],
    },
];

/// Whether `digits` start with `prefix`: digits match themselves, `[a-bc]` a class, `|`
/// separates alternatives.
fn starts_with_pattern(digits: &[u8], prefix: &str) -> bool {
    prefix.split('|').any(|alternative| starts_with_alternative(digits, alternative))
}

fn starts_with_alternative(digits: &[u8], prefix: &str) -> bool {
    let mut pattern = prefix.as_bytes();
    let mut position = 0;
    while let Some((&first, rest)) = pattern.split_first() {
        let Some(&digit) = digits.get(position) else { return false };
        if first == b'[' {
            let close = rest.iter().position(|&b| b == b']').unwrap_or(rest.len());
            let class = &rest[..close];
            let mut matched = false;
            let mut i = 0;
            while i < class.len() {
                if class.get(i + 1) == Some(&b'-') && i + 2 < class.len() {
                    matched |= (class[i]..=class[i + 2]).contains(&digit);
                    i += 3;
                } else {
                    matched |= class[i] == digit;
                    i += 1;
                }
            }
            if !matched {
                return false;
            }
            pattern = rest.get(close + 1..).unwrap_or_default();
        } else {
            if first != digit {
                return false;
            }
            pattern = rest;
        }
        position += 1;
    }
    true
}

/// The range of `plan` the NSN falls in, if any.
fn range_of<'p>(plan: &'p Plan, nsn: &[u8]) -> Option<&'p Range> {
    if mostly_one_digit(nsn) {
        return None;
    }
    plan.ranges.iter().find(|range| {
        (range.lengths.0..=range.lengths.1).contains(&nsn.len()) && starts_with_pattern(nsn, range.prefix)
    })
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
            range_of(plan, nsn).is_some()
        })
    })
}

/// An international number written without `+` or `00`, as telcos and SMS gateways print
/// MSISDNs (`6591234567`, `919812345678`). Only the field name can tell it from any other run
/// of digits, so callers ask only when the name says phone. The trunk zero is not skipped here:
/// a bracketed `(0)` never appears without the `+`.
pub(crate) fn is_msisdn(digits: &[u8]) -> bool {
    PLANS.iter().any(|plan| {
        digits.strip_prefix(plan.country_code.as_bytes()).is_some_and(|nsn| range_of(plan, nsn).is_some())
    })
}

/// A number in the national form of one of the countries (`0412 345 678`, `9123 4567`,
/// `010-1234-5678`, `131 2345 6789`). Weak alone — many 8–11 digit strings fit some plan — so
/// callers require a field name that says phone.
pub(crate) fn is_national(digits: &[u8]) -> bool {
    PLANS.iter().any(|plan| {
        let with_trunk =
            plan.trunk_zero && digits.strip_prefix(b"0").is_some_and(|nsn| range_of(plan, nsn).is_some());
        with_trunk || range_of(plan, digits).is_some_and(|range| !plan.trunk_zero || range.without_trunk)
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
    fn msisdns_are_international_numbers_without_the_prefix() {
        for number in ["6591234567", "919812345678", "8613123456789", "60123456789", "639171234567"] {
            assert!(is_msisdn(number.as_bytes()), "{number}");
        }
        // No bracketed trunk zero without a `+`, and the plans' lengths still hold.
        for number in ["610298765432", "659123456", "91234567", "0412345678", "4412345678"] {
            assert!(!is_msisdn(number.as_bytes()), "{number}");
        }
    }

    #[test]
    fn per_country_prefixes_and_lengths() {
        // Valid in libphonenumber: MY 01x mobiles, PH 09xx, ID 08xx of 10–13 digits, JP 0[789]0,
        // CN 1[3-9].
        for number in ["60123456789", "601123456789", "639171234567", "62812345678", "62812345678901"] {
            assert!(is_international(number.as_bytes()), "{number}");
        }
        for number in ["819012345678", "818012345678", "8613912345678", "861012345678"] {
            assert!(is_international(number.as_bytes()), "{number}");
        }
        // Invalid there: MY 015 with 7 digits, PH 094[01], ID 0800 mobiles, JP 0900 and 0[789]0
        // with 7 digits, CN 12x and 11-digit 10x, 86 + 9 digits starting 1.
        for number in ["60151234567", "639401234567", "6280012345678", "819001234567", "81901234567"] {
            assert!(!is_international(number.as_bytes()), "{number}");
        }
        for number in ["8612345678901", "8610123456789", "86123456789"] {
            assert!(!is_international(number.as_bytes()), "{number}");
        }
    }

    /// The libphonenumber-labelled cases of `tests/phone_plans.rs`, written as MSISDNs.
    #[test]
    fn msisdns_agree_with_libphonenumber() {
        let data: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/phone_cases.json")).unwrap();
        let (mut invalid, mut invalid_accepted) = (0, 0);
        for case in data["cases"].as_array().unwrap() {
            let msisdn = case["e164"].as_str().unwrap().trim_start_matches('+');
            if case["valid"].as_bool().unwrap() {
                assert!(is_msisdn(msisdn.as_bytes()), "{msisdn}");
            } else {
                invalid += 1;
                invalid_accepted += usize::from(is_msisdn(msisdn.as_bytes()));
            }
        }
        assert!(invalid >= 600 && invalid_accepted * 50 <= invalid, "{invalid_accepted} of {invalid}");
    }

    #[test]
    fn north_american_numbers_follow_the_nanp() {
        // Valid in libphonenumber: New Jersey, DC, Chicago, New York, Toronto (CA), Winnipeg.
        for number in
            ["12015550123", "12025550187", "13125551234", "12127007856", "14165550199", "12048574235"]
        {
            assert!(is_international(number.as_bytes()), "{number}");
            assert!(is_msisdn(number.as_bytes()), "{number}");
            assert!(is_national(&number.as_bytes()[1..]), "{number}");
        }
        for number in [
            // Exchange starting 0 or 1, area code starting 0 or 1, N11 service codes.
            "12010550123",
            "12011550123",
            "10125550123",
            "11125550123",
            "12115550123",
            "19115550123",
            // Toll-free, premium and personal numbers are not a person's line.
            "18005550123",
            "18885550123",
            "19005550123",
            "15005550123",
            // Area codes not in service, and wrong lengths.
            "13705550123",
            "1201555012",
            "120155501234",
            "12222222222",
        ] {
            assert!(!is_international(number.as_bytes()), "{number}");
            assert!(!is_msisdn(number.as_bytes()), "{number}");
        }
        // Nine digits are no North American national number.
        assert!(!is_national(b"201555012"));
    }

    #[test]
    fn chinese_mobiles_are_dialled_without_the_trunk_zero() {
        assert!(is_national(b"13123456789"));
        assert!(is_national(b"013123456789"));
        assert!(!is_national(b"12123456789"));
        // Chinese landlines keep it.
        assert!(is_national(b"01012345678"));
    }

    #[test]
    fn prefix_patterns() {
        assert!(starts_with_pattern(b"9123", "9[0-8]"));
        assert!(!starts_with_pattern(b"9923", "9[0-8]"));
        assert!(starts_with_pattern(b"1712", "1[0-46-9]"));
        assert!(!starts_with_pattern(b"1512", "1[0-46-9]"));
        assert!(!starts_with_pattern(b"1", "12"));
        assert!(starts_with_pattern(b"12", ""));
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
