//! Payment sessions in the Sessions table (`kind = "payment"`): one strongly consistent read
//! and one conditional write per request, each value written on its own path so concurrent
//! requests never undo each other.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::from_item;
use serde_json::{Map, Value};

use super::expression::{UpdateExpression, attribute, number};
use super::{Item, backend, corrupt, encode, parse_time};
use crate::ground::ids::{DataSetGuid, FormHash, MerchantId, SessionHash, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::session::{
    Claim, Expectation, PaymentSession, Processed, SessionChanges, SessionStatus, SessionStore,
    SessionWrite,
};

pub(super) const KIND_PAYMENT: &str = "payment";
pub(super) const STATUS_OPEN: &str = "open";
pub(super) const STATUS_PROCESSING: &str = "processing";
pub(super) const STATUS_PROCESSED: &str = "processed";

#[derive(Clone)]
pub struct DynamoSessions {
    pub(super) client: Client,
    pub(super) table: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionItem {
    id: String,
    kind: String,
    form_hash: String,
    merchant_id: String,
    status: String,
    /// Gone once processed: the donor's values then live in the DataSet alone.
    #[serde(default)]
    values: Map<String, Value>,
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    meta: Map<String, Value>,
    fixed_rev: u64,
    version: u64,
    created_at: String,
    updated_at: String,
    /// Epoch seconds: the table's TTL attribute.
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claimed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data_set_guid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_result: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    processed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visit_session_id: Option<String>,
}

impl SessionItem {
    fn from_session(session: &PaymentSession) -> Self {
        Self {
            id: session.hash.to_string(),
            kind: KIND_PAYMENT.to_owned(),
            form_hash: session.form_hash.to_string(),
            merchant_id: session.merchant_id.to_string(),
            status: match session.status {
                SessionStatus::Open => STATUS_OPEN,
                SessionStatus::Processing => STATUS_PROCESSING,
                SessionStatus::Processed => STATUS_PROCESSED,
            }
            .to_owned(),
            values: session.values.clone(),
            fixed: session.fixed.iter().cloned().collect(),
            meta: session.meta.clone(),
            fixed_rev: session.fixed_rev,
            version: session.version,
            created_at: sortable_utc(session.created_at),
            updated_at: sortable_utc(session.updated_at),
            expires_at: session.expires_at.as_second(),
            claim_guid: session.claim.as_ref().map(|c| c.data_set_guid.to_string()),
            claimed_at: session.claim.as_ref().map(|c| sortable_utc(c.claimed_at)),
            data_set_guid: session
                .processed
                .as_ref()
                .map(|p| p.data_set_guid.to_string()),
            payment_result: session.processed.as_ref().map(|p| p.payment_result.clone()),
            processed_at: session
                .processed
                .as_ref()
                .map(|p| sortable_utc(p.processed_at)),
            visit_session_id: session.visit_session.as_ref().map(ToString::to_string),
        }
    }
}

/// A stored item as a payment session; `None` for other kinds (visit sessions).
pub(super) fn session_from(item: Item) -> Result<Option<PaymentSession>, StoreError> {
    if item
        .get("kind")
        .and_then(|k| k.as_s().ok())
        .map(String::as_str)
        != Some(KIND_PAYMENT)
    {
        return Ok(None);
    }
    let item: SessionItem = from_item(item).map_err(corrupt("session item"))?;
    let processed = match (item.data_set_guid, item.payment_result, item.processed_at) {
        (Some(guid), Some(payment_result), Some(at)) => Some(Processed {
            data_set_guid: DataSetGuid::parse(&guid).map_err(corrupt("DataSet guid"))?,
            payment_result,
            processed_at: parse_time(&at)?,
        }),
        _ => None,
    };
    let claim = match (item.claim_guid, item.claimed_at) {
        (Some(guid), Some(at)) => Some(Claim {
            data_set_guid: DataSetGuid::parse(&guid).map_err(corrupt("claim guid"))?,
            claimed_at: parse_time(&at)?,
        }),
        _ => None,
    };
    Ok(Some(PaymentSession {
        hash: SessionHash::parse(&item.id).map_err(corrupt("session hash"))?,
        form_hash: FormHash::parse(&item.form_hash).map_err(corrupt("form hash"))?,
        merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
        status: match item.status.as_str() {
            STATUS_PROCESSED => SessionStatus::Processed,
            STATUS_PROCESSING => SessionStatus::Processing,
            _ => SessionStatus::Open,
        },
        values: item.values,
        fixed: item.fixed.into_iter().collect::<BTreeSet<_>>(),
        meta: item.meta,
        fixed_rev: item.fixed_rev,
        version: item.version,
        created_at: parse_time(&item.created_at)?,
        updated_at: parse_time(&item.updated_at)?,
        expires_at: Timestamp::from_second(item.expires_at).map_err(corrupt("expiry"))?,
        claim,
        processed,
        visit_session: item
            .visit_session_id
            .map(|id| VisitSessionId::parse(&id))
            .transpose()
            .map_err(corrupt("visit session id"))?,
    }))
}

impl DynamoSessions {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }
}

impl SessionStore for DynamoSessions {
    async fn create(&self, session: &PaymentSession) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&SessionItem::from_session(session))?))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        match super::conditional(result)? {
            Some(_) => Ok(()),
            None => Err(StoreError::AlreadyExists),
        }
    }

    async fn get(&self, hash: &SessionHash) -> Result<Option<PaymentSession>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(hash.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output
            .item
            .map(session_from)
            .transpose()
            .map(Option::flatten)
    }

    async fn update(
        &self,
        hash: &SessionHash,
        expect: &Expectation,
        changes: &SessionChanges,
    ) -> Result<SessionWrite, StoreError> {
        let mut update = UpdateExpression::new();
        for (name, value) in &changes.set_values {
            let (path, value) = (update.name(name), update.value(attribute(value)?));
            update.set.push(format!("#v.{path} = {value}"));
        }
        for (name, value) in &changes.set_meta {
            let (path, value) = (update.name(name), update.value(attribute(value)?));
            update.set.push(format!("#m.{path} = {value}"));
        }
        for name in &changes.remove_values {
            let path = update.name(name);
            update.remove.push(format!("#v.{path}"));
        }
        for name in &changes.remove_meta {
            let path = update.name(name);
            update.remove.push(format!("#m.{path}"));
        }
        if let Some(visit) = &changes.visit_session {
            let visit = update.value(AttributeValue::S(visit.to_string()));
            update.set.push(format!("#w = {visit}"));
        }
        let one = update.value(number(1));
        if let Some(fixed) = &changes.fixed {
            let list = fixed.iter().cloned().map(AttributeValue::S).collect();
            let fixed = update.value(AttributeValue::L(list));
            update.set.push(format!("#x = {fixed}"));
            update.set.push(format!("#r = #r + {one}"));
        }
        let updated = update.value(AttributeValue::S(sortable_utc(changes.updated_at)));
        let expires = update.value(number(changes.expires_at.as_second()));
        update.set.push(format!("#u = {updated}"));
        update.set.push(format!("#e = {expires}"));
        update.set.push(format!("#n = #n + {one}"));
        let condition = format!(
            "#k = {} AND #f = {} AND #s = {} AND #e > {} AND #r = {}",
            update.value(AttributeValue::S(KIND_PAYMENT.to_owned())),
            update.value(AttributeValue::S(expect.form_hash.to_string())),
            update.value(AttributeValue::S(STATUS_OPEN.to_owned())),
            update.value(number(expect.now.as_second())),
            update.value(number(expect.fixed_rev)),
        );
        let expression = update.expression();
        // DynamoDB refuses placeholders that no expression uses (e.g. `#x` when the fixed
        // set stays). Value placeholders are created on use; the fixed ones are single letters.
        update.names.retain(|placeholder, _| {
            expression.contains(placeholder) || condition.contains(placeholder)
        });
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(hash.to_string()))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(update.names))
            .set_expression_attribute_values(Some(update.values))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => {
                let item = output
                    .attributes
                    .ok_or_else(|| StoreError::corrupt_without_cause("update returned no item"))?;
                let session = session_from(item)?.ok_or_else(|| {
                    StoreError::corrupt_without_cause("updated item is not a session")
                })?;
                Ok(SessionWrite::Updated(session))
            }
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    let current = failed.item().cloned().map(session_from).transpose()?;
                    Ok(SessionWrite::Conflict(current.flatten()))
                }
                _ => Err(backend(err)),
            },
        }
    }
}
