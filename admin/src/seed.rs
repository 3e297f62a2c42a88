//! The local demo: two merchants with a key each and a demo form, written to
//! `.local/demo.json`. Re-running reuses what still works, so the printed key stays valid.

use std::path::Path;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use shared::auth::ApiKey;
use shared::merchant::MerchantId;
use shared::store::ApiKeyStore;

use crate::accounts::{self, AccountError};

pub const DEMO_MERCHANT: &str = "demo-nonprofit";
pub const OTHER_MERCHANT: &str = "other-nonprofit";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub merchant_id: String,
    pub api_key: String,
    pub other_merchant_id: String,
    pub other_api_key: String,
    pub form_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("forms table: {0}")]
    Forms(String),
    #[error("{0}")]
    Random(String),
}

/// A minimal demo form record. The full form model (fields, limits, payment methods) belongs
/// to the forms API and replaces this record when it lands.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DemoFormItem<'a> {
    form_hash: &'a str,
    merchant_id: &'a str,
    name: &'a str,
    active: bool,
    api_enabled: bool,
    currency: &'a str,
    locale: &'a str,
}

pub async fn seed<K: ApiKeyStore>(
    keys: &K,
    dynamodb: &Client,
    forms_table: &str,
    previous: Option<Demo>,
) -> Result<Demo, SeedError> {
    let demo = merchant_id(DEMO_MERCHANT);
    let other = merchant_id(OTHER_MERCHANT);
    ensure_merchant(keys, &demo, "Demo Nonprofit e.V.").await?;
    ensure_merchant(keys, &other, "Other Nonprofit gGmbH").await?;
    let api_key =
        reuse_or_create_key(keys, &demo, previous.as_ref().map(|p| p.api_key.as_str())).await?;
    let other_api_key = reuse_or_create_key(
        keys,
        &other,
        previous.as_ref().map(|p| p.other_api_key.as_str()),
    )
    .await?;
    let form_hash = match previous.map(|p| p.form_hash) {
        Some(hash) if form_exists(dynamodb, forms_table, &hash).await? => hash,
        _ => create_demo_form(dynamodb, forms_table, &demo).await?,
    };
    Ok(Demo {
        merchant_id: demo.to_string(),
        api_key,
        other_merchant_id: other.to_string(),
        other_api_key,
        form_hash,
    })
}

pub fn read_previous(path: &Path) -> Option<Demo> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
}

fn merchant_id(raw: &'static str) -> MerchantId {
    MerchantId::parse(raw).unwrap_or_else(|err| unreachable!("demo id {raw} is valid: {err}"))
}

async fn ensure_merchant<K: ApiKeyStore>(
    keys: &K,
    id: &MerchantId,
    name: &str,
) -> Result<(), AccountError> {
    match accounts::create_merchant(keys, id.clone(), name.to_owned()).await {
        Ok(_) | Err(AccountError::MerchantExists(_)) => Ok(()),
        Err(err) => Err(err),
    }
}

async fn reuse_or_create_key<K: ApiKeyStore>(
    keys: &K,
    merchant: &MerchantId,
    previous: Option<&str>,
) -> Result<String, AccountError> {
    if let Some(previous) = previous {
        let still_valid = keys
            .get_key(&ApiKey::from_presented(previous).hash())
            .await?
            .is_some_and(|record| !record.revoked && &record.merchant_id == merchant);
        if still_valid {
            return Ok(previous.to_owned());
        }
    }
    Ok(accounts::create_key(keys, merchant)
        .await?
        .expose()
        .to_owned())
}

async fn form_exists(dynamodb: &Client, table: &str, hash: &str) -> Result<bool, SeedError> {
    let output = dynamodb
        .get_item()
        .table_name(table)
        .key("formHash", AttributeValue::S(hash.to_owned()))
        .send()
        .await
        .map_err(|err| SeedError::Forms(DisplayErrorContext(err).to_string()))?;
    Ok(output.item.is_some())
}

async fn create_demo_form(
    dynamodb: &Client,
    table: &str,
    merchant: &MerchantId,
) -> Result<String, SeedError> {
    let hash = shared::auth::random_lowercase_alnum(20)
        .map_err(|err| SeedError::Random(err.to_string()))?;
    let item = serde_dynamo::aws_sdk_dynamodb_1::to_item(DemoFormItem {
        form_hash: &hash,
        merchant_id: merchant.as_str(),
        name: "Spendenformular (Demo)",
        active: true,
        api_enabled: true,
        currency: "EUR",
        locale: "de",
    })
    .map_err(|err| SeedError::Forms(err.to_string()))?;
    dynamodb
        .put_item()
        .table_name(table)
        .set_item(Some(item))
        .send()
        .await
        .map_err(|err| SeedError::Forms(DisplayErrorContext(err).to_string()))?;
    Ok(hash)
}
