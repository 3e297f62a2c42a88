//! DataSets, with the `byCreated` index that lists them.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::from_item;

use super::listing::{BY_CREATED_SK, Listed};
use super::{Item, backend, conditional, corrupt, encode, parse_time};
use crate::dataset::{ContactPage, DataSet, DataSetStore, JsonElement, Page, ShardCount};
use crate::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::listing::{PageLimit, Start, TimeBounds};
use crate::wire;

/// A contact's DataSets (for erasure and merges): partition `merchant#contact`, sort
/// `createdAt#guid`, keys only.
pub const BY_CONTACT_INDEX: &str = "byContact";

#[derive(Clone)]
pub struct DynamoDataSets {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) shards: ShardCount,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DataSetItem {
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
    /// `merchant#contact` when the DataSet records a contact's donation or action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact_key: Option<String>,
    /// The DataSet's listed size (see `ListedSize`), projected into the index so a page is
    /// cut by size before anything is read.
    #[serde(default)]
    listed_field_bytes: u64,
    #[serde(default)]
    listed_json_bytes: u64,
}

impl DynamoDataSets {
    pub fn new(client: Client, table: impl Into<String>, shards: ShardCount) -> Self {
        Self {
            client,
            table: table.into(),
            shards,
        }
    }

    pub(super) fn to_item(&self, ds: &DataSet) -> DataSetItem {
        let guid = ds.guid.to_string();
        let created_at = sortable_utc(ds.created_at);
        let listed = wire::datasets::listed_size(ds);
        DataSetItem {
            by_created_pk: format!(
                "{}#{}",
                ds.merchant_id,
                self.shards.shard_of(ds.guid.uuid())
            ),
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
            contact_key: ds.contact.as_ref().map(|c| contact_key(&ds.merchant_id, c)),
            listed_field_bytes: listed.fields,
            listed_json_bytes: listed.json_element,
        }
    }

    pub(super) fn from_item(item: Item) -> Result<DataSet, StoreError> {
        let item: DataSetItem = from_item(item).map_err(corrupt("DataSet item"))?;
        let contact = match item.contact_key.as_deref().and_then(|k| k.rsplit_once('#')) {
            Some((_, guid)) => Some(EntityGuid::parse(guid).map_err(corrupt("contact guid"))?),
            None => None,
        };
        Ok(DataSet {
            contact,
            guid: DataSetGuid::parse(&item.data_set_guid).map_err(corrupt("DataSet guid"))?,
            merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
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

impl DynamoDataSets {
    /// The transaction item of a new DataSet, refused if its guid exists.
    pub(super) fn creation(&self, dataset: &DataSet) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(encode(&self.to_item(dataset))?))
            .condition_expression("attribute_not_exists(dataSetGuid)")
            .build()
            .map_err(corrupt("transaction item"))?;
        Ok(TransactWriteItem::builder().put(put).build())
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
        let page = Listed {
            client: &self.client,
            table: &self.table,
            shards: self.shards,
            key: "dataSetGuid",
        }
        .page(merchant, bounds, start, limit)
        .await?;
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(Self::from_item)
                .collect::<Result<_, _>>()?,
            more: page.more,
            read_units: page.read_units,
        })
    }

    async fn for_contact(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(BY_CONTACT_INDEX)
            .key_condition_expression(if after.is_some() {
                "contactKey = :contact AND #sk > :after"
            } else {
                "contactKey = :contact"
            })
            .expression_attribute_values(
                ":contact",
                AttributeValue::S(contact_key(merchant, contact)),
            )
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        if let Some(after) = after {
            query = query
                .expression_attribute_names("#sk", BY_CREATED_SK)
                .expression_attribute_values(":after", AttributeValue::S(after.to_owned()));
        }
        let output = query.send().await.map_err(backend)?;
        let mut items = Vec::new();
        for item in output.items.unwrap_or_default() {
            let text = |name: &'static str| {
                item.get(name)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .ok_or_else(|| StoreError::corrupt_without_cause("byContact entry"))
            };
            let guid =
                DataSetGuid::parse(&text("dataSetGuid")?).map_err(corrupt("DataSet guid"))?;
            items.push((guid, text(BY_CREATED_SK)?));
        }
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(ContactPage { items, more })
    }

    async fn move_to_contact(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        from: &EntityGuid,
        to: &EntityGuid,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("dataSetGuid", AttributeValue::S(guid.to_string()))
            .update_expression("SET contactKey = :to")
            .condition_expression("contactKey = :from AND merchantId = :merchant")
            .expression_attribute_values(":to", AttributeValue::S(contact_key(merchant, to)))
            .expression_attribute_values(":from", AttributeValue::S(contact_key(merchant, from)))
            .expression_attribute_values(":merchant", AttributeValue::S(merchant.to_string()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}

/// A contact's key in the `byContact` index.
fn contact_key(merchant: &MerchantId, contact: &EntityGuid) -> String {
    format!("{merchant}#{contact}")
}
