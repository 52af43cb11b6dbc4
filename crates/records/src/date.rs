//! Dates as day numbers: days since 1970-01-01, so a date column is a `Vec<i32>` and a
//! comparison is an integer comparison.

use time::Date;

/// The day number standing for a missing date. It is later than every real date, so "closure
/// blank or after the end" is simply `closure > end`, and "treatment start on or before the
/// end" is false for a missing start.
pub const NO_DATE: i32 = i32::MAX;

/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN: i32 = 2_440_588;

/// The day number of a date.
pub fn day_number(date: Date) -> i32 {
    date.to_julian_day() - UNIX_EPOCH_JULIAN
}

/// The date of a day number, if it is one `time` can represent (not [`NO_DATE`]).
pub fn date_of(day: i32) -> Option<Date> {
    day.checked_add(UNIX_EPOCH_JULIAN)
        .and_then(|j| Date::from_julian_day(j).ok())
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
/// The caller has checked the month and day; computed in 64 bits and saturated to `i32`.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// The year, month and day of a day number (Hinnant's `civil_from_days`), computed in 64 bits
/// so that any `i32` (even [`NO_DATE`]) gives an answer rather than an overflow.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = i64::from(z) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        m,
        d,
    )
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        _ => 28,
    }
}

/// Parses an ISO `YYYY-MM-DD` date (exactly that form) to its day number.
pub fn parse_iso(bytes: &[u8]) -> Option<i32> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *bytes else {
        return None;
    };
    let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
    let year = digit(y0)? * 1000 + digit(y1)? * 100 + digit(y2)? * 10 + digit(y3)?;
    let month = digit(m0)? * 10 + digit(m1)?;
    let day = digit(d0)? * 10 + digit(d1)?;
    let year = i32::try_from(year).ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Writes a day number as `YYYY-MM-DD` into `out`.
pub fn write_iso(day: i32, out: &mut Vec<u8>) {
    let (y, m, d) = civil_from_days(day);
    let y = y.clamp(0, 9999) as u32;
    out.extend_from_slice(&[
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (d / 10) as u8,
        b'0' + (d % 10) as u8,
    ]);
}

/// A day number as `YYYY-MM-DD`.
pub fn iso(day: i32) -> String {
    let mut out = Vec::with_capacity(10);
    write_iso(day, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn agrees_with_time_over_centuries() {
        let mut d = date!(1899 - 12 - 25);
        let end = date!(2101 - 01 - 05);
        while d <= end {
            let text = d.to_string();
            let n = parse_iso(text.as_bytes()).unwrap();
            assert_eq!(n, day_number(d), "{text}");
            assert_eq!(iso(n), text);
            assert_eq!(date_of(n), Some(d));
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn any_day_number_can_be_written() {
        for d in [NO_DATE, i32::MIN, -1, 0, 2_932_896, 2_932_897] {
            let _ = iso(d);
            let _ = date_of(d);
        }
        assert_eq!(iso(0), "1970-01-01");
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-011",
            "",
            "abcd-ef-gh",
            "2024-04-31",
        ] {
            assert_eq!(parse_iso(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_iso(b"2024-02-29").is_some());
        assert!(parse_iso(b"2000-02-29").is_some());
        assert!(parse_iso(b"1900-02-29").is_none());
    }
}
