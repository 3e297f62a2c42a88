//! The Entities table's items as other stores' transactions use them: an entity's key, a check
//! that a contact or subscription is active, many payments read at once, and the items of
//! debits withdrawn from a collection.

use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, KeysAndAttributes, TransactWriteItem, Update,
};

use super::collection_items::{BUILDING, READY, debit_sort, debits_of, headers};
use super::entities::{DynamoEntities, entity_from, partition, text};
use super::expression::number;
use super::{Item, backend, corrupt};
use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ledger::{Entity, EntityKind, Payment};
use crate::sepa::end_to_end_id;

/// Keys one BatchGetItem may name.
const BATCH_GET: usize = 100;

impl DynamoEntities {
    /// The key of an entity's item in its contact's partition.
    pub(super) fn key_of(
        merchant: &MerchantId,
        contact: &EntityGuid,
        kind: EntityKind,
        guid: &EntityGuid,
    ) -> Item {
        let sort = match kind {
            EntityKind::Contact => "contact".to_owned(),
            EntityKind::PaymentMethod => format!("pm#{guid}"),
            EntityKind::Subscription => format!("sub#{guid}"),
            EntityKind::Payment => format!("pay#{guid}"),
            EntityKind::AddOn => format!("addon#{guid}"),
        };
        Item::from([
            ("pk".to_owned(), text(partition(merchant, contact))),
            ("sk".to_owned(), text(sort)),
        ])
    }

    /// The transaction item that insists an entity (a contact or a subscription) is active.
    pub(super) fn active_check(&self, key: Item) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("#entity.#state = :active")
            .expression_attribute_names("#entity", "entity")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":active", text("active"))
            .build()
            .map_err(corrupt("transaction item"))?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// The payments with these keys, in the keys' order; one missing is left out. Strongly
    /// consistent, a BatchGetItem per hundred keys (and again for what it left unprocessed).
    pub(super) async fn get_many(&self, keys: Vec<Item>) -> Result<Vec<Payment>, StoreError> {
        let mut found: Vec<(String, Payment)> = Vec::with_capacity(keys.len());
        let order: Vec<String> = keys.iter().map(sort_of).collect();
        for chunk in keys.chunks(BATCH_GET) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(true)
                    .build()
                    .map_err(corrupt("batch keys"))?,
            );
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(backend)?;
                for item in output
                    .responses
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default()
                {
                    if let Entity::Payment(payment) = entity_from(&item)? {
                        found.push((sort_of(&item), payment));
                    }
                }
                pending = output
                    .unprocessed_keys
                    .and_then(|mut left| left.remove(&self.table))
                    .filter(|left| !left.keys().is_empty());
            }
        }
        let mut ordered = Vec::with_capacity(found.len());
        for sort in order {
            if let Some(i) = found.iter().position(|(s, _)| *s == sort) {
                ordered.push(found.swap_remove(i).1);
            }
        }
        Ok(ordered)
    }

    /// Debits leaving a collection that is not yet sent: each taken out of the file, and one
    /// update of the header (a transaction names an item once) that insists it is unsent.
    pub(super) fn withdrawal(
        &self,
        merchant: &MerchantId,
        collection: &str,
        payments: &[&Payment],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let table = self.collections.as_deref().ok_or_else(|| {
            StoreError::backend("a debit leaves a collection, and no COLLECTIONS_TABLE is set")
        })?;
        let mut items = Vec::with_capacity(payments.len() + 1);
        let mut sum = 0u64;
        for payment in payments {
            let Some(debit) = payment.debit.as_ref() else {
                continue;
            };
            sum += payment.amount.cents();
            let date = debit.collection_date.unwrap_or(payment.due_date);
            let delete = Delete::builder()
                .table_name(table)
                .key("pk", text(debits_of(merchant, collection)))
                .key(
                    "sk",
                    text(debit_sort(
                        debit.sequence,
                        date,
                        &end_to_end_id(payment.guid),
                    )),
                )
                .build()
                .map_err(corrupt("transaction item"))?;
            items.push(TransactWriteItem::builder().delete(delete).build());
        }
        let header = Update::builder()
            .table_name(table)
            .key("pk", text(headers(merchant)))
            .key("sk", text(collection))
            .update_expression(
                "SET #count = #count - :n, controlSum = controlSum - :sum, \
                 withdrawn = if_not_exists(withdrawn, :zero) + :n",
            )
            .condition_expression("#status IN (:building, :ready)")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":n", number(payments.len()))
            .expression_attribute_values(":sum", number(sum))
            .expression_attribute_values(":zero", number(0))
            .expression_attribute_values(":building", text(BUILDING))
            .expression_attribute_values(":ready", text(READY))
            .build()
            .map_err(corrupt("transaction item"))?;
        items.push(TransactWriteItem::builder().update(header).build());
        Ok(items)
    }
}

/// An item's partition and sort key, as one string to match a read to its key.
fn sort_of(item: &Item) -> String {
    let part = |name: &str| {
        item.get(name)
            .and_then(|v| v.as_s().ok())
            .cloned()
            .unwrap_or_default()
    };
    format!("{}|{}", part("pk"), part("sk"))
}
