//! API keys and the merchants they belong to share the ApiKeys table: merchant records use the
//! key `merchant#<id>`, which no SHA-256 hex string can collide with.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::from_item;

use super::{backend, conditional, corrupt, encode, parse_time};
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::merchant::{ApiKeyHash, ApiKeyRecord, Merchant, MerchantStore};
use crate::sepa::Creditor;

#[derive(Clone)]
pub struct DynamoMerchants {
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
    /// Merchant records only: the SEPA creditor settings, once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creditor: Option<Creditor>,
}

fn merchant_key(id: &MerchantId) -> String {
    format!("merchant#{id}")
}

impl DynamoMerchants {
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
            .map(|item| from_item(item).map_err(corrupt("ApiKeys item")))
            .transpose()
    }
}

impl MerchantStore for DynamoMerchants {
    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        let item = ApiKeyItem {
            key_hash: merchant_key(&merchant.id),
            kind: KIND_MERCHANT.to_owned(),
            merchant_id: merchant.id.to_string(),
            created_at: sortable_utc(merchant.created_at),
            revoked: false,
            name: Some(merchant.name.clone()),
            forms_disabled: !merchant.forms_enabled,
            creditor: merchant.creditor.clone(),
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
            id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
            name: item.name.unwrap_or_default(),
            created_at: parse_time(&item.created_at)?,
            forms_enabled: !item.forms_disabled,
            creditor: item.creditor,
        }))
    }

    async fn set_creditor(&self, id: &MerchantId, creditor: &Creditor) -> Result<bool, StoreError> {
        let settings = serde_dynamo::aws_sdk_dynamodb_1::to_attribute_value(creditor)
            .map_err(corrupt("creditor settings"))?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("keyHash", AttributeValue::S(merchant_key(id)))
            .update_expression("SET creditor = :creditor")
            .condition_expression("attribute_exists(keyHash) AND kind = :kind")
            .expression_attribute_values(":creditor", settings)
            .expression_attribute_values(":kind", AttributeValue::S(KIND_MERCHANT.to_owned()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
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
            creditor: None,
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
            key_hash: ApiKeyHash::parse(&item.key_hash).map_err(corrupt("key hash"))?,
            merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
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
