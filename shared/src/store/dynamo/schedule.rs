//! The scheduler's reads: the `byDue` and `bySubmitted` indexes of the Entities table, one
//! shard at a time, a page at a time (keys only; the scheduler reads each donor whole).

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::civil::Date;

use super::entities::DynamoEntities;
use super::entity_index::{BY_DUE_INDEX, BY_SUBMITTED_INDEX, due_partition, submitted_partition};
use super::{Item, backend, corrupt};
use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::recurring::{Due, DuePage, Schedule};

const PAGE: i32 = 100;

/// The scheduler's indexes over the Entities table.
#[derive(Clone)]
pub struct DynamoSchedule {
    entities: DynamoEntities,
}

impl DynamoSchedule {
    pub fn new(entities: DynamoEntities) -> Self {
        Self { entities }
    }

    async fn page(
        &self,
        index: &str,
        (key, sort): (&str, &str),
        partition: String,
        until: Date,
        after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        let before = until
            .tomorrow()
            .map_or_else(|_| "9999".to_owned(), |d| d.to_string());
        let start = after
            .map(|cursor| serde_json::from_str::<HashMap<String, String>>(&cursor))
            .transpose()
            .map_err(corrupt("schedule cursor"))?
            .map(|keys| {
                keys.into_iter()
                    .map(|(name, value)| (name, AttributeValue::S(value)))
                    .collect::<Item>()
            });
        let output = self
            .entities
            .client()
            .query()
            .table_name(self.entities.table())
            .index_name(index)
            .key_condition_expression("#k = :k AND #s < :before")
            .expression_attribute_names("#k", key)
            .expression_attribute_names("#s", sort)
            .expression_attribute_values(":k", AttributeValue::S(partition))
            .expression_attribute_values(":before", AttributeValue::S(before))
            .limit(PAGE)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(backend)?;
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(due_of)
            .collect::<Result<_, _>>()?;
        let next = output
            .last_evaluated_key
            .map(|keys| {
                let keys: HashMap<String, String> = keys
                    .into_iter()
                    .filter_map(|(name, value)| value.as_s().ok().map(|v| (name, v.clone())))
                    .collect();
                serde_json::to_string(&keys).map_err(corrupt("schedule cursor"))
            })
            .transpose()?;
        Ok(DuePage { items, next })
    }
}

/// An index entry's entity: its partition (`C#merchant#contact`) and sort key (`kind#guid`).
fn due_of(item: &Item) -> Result<Due, StoreError> {
    let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let broken = || StoreError::corrupt_without_cause("schedule index entry");
    let mut partition = text("pk").ok_or_else(broken)?.splitn(3, '#').skip(1);
    let merchant = partition.next().ok_or_else(broken)?;
    let contact = partition.next().ok_or_else(broken)?;
    let entity = text("sk")
        .and_then(|sk| sk.split_once('#'))
        .ok_or_else(broken)?
        .1;
    Ok(Due {
        merchant: MerchantId::parse(merchant).map_err(corrupt("merchant id"))?,
        contact: EntityGuid::parse(contact).map_err(corrupt("contact guid"))?,
        entity: EntityGuid::parse(entity).map_err(corrupt("entity guid"))?,
    })
}

impl Schedule for DynamoSchedule {
    async fn subscriptions_due(
        &self,
        shard: u16,
        until: Date,
        after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        self.page(
            BY_DUE_INDEX,
            ("dueKey", "dueSk"),
            due_partition(shard),
            until,
            after,
        )
        .await
    }

    async fn debits_submitted(
        &self,
        shard: u16,
        until: Date,
        after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        self.page(
            BY_SUBMITTED_INDEX,
            ("submittedKey", "submittedSk"),
            submitted_partition(shard),
            until,
            after,
        )
        .await
    }
}
