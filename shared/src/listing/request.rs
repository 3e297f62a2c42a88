//! A listing's query string (`pageNumber`, `pageSize`, `startDate`, `endDate`, `nextToken`),
//! its dates as whole days in the merchant's time zone, and the token for the next page.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use uuid::Uuid;

use super::cursor::{Cursor, TokenSigner};
use super::{ListingError, Position, Start, TimeBounds};
use crate::ground::ids::MerchantId;

pub const DEFAULT_PAGE_SIZE: u16 = 50;
pub const MAX_PAGE_SIZE: u16 = 500;
/// Deep pages by number are bounded (at most 199 × 500 index keys skipped); beyond this,
/// `nextToken` is the way on, at the cost of one page whatever the depth.
pub const MAX_PAGE_NUMBER: u32 = 200;

/// A validated listing request.
#[derive(Debug, PartialEq, Eq)]
pub struct ListRequest {
    pub page_number: u32,
    pub page_size: u16,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub bounds: TimeBounds,
    pub start: Start,
}

impl TokenSigner {
    pub fn next_token(
        &self,
        merchant: &MerchantId,
        request: &ListRequest,
        last: Position,
    ) -> String {
        self.issue(&Cursor {
            merchant: merchant.to_string(),
            start_date: request.start_date,
            end_date: request.end_date,
            page_size: request.page_size,
            page_number: request.page_number.saturating_add(1),
            after_time: last.created_at,
            after_guid: last.guid.to_string(),
        })
    }
}

fn invalid(name: &'static str, expected: &'static str, got: &str) -> ListingError {
    ListingError::InvalidParameter {
        name,
        expected,
        got: got.chars().take(64).collect(),
    }
}

fn number<T: std::str::FromStr + PartialOrd>(
    params: &HashMap<&str, &str>,
    name: &'static str,
    expected: &'static str,
    range: std::ops::RangeInclusive<T>,
) -> Result<Option<T>, ListingError> {
    let Some(raw) = params.get(name) else {
        return Ok(None);
    };
    let value: T = raw.parse().map_err(|_| invalid(name, expected, raw))?;
    if range.contains(&value) {
        Ok(Some(value))
    } else {
        Err(invalid(name, expected, raw))
    }
}

fn date(params: &HashMap<&str, &str>, name: &'static str) -> Result<Option<Date>, ListingError> {
    let Some(raw) = params.get(name) else {
        return Ok(None);
    };
    let expected = "a date as yyyy-MM-dd";
    // Exactly yyyy-MM-dd: jiff would also accept other ISO 8601 spellings.
    let shaped = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
    if !shaped {
        return Err(invalid(name, expected, raw));
    }
    raw.parse()
        .map(Some)
        .map_err(|_| invalid(name, expected, raw))
}

/// The first instant of `date` in `zone` (midnight, or later on a day that skips it).
fn start_of_day(
    date: Date,
    zone: &TimeZone,
    name: &'static str,
) -> Result<Timestamp, ListingError> {
    date.to_zoned(zone.clone())
        .and_then(|day| day.start_of_day())
        .map(|day| day.timestamp())
        .map_err(|_| invalid(name, "a date within the supported range", &date.to_string()))
}

/// UTC bounds for inclusive local dates.
pub fn bounds(
    start: Option<Date>,
    end: Option<Date>,
    zone: &TimeZone,
) -> Result<TimeBounds, ListingError> {
    if let (Some(start), Some(end)) = (start, end)
        && start > end
    {
        return Err(ListingError::InvertedRange { start, end });
    }
    let from = start
        .map(|d| start_of_day(d, zone, "startDate"))
        .transpose()?;
    let until = end
        .map(|d| {
            let next = d
                .checked_add(1.day())
                .map_err(|_| invalid("endDate", "a date before 9999-12-31", &d.to_string()))?;
            start_of_day(next, zone, "endDate")
        })
        .transpose()?;
    Ok(TimeBounds { from, until })
}

impl ListRequest {
    /// Reads the query string. Unknown parameters are ignored, as the seed's clients expect.
    pub fn parse(
        params: &HashMap<&str, &str>,
        merchant: &MerchantId,
        zone: &TimeZone,
        signer: &TokenSigner,
    ) -> Result<Self, ListingError> {
        let page_number = number(
            params,
            "pageNumber",
            "a whole number from 1 to 200 (deeper: follow nextToken)",
            1..=MAX_PAGE_NUMBER,
        )?;
        let page_size = number(
            params,
            "pageSize",
            "a whole number from 1 to 500",
            1..=MAX_PAGE_SIZE,
        )?;
        let start_date = date(params, "startDate")?;
        let end_date = date(params, "endDate")?;

        let Some(token) = params.get("nextToken").filter(|t| !t.is_empty()) else {
            let page_number = page_number.unwrap_or(1);
            let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
            let skipped = u64::from(page_number - 1) * u64::from(page_size);
            return Ok(Self {
                page_number,
                page_size,
                start_date,
                end_date,
                bounds: bounds(start_date, end_date, zone)?,
                start: Start::Skip(skipped),
            });
        };

        let cursor = signer.open(token)?;
        if cursor.merchant != merchant.as_str() {
            return Err(ListingError::BadToken("it belongs to another API key"));
        }
        let differs = |given: Option<Date>, kept: Option<Date>| given.is_some() && given != kept;
        if differs(start_date, cursor.start_date)
            || differs(end_date, cursor.end_date)
            || page_size.is_some_and(|size| size != cursor.page_size)
        {
            return Err(ListingError::BadToken(
                "it was issued for another startDate, endDate or pageSize",
            ));
        }
        let guid = Uuid::try_parse(&cursor.after_guid)
            .map_err(|_| ListingError::BadToken("it is malformed or was altered"))?;
        Ok(Self {
            page_number: cursor.page_number,
            page_size: cursor.page_size,
            start_date: cursor.start_date,
            end_date: cursor.end_date,
            bounds: bounds(cursor.start_date, cursor.end_date, zone)?,
            start: Start::After(Position {
                created_at: cursor.after_time,
                guid,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("bundled tzdb")
    }

    fn params(pairs: &[(&'static str, &'static str)]) -> HashMap<&'static str, &'static str> {
        pairs.iter().copied().collect()
    }

    fn merchant(id: &str) -> MerchantId {
        MerchantId::parse(id).expect("valid")
    }

    #[test]
    fn defaults_are_page_one_of_fifty_without_bounds() {
        let signer = TokenSigner::new("k");
        let req = ListRequest::parse(
            &params(&[("other", "x")]),
            &merchant("m1"),
            &berlin(),
            &signer,
        )
        .expect("valid");
        assert_eq!(
            (req.page_number, req.page_size, req.start),
            (1, 50, Start::Skip(0))
        );
        assert_eq!(req.bounds, TimeBounds::default());
    }

    #[test]
    fn dates_are_whole_local_days_across_dst_changes() {
        let zone = berlin();
        let spring: Date = "2024-03-31".parse().expect("date");
        let b = bounds(Some(spring), Some(spring), &zone).expect("valid");
        assert_eq!(b.from, Some("2024-03-30T23:00:00Z".parse().expect("ts")));
        // The spring-forward day has 23 hours.
        assert_eq!(b.until, Some("2024-03-31T22:00:00Z".parse().expect("ts")));
        let autumn: Date = "2024-10-27".parse().expect("date");
        let b = bounds(Some(autumn), Some(autumn), &zone).expect("valid");
        assert_eq!(b.from, Some("2024-10-26T22:00:00Z".parse().expect("ts")));
        assert_eq!(b.until, Some("2024-10-27T23:00:00Z".parse().expect("ts")));
    }

    #[test]
    fn bad_parameters_are_named() {
        let signer = TokenSigner::new("k");
        let m = merchant("m1");
        for (pairs, name) in [
            (vec![("pageNumber", "0")], "pageNumber"),
            (vec![("pageNumber", "x")], "pageNumber"),
            (vec![("pageNumber", "-1")], "pageNumber"),
            (vec![("pageSize", "501")], "pageSize"),
            (vec![("pageSize", "0")], "pageSize"),
            (vec![("pageSize", "1.5")], "pageSize"),
            (vec![("startDate", "2024-13-45")], "startDate"),
            (vec![("endDate", "2024-02-30")], "endDate"),
            (vec![("startDate", "20240101")], "startDate"),
            (vec![("endDate", "2024-1-1")], "endDate"),
        ] {
            let err =
                ListRequest::parse(&params(&pairs), &m, &berlin(), &signer).expect_err("invalid");
            assert!(
                matches!(err, ListingError::InvalidParameter { name: n, .. } if n == name),
                "{pairs:?}: {err}"
            );
        }
        let inverted = params(&[("startDate", "2024-02-02"), ("endDate", "2024-02-01")]);
        assert!(matches!(
            ListRequest::parse(&inverted, &m, &berlin(), &signer),
            Err(ListingError::InvertedRange { .. })
        ));
    }

    #[test]
    fn tokens_round_trip_and_refuse_tampering_other_merchants_and_other_queries() {
        let signer = TokenSigner::new("secret");
        let m = merchant("m1");
        let first = ListRequest::parse(
            &params(&[("pageSize", "10"), ("startDate", "2024-01-01")]),
            &m,
            &berlin(),
            &signer,
        )
        .expect("valid");
        let last = Position {
            created_at: "2024-01-01T10:00:00Z".parse().expect("ts"),
            guid: Uuid::new_v4(),
        };
        let token = signer.next_token(&m, &first, last);

        let mut next = HashMap::new();
        next.insert("nextToken", token.as_str());
        let req = ListRequest::parse(&next, &m, &berlin(), &signer).expect("valid token");
        assert_eq!(
            (req.page_number, req.page_size, req.start),
            (2, 10, Start::After(last))
        );
        assert_eq!(req.bounds, first.bounds);

        assert!(matches!(
            ListRequest::parse(&next, &merchant("m2"), &berlin(), &signer),
            Err(ListingError::BadToken(_))
        ));
        assert!(matches!(
            ListRequest::parse(&next, &m, &berlin(), &TokenSigner::new("other secret")),
            Err(ListingError::BadToken(_))
        ));
        next.insert("pageSize", "20");
        assert!(matches!(
            ListRequest::parse(&next, &m, &berlin(), &signer),
            Err(ListingError::BadToken(_))
        ));

        let mut bytes = token.into_bytes();
        bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        let mut params = HashMap::new();
        params.insert("nextToken", tampered.as_str());
        assert!(matches!(
            ListRequest::parse(&params, &m, &berlin(), &signer),
            Err(ListingError::BadToken(_))
        ));
        params.insert("nextToken", "garbage");
        assert!(matches!(
            ListRequest::parse(&params, &m, &berlin(), &signer),
            Err(ListingError::BadToken(_))
        ));
    }

    #[test]
    fn page_numbers_are_bounded() {
        let signer = TokenSigner::new("k");
        let deepest = params(&[("pageNumber", "200"), ("pageSize", "500")]);
        assert!(ListRequest::parse(&deepest, &merchant("m1"), &berlin(), &signer).is_ok());
        let deeper = params(&[("pageNumber", "201"), ("pageSize", "1")]);
        assert!(matches!(
            ListRequest::parse(&deeper, &merchant("m1"), &berlin(), &signer),
            Err(ListingError::InvalidParameter {
                name: "pageNumber",
                ..
            })
        ));
    }
}
