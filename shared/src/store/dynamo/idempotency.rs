//! Idempotency keys in their own table, each item expiring (TTL) 24 hours after it was made.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use jiff::Timestamp;

use super::expression::number;
use super::{Item, backend};
use crate::ground::storage::StoreError;
use crate::idempotency::{Fingerprint, IdempotencyStore, Reservation};

#[derive(Clone)]
pub struct DynamoIdempotency {
    client: Client,
    table: String,
}

impl DynamoIdempotency {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

fn text(item: &Item, name: &'static str) -> Result<String, StoreError> {
    item.get(name)
        .and_then(|value| value.as_s().ok())
        .cloned()
        .ok_or_else(|| StoreError::corrupt_without_cause(name))
}

impl IdempotencyStore for DynamoIdempotency {
    async fn reserve(
        &self,
        scoped_key: &str,
        fingerprint: &Fingerprint,
        resource: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Reservation, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("idempotencyKey", AttributeValue::S(scoped_key.to_owned()))
            .item(
                "fingerprint",
                AttributeValue::S(fingerprint.as_str().to_owned()),
            )
            .item("resource", AttributeValue::S(resource.to_owned()))
            .item("expiresAt", number(expires_at.as_second()))
            // TTL deletion lags: an expired reservation is free even while it is still there.
            .condition_expression("attribute_not_exists(idempotencyKey) OR expiresAt <= :now")
            .expression_attribute_values(":now", number(now.as_second()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Reservation::Fresh),
            Err(err) => match err.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(failed)) => {
                    let held = failed
                        .item()
                        .ok_or_else(|| StoreError::corrupt_without_cause("reservation"))?;
                    Ok(Reservation::Taken {
                        fingerprint: Fingerprint::from_stored(text(held, "fingerprint")?),
                        resource: text(held, "resource")?,
                    })
                }
                _ => Err(backend(err)),
            },
        }
    }
}
