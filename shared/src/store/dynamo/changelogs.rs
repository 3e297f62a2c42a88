//! Changelog entries, keyed by `changelogGuid`, listed through the same sharded `byCreated`
//! index as DataSets. Entries are written only inside an entity change's transaction. An entry
//! with `metaData` is also in the sparse `byContactMeta` index (`metaContact` =
//! merchant#contact) until an erasure has gone over its `metaData`.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use serde_json::Value;

use super::listing::Listed;
use super::{Item, backend, conditional, corrupt};
use crate::changelog::{ChangelogEntry, ChangelogPage, ChangelogStatus, ChangelogStore};
use crate::dataset::ShardCount;
use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::listing::{PageLimit, Start, TimeBounds};
use crate::wire;

const KEY: &str = "changelogGuid";
const IN_PROGRESS: &str = "inProgress";
const BY_CONTACT_META: &str = "byContactMeta";
const META_CONTACT: &str = "metaContact";

fn meta_contact(merchant: &MerchantId, contact: &EntityGuid) -> String {
    format!("{merchant}#{contact}")
}

#[derive(Clone)]
pub struct DynamoChangelogs {
    client: Client,
    table: String,
    shards: ShardCount,
}

fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

impl DynamoChangelogs {
    pub fn new(client: Client, table: impl Into<String>, shards: ShardCount) -> Self {
        Self {
            client,
            table: table.into(),
            shards,
        }
    }

    fn item(&self, entry: &ChangelogEntry) -> Result<Item, StoreError> {
        let guid = entry.guid.to_string();
        let created = sortable_utc(entry.created_at);
        let shard = self.shards.shard_of(entry.guid.uuid());
        let status = match entry.status {
            ChangelogStatus::Completed => "completed",
            ChangelogStatus::InProgress => IN_PROGRESS,
        };
        let body = serde_json::to_string(entry).map_err(corrupt("changelog entry to write"))?;
        let mut item = Item::from([
            (
                "byCreatedPk".to_owned(),
                text(format!("{}#{shard}", entry.merchant_id)),
            ),
            ("byCreatedSk".to_owned(), text(format!("{created}#{guid}"))),
            (KEY.to_owned(), text(guid)),
            ("merchantId".to_owned(), text(entry.merchant_id.as_str())),
            ("status".to_owned(), text(status)),
            (
                "listedFieldBytes".to_owned(),
                AttributeValue::N(wire::changelogs::listed_bytes(entry).to_string()),
            ),
            ("entry".to_owned(), text(body)),
        ]);
        if entry.meta_data.is_some() {
            item.insert(
                META_CONTACT.to_owned(),
                text(meta_contact(&entry.merchant_id, &entry.contact_guid)),
            );
        }
        Ok(item)
    }

    fn put(
        &self,
        entry: &ChangelogEntry,
        condition: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.item(entry)?))
            .condition_expression(condition);
        if condition.contains(":inProgress") {
            put = put
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":inProgress", text(IN_PROGRESS))
                .expression_attribute_values(":merchant", text(entry.merchant_id.as_str()));
        }
        let put = put.build().map_err(corrupt("transaction item"))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The transaction item of a new entry, refused if its guid exists.
    pub(super) fn creation(&self, entry: &ChangelogEntry) -> Result<TransactWriteItem, StoreError> {
        self.put(entry, "attribute_not_exists(changelogGuid)")
    }

    /// The transaction item of a batch operation's progress: only an entry still in progress
    /// (and the merchant's) is updated, so a finished entry never reopens.
    pub(super) fn update(&self, entry: &ChangelogEntry) -> Result<TransactWriteItem, StoreError> {
        self.put(entry, "#status = :inProgress AND merchantId = :merchant")
    }

    fn from_item(item: &Item) -> Result<ChangelogEntry, StoreError> {
        let body = item
            .get("entry")
            .and_then(|v| v.as_s().ok())
            .ok_or_else(|| StoreError::corrupt_without_cause("changelog item"))?;
        serde_json::from_str(body).map_err(corrupt("changelog item"))
    }
}

impl ChangelogStore for DynamoChangelogs {
    async fn get(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
    ) -> Result<Option<ChangelogEntry>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(KEY, text(guid.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        let Some(item) = output.item else {
            return Ok(None);
        };
        let entry = Self::from_item(&item)?;
        Ok((&entry.merchant_id == merchant).then_some(entry))
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<ChangelogPage, StoreError> {
        let page = Listed {
            client: &self.client,
            table: &self.table,
            shards: self.shards,
            key: KEY,
        }
        .page(merchant, bounds, start, limit)
        .await?;
        Ok(ChangelogPage {
            items: page
                .items
                .iter()
                .map(Self::from_item)
                .collect::<Result<_, _>>()?,
            more: page.more,
            read_units: page.read_units,
        })
    }

    async fn with_meta_data(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        limit: usize,
    ) -> Result<Vec<ChangelogEntry>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_CONTACT_META)
            .key_condition_expression("#contact = :contact")
            .expression_attribute_names("#contact", META_CONTACT)
            .expression_attribute_values(":contact", text(meta_contact(merchant, contact)))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(backend)?;
        let mut entries = Vec::new();
        for key in output.items.unwrap_or_default() {
            let Some(guid) = key
                .get(KEY)
                .and_then(|v| v.as_s().ok())
                .and_then(|g| ChangelogGuid::parse(g).ok())
            else {
                return Err(StoreError::corrupt_without_cause("changelog index key"));
            };
            // The index is eventually consistent: an entry erased a moment ago may still be
            // listed; its own item (read consistently) says so.
            let output = self
                .client
                .get_item()
                .table_name(&self.table)
                .key(KEY, text(guid.to_string()))
                .consistent_read(true)
                .send()
                .await
                .map_err(backend)?;
            if let Some(item) = output.item.filter(|item| item.contains_key(META_CONTACT)) {
                let entry = Self::from_item(&item)?;
                if &entry.merchant_id == merchant {
                    entries.push(entry);
                }
            }
        }
        Ok(entries)
    }

    async fn erase_meta_data(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
        meta_data: Option<Value>,
    ) -> Result<(), StoreError> {
        let Some(mut entry) = self.get(merchant, guid).await? else {
            return Ok(());
        };
        entry.meta_data = meta_data;
        let body = serde_json::to_string(&entry).map_err(corrupt("changelog entry to write"))?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(KEY, text(guid.to_string()))
            .update_expression("SET #entry = :entry REMOVE #contact")
            .condition_expression("merchantId = :merchant")
            .expression_attribute_names("#entry", "entry")
            .expression_attribute_names("#contact", META_CONTACT)
            .expression_attribute_values(":entry", text(body))
            .expression_attribute_values(":merchant", text(merchant.as_str()))
            .send()
            .await;
        conditional(result)?;
        Ok(())
    }
}
