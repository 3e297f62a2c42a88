//! DynamoDB stores: one request per operation, conditional writes for every invariant.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::{from_item, to_item};

use super::{ApiKeyStore, DataSetStore, StoreError};
use crate::auth::{ApiKeyHash, ApiKeyRecord};
use crate::dataset::{DataSet, DataSetGuid, JsonElement, ShardCount};
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
}

impl DynamoDataSets {
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
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::AlreadyExists)
            }
            Err(err) => Err(backend(err)),
        }
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
            .update_expression("SET jsonElement = :json, updatedAt = :updated")
            // Never creates, and never touches another merchant's record.
            .condition_expression("attribute_exists(dataSetGuid) AND merchantId = :merchant")
            .expression_attribute_values(
                ":json",
                AttributeValue::S(json_element.as_str().to_owned()),
            )
            .expression_attribute_values(":updated", AttributeValue::S(sortable_utc(updated_at)))
            .expression_attribute_values(":merchant", AttributeValue::S(merchant.to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => output.attributes.map(Self::from_item).transpose(),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(err) => Err(backend(err)),
        }
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
}

fn merchant_key(id: &MerchantId) -> String {
    format!("merchant#{id}")
}

impl DynamoApiKeys {
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
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&item)?))
            .condition_expression("attribute_not_exists(keyHash)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::AlreadyExists)
            }
            Err(err) => Err(backend(err)),
        }
    }

    async fn get_merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        let Some(item) = self.get_item(merchant_key(id)).await? else {
            return Ok(None);
        };
        Ok(Some(Merchant {
            id: MerchantId::parse(&item.merchant_id).map_err(corrupt)?,
            name: item.name.unwrap_or_default(),
            created_at: parse_time(&item.created_at)?,
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
        match result {
            Ok(_) => Ok(true),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(err) => Err(backend(err)),
        }
    }
}
