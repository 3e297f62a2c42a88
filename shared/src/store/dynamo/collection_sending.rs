//! A collection sent or voided, and its debits read back page by page for what follows
//! (the sending service books each debit): the Collections table's side of `bank::sending`.

use jiff::Timestamp;

use super::collection_items::{READY, debit_partition, headers, text};
use super::collections::DynamoCollections;
use super::entities::DynamoEntities;
use super::{Item, backend, conditional};
use crate::bank::{Collection, CollectionStatus};
use crate::ground::ids::EntityGuid;
use crate::ground::storage::StoreError;
use crate::ledger::{EntityKind, Payment};

impl DynamoCollections {
    pub(super) async fn settle_header(
        &self,
        collection: &Collection,
        to: CollectionStatus,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let condition = if to == CollectionStatus::Sent {
            "#status = :ready AND (attribute_not_exists(withdrawn) OR withdrawn = withdrawnWhenReady)"
        } else {
            "#status = :ready"
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", text(headers(&collection.merchant_id)))
            .key("sk", text(collection.id.clone()))
            .update_expression("SET #status = :to, settledAt = :now")
            .condition_expression(condition)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":ready", text(READY))
            .expression_attribute_values(":to", text(to.as_str()))
            .expression_attribute_values(":now", text(now.to_string()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    pub(super) async fn member_page(
        &self,
        collection: &Collection,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Payment>, Option<String>), StoreError> {
        let start = after.map(|sort| {
            Item::from([
                ("pk".to_owned(), text(debit_partition(collection))),
                ("sk".to_owned(), text(sort)),
            ])
        });
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", text(debit_partition(collection)))
            .set_exclusive_start_key(start)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(backend)?;
        let next = output
            .last_evaluated_key
            .as_ref()
            .and_then(|key| key.get("sk"))
            .and_then(|v| v.as_s().ok())
            .cloned();
        let mut keys = Vec::new();
        for item in output.items.unwrap_or_default() {
            let guid = |name: &str| {
                item.get(name)
                    .and_then(|v| v.as_s().ok())
                    .and_then(|g| EntityGuid::parse(g).ok())
                    .ok_or_else(|| StoreError::corrupt_without_cause("collection debit"))
            };
            let (contact, payment) = (guid("contact")?, guid("payment")?);
            keys.push(DynamoEntities::key_of(
                &collection.merchant_id,
                &contact,
                EntityKind::Payment,
                &payment,
            ));
        }
        Ok((self.entities.get_many(keys).await?, next))
    }
}
