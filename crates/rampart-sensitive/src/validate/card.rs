//! Payment card numbers (PANs): Luhn and issuer (brand) ranges.

use super::checksum::luhn_digits;
use super::normalize::compact_with;

/// The longest PAN (ISO/IEC 7812-1: up to 19 digits).
const MAX_PAN_DIGITS: usize = 19;

fn is_card_separator(byte: u8) -> bool {
    matches!(byte, b' ' | b'-')
}

/// Collects the digits of a card-like candidate: digits with spaces or `-` between them.
fn card_digits(s: &str) -> Option<([u8; MAX_PAN_DIGITS], usize)> {
    let compact = compact_with(s, MAX_PAN_DIGITS, is_card_separator)?;
    if !compact.all_digits() {
        return None;
    }
    let mut out = [0u8; MAX_PAN_DIGITS];
    for (slot, byte) in out.iter_mut().zip(compact.as_bytes()) {
        *slot = byte - b'0';
    }
    Some((out, compact.len()))
}

/// The Luhn (mod 10) check of ISO/IEC 7812-1 annex B, as used by every payment card number.
///
/// Spaces and `-` are ignored; any other character, or an empty or one-digit input, or more than
/// 19 digits (the ISO/IEC 7812 maximum), fails.
pub fn luhn(digits: &str) -> bool {
    match card_digits(digits) {
        Some((buf, len)) if len >= 2 => luhn_digits(&buf[..len]),
        _ => false,
    }
}

/// Card networks recognised by [`card_brand`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    UnionPay,
    Jcb,
    RuPay,
    Discover,
    Diners,
}

/// The leading digits of the number as an integer of `n` digits.
fn prefix(digits: &[u8], n: usize) -> u32 {
    digits.iter().take(n).fold(0, |acc, &d| acc * 10 + u32::from(d))
}

/// The brand whose issuer range (IIN prefix) contains the number, with the lengths that brand
/// issues, ignoring the check digit.
fn brand_by_range(digits: &[u8]) -> Option<(CardBrand, &'static [usize])> {
    const SIXTEEN: &[usize] = &[16];
    const SIXTEEN_TO_NINETEEN: &[usize] = &[16, 17, 18, 19];
    let p2 = prefix(digits, 2);
    let p3 = prefix(digits, 3);
    let p4 = prefix(digits, 4);
    let p6 = prefix(digits, 6);
    let brand = match () {
        // Visa: IIN 4; 13 (legacy), 16 and 19 digits.
        _ if digits.first() == Some(&4) => (CardBrand::Visa, &[13, 16, 19][..]),
        // Mastercard: 51-55 and the 2-series 2221-2720; 16 digits.
        _ if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => (CardBrand::Mastercard, SIXTEEN),
        // American Express: 34, 37; 15 digits.
        _ if p2 == 34 || p2 == 37 => (CardBrand::Amex, &[15][..]),
        // JCB: 3528-3589, 16-19 digits; the legacy ranges still in IIN tables: 15-digit 1800 and
        // 2131, 16-digit 3088-3094, 3096-3102, 3112-3120, 3158-3159, 3337-3349.
        _ if (3528..=3589).contains(&p4) => (CardBrand::Jcb, SIXTEEN_TO_NINETEEN),
        _ if p4 == 1800 || p4 == 2131 => (CardBrand::Jcb, &[15][..]),
        _ if (3088..=3094).contains(&p4)
            || (3096..=3102).contains(&p4)
            || (3112..=3120).contains(&p4)
            || (3158..=3159).contains(&p4)
            || (3337..=3349).contains(&p4) =>
        {
            (CardBrand::Jcb, SIXTEEN)
        }
        // Diners Club International: 36 (14-19); 300-305 and 38-39 (14, 16-19); 3095 (16-19).
        _ if p2 == 36 => (CardBrand::Diners, &[14, 15, 16, 17, 18, 19][..]),
        _ if (300..=305).contains(&p3) || p2 == 38 || p2 == 39 => {
            (CardBrand::Diners, &[14, 16, 17, 18, 19][..])
        }
        _ if p4 == 3095 => (CardBrand::Diners, SIXTEEN_TO_NINETEEN),
        // RuPay (NPCI) ranges, checked before Discover's 65 which contains 652150-653149, and
        // NPCI's newer 81 and 82 series (RuPay credit cards); 16 digits.
        _ if (508_500..=508_999).contains(&p6)
            || (606_985..=607_984).contains(&p6)
            || (608_001..=608_500).contains(&p6)
            || (652_150..=653_149).contains(&p6)
            || p2 == 81
            || p2 == 82 =>
        {
            (CardBrand::RuPay, SIXTEEN)
        }
        // UnionPay: 62 (including the Discover co-branded 622126-622925); 16-19 digits.
        _ if p2 == 62 => (CardBrand::UnionPay, SIXTEEN_TO_NINETEEN),
        // Discover: 6011, 644-649, 65; 16-19 digits.
        _ if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 => {
            (CardBrand::Discover, SIXTEEN_TO_NINETEEN)
        }
        _ => return None,
    };
    Some(brand)
}

/// The card network of a payment card number, when its issuer range (IIN), its length for that
/// network and its Luhn check digit are all valid; `None` otherwise.
///
/// Ranges and lengths are the networks' published ones (Visa, Mastercard incl. the 2-series,
/// American Express, JCB incl. its legacy 15-digit 1800/2131 and 16-digit 30xx/31xx/33xx ranges,
/// Diners Club International, NPCI RuPay, China UnionPay, Discover). Maestro (50, 56-69, 12-19
/// digits) has no brand here: its ranges overlap too much with other numbers to classify by range.
/// UnionPay does not mandate Luhn on every 62 card, but a 62-number is only reported when Luhn
/// passes: without a check digit a 16-19 digit number starting 62 would be far too common among
/// order and account numbers. Spaces and `-` between digits are ignored.
pub fn card_brand(number: &str) -> Option<CardBrand> {
    let (buf, len) = card_digits(number)?;
    let digits = &buf[..len];
    let (brand, lengths) = brand_by_range(digits)?;
    (lengths.contains(&len) && luhn_digits(digits)).then_some(brand)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_test_numbers_have_their_brand() {
        let cases = [
            ("4111111111111111", CardBrand::Visa),
            ("4111 1111 1111 1111", CardBrand::Visa),
            ("4222222222222", CardBrand::Visa),
            ("4012888888881881", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("5105-1051-0510-5100", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("371449635398431", CardBrand::Amex),
            ("6200000000000005", CardBrand::UnionPay),
            ("3530111333300000", CardBrand::Jcb),
            ("3566002020360505", CardBrand::Jcb),
            ("213100000000001", CardBrand::Jcb),
            ("180000000000002", CardBrand::Jcb),
            ("3088000000000017", CardBrand::Jcb),
            ("6011111111111117", CardBrand::Discover),
            ("6011000990139424", CardBrand::Discover),
            ("30569309025904", CardBrand::Diners),
            ("36227206271667", CardBrand::Diners),
            ("38520000023237", CardBrand::Diners),
            ("3056930009020004", CardBrand::Diners),
            ("6521500000000006", CardBrand::RuPay),
            ("5085000000000007", CardBrand::RuPay),
            ("8200099362370218", CardBrand::RuPay),
            ("8100 0000 0000 0002", CardBrand::RuPay),
        ];
        for (number, brand) in cases {
            assert_eq!(card_brand(number), Some(brand), "{number}");
        }
    }

    #[test]
    fn luhn_failures_and_wrong_lengths_are_rejected() {
        assert_eq!(card_brand("4111111111111112"), None);
        assert_eq!(card_brand("5555555555554445"), None);
        // Amex is 15 digits; a 16-digit 37-number is not a card even when Luhn passes.
        assert_eq!(card_brand("3782822463100056"), None);
        // Mastercard is 16 digits only.
        assert_eq!(card_brand("555555555555444"), None);
        // Unknown range (Luhn-valid).
        assert_eq!(card_brand("1234567812345670"), None);
        assert_eq!(card_brand("9111111111111110"), None);
        // RuPay's 81 and 82 series are 16 digits with a Luhn check; 80 and 83 are no card range.
        assert_eq!(card_brand("8200099362370219"), None);
        assert_eq!(card_brand("820009936237021"), None);
        assert_eq!(card_brand("8000000000000003"), None);
        assert_eq!(card_brand("8300000000000000"), None);
    }

    #[test]
    fn only_spaces_and_dashes_separate_card_digits() {
        assert!(luhn("4111-1111-1111-1111"));
        assert!(!luhn("4111.1111.1111.1111"));
        assert!(!luhn("4111x1111"));
        assert!(!luhn(""));
        assert!(!luhn("0"));
        assert!(!luhn("41111111111111111111"));
    }

    #[test]
    fn luhn_accepts_valid_and_rejects_invalid() {
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398714"));
        assert!(luhn("00"));
    }
}
