//! Calendar arithmetic for birth dates encoded in identifiers, without a date library.

use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date as (year, month, day), comparable in calendar order.
pub(crate) type Ymd = (i32, u32, u32);

pub(crate) fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

pub(crate) fn is_calendar_date(year: i32, month: u32, day: u32) -> bool {
    day >= 1 && day <= days_in_month(year, month)
}

/// Today's UTC date from the system clock. A clock before 1970 reads as 1970-01-01, which only
/// makes validators stricter.
pub(crate) fn today() -> Ymd {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    civil_from_days(i64::try_from(days).unwrap_or(i64::MAX / 2))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> Ymd {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (i32::try_from(year).unwrap_or(i32::MAX), month, day)
}

/// A real calendar date from 1900 up to `today` inclusive.
pub(crate) fn is_birth_date_before(year: i32, month: u32, day: u32, today: Ymd) -> bool {
    year >= 1900 && is_calendar_date(year, month, day) && (year, month, day) <= today
}

/// Whether a two-digit year with month and day is a plausible birth date in 19YY or 20YY.
/// Identifiers that carry only YY (MyKad, NIK) are ambiguous by a century; either reading will
/// do, since both are real people's birth dates.
pub(crate) fn is_two_digit_year_birth_date(yy: u32, month: u32, day: u32, today: Ymd) -> bool {
    let yy = yy as i32;
    is_birth_date_before(1900 + yy, month, day, today) || is_birth_date_before(2000 + yy, month, day, today)
}

/// Dates of birth: a real calendar date, not in the future (by the system clock, UTC) and not
/// before 1900-01-01.
pub fn birth_date(year: i32, month: u32, day: u32) -> bool {
    is_birth_date_before(year, month, day, today())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_from_days_known_values() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-25_567), (1900, 1, 1));
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        assert!(is_calendar_date(2000, 2, 29));
        assert!(!is_calendar_date(1900, 2, 29));
        assert!(is_calendar_date(1996, 2, 29));
        assert!(!is_calendar_date(1997, 2, 29));
        assert!(!is_calendar_date(1997, 4, 31));
        assert!(!is_calendar_date(1997, 13, 1));
        assert!(!is_calendar_date(1997, 1, 0));
    }

    #[test]
    fn birth_dates_are_past_and_after_1900() {
        let today = (2025, 6, 15);
        assert!(is_birth_date_before(1900, 1, 1, today));
        assert!(is_birth_date_before(2025, 6, 15, today));
        assert!(!is_birth_date_before(2025, 6, 16, today));
        assert!(!is_birth_date_before(1899, 12, 31, today));
        assert!(birth_date(1985, 7, 4));
        assert!(!birth_date(1985, 2, 29));
        assert!(!birth_date(9999, 1, 1));
        assert!(!birth_date(i32::MIN, 1, 1));
        assert!(!birth_date(1985, u32::MAX, u32::MAX));
    }

    #[test]
    fn two_digit_years_take_either_century() {
        let today = (2025, 6, 15);
        assert!(is_two_digit_year_birth_date(0, 2, 29, today)); // 2000 was leap, 1900 was not
        assert!(is_two_digit_year_birth_date(30, 1, 1, today)); // 1930
        assert!(!is_two_digit_year_birth_date(30, 2, 29, today)); // 1930 and 2030: not leap
    }
}
