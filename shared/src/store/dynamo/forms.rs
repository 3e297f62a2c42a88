//! Forms, keyed by their public hash; a hash belongs to the merchant who first wrote it.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::from_item;

use super::{backend, conditional, corrupt, encode, parse_time};
use crate::form::{Form, FormDefinition, FormStore, FormWrite};
use crate::ground::ids::{FormHash, MerchantId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;

#[derive(Clone)]
pub struct DynamoForms {
    client: Client,
    table: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FormItem {
    form_hash: String,
    merchant_id: String,
    updated_at: String,
    #[serde(flatten)]
    definition: FormDefinition,
}

impl DynamoForms {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl FormStore for DynamoForms {
    async fn put(&self, form: &Form) -> Result<FormWrite, StoreError> {
        let item = FormItem {
            form_hash: form.hash.to_string(),
            merchant_id: form.merchant_id.to_string(),
            updated_at: sortable_utc(form.updated_at),
            definition: form.definition.clone(),
        };
        let written = conditional(
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(encode(&item)?))
                .condition_expression("attribute_not_exists(formHash) OR merchantId = :merchant")
                .expression_attribute_values(
                    ":merchant",
                    AttributeValue::S(form.merchant_id.to_string()),
                )
                .return_values(ReturnValue::AllOld)
                .send()
                .await,
        )?;
        Ok(match written {
            None => FormWrite::Taken,
            Some(output) if output.attributes.is_some() => FormWrite::Replaced,
            Some(_) => FormWrite::Created,
        })
    }

    async fn get(&self, hash: &FormHash) -> Result<Option<Form>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("formHash", AttributeValue::S(hash.to_string()))
            .send()
            .await
            .map_err(backend)?;
        let Some(item) = output.item else {
            return Ok(None);
        };
        let item: FormItem = from_item(item).map_err(corrupt("form item"))?;
        Ok(Some(Form {
            hash: FormHash::parse(&item.form_hash).map_err(corrupt("form hash"))?,
            merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
            updated_at: parse_time(&item.updated_at)?,
            definition: item.definition,
            creditor: None,
        }))
    }
}
