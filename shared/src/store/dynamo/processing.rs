//! The processing writes: the claim (`open` → `processing`, one conditional update) and the
//! commit (`processing` → `processed` with the DataSet, one transaction: both or neither).

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use jiff::Timestamp;
use serde_json::Value;

use super::datasets::DynamoDataSets;
use super::entities::{DynamoEntities, cancelled_by_conflict};
use super::expression::{attribute, number};
use super::sessions::{
    DynamoSessions, KIND_PAYMENT, STATUS_OPEN, STATUS_PROCESSED, STATUS_PROCESSING,
};
use super::{backend, conditional, corrupt};
use crate::dataset::DataSet;
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::ledger::Donor;
use crate::session::{Claim, PaymentSession, ProcessStore, Processed, Processing};

/// Sessions together with the DataSets table, for the processing transaction.
#[derive(Clone)]
pub struct DynamoProcessing {
    sessions: DynamoSessions,
    datasets: DynamoDataSets,
    entities: DynamoEntities,
}

impl DynamoProcessing {
    pub fn new(
        sessions: DynamoSessions,
        datasets: DynamoDataSets,
        entities: DynamoEntities,
    ) -> Self {
        Self {
            sessions,
            datasets,
            entities,
        }
    }

    fn session_commit(
        &self,
        claimed: &PaymentSession,
        processed: &Processed,
    ) -> Result<TransactWriteItem, StoreError> {
        let payment_result = attribute(&Value::Object(processed.payment_result.clone()))?;
        let update = Update::builder()
            .table_name(&self.sessions.table)
            .key("id", AttributeValue::S(claimed.hash.to_string()))
            // The donor's values leave the session: they live in the DataSet from now on.
            .update_expression(
                "SET #s = :processed, dataSetGuid = :guid, paymentResult = :result, \
                 processedAt = :at, #n = #n + :one REMOVE #v, #m",
            )
            .condition_expression("#k = :payment AND #s = :processing AND claimGuid = :guid")
            .expression_attribute_names("#s", "status")
            .expression_attribute_names("#n", "version")
            .expression_attribute_names("#k", "kind")
            .expression_attribute_names("#v", "values")
            .expression_attribute_names("#m", "meta")
            .expression_attribute_values(":processed", AttributeValue::S(STATUS_PROCESSED.into()))
            .expression_attribute_values(":processing", AttributeValue::S(STATUS_PROCESSING.into()))
            .expression_attribute_values(":payment", AttributeValue::S(KIND_PAYMENT.into()))
            .expression_attribute_values(
                ":guid",
                AttributeValue::S(processed.data_set_guid.to_string()),
            )
            .expression_attribute_values(":result", payment_result)
            .expression_attribute_values(
                ":at",
                AttributeValue::S(sortable_utc(processed.processed_at)),
            )
            .expression_attribute_values(":one", number(1))
            .build()
            .map_err(corrupt("transaction item"))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

impl ProcessStore for DynamoProcessing {
    async fn claim(
        &self,
        read: &PaymentSession,
        claim: &Claim,
        now: Timestamp,
    ) -> Result<Processing, StoreError> {
        let result = self
            .sessions
            .client
            .update_item()
            .table_name(&self.sessions.table)
            .key("id", AttributeValue::S(read.hash.to_string()))
            .update_expression(
                "SET #s = :processing, claimGuid = :guid, claimedAt = :at, #n = #n + :one",
            )
            .condition_expression(
                "#k = :payment AND #s = :open AND #n = :version AND expiresAt > :now",
            )
            .expression_attribute_names("#s", "status")
            .expression_attribute_names("#n", "version")
            .expression_attribute_names("#k", "kind")
            .expression_attribute_values(":processing", AttributeValue::S(STATUS_PROCESSING.into()))
            .expression_attribute_values(":open", AttributeValue::S(STATUS_OPEN.into()))
            .expression_attribute_values(":payment", AttributeValue::S(KIND_PAYMENT.into()))
            .expression_attribute_values(
                ":guid",
                AttributeValue::S(claim.data_set_guid.to_string()),
            )
            .expression_attribute_values(":at", AttributeValue::S(sortable_utc(claim.claimed_at)))
            .expression_attribute_values(":one", number(1))
            .expression_attribute_values(":version", number(read.version))
            .expression_attribute_values(":now", number(now.as_second()))
            .send()
            .await;
        Ok(match conditional(result)? {
            Some(_) => Processing::Done,
            None => Processing::Conflict,
        })
    }

    async fn commit(
        &self,
        claimed: &PaymentSession,
        processed: &Processed,
        dataset: &DataSet,
        donor: &Donor,
    ) -> Result<Processing, StoreError> {
        let mut items = vec![
            self.session_commit(claimed, processed)?,
            self.datasets.creation(dataset)?,
        ];
        for entity in donor.entities() {
            items.extend(
                self.entities
                    .creation(&donor.contact.merchant_id, &entity)?,
            );
        }
        let result = self
            .sessions
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Processing::Done),
            Err(err) if cancelled_by_conflict(&err) => Ok(Processing::Conflict),
            Err(err) => Err(backend(err)),
        }
    }
}
