//! Collections in the Collections table: a header per collection (`H#merchant`, id), a marker
//! while it builds (`B#merchant`, id) so unfinished ones are found without reading the rest,
//! and its debits (`D#merchant#id`, sequence#date#end-to-end id) in file order. Claims are
//! written with the payments they take, in the Entities table, in one transaction.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use jiff::Timestamp;
use jiff::civil::Date;
use serde_dynamo::aws_sdk_dynamodb_1::from_attribute_value;
use uuid::Uuid;

use super::collection_items::{
    BUILDING, READY, debit_partition, debit_sort, from_header, header_item, headers, markers, text,
};
use super::entities::{DynamoEntities, cancelled_by_conflict};
use super::entity_index::{BY_PENDING_INDEX, pending_partition};
use super::expression::number;
use super::{Item, backend, conditional, corrupt};
use crate::bank::{Claim, Collection, CollectionPage, CollectionStatus, CollectionStore};
use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ledger::{Applied, Entity, EntityKind, Payment};
use crate::listing::{Start, TimeBounds};
use crate::sepa::Debit;

#[derive(Clone)]
pub struct DynamoCollections {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) entities: DynamoEntities,
}

fn claim_sort(claim: &Claim) -> String {
    let debit = &claim.debit;
    debit_sort(debit.sequence, debit.collection_date, &debit.end_to_end_id)
}

fn transact<T>(
    item: Result<T, aws_sdk_dynamodb::error::BuildError>,
    wrap: impl FnOnce(T) -> TransactWriteItem,
) -> Result<TransactWriteItem, StoreError> {
    item.map(wrap).map_err(corrupt("transaction item"))
}

impl DynamoCollections {
    pub fn new(client: Client, table: impl Into<String>, entities: DynamoEntities) -> Self {
        Self {
            client,
            table: table.into(),
            entities,
        }
    }

    fn marker_key(&self, collection: &Collection) -> [(String, AttributeValue); 2] {
        [
            ("pk".to_owned(), text(markers(&collection.merchant_id))),
            ("sk".to_owned(), text(collection.id.clone())),
        ]
    }

    fn header_update(&self, collection: &Collection, owner: Uuid, expression: &str) -> Update {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("pk", text(headers(&collection.merchant_id)))
            .key("sk", text(collection.id.clone()))
            .update_expression(expression)
            .condition_expression("#status = :building AND leaseOwner = :owner")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":building", text(BUILDING))
            .expression_attribute_values(":owner", text(owner.to_string()));
        if expression.contains("#count") {
            update = update.expression_attribute_names("#count", "count");
        }
        update
            .build()
            .unwrap_or_else(|_| unreachable!("table, key and expression are set"))
    }

    async fn write(&self, items: Vec<TransactWriteItem>) -> Result<Applied, StoreError> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Applied::Done),
            Err(err) if cancelled_by_conflict(&err) => Ok(Applied::Conflict),
            Err(err) => Err(backend(err)),
        }
    }

    async fn query_all(&self, partition: String) -> Result<Vec<Item>, StoreError> {
        let (mut items, mut start) = (Vec::new(), None);
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", text(partition.clone()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(backend)?;
            items.extend(output.items.unwrap_or_default());
            match output.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(items),
            }
        }
    }
}

impl CollectionStore for DynamoCollections {
    async fn pending(
        &self,
        merchant: &MerchantId,
        until: Date,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let after = until
            .tomorrow()
            .map_or_else(|_| "9999".to_owned(), |d| d.to_string());
        let output = self
            .client
            .query()
            .table_name(self.entities.table())
            .index_name(BY_PENDING_INDEX)
            .key_condition_expression("pendingKey = :pk AND pendingSk < :after")
            .expression_attribute_values(":pk", text(pending_partition(merchant)))
            .expression_attribute_values(":after", text(after))
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(backend)?;
        let mut payments = Vec::new();
        for item in output.items.unwrap_or_default() {
            let entity: Entity = item
                .get("entity")
                .cloned()
                .map(from_attribute_value)
                .ok_or_else(|| StoreError::corrupt_without_cause("pending payment"))?
                .map_err(corrupt("pending payment"))?;
            if let Entity::Payment(payment) = entity {
                payments.push(payment);
            }
        }
        Ok(payments)
    }

    async fn begin(&self, collection: &Collection) -> Result<bool, StoreError> {
        let header = Put::builder()
            .table_name(&self.table)
            .set_item(Some(header_item(collection)?))
            .condition_expression("attribute_not_exists(pk)")
            .build();
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Item::from(self.marker_key(collection))))
            .build();
        let items = vec![
            transact(header, |p| TransactWriteItem::builder().put(p).build())?,
            transact(marker, |p| TransactWriteItem::builder().put(p).build())?,
        ];
        Ok(self.write(items).await? == Applied::Done)
    }

    async fn building(&self, merchant: &MerchantId) -> Result<Vec<Collection>, StoreError> {
        let mut building = Vec::new();
        for marker in self.query_all(markers(merchant)).await? {
            let Some(id) = marker.get("sk").and_then(|v| v.as_s().ok()) else {
                continue;
            };
            if let Some(collection) = self.get(merchant, id).await?
                && collection.status == CollectionStatus::Building
            {
                building.push(collection);
            }
        }
        Ok(building)
    }

    async fn lease(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", text(headers(&collection.merchant_id)))
            .key("sk", text(collection.id.clone()))
            .update_expression("SET leaseOwner = :owner, leaseUntil = :until")
            .condition_expression(
                "#status = :building AND (leaseUntil <= :now OR leaseOwner = :owner)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":building", text(BUILDING))
            .expression_attribute_values(":owner", text(owner.to_string()))
            .expression_attribute_values(":until", number(until.as_second()))
            .expression_attribute_values(":now", number(now.as_second()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    async fn claim(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        claims: &[Claim],
        bytes: u64,
    ) -> Result<Applied, StoreError> {
        if claims.is_empty() {
            return Ok(Applied::Done);
        }
        let merchant = &collection.merchant_id;
        let mut items = Vec::with_capacity(claims.len() * 4 + 1);
        let mut added = 0u64;
        // Each contact and subscription checked once: a transaction names an item only once.
        let mut checked: Vec<(EntityGuid, EntityKind, EntityGuid)> = Vec::new();
        for claim in claims {
            added += claim.debit.amount.cents();
            let payment = &claim.payment;
            items.push(self.entities.replacement(
                merchant,
                &Entity::Payment(payment.clone()),
                claim.expected,
            )?);
            let debit = serde_json::to_string(&claim.debit).map_err(corrupt("debit"))?;
            let put = Put::builder()
                .table_name(&self.table)
                .item("pk", text(debit_partition(collection)))
                .item("sk", text(claim_sort(claim)))
                .item("debit", text(debit))
                .item("contact", text(payment.contact.to_string()))
                .item("payment", text(payment.guid.to_string()))
                .condition_expression("attribute_not_exists(pk)")
                .build();
            items.push(transact(put, |p| {
                TransactWriteItem::builder().put(p).build()
            })?);
            let mut needs = vec![(payment.contact, EntityKind::Contact, payment.contact)];
            needs.extend(
                payment
                    .subscription
                    .map(|sub| (payment.contact, EntityKind::Subscription, sub)),
            );
            for need in needs {
                if !checked.contains(&need) {
                    let (contact, kind, guid) = need;
                    let key = DynamoEntities::key_of(merchant, &contact, kind, &guid);
                    items.push(self.entities.active_check(key)?);
                    checked.push(need);
                }
            }
        }
        let mut header = self.header_update(
            collection,
            owner,
            "SET #count = #count + :n, controlSum = controlSum + :sum, leaseUntil = :until, \
             fileBytes = if_not_exists(fileBytes, :zero) + :bytes",
        );
        let mut values = header
            .expression_attribute_values
            .take()
            .unwrap_or_default();
        values.insert(":n".to_owned(), number(claims.len()));
        values.insert(":sum".to_owned(), number(added));
        values.insert(":bytes".to_owned(), number(bytes));
        values.insert(":zero".to_owned(), number(0));
        values.insert(":until".to_owned(), number(until.as_second()));
        header.expression_attribute_values = Some(values);
        items.push(TransactWriteItem::builder().update(header).build());
        self.write(items).await
    }

    async fn finish(&self, collection: &Collection, owner: Uuid) -> Result<bool, StoreError> {
        // The file is fixed now: what was withdrawn so far is not in it, anything later is.
        let mut header = self.header_update(
            collection,
            owner,
            "SET #status = :ready, withdrawnWhenReady = if_not_exists(withdrawn, :zero)",
        );
        let mut values = header
            .expression_attribute_values
            .take()
            .unwrap_or_default();
        values.insert(":ready".to_owned(), text(READY));
        values.insert(":zero".to_owned(), number(0));
        header.expression_attribute_values = Some(values);
        let marker = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Item::from(self.marker_key(collection))))
            .build();
        let items = vec![
            TransactWriteItem::builder().update(header).build(),
            transact(marker, |d| TransactWriteItem::builder().delete(d).build())?,
        ];
        Ok(self.write(items).await? == Applied::Done)
    }

    async fn discard(&self, collection: &Collection, owner: Uuid) -> Result<bool, StoreError> {
        let header = Delete::builder()
            .table_name(&self.table)
            .key("pk", text(headers(&collection.merchant_id)))
            .key("sk", text(collection.id.clone()))
            .condition_expression("#status = :building AND leaseOwner = :owner AND #count = :zero")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":building", text(BUILDING))
            .expression_attribute_values(":owner", text(owner.to_string()))
            .expression_attribute_values(":zero", number(0))
            .build();
        let marker = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(Item::from(self.marker_key(collection))))
            .build();
        let items = vec![
            transact(header, |d| TransactWriteItem::builder().delete(d).build())?,
            transact(marker, |d| TransactWriteItem::builder().delete(d).build())?,
        ];
        Ok(self.write(items).await? == Applied::Done)
    }

    async fn get(&self, merchant: &MerchantId, id: &str) -> Result<Option<Collection>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", text(headers(merchant)))
            .key("sk", text(id))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(from_header).transpose()
    }

    async fn debits(&self, collection: &Collection) -> Result<Vec<Debit>, StoreError> {
        self.query_all(debit_partition(collection))
            .await?
            .into_iter()
            .map(|item| {
                let body = item
                    .get("debit")
                    .and_then(|v| v.as_s().ok())
                    .ok_or_else(|| StoreError::corrupt_without_cause("debit"))?;
                serde_json::from_str(body).map_err(corrupt("debit"))
            })
            .collect()
    }

    async fn settle(
        &self,
        collection: &Collection,
        to: CollectionStatus,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.settle_header(collection, to, now).await
    }

    async fn members(
        &self,
        collection: &Collection,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Payment>, Option<String>), StoreError> {
        self.member_page(collection, after, limit).await
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: usize,
    ) -> Result<CollectionPage, StoreError> {
        super::collection_listing::list(&self.client, &self.table, merchant, bounds, start, limit)
            .await
    }
}
