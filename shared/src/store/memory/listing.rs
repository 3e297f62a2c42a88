//! Listing in memory, page by page exactly as the DynamoDB listing pages.

use crate::ground::ids::MerchantId;
use crate::listing::{PageLimit, Position, Start, TimeBounds};

/// A record listed as the DynamoDB listing lists it: merchant, creation time, guid, size.
pub(super) trait Listable: Clone {
    fn merchant(&self) -> &MerchantId;
    fn position(&self) -> Position;
    fn listed_bytes(&self) -> u64;
}

/// One page of the merchant's `records` within `bounds` in listing order (`createdAt`, then
/// guid), from `start` on, as many as `limit` allows; and whether more follow.
pub(super) fn listed_page<'a, T: Listable + 'a>(
    records: impl Iterator<Item = &'a T>,
    merchant: &MerchantId,
    bounds: TimeBounds,
    start: Start,
    limit: PageLimit,
) -> (Vec<T>, bool) {
    let mut matching: Vec<T> = records
        .filter(|r| r.merchant() == merchant && bounds.contains(r.position().created_at))
        .filter(|r| match start {
            Start::After(after) => r.position() > after,
            Start::Skip(_) => true,
        })
        .cloned()
        .collect();
    matching.sort_by_key(Listable::position);
    let skip = match start {
        Start::Skip(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Start::After(_) => 0,
    };
    let mut items: Vec<T> = matching.into_iter().skip(skip).collect();
    let fitting = limit.fitting(items.iter().map(Listable::listed_bytes));
    let more = items.len() > fitting;
    items.truncate(fitting);
    (items, more)
}
