//! Validators: is this candidate really a card number, an IBAN, a national ID …?
//!
//! A fast prefilter finds candidates in text; a candidate is only reported when its validator
//! passes, so these functions carry the engine's precision. Each one takes the candidate *as it
//! appears in text*, with the usual separators (space, `-`, `/`, `.`, and parentheses for the
//! HKID check digit), normalises it internally and checks everything the issuer's rules let us
//! check: alphabet, length, structure (issuer ranges, region codes, calendar-valid birth dates)
//! and the check digit. Anything else — other characters, letters where digits belong, wrong
//! length — is rejected.
//!
//! Design choices:
//! * Pure, total functions returning `bool`: they never panic and never allocate. Candidates are
//!   copied into a small stack buffer sized for the longest valid form, and copying stops as soon
//!   as the candidate is too long, so even a megabyte-long candidate costs one bounded scan.
//! * Every rule cites its issuer in the function's docs. Where an identifier carries no check
//!   digit (US SSN, Indian PAN, Malaysian MyKad, Indonesian NIK, post-2020 Korean RRN, BIC), the
//!   validator checks structure only and the detector must demand more context (a field name).
//! * Dates of birth are checked against today's date, read from the system clock: an ID whose
//!   encoded birth date lies in the future is impossible.

mod bank;
mod card;
mod checksum;
mod date;
mod national;
mod normalize;

pub use bank::{iban, swift_bic};
pub use card::{CardBrand, card_brand, luhn};
pub use date::birth_date;
pub use national::{
    au_medicare, au_tfn, cn_resident_id, hk_hkid, id_nik, in_aadhaar, in_pan, jp_my_number, kr_rrn,
    kr_rrn_legacy, my_mykad, sg_nric, th_national_id, tw_national_id, us_ssn,
};
