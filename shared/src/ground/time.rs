//! The two ways instants are written: the seed's human format in the merchant's time zone, and
//! a fixed-width UTC form whose string order is time order (for DynamoDB sort keys).

use jiff::{SignedDuration, Timestamp, tz::TimeZone};

/// `yyyy-MM-dd HH:mm:ss ±zzzz`, as in the DataSet seed (`2022-07-12 09:00:14 +0200`).
pub fn seed_format(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone())
        .strftime("%Y-%m-%d %H:%M:%S %z")
        .to_string()
}

/// `2022-07-12T07:00:14.123456Z`: always the same width, so lexical order is time order.
pub fn sortable_utc(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The current instant at the precision we store (microseconds), so a stored and re-read
/// record compares equal to the one that was written.
pub fn now() -> Timestamp {
    truncate_to_micros(Timestamp::now())
}

pub fn truncate_to_micros(at: Timestamp) -> Timestamp {
    let micros = at.as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(at)
}

/// Expiry at whole seconds, as DynamoDB's TTL attribute holds it.
pub fn expiry(now: Timestamp, ttl: SignedDuration) -> Timestamp {
    let at = now.saturating_add(ttl).unwrap_or(now);
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_format_uses_the_zone_offset_in_summer_and_winter() {
        let berlin = TimeZone::get("Europe/Berlin").expect("bundled tzdb");
        let summer: Timestamp = "2022-07-12T07:00:14Z".parse().expect("valid");
        let winter: Timestamp = "2019-12-31T14:59:59Z".parse().expect("valid");
        assert_eq!(seed_format(summer, &berlin), "2022-07-12 09:00:14 +0200");
        assert_eq!(seed_format(winter, &berlin), "2019-12-31 15:59:59 +0100");
    }

    #[test]
    fn sortable_utc_is_fixed_width_and_ordered() {
        let a: Timestamp = "2024-01-01T00:00:09Z".parse().expect("valid");
        let b: Timestamp = "2024-01-01T00:00:10.5Z".parse().expect("valid");
        assert_eq!(sortable_utc(a), "2024-01-01T00:00:09.000000Z");
        assert_eq!(sortable_utc(b), "2024-01-01T00:00:10.500000Z");
        assert!(sortable_utc(a) < sortable_utc(b));
    }
}
