//! TARGET2 business days: the days SEPA direct debits settle on. Weekends are closed, and so
//! are New Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26 December.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

/// Easter Sunday of `year` (the anonymous Gregorian algorithm).
fn easter(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// Whether TARGET2 settles on `day`.
pub fn is_business_day(day: Date) -> bool {
    if matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        return false;
    }
    let fixed = [(1, 1), (5, 1), (12, 25), (12, 26)];
    if fixed.contains(&(day.month(), day.day())) {
        return false;
    }
    match easter(day.year()) {
        Some(sunday) => {
            let good_friday = sunday.checked_sub(2.days()).ok();
            let easter_monday = sunday.checked_add(1.days()).ok();
            Some(day) != good_friday && Some(day) != easter_monday
        }
        None => true,
    }
}

/// The first business day on or after `day`.
pub fn on_or_after(day: Date) -> Date {
    let mut day = day;
    while !is_business_day(day) {
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return day,
        }
    }
    day
}

/// The earliest collection date of a file handed to the bank on `day`: the bank takes it on
/// the first business day on or after `day` (a Saturday's file on Monday), which must be one
/// business day before the collection (D-1), so Tuesday.
pub fn after(day: Date) -> Date {
    let received = on_or_after(day);
    received.tomorrow().map_or(received, on_or_after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn target2_closes_on_weekends_and_its_six_holidays() {
        assert_eq!(easter(2026), Some(date(2026, 4, 5)));
        assert_eq!(easter(2027), Some(date(2027, 3, 28)));
        for closed in [
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 12, 25),
            date(2026, 12, 26),
            date(2026, 12, 27),
        ] {
            assert!(!is_business_day(closed), "{closed}");
        }
        assert!(is_business_day(date(2026, 12, 24)));
        assert_eq!(on_or_after(date(2026, 12, 25)), date(2026, 12, 28));
        assert_eq!(after(date(2026, 12, 24)), date(2026, 12, 28));
        assert_eq!(on_or_after(date(2026, 4, 3)), date(2026, 4, 7));
    }

    #[test]
    fn a_file_handed_in_on_a_closed_day_is_taken_on_the_next_business_day() {
        // Friday: Monday. Saturday and Sunday: taken Monday, so Tuesday (D-1 is Monday).
        assert_eq!(after(date(2026, 12, 4)), date(2026, 12, 7));
        assert_eq!(after(date(2026, 12, 5)), date(2026, 12, 8));
        assert_eq!(after(date(2026, 12, 6)), date(2026, 12, 8));
        // Christmas Day (closed), then the 26th and the weekend: taken the 28th, collected the 29th.
        assert_eq!(after(date(2026, 12, 25)), date(2026, 12, 29));
    }
}
