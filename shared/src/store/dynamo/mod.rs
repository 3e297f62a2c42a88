//! DynamoDB stores: one request per operation, conditional writes for every invariant.

mod forms;
mod sessions;
mod visits;

pub use forms::DynamoForms;
pub use sessions::{DynamoProcessing, DynamoSessions};
pub use visits::DynamoVisits;

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity, ReturnValue,
};
use futures::future::try_join_all;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::{from_item, to_item};

use super::{ApiKeyStore, DataSetStore, Page, StoreError};
use crate::auth::{ApiKeyHash, ApiKeyRecord};
use crate::config::{self, ConfigError};
use crate::dataset::{DataSet, DataSetGuid, JsonElement, ShardCount};
use crate::listing::{PageLimit, Start, TimeBounds};
use crate::merchant::{Merchant, MerchantId};
use crate::time::sortable_utc;

/// The DataSets listing index (DESIGN §4): partition `merchant#shard`, sort `createdAt#guid`.
pub const BY_CREATED_INDEX: &str = "byCreated";
pub const BY_CREATED_PK: &str = "byCreatedPk";
pub const BY_CREATED_SK: &str = "byCreatedSk";

type Item = HashMap<String, AttributeValue>;

fn backend<E, R>(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    StoreError::Backend(DisplayErrorContext(err).to_string())
}

/// Write errors that can mean "the condition expression did not hold".
trait ConditionFailed {
    fn condition_failed(&self) -> bool;
}

impl ConditionFailed for aws_sdk_dynamodb::operation::put_item::PutItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionFailed for aws_sdk_dynamodb::operation::update_item::UpdateItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

/// The output of a conditional write, or `None` when its condition did not hold.
fn conditional<T, E, R>(
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, R>>,
) -> Result<Option<T>, StoreError>
where
    E: ConditionFailed + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(ConditionFailed::condition_failed) =>
        {
            Ok(None)
        }
        Err(err) => Err(backend(err)),
    }
}

fn corrupt(err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(err.to_string())
}

fn encode<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    to_item(value).map_err(corrupt)
}

fn parse_time(raw: &str) -> Result<Timestamp, StoreError> {
    raw.parse().map_err(corrupt)
}

#[derive(Clone)]
pub struct DynamoDataSets {
    client: Client,
    table: String,
    shards: ShardCount,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DataSetItem {
    data_set_guid: String,
    merchant_id: String,
    created_at: String,
    updated_at: String,
    by_created_pk: String,
    by_created_sk: String,
    source_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source_guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vendor: Option<String>,
    is_transactional: bool,
    is_third_party: bool,
    sensitive_data: Vec<String>,
    json_element: String,
    /// The DataSet's [`crate::dataset::ListedSize`], projected into the index so a page is
    /// cut by size before anything is read.
    #[serde(default)]
    listed_field_bytes: u64,
    #[serde(default)]
    listed_json_bytes: u64,
}

impl DynamoDataSets {
    /// The DataSets table and shard count from the environment (`DATASETS_TABLE`, `DATASET_SHARDS`).
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(
            client,
            config::table_name(config::DATASETS_TABLE)?,
            config::dataset_shards()?,
        ))
    }

    pub fn new(client: Client, table: impl Into<String>, shards: ShardCount) -> Self {
        Self {
            client,
            table: table.into(),
            shards,
        }
    }

    fn to_item(&self, ds: &DataSet) -> DataSetItem {
        let guid = ds.guid.to_string();
        let created_at = sortable_utc(ds.created_at);
        let listed = ds.listed_size();
        DataSetItem {
            by_created_pk: format!("{}#{}", ds.merchant_id, ds.guid.shard(self.shards)),
            by_created_sk: format!("{created_at}#{guid}"),
            data_set_guid: guid,
            merchant_id: ds.merchant_id.to_string(),
            created_at,
            updated_at: sortable_utc(ds.updated_at),
            source_type: ds.source_type.clone(),
            source_guid: ds.source_guid.clone(),
            vendor: ds.vendor.clone(),
            is_transactional: ds.is_transactional,
            is_third_party: ds.is_third_party,
            sensitive_data: ds.sensitive_data.clone(),
            json_element: ds.json_element.as_str().to_owned(),
            listed_field_bytes: listed.fields,
            listed_json_bytes: listed.json_element,
        }
    }

    fn from_item(item: Item) -> Result<DataSet, StoreError> {
        let item: DataSetItem = from_item(item).map_err(corrupt)?;
        Ok(DataSet {
            guid: DataSetGuid::parse(&item.data_set_guid).map_err(corrupt)?,
            merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt)?,
            created_at: parse_time(&item.created_at)?,
            updated_at: parse_time(&item.updated_at)?,
            source_type: item.source_type,
            source_guid: item.source_guid,
            vendor: item.vendor,
            is_transactional: item.is_transactional,
            is_third_party: item.is_third_party,
            sensitive_data: item.sensitive_data,
            json_element: JsonElement::from_stored(item.json_element),
        })
    }
}

impl DataSetStore for DynamoDataSets {
    async fn insert(&self, dataset: &DataSet) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&self.to_item(dataset))?))
            .condition_expression("attribute_not_exists(dataSetGuid)")
            .send()
            .await;
        conditional(result)?
            .map(|_| ())
            .ok_or(StoreError::AlreadyExists)
    }

    async fn get(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
    ) -> Result<Option<DataSet>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("dataSetGuid", AttributeValue::S(guid.to_string()))
            // Read-your-writes: a client that just posted a DataSet expects to read it.
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        match output.item {
            None => Ok(None),
            Some(item) => {
                let ds = Self::from_item(item)?;
                Ok((&ds.merchant_id == merchant).then_some(ds))
            }
        }
    }

    async fn replace_json_element(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        json_element: &JsonElement,
        updated_at: Timestamp,
    ) -> Result<Option<DataSet>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("dataSetGuid", AttributeValue::S(guid.to_string()))
            .update_expression(
                "SET jsonElement = :json, listedJsonBytes = :listed, updatedAt = :updated",
            )
            // Never creates, and never touches another merchant's record.
            .condition_expression("attribute_exists(dataSetGuid) AND merchantId = :merchant")
            .expression_attribute_values(
                ":json",
                AttributeValue::S(json_element.as_str().to_owned()),
            )
            .expression_attribute_values(
                ":listed",
                AttributeValue::N(json_element.listed_bytes().to_string()),
            )
            .expression_attribute_values(":updated", AttributeValue::S(sortable_utc(updated_at)))
            .expression_attribute_values(":merchant", AttributeValue::S(merchant.to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        conditional(result)?
            .and_then(|output| output.attributes)
            .map(Self::from_item)
            .transpose()
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<Page, StoreError> {
        let (skip, after) = match start {
            Start::Skip(n) => (usize::try_from(n).unwrap_or(usize::MAX), None),
            Start::After(position) => (0, Some(position.sort_key())),
        };
        let (entries, more, index_units) = self
            .walk_index(merchant, bounds, after.as_deref(), skip, limit)
            .await?;
        let (items, item_units) = self.fetch_in_order(merchant, &entries).await?;
        Ok(Page {
            items,
            more,
            read_units: index_units + item_units,
        })
    }
}

/// API keys and the merchants they belong to share the ApiKeys table: merchant records use
/// the key `merchant#<id>`, which no SHA-256 hex string can collide with.
#[derive(Clone)]
pub struct DynamoApiKeys {
    client: Client,
    table: String,
}

const KIND_API_KEY: &str = "apiKey";
const KIND_MERCHANT: &str = "merchant";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiKeyItem {
    key_hash: String,
    kind: String,
    merchant_id: String,
    created_at: String,
    #[serde(default)]
    revoked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// Merchant records only; absent means forms are allowed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    forms_disabled: bool,
}

fn merchant_key(id: &MerchantId) -> String {
    format!("merchant#{id}")
}

impl DynamoApiKeys {
    /// The ApiKeys table from the environment (`API_KEYS_TABLE`).
    pub fn from_env(client: Client) -> Result<Self, ConfigError> {
        Ok(Self::new(
            client,
            config::table_name(config::API_KEYS_TABLE)?,
        ))
    }

    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn get_item(&self, key: String) -> Result<Option<ApiKeyItem>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("keyHash", AttributeValue::S(key))
            .send()
            .await
            .map_err(backend)?;
        output
            .item
            .map(|item| from_item(item).map_err(corrupt))
            .transpose()
    }
}

impl ApiKeyStore for DynamoApiKeys {
    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        let item = ApiKeyItem {
            key_hash: merchant_key(&merchant.id),
            kind: KIND_MERCHANT.to_owned(),
            merchant_id: merchant.id.to_string(),
            created_at: sortable_utc(merchant.created_at),
            revoked: false,
            name: Some(merchant.name.clone()),
            forms_disabled: !merchant.forms_enabled,
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&item)?))
            .condition_expression("attribute_not_exists(keyHash)")
            .send()
            .await;
        conditional(result)?
            .map(|_| ())
            .ok_or(StoreError::AlreadyExists)
    }

    async fn get_merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let Some(item) = self.get_item(merchant_key(id)).await? else {
            return Ok(None);
        };
        Ok(Some(Merchant {
            id: MerchantId::parse(&item.merchant_id).map_err(corrupt)?,
            name: item.name.unwrap_or_default(),
            created_at: parse_time(&item.created_at)?,
            forms_enabled: !item.forms_disabled,
        }))
    }

    async fn put_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let item = ApiKeyItem {
            key_hash: key.key_hash.as_str().to_owned(),
            kind: KIND_API_KEY.to_owned(),
            merchant_id: key.merchant_id.to_string(),
            created_at: sortable_utc(key.created_at),
            revoked: key.revoked,
            name: None,
            forms_disabled: false,
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&item)?))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn get_key(&self, hash: &ApiKeyHash) -> Result<Option<ApiKeyRecord>, StoreError> {
        let Some(item) = self.get_item(hash.as_str().to_owned()).await? else {
            return Ok(None);
        };
        if item.kind != KIND_API_KEY {
            return Ok(None);
        }
        Ok(Some(ApiKeyRecord {
            key_hash: ApiKeyHash::parse(&item.key_hash).map_err(corrupt)?,
            merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt)?,
            created_at: parse_time(&item.created_at)?,
            revoked: item.revoked,
        }))
    }

    async fn revoke_key(&self, hash: &ApiKeyHash) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("keyHash", AttributeValue::S(hash.as_str().to_owned()))
            .update_expression("SET revoked = :true")
            .condition_expression("attribute_exists(keyHash) AND kind = :kind")
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":kind", AttributeValue::S(KIND_API_KEY.to_owned()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}

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

fn units(capacity: Option<&ConsumedCapacity>) -> f64 {
    capacity
        .and_then(ConsumedCapacity::capacity_units)
        .unwrap_or(0.0)
}

impl DynamoDataSets {
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
                        ("dataSetGuid".to_owned(), AttributeValue::S(guid.to_owned())),
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
            .table_name(&self.table)
            .index_name(BY_CREATED_INDEX)
            .expression_attribute_names("#pk", BY_CREATED_PK)
            .expression_attribute_values(":pk", AttributeValue::S(walk.partition.clone()))
            .projection_expression("dataSetGuid, #sk, listedFieldBytes, listedJsonBytes")
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
                _ => Err(StoreError::Corrupt(
                    "index entry without its keys".to_owned(),
                )),
            };
            // Absent on DataSets written before sizes were recorded: they count as small.
            let bytes = |value: Option<AttributeValue>| match value {
                Some(AttributeValue::N(number)) => number.parse::<u64>().unwrap_or(0),
                _ => 0,
            };
            walk.buffer.push_back(IndexEntry {
                sort_key: text(item.remove(BY_CREATED_SK))?,
                guid: text(item.remove("dataSetGuid"))?,
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
    async fn fetch_in_order(
        &self,
        merchant: &MerchantId,
        entries: &[IndexEntry],
    ) -> Result<(Vec<DataSet>, f64), StoreError> {
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
                let ds = Self::from_item(item)?;
                by_guid.insert(ds.guid.to_string(), ds);
            }
        }
        let items = entries
            .iter()
            .filter_map(|entry| by_guid.remove(&entry.guid))
            .filter(|ds| &ds.merchant_id == merchant)
            .collect();
        Ok((items, read_units))
    }

    async fn batch_get(&self, guids: Vec<String>) -> Result<(Vec<Item>, f64), StoreError> {
        let keys = guids
            .into_iter()
            .map(|guid| HashMap::from([("dataSetGuid".to_owned(), AttributeValue::S(guid))]))
            .collect();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .build()
                .map_err(corrupt)?,
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
                .request_items(&self.table, request)
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
                    .and_then(|responses| responses.remove(&self.table))
                    .unwrap_or_default(),
            );
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .filter(|rest| !rest.keys().is_empty());
        }
        match pending {
            None => Ok((items, read_units)),
            Some(_) => Err(StoreError::Backend(
                "BatchGetItem left keys unprocessed after retries".to_owned(),
            )),
        }
    }
}
