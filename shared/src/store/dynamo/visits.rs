//! Visit sessions in the Sessions table (`kind = "visit"`), keyed `visit#<merchant>#<id>` so
//! that merchants never share an id and no payment session hash (`[a-z0-9]`) can collide.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_dynamo::aws_sdk_dynamodb_1::from_item;

use super::{Item, backend, conditional, corrupt, encode, parse_time};
use crate::ground::ids::{MerchantId, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::ground::time::sortable_utc;
use crate::visit::{VisitIds, VisitSession, VisitStore};

const KIND_VISIT: &str = "visit";

#[derive(Clone)]
pub struct DynamoVisits {
    client: Client,
    table: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VisitItem {
    id: String,
    kind: String,
    merchant_id: String,
    session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    global_visit_id: Option<String>,
    created_at: String,
    updated_at: String,
    /// Epoch seconds: the table's TTL attribute.
    expires_at: i64,
}

fn key(merchant: &MerchantId, id: &VisitSessionId) -> String {
    format!("visit#{merchant}#{id}")
}

fn visit_from(item: Item) -> Result<Option<VisitSession>, StoreError> {
    if item
        .get("kind")
        .and_then(|k| k.as_s().ok())
        .map(String::as_str)
        != Some(KIND_VISIT)
    {
        return Ok(None);
    }
    let item: VisitItem = from_item(item).map_err(corrupt("visit item"))?;
    Ok(Some(VisitSession {
        id: VisitSessionId::parse(&item.session_id).map_err(corrupt("visit session id"))?,
        merchant_id: MerchantId::parse(&item.merchant_id).map_err(corrupt("merchant id"))?,
        ids: VisitIds {
            customer_id: item.customer_id,
            visit_id: item.visit_id,
            global_visit_id: item.global_visit_id,
        },
        created_at: parse_time(&item.created_at)?,
        updated_at: parse_time(&item.updated_at)?,
        expires_at: Timestamp::from_second(item.expires_at).map_err(corrupt("expiry"))?,
    }))
}

impl DynamoVisits {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// Writes the session as new, where no live one holds its id (`now`), or no session at all.
    async fn put(
        &self,
        session: &VisitSession,
        now: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        let item = VisitItem {
            id: key(&session.merchant_id, &session.id),
            kind: KIND_VISIT.to_owned(),
            merchant_id: session.merchant_id.to_string(),
            session_id: session.id.to_string(),
            customer_id: session.ids.customer_id.clone(),
            visit_id: session.ids.visit_id.clone(),
            global_visit_id: session.ids.global_visit_id.clone(),
            created_at: sortable_utc(session.created_at),
            updated_at: sortable_utc(session.updated_at),
            expires_at: session.expires_at.as_second(),
        };
        let mut request = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(encode(&item)?));
        request = match now {
            None => request.condition_expression("attribute_not_exists(id)"),
            // An expired session (TTL deletes it late) is replaced; a live one never.
            Some(now) => request
                .condition_expression("attribute_not_exists(id) OR expiresAt <= :now")
                .expression_attribute_values(
                    ":now",
                    AttributeValue::N(now.as_second().to_string()),
                ),
        };
        Ok(conditional(request.send().await)?.is_some())
    }
}

impl VisitStore for DynamoVisits {
    async fn create(&self, session: &VisitSession) -> Result<(), StoreError> {
        if self.put(session, None).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists)
        }
    }

    async fn get(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
    ) -> Result<Option<VisitSession>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(key(merchant, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(visit_from).transpose().map(Option::flatten)
    }

    async fn associate(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
        ids: &VisitIds,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<(VisitSession, bool), StoreError> {
        let fresh = VisitSession::new(id.clone(), merchant.clone(), ids.clone(), now, ttl);
        // A live session is merged into; an expired one (TTL deletes late) is replaced, by a
        // conditional write too: two callers reviving it at once cannot both start it.
        for _ in 0..2 {
            if let Some(merged) = self.merge(&fresh, now).await? {
                return Ok(merged);
            }
            if self.put(&fresh, Some(now)).await? {
                return Ok((fresh, true));
            }
        }
        Err(StoreError::backend("the visit session kept changing"))
    }

    async fn delete(&self, merchant: &MerchantId, id: &VisitSessionId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(key(merchant, id)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}

impl DynamoVisits {
    /// Merges the ids into the live session (or a new one), sliding its expiry: `None` when an
    /// expired session holds the id.
    async fn merge(
        &self,
        fresh: &VisitSession,
        now: Timestamp,
    ) -> Result<Option<(VisitSession, bool)>, StoreError> {
        let created_at = sortable_utc(now);
        let mut expression = "SET kind = :kind, merchantId = :merchant, sessionId = :sid, \
            createdAt = if_not_exists(createdAt, :now), updatedAt = :now, expiresAt = :expires"
            .to_owned();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", AttributeValue::S(key(&fresh.merchant_id, &fresh.id)))
            .condition_expression("attribute_not_exists(id) OR expiresAt > :now_s")
            .expression_attribute_values(":kind", AttributeValue::S(KIND_VISIT.into()))
            .expression_attribute_values(
                ":merchant",
                AttributeValue::S(fresh.merchant_id.to_string()),
            )
            .expression_attribute_values(":sid", AttributeValue::S(fresh.id.to_string()))
            .expression_attribute_values(":now", AttributeValue::S(created_at.clone()))
            .expression_attribute_values(
                ":expires",
                AttributeValue::N(fresh.expires_at.as_second().to_string()),
            )
            .expression_attribute_values(":now_s", AttributeValue::N(now.as_second().to_string()))
            .return_values(ReturnValue::AllNew);
        for (i, (name, value)) in fresh.ids.named().into_iter().enumerate() {
            if let Some(value) = value {
                expression.push_str(&format!(", {name} = :id{i}"));
                request = request.expression_attribute_values(
                    format!(":id{i}"),
                    AttributeValue::S(value.into()),
                );
            }
        }
        let written = conditional(request.update_expression(expression).send().await)?;
        written
            .and_then(|output| output.attributes)
            .map(|item| {
                let session = visit_from(item)?
                    .ok_or_else(|| StoreError::corrupt_without_cause("visit item without kind"))?;
                let created = sortable_utc(session.created_at) == created_at;
                Ok((session, created))
            })
            .transpose()
    }
}
