//! Pages of a time-ordered feed (DataSets, changelog entries): positions in listing order,
//! UTC bounds, how much a page may carry, and the signed `nextToken` cursor. Storage only sees
//! UTC bounds and a start position; the query parameters are read in [`request`].

mod cursor;
mod request;

pub use cursor::TokenSigner;
pub use request::{DEFAULT_PAGE_SIZE, ListRequest, MAX_PAGE_NUMBER, MAX_PAGE_SIZE, bounds};

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use crate::ground::time::sortable_utc;

/// Why a listing request is refused (400).
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListingError {
    #[error("'{name}' must be {expected}; got '{got}'")]
    InvalidParameter {
        name: &'static str,
        expected: &'static str,
        got: String,
    },
    #[error("startDate {start} is after endDate {end}")]
    InvertedRange { start: Date, end: Date },
    #[error("nextToken is not valid: {0}")]
    BadToken(&'static str),
}

/// The position of a record (a DataSet, a changelog entry) in listing order: `createdTs`,
/// then guid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub created_at: Timestamp,
    pub guid: Uuid,
}

impl Position {
    /// The index sort key (`createdAt#guid`); its string order is the listing order.
    pub fn sort_key(&self) -> String {
        format!("{}#{}", sortable_utc(self.created_at), self.guid)
    }
}

/// UTC bounds of a listing: `from` inclusive, `until` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeBounds {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeBounds {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.from.is_none_or(|from| at >= from) && self.until.is_none_or(|until| at < until)
    }
}

/// Where a page starts: after skipping some DataSets, or right after a known one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    Skip(u64),
    After(Position),
}

/// Lambda answers at most 6 MB (6,291,456 bytes); the page's envelope and headers fit in
/// what this leaves. A page holds fewer than `pageSize` DataSets when they would not fit.
pub const MAX_PAGE_BYTES: u64 = 5 * 1024 * 1024;

/// How much one page may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimit {
    pub items: usize,
    /// In [`carried_len`] bytes.
    pub bytes: u64,
}

impl PageLimit {
    /// `items` DataSets, within what a Lambda response can carry.
    pub fn items(items: usize) -> Self {
        Self {
            items,
            bytes: MAX_PAGE_BYTES,
        }
    }

    /// How many of the candidates (their listed sizes, in order) make the page: up to
    /// `items`, within `bytes`, and always the first, which alone always fits.
    pub fn fitting(self, sizes: impl IntoIterator<Item = u64>) -> usize {
        let mut total = 0u64;
        sizes
            .into_iter()
            .take(self.items)
            .enumerate()
            .take_while(|&(index, size)| {
                total = total.saturating_add(size);
                index == 0 || total <= self.bytes
            })
            .count()
    }
}

/// Bytes JSON text takes once Lambda has put it in its response document, where the body is
/// a JSON string: quotes, backslashes and control characters are escaped once more. What
/// keeps a listing page under Lambda's 6 MB response limit is counted in these.
pub fn carried_len(text: &str) -> u64 {
    let escapes: u64 = text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0x00..=0x1f => 5,
            _ => 0,
        })
        .sum();
    u64::try_from(text.len()).unwrap_or(u64::MAX) + escapes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_stop_before_the_byte_limit_but_never_empty() {
        let limit = PageLimit {
            items: 3,
            bytes: 10,
        };
        assert_eq!(limit.fitting([4, 4, 4, 4]), 2);
        assert_eq!(limit.fitting([3, 3, 3, 3]), 3, "items bound first");
        assert_eq!(
            limit.fitting([20, 1]),
            1,
            "an oversized first still makes a page"
        );
        assert_eq!(limit.fitting([]), 0);
    }
}
