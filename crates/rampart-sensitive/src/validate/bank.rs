//! Bank identifiers: IBAN (ISO 13616) and BIC (ISO 9362).

use super::checksum::mod97_alnum;
use super::normalize::{compact, compact_with};

/// One country's IBAN format from the SWIFT IBAN Registry: total length and BBAN structure in
/// the registry's notation (`4!n` = 4 digits, `a` = upper-case letters, `c` = alphanumerics).
struct IbanFormat {
    country: [u8; 2],
    length: usize,
    bban: &'static str,
}

/// SWIFT IBAN Registry (release 101), every country that issues IBANs, sorted by country code.
const IBAN_FORMATS: [IbanFormat; 89] = [
    IbanFormat { country: *b"AD", length: 24, bban: "4!n4!n12!c" }, // Andorra
    IbanFormat { country: *b"AE", length: 23, bban: "3!n16!n" },    // United Arab Emirates (The)
    IbanFormat { country: *b"AL", length: 28, bban: "8!n16!c" },    // Albania
    IbanFormat { country: *b"AT", length: 20, bban: "5!n11!n" },    // Austria
    IbanFormat { country: *b"AZ", length: 28, bban: "4!a20!c" },    // Azerbaijan
    IbanFormat { country: *b"BA", length: 20, bban: "3!n3!n8!n2!n" }, // Bosnia and Herzegovina
    IbanFormat { country: *b"BE", length: 16, bban: "3!n7!n2!n" },  // Belgium
    IbanFormat { country: *b"BG", length: 22, bban: "4!a4!n2!n8!c" }, // Bulgaria
    IbanFormat { country: *b"BH", length: 22, bban: "4!a14!c" },    // Bahrain
    IbanFormat { country: *b"BI", length: 27, bban: "5!n5!n11!n2!n" }, // Burundi
    IbanFormat { country: *b"BR", length: 29, bban: "8!n5!n10!n1!a1!c" }, // Brazil
    IbanFormat { country: *b"BY", length: 28, bban: "4!c4!n16!c" }, // Belarus
    IbanFormat { country: *b"CH", length: 21, bban: "5!n12!c" },    // Switzerland
    IbanFormat { country: *b"CR", length: 22, bban: "4!n14!n" },    // Costa Rica
    IbanFormat { country: *b"CY", length: 28, bban: "3!n5!n16!c" }, // Cyprus
    IbanFormat { country: *b"CZ", length: 24, bban: "4!n16!n" },    // Czechia
    IbanFormat { country: *b"DE", length: 22, bban: "8!n10!n" },    // Germany
    IbanFormat { country: *b"DJ", length: 27, bban: "5!n5!n11!n2!n" }, // Djibouti
    IbanFormat { country: *b"DK", length: 18, bban: "4!n9!n1!n" },  // Denmark
    IbanFormat { country: *b"DO", length: 28, bban: "4!c20!n" },    // Dominican Republic
    IbanFormat { country: *b"EE", length: 20, bban: "2!n14!n" },    // Estonia
    IbanFormat { country: *b"EG", length: 29, bban: "4!n4!n17!n" }, // Egypt
    IbanFormat { country: *b"ES", length: 24, bban: "4!n4!n1!n1!n10!n" }, // Spain
    IbanFormat { country: *b"FI", length: 18, bban: "3!n11!n" },    // Finland
    IbanFormat { country: *b"FK", length: 18, bban: "2!a12!n" },    // Falkland Islands (Malvinas)
    IbanFormat { country: *b"FO", length: 18, bban: "4!n9!n1!n" },  // Faroe Islands
    IbanFormat { country: *b"FR", length: 27, bban: "5!n5!n11!c2!n" }, // France
    IbanFormat { country: *b"GB", length: 22, bban: "4!a6!n8!n" },  // United Kingdom
    IbanFormat { country: *b"GE", length: 22, bban: "2!a16!n" },    // Georgia
    IbanFormat { country: *b"GI", length: 23, bban: "4!a15!c" },    // Gibraltar
    IbanFormat { country: *b"GL", length: 18, bban: "4!n9!n1!n" },  // Greenland
    IbanFormat { country: *b"GR", length: 27, bban: "3!n4!n16!c" }, // Greece
    IbanFormat { country: *b"GT", length: 28, bban: "4!c20!c" },    // Guatemala
    IbanFormat { country: *b"HN", length: 28, bban: "4!a20!n" },    // Honduras
    IbanFormat { country: *b"HR", length: 21, bban: "7!n10!n" },    // Croatia
    IbanFormat { country: *b"HU", length: 28, bban: "3!n4!n1!n15!n1!n" }, // Hungary
    IbanFormat { country: *b"IE", length: 22, bban: "4!a6!n8!n" },  // Ireland
    IbanFormat { country: *b"IL", length: 23, bban: "3!n3!n13!n" }, // Israel
    IbanFormat { country: *b"IQ", length: 23, bban: "4!a3!n12!n" }, // Iraq
    IbanFormat { country: *b"IS", length: 26, bban: "4!n2!n6!n10!n" }, // Iceland
    IbanFormat { country: *b"IT", length: 27, bban: "1!a5!n5!n12!c" }, // Italy
    IbanFormat { country: *b"JO", length: 30, bban: "4!a4!n18!c" }, // Jordan
    IbanFormat { country: *b"KW", length: 30, bban: "4!a22!c" },    // Kuwait
    IbanFormat { country: *b"KZ", length: 20, bban: "3!n13!c" },    // Kazakhstan
    IbanFormat { country: *b"LB", length: 28, bban: "4!n20!c" },    // Lebanon
    IbanFormat { country: *b"LC", length: 32, bban: "4!a24!c" },    // Saint Lucia
    IbanFormat { country: *b"LI", length: 21, bban: "5!n12!c" },    // Liechtenstein
    IbanFormat { country: *b"LT", length: 20, bban: "5!n11!n" },    // Lithuania
    IbanFormat { country: *b"LU", length: 20, bban: "3!n13!c" },    // Luxembourg
    IbanFormat { country: *b"LV", length: 21, bban: "4!a13!c" },    // Latvia
    IbanFormat { country: *b"LY", length: 25, bban: "3!n3!n15!n" }, // Libya
    IbanFormat { country: *b"MC", length: 27, bban: "5!n5!n11!c2!n" }, // Monaco
    IbanFormat { country: *b"MD", length: 24, bban: "2!c18!c" },    // Moldova, Republic of
    IbanFormat { country: *b"ME", length: 22, bban: "3!n13!n2!n" }, // Montenegro
    IbanFormat { country: *b"MK", length: 19, bban: "3!n10!c2!n" }, // North Macedonia
    IbanFormat { country: *b"MN", length: 20, bban: "4!n12!n" },    // Mongolia
    IbanFormat { country: *b"MR", length: 27, bban: "5!n5!n11!n2!n" }, // Mauritania
    IbanFormat { country: *b"MT", length: 31, bban: "4!a5!n18!c" }, // Malta
    IbanFormat { country: *b"MU", length: 30, bban: "4!a2!n2!n12!n3!n3!a" }, // Mauritius
    IbanFormat { country: *b"NI", length: 28, bban: "4!a20!n" },    // Nicaragua
    IbanFormat { country: *b"NL", length: 18, bban: "4!a10!n" },    // Netherlands (The)
    IbanFormat { country: *b"NO", length: 15, bban: "4!n6!n1!n" },  // Norway
    IbanFormat { country: *b"OM", length: 23, bban: "3!n16!c" },    // Oman
    IbanFormat { country: *b"PK", length: 24, bban: "4!a16!c" },    // Pakistan
    IbanFormat { country: *b"PL", length: 28, bban: "8!n16!n" },    // Poland
    IbanFormat { country: *b"PS", length: 29, bban: "4!a21!c" },    // Palestine, State of
    IbanFormat { country: *b"PT", length: 25, bban: "4!n4!n11!n2!n" }, // Portugal
    IbanFormat { country: *b"QA", length: 29, bban: "4!a21!c" },    // Qatar
    IbanFormat { country: *b"RO", length: 24, bban: "4!a16!c" },    // Romania
    IbanFormat { country: *b"RS", length: 22, bban: "3!n13!n2!n" }, // Serbia
    IbanFormat { country: *b"RU", length: 33, bban: "9!n5!n15!c" }, // Russian Federation
    IbanFormat { country: *b"SA", length: 24, bban: "2!n18!c" },    // Saudi Arabia
    IbanFormat { country: *b"SC", length: 31, bban: "4!a2!n2!n16!n3!a" }, // Seychelles
    IbanFormat { country: *b"SD", length: 18, bban: "2!n12!n" },    // Sudan
    IbanFormat { country: *b"SE", length: 24, bban: "3!n16!n1!n" }, // Sweden
    IbanFormat { country: *b"SI", length: 19, bban: "5!n8!n2!n" },  // Slovenia
    IbanFormat { country: *b"SK", length: 24, bban: "4!n6!n10!n" }, // Slovakia
    IbanFormat { country: *b"SM", length: 27, bban: "1!a5!n5!n12!c" }, // San Marino
    IbanFormat { country: *b"SO", length: 23, bban: "4!n3!n12!n" }, // Somalia
    IbanFormat { country: *b"ST", length: 25, bban: "4!n4!n11!n2!n" }, // Sao Tome and Principe
    IbanFormat { country: *b"SV", length: 28, bban: "4!a20!n" },    // El Salvador
    IbanFormat { country: *b"TL", length: 23, bban: "3!n14!n2!n" }, // Timor-Leste
    IbanFormat { country: *b"TN", length: 24, bban: "2!n3!n13!n2!n" }, // Tunisia
    IbanFormat { country: *b"TR", length: 26, bban: "5!n1!n16!c" }, // Turkiye
    IbanFormat { country: *b"UA", length: 29, bban: "6!n19!c" },    // Ukraine
    IbanFormat { country: *b"VA", length: 22, bban: "3!n15!n" },    // Holy See
    IbanFormat { country: *b"VG", length: 24, bban: "4!a16!n" },    // Virgin Islands (British)
    IbanFormat { country: *b"XK", length: 20, bban: "4!n10!n2!n" }, // Kosovo
    IbanFormat { country: *b"YE", length: 30, bban: "4!a4!n18!c" }, // Yemen
];

/// ISO 3166-1 alpha-2 country codes, plus XK (Kosovo) which SWIFT uses in BICs; sorted.
const BIC_COUNTRIES: [[u8; 2]; 250] = [
    *b"AD", *b"AE", *b"AF", *b"AG", *b"AI", *b"AL", *b"AM", *b"AO", *b"AQ", *b"AR", *b"AS", *b"AT", *b"AU",
    *b"AW", *b"AX", *b"AZ", *b"BA", *b"BB", *b"BD", *b"BE", *b"BF", *b"BG", *b"BH", *b"BI", *b"BJ", *b"BL",
    *b"BM", *b"BN", *b"BO", *b"BQ", *b"BR", *b"BS", *b"BT", *b"BV", *b"BW", *b"BY", *b"BZ", *b"CA", *b"CC",
    *b"CD", *b"CF", *b"CG", *b"CH", *b"CI", *b"CK", *b"CL", *b"CM", *b"CN", *b"CO", *b"CR", *b"CU", *b"CV",
    *b"CW", *b"CX", *b"CY", *b"CZ", *b"DE", *b"DJ", *b"DK", *b"DM", *b"DO", *b"DZ", *b"EC", *b"EE", *b"EG",
    *b"EH", *b"ER", *b"ES", *b"ET", *b"FI", *b"FJ", *b"FK", *b"FM", *b"FO", *b"FR", *b"GA", *b"GB", *b"GD",
    *b"GE", *b"GF", *b"GG", *b"GH", *b"GI", *b"GL", *b"GM", *b"GN", *b"GP", *b"GQ", *b"GR", *b"GS", *b"GT",
    *b"GU", *b"GW", *b"GY", *b"HK", *b"HM", *b"HN", *b"HR", *b"HT", *b"HU", *b"ID", *b"IE", *b"IL", *b"IM",
    *b"IN", *b"IO", *b"IQ", *b"IR", *b"IS", *b"IT", *b"JE", *b"JM", *b"JO", *b"JP", *b"KE", *b"KG", *b"KH",
    *b"KI", *b"KM", *b"KN", *b"KP", *b"KR", *b"KW", *b"KY", *b"KZ", *b"LA", *b"LB", *b"LC", *b"LI", *b"LK",
    *b"LR", *b"LS", *b"LT", *b"LU", *b"LV", *b"LY", *b"MA", *b"MC", *b"MD", *b"ME", *b"MF", *b"MG", *b"MH",
    *b"MK", *b"ML", *b"MM", *b"MN", *b"MO", *b"MP", *b"MQ", *b"MR", *b"MS", *b"MT", *b"MU", *b"MV", *b"MW",
    *b"MX", *b"MY", *b"MZ", *b"NA", *b"NC", *b"NE", *b"NF", *b"NG", *b"NI", *b"NL", *b"NO", *b"NP", *b"NR",
    *b"NU", *b"NZ", *b"OM", *b"PA", *b"PE", *b"PF", *b"PG", *b"PH", *b"PK", *b"PL", *b"PM", *b"PN", *b"PR",
    *b"PS", *b"PT", *b"PW", *b"PY", *b"QA", *b"RE", *b"RO", *b"RS", *b"RU", *b"RW", *b"SA", *b"SB", *b"SC",
    *b"SD", *b"SE", *b"SG", *b"SH", *b"SI", *b"SJ", *b"SK", *b"SL", *b"SM", *b"SN", *b"SO", *b"SR", *b"SS",
    *b"ST", *b"SV", *b"SX", *b"SY", *b"SZ", *b"TC", *b"TD", *b"TF", *b"TG", *b"TH", *b"TJ", *b"TK", *b"TL",
    *b"TM", *b"TN", *b"TO", *b"TR", *b"TT", *b"TV", *b"TW", *b"TZ", *b"UA", *b"UG", *b"UM", *b"US", *b"UY",
    *b"UZ", *b"VA", *b"VC", *b"VE", *b"VG", *b"VI", *b"VN", *b"VU", *b"WF", *b"WS", *b"XK", *b"YE", *b"YT",
    *b"ZA", *b"ZM", *b"ZW",
];

/// True when `chars` match a registry BBAN structure such as `4!a6!n8!n`.
fn matches_bban(structure: &str, mut chars: &[u8]) -> bool {
    let mut count = 0usize;
    for byte in structure.bytes() {
        match byte {
            b'0'..=b'9' => count = count * 10 + usize::from(byte - b'0'),
            b'!' => {}
            b'n' | b'a' | b'c' => {
                let Some((run, rest)) = chars.split_at_checked(count) else {
                    return false;
                };
                let class_ok = match byte {
                    b'n' => run.iter().all(u8::is_ascii_digit),
                    b'a' => run.iter().all(u8::is_ascii_uppercase),
                    _ => run.iter().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                };
                if !class_ok {
                    return false;
                }
                chars = rest;
                count = 0;
            }
            _ => return false,
        }
    }
    chars.is_empty()
}

/// International Bank Account Number (ISO 13616, SWIFT as registration authority).
///
/// Checks: a country code in the SWIFT IBAN Registry, that country's exact length and BBAN
/// structure, check digits in 02..=98 (ISO 13616-1), and the ISO 7064 MOD 97-10 check (the
/// rearranged number ≡ 1 mod 97). Spaces, `-`, `/` and `.` are ignored, letters may be in
/// either case. National check digits inside the BBAN are not verified.
pub fn iban(s: &str) -> bool {
    let Some(compact) = compact(s, 34) else {
        return false;
    };
    let chars = compact.as_bytes();
    let Some((head, bban)) = chars.split_at_checked(4) else {
        return false;
    };
    let country = [head[0], head[1]];
    let Ok(index) = IBAN_FORMATS.binary_search_by(|f| f.country.cmp(&country)) else {
        return false;
    };
    let format = &IBAN_FORMATS[index];
    if chars.len() != format.length || !head[2].is_ascii_digit() || !head[3].is_ascii_digit() {
        return false;
    }
    let check = (head[2] - b'0') * 10 + (head[3] - b'0');
    (2..=98).contains(&check)
        && matches_bban(format.bban, bban)
        && mod97_alnum(bban.iter().chain(head.iter()).copied())
}

/// Business Identifier Code (ISO 9362, SWIFT): 8 or 11 characters — 4-letter institution code,
/// ISO 3166-1 country code (validated against the list, plus XK), 2-character location code and
/// an optional 3-character branch code, both alphanumeric.
///
/// BICs carry no check digit, so only upper-case candidates are accepted: lower-case words like
/// `handbook` would otherwise pass (HAND-BO-OK). Spaces and `-` are ignored.
pub fn swift_bic(s: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let Some(compact) = compact_with(s, 11, |b| matches!(b, b' ' | b'-')) else {
        return false;
    };
    let chars = compact.as_bytes();
    if chars.len() != 8 && chars.len() != 11 {
        return false;
    }
    let institution_ok = chars[..4].iter().all(u8::is_ascii_uppercase);
    let country = [chars[4], chars[5]];
    institution_ok && BIC_COUNTRIES.binary_search(&country).is_ok()
    // Location and branch are alphanumeric, which `compact_with` already ensured.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(IBAN_FORMATS.windows(2).all(|w| w[0].country < w[1].country));
        assert!(BIC_COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        for format in &IBAN_FORMATS {
            // Every structure is well-formed and describes exactly `length - 4` characters.
            let mut described = 0;
            let mut count = 0;
            for byte in format.bban.bytes() {
                match byte {
                    b'0'..=b'9' => count = count * 10 + usize::from(byte - b'0'),
                    b'!' => {}
                    b'n' | b'a' | b'c' => {
                        described += count;
                        count = 0;
                    }
                    _ => panic!("bad structure {}", format.bban),
                }
            }
            assert_eq!(described + 4, format.length, "{}", format.bban);
        }
    }

    #[test]
    fn registry_examples_are_valid() {
        for s in [
            "GB82WEST12345698765432",
            "GB82 WEST 1234 5698 7654 32",
            "gb82 west 1234 5698 7654 32",
            "DE89370400440532013000",
            "DE89 3704 0044 0532 0130 00",
            "SA0380000000608010167519",
            "AE070331234567890123456",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "CH9300762011623852957",
            "BE68539007547034",
            "NO9386011117947",
            "LC55HEMM000100010012001200023015",
            "MU17BOMM0101101030300200000MUR",
            "BR1800360305000010009795493C1",
        ] {
            assert!(iban(s), "{s}");
        }
    }

    #[test]
    fn invalid_ibans_are_rejected() {
        for s in [
            "GB82WEST12345698765433",   // check digits disagree
            "GB83WEST12345698765432",   // check digits disagree
            "GB82WEST1234569876543",    // too short for GB
            "GB82WEST123456987654321",  // too long for GB
            "GB8212345612345698765432", // letters expected in the bank code
            "US82WEST12345698765432",   // the US issues no IBANs
            "DE89370400440532013000!",  // stray character
            "GB01WEST12345698765432",   // check digits out of range
            "",
            "GB",
        ] {
            assert!(!iban(s), "{s}");
        }
    }

    #[test]
    fn bics_follow_iso_9362() {
        for s in ["DEUTDEFF", "DEUTDEFF500", "NEDSZAJJXXX", "DBSSSGSG", "HSBCHKHHHKH", "BKCHCNBJ"] {
            assert!(swift_bic(s), "{s}");
        }
        for s in [
            "DEUTDEF",   // 7 characters
            "DEUTDEFF5", // 9 characters
            "DEUTZZFF",  // ZZ is no country
            "DEU1DEFF",  // digit in the institution code
            "deutdeff",  // lower case
            "DEUT_DEFF", // stray character
        ] {
            assert!(!swift_bic(s), "{s}");
        }
        // No check digit: an upper-case word with a country code in place still passes, which is
        // why the detector must ask for context before reporting a BIC.
        assert!(swift_bic("HANDBOOK"));
    }
}
