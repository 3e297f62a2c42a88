//! `GET /sepa/collections` from the Collections table: the merchant's headers, newest first,
//! a page of them within a range of ids.

use aws_sdk_dynamodb::Client;

use super::backend;
use super::collection_items::{from_header, headers, text};
use crate::bank::{Collection, CollectionPage, id_range};
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::listing::{Start, TimeBounds};

/// A page of `merchant`'s collections within `bounds`, from `start`, at most `limit`.
pub(super) async fn list(
    client: &Client,
    table: &str,
    merchant: &MerchantId,
    bounds: TimeBounds,
    start: Start,
    limit: usize,
) -> Result<CollectionPage, StoreError> {
    // Ids sort by time: the bounds and the position are a range of sort keys, read newest
    // first; a page by number reads past the headers it skips (a few a day at most).
    let (low, high) = id_range(bounds, start);
    let skip = match start {
        Start::Skip(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Start::After(_) => 0,
    };
    let wanted = skip.saturating_add(limit).saturating_add(1);
    let (mut items, mut from) = (Vec::new(), None);
    loop {
        let output = client
            .query()
            .table_name(table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :low AND :high")
            .expression_attribute_values(":pk", text(headers(merchant)))
            .expression_attribute_values(
                ":low",
                text(low.clone().unwrap_or_else(|| "C".to_owned())),
            )
            .expression_attribute_values(
                ":high",
                text(high.clone().unwrap_or_else(|| "D".to_owned())),
            )
            .scan_index_forward(false)
            .limit(i32::try_from(wanted - items.len()).unwrap_or(i32::MAX))
            .set_exclusive_start_key(from.take())
            .send()
            .await
            .map_err(backend)?;
        for item in output.items.unwrap_or_default() {
            let collection = from_header(item)?;
            // BETWEEN includes its upper end, which the range excludes.
            if high.as_ref() != Some(&collection.id) {
                items.push(collection);
            }
        }
        match output.last_evaluated_key {
            Some(key) if items.len() < wanted => from = Some(key),
            _ => break,
        }
    }
    let mut items: Vec<Collection> = items.into_iter().skip(skip).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    Ok(CollectionPage { items, more })
}
