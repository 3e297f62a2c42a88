//! Listing a merchant's records (DataSets, changelog entries): a merge of the merchant's shards
//! of the table's `byCreated` index, keys only, and then the page's whole items by
//! `BatchGetItem`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnConsumedCapacity};
use futures::future::try_join_all;

use aws_sdk_dynamodb::Client;

use super::{Item, backend, corrupt, units};
use crate::dataset::ShardCount;
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::listing::{PageLimit, Start, TimeBounds};

/// Keys-only index pages are small; this many entries per shard query keeps a deep skip to a
/// few round trips without reading far past what a page needs.
const MAX_INDEX_READ: usize = 1000;
const BATCH_GET_LIMIT: usize = 100;
const BATCH_GET_ATTEMPTS: u32 = 8;

/// How many index entries to ask each of `shards` starved shards for, when `remaining` more are
/// needed in merged order. Shards are filled at random (by guid), so a shard's part of the next
/// `remaining` entries is binomial around the even share, with a standard deviation below its
/// square root. Four of those as margin keep a page to one query per shard all but about once in
/// 30,000 shard reads, at a small overread of tiny index entries.
fn index_read_size(remaining: usize, shards: usize) -> usize {
    let share = remaining.div_ceil(shards.max(1));
    let margin = (4.0 * (share as f64).sqrt()).ceil() as usize;
    (share + margin + 8).min(MAX_INDEX_READ)
}

/// The listing index of DataSets and changelog entries (DESIGN §4): partition `merchant#shard`,
/// sort `createdAt#guid`, with each record's listed size projected.
pub const BY_CREATED_INDEX: &str = "byCreated";
pub const BY_CREATED_PK: &str = "byCreatedPk";
pub const BY_CREATED_SK: &str = "byCreatedSk";

/// A table listed through its `byCreated` index.
pub(super) struct Listed<'a> {
    pub client: &'a Client,
    pub table: &'a str,
    pub shards: ShardCount,
    /// The table's key attribute (`dataSetGuid`, `changelogGuid`).
    pub key: &'static str,
}

/// One page of items in listing order, whether more follow, and the read units it cost.
pub(super) struct ListedPage {
    pub items: Vec<Item>,
    pub more: bool,
    pub read_units: f64,
}

/// One entry of the `byCreated` index: keys and listed size.
struct IndexEntry {
    sort_key: String,
    guid: String,
    listed_bytes: u64,
}

/// A walk over one shard's index partition, fetched page by page as the merge needs it.
struct ShardWalk {
    partition: String,
    buffer: VecDeque<IndexEntry>,
    resume_at: Option<Item>,
    exhausted: bool,
}

impl Listed<'_> {
    /// The merchant's items created within `bounds`, from `start` on, as many as `limit`
    /// allows, in index order; items of another merchant are never returned.
    pub async fn page(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<ListedPage, StoreError> {
        let (skip, after) = match start {
            Start::Skip(n) => (usize::try_from(n).unwrap_or(usize::MAX), None),
            Start::After(position) => (0, Some(position.sort_key())),
        };
        let (entries, more, index_units) = self
            .walk_index(merchant, bounds, after.as_deref(), skip, limit)
            .await?;
        let (items, item_units) = self.fetch_in_order(merchant, &entries).await?;
        Ok(ListedPage {
            items,
            more,
            read_units: index_units + item_units,
        })
    }

    /// Merges the merchant's shards in sort-key order: skips `skip` index entries, then takes
    /// `page_size` (and looks one further, to know whether more follow). Reads keys only.
    async fn walk_index(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        after: Option<&str>,
        skip: usize,
        limit: PageLimit,
    ) -> Result<(Vec<IndexEntry>, bool, f64), StoreError> {
        let page_size = limit.items;
        let mut walks: Vec<ShardWalk> = (0..self.shards.get())
            .map(|shard| {
                let partition = format!("{merchant}#{shard}");
                let resume_at = after.map(|sort_key| {
                    let guid = sort_key.rsplit('#').next().unwrap_or_default();
                    HashMap::from([
                        (self.key.to_owned(), AttributeValue::S(guid.to_owned())),
                        (
                            BY_CREATED_PK.to_owned(),
                            AttributeValue::S(partition.clone()),
                        ),
                        (
                            BY_CREATED_SK.to_owned(),
                            AttributeValue::S(sort_key.to_owned()),
                        ),
                    ])
                });
                ShardWalk {
                    partition,
                    buffer: VecDeque::new(),
                    resume_at,
                    exhausted: false,
                }
            })
            .collect();
        let wanted = skip.saturating_add(page_size).saturating_add(1);
        let (mut seen, mut page, mut read_units) = (0usize, Vec::with_capacity(page_size + 1), 0.0);
        while seen < wanted {
            let starved: Vec<&mut ShardWalk> = walks
                .iter_mut()
                .filter(|walk| walk.buffer.is_empty() && !walk.exhausted)
                .collect();
            if !starved.is_empty() {
                let share = index_read_size(wanted - seen, starved.len());
                let fetched = try_join_all(
                    starved
                        .into_iter()
                        .map(|walk| self.fetch_index_page(walk, bounds, share)),
                )
                .await?;
                read_units += fetched.iter().sum::<f64>();
                continue;
            }
            // Every shard that can still yield has a head: the smallest head is next in order.
            let Some(next) = walks
                .iter_mut()
                .filter(|walk| !walk.buffer.is_empty())
                .min_by(|a, b| a.buffer[0].sort_key.cmp(&b.buffer[0].sort_key))
                .and_then(|walk| walk.buffer.pop_front())
            else {
                break;
            };
            if seen >= skip {
                page.push(next);
            }
            seen += 1;
        }
        let fitting = limit.fitting(page.iter().map(|entry| entry.listed_bytes));
        let more = page.len() > fitting;
        page.truncate(fitting);
        Ok((page, more, read_units))
    }

    async fn fetch_index_page(
        &self,
        walk: &mut ShardWalk,
        bounds: TimeBounds,
        limit: usize,
    ) -> Result<f64, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(self.table)
            .index_name(BY_CREATED_INDEX)
            .expression_attribute_names("#pk", BY_CREATED_PK)
            .expression_attribute_values(":pk", AttributeValue::S(walk.partition.clone()))
            .projection_expression(format!(
                "{}, #sk, listedFieldBytes, listedJsonBytes",
                self.key
            ))
            .expression_attribute_names("#sk", BY_CREATED_SK)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .set_exclusive_start_key(walk.resume_at.take());
        // `from` inclusive; `until` exclusive, which `createdAt#guid` > `createdAt` gives us.
        let condition = match (bounds.from, bounds.until) {
            (Some(_), Some(_)) => "#pk = :pk AND #sk BETWEEN :from AND :until",
            (Some(_), None) => "#pk = :pk AND #sk >= :from",
            (None, Some(_)) => "#pk = :pk AND #sk < :until",
            (None, None) => "#pk = :pk",
        };
        query = query.key_condition_expression(condition);
        if let Some(from) = bounds.from {
            query =
                query.expression_attribute_values(":from", AttributeValue::S(sortable_utc(from)));
        }
        if let Some(until) = bounds.until {
            query =
                query.expression_attribute_values(":until", AttributeValue::S(sortable_utc(until)));
        }
        let output = query.send().await.map_err(backend)?;
        let read_units = units(output.consumed_capacity());
        for mut item in output.items.unwrap_or_default() {
            let text = |value: Option<AttributeValue>| match value {
                Some(AttributeValue::S(text)) => Ok(text),
                _ => Err(StoreError::corrupt_without_cause(
                    "index entry without its keys",
                )),
            };
            // Absent on DataSets written before sizes were recorded: they count as small.
            let bytes = |value: Option<AttributeValue>| match value {
                Some(AttributeValue::N(number)) => number.parse::<u64>().unwrap_or(0),
                _ => 0,
            };
            walk.buffer.push_back(IndexEntry {
                sort_key: text(item.remove(BY_CREATED_SK))?,
                guid: text(item.remove(self.key))?,
                listed_bytes: bytes(item.remove("listedFieldBytes"))
                    .saturating_add(bytes(item.remove("listedJsonBytes"))),
            });
        }
        walk.resume_at = output.last_evaluated_key;
        walk.exhausted = walk.resume_at.is_none();
        Ok(read_units)
    }

    /// Reads whole DataSets for one page, 100 keys per `BatchGetItem`, in parallel, and puts
    /// them back in index order.
    /// Reads whole items for one page, 100 keys per `BatchGetItem`, in parallel, and puts
    /// them back in index order; only the merchant's.
    async fn fetch_in_order(
        &self,
        merchant: &MerchantId,
        entries: &[IndexEntry],
    ) -> Result<(Vec<Item>, f64), StoreError> {
        let batches = try_join_all(
            entries
                .chunks(BATCH_GET_LIMIT)
                .map(|chunk| self.batch_get(chunk.iter().map(|e| e.guid.clone()).collect())),
        )
        .await?;
        let mut read_units = 0.0;
        let mut by_guid = HashMap::with_capacity(entries.len());
        for (items, units) in batches {
            read_units += units;
            for item in items {
                if let Some(AttributeValue::S(guid)) = item.get(self.key) {
                    by_guid.insert(guid.clone(), item);
                }
            }
        }
        let merchant = AttributeValue::S(merchant.to_string());
        let items = entries
            .iter()
            .filter_map(|entry| by_guid.remove(&entry.guid))
            .filter(|item| item.get("merchantId") == Some(&merchant))
            .collect();
        Ok((items, read_units))
    }

    async fn batch_get(&self, guids: Vec<String>) -> Result<(Vec<Item>, f64), StoreError> {
        let keys = guids
            .into_iter()
            .map(|guid| HashMap::from([(self.key.to_owned(), AttributeValue::S(guid))]))
            .collect();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .map_err(corrupt("BatchGetItem keys"))?,
        );
        let (mut items, mut read_units) = (Vec::new(), 0.0);
        for attempt in 0..BATCH_GET_ATTEMPTS {
            let Some(request) = pending.take() else { break };
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(25 << attempt)).await;
            }
            let mut output = self
                .client
                .batch_get_item()
                .request_items(self.table, request)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(backend)?;
            read_units += output
                .consumed_capacity()
                .iter()
                .map(|c| units(Some(c)))
                .sum::<f64>();
            items.extend(
                output
                    .responses
                    .as_mut()
                    .and_then(|responses| responses.remove(self.table))
                    .unwrap_or_default(),
            );
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(self.table))
                .filter(|rest| !rest.keys().is_empty());
        }
        match pending {
            None => Ok((items, read_units)),
            Some(_) => Err(StoreError::backend(
                "BatchGetItem left keys unprocessed after retries",
            )),
        }
    }
}
