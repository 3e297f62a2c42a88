//! Payment entities in the Entities table, one partition per contact (`C#merchant#contact`):
//! the contact (`contact`) and its payment methods, subscriptions, payments and add-ons
//! (`pm#…`, `sub#…`, `pay#…`, `addon#…`), so one Query reads a donor. A directory item per
//! entity (`G#merchant#guid`) says which partition holds it, read strongly consistent.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem};
use serde_dynamo::aws_sdk_dynamodb_1::{from_attribute_value, to_attribute_value};

use super::changelogs::DynamoChangelogs;
use super::datasets::DynamoDataSets;
use super::entity_index::add_index_keys;
use super::entity_stream::BATCH_PENDING;
use super::expression::number;
use super::{Item, backend, corrupt};
use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ledger::{
    Applied, Change, ContactState, Donor, Entity, EntityKind, EntityStore, EntityWrite, Located,
    Payment, RecordWrite,
};

/// The entities, with the tables their changes record into.
#[derive(Clone)]
pub struct DynamoEntities {
    pub(super) client: Client,
    pub(super) table: String,
    pub(super) changelogs: DynamoChangelogs,
    pub(super) datasets: DynamoDataSets,
    /// The Collections table, which a withdrawn debit leaves: set for the functions whose
    /// actions withdraw debits (and whose policy allows it), `None` for the rest.
    pub(super) collections: Option<String>,
}

pub(super) fn partition(merchant: &MerchantId, contact: &EntityGuid) -> String {
    format!("C#{merchant}#{contact}")
}

fn directory(merchant: &MerchantId, guid: &EntityGuid) -> String {
    format!("G#{merchant}#{guid}")
}

fn sort_key(entity: &Entity) -> String {
    let prefix = match entity.kind() {
        EntityKind::Contact => return "contact".to_owned(),
        EntityKind::PaymentMethod => "pm",
        EntityKind::Subscription => "sub",
        EntityKind::Payment => "pay",
        EntityKind::AddOn => "addon",
    };
    format!("{prefix}#{}", entity.guid())
}

fn kind_name(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Contact => "contact",
        EntityKind::PaymentMethod => "paymentMethod",
        EntityKind::Subscription => "subscription",
        EntityKind::Payment => "payment",
        EntityKind::AddOn => "addOn",
    }
}

fn kind_of(name: &str) -> Option<EntityKind> {
    [
        EntityKind::Contact,
        EntityKind::PaymentMethod,
        EntityKind::Subscription,
        EntityKind::Payment,
        EntityKind::AddOn,
    ]
    .into_iter()
    .find(|k| kind_name(*k) == name)
}

fn contact_state(state: ContactState) -> &'static str {
    match state {
        ContactState::Active => "active",
        ContactState::Archived => "archived",
        ContactState::Merged => "merged",
        ContactState::Anonymising => "anonymising",
        ContactState::Anonymised => "anonymised",
    }
}

pub(super) fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

impl DynamoEntities {
    pub fn new(
        client: Client,
        table: impl Into<String>,
        changelogs: DynamoChangelogs,
        datasets: DynamoDataSets,
        collections: Option<String>,
    ) -> Self {
        Self {
            client,
            table: table.into(),
            changelogs,
            datasets,
            collections,
        }
    }

    pub(super) fn item(&self, merchant: &MerchantId, entity: &Entity) -> Result<Item, StoreError> {
        let mut item = Item::new();
        item.insert("pk".into(), text(partition(merchant, &entity.contact())));
        item.insert("sk".into(), text(sort_key(entity)));
        item.insert("merchantId".into(), text(merchant.as_str()));
        item.insert("entityGuid".into(), text(entity.guid().to_string()));
        item.insert("version".into(), number(entity.version()));
        if let Entity::Contact(c) = entity {
            item.insert("state".into(), text(contact_state(c.state)));
            // Sparse: only while a batch operation is pending does the stream's filter hand
            // the contact's writes to the continuation.
            if let Some(pending) = &c.pending {
                item.insert(BATCH_PENDING.into(), text(pending.changelog.to_string()));
            }
        }
        add_index_keys(&mut item, merchant, entity);
        item.insert(
            "entity".into(),
            to_attribute_value(entity).map_err(corrupt("entity to write"))?,
        );
        Ok(item)
    }

    fn put(
        &self,
        item: Item,
        condition: Option<(&str, Vec<(&str, AttributeValue)>)>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        if let Some((expression, values)) = condition {
            put = put.condition_expression(expression);
            for (name, value) in values {
                put = put.expression_attribute_values(name, value);
            }
        }
        Ok(TransactWriteItem::builder()
            .put(put.build().map_err(corrupt("transaction item"))?)
            .build())
    }

    fn directory_put(
        &self,
        merchant: &MerchantId,
        entity: &Entity,
        only_new: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = Item::new();
        item.insert("pk".into(), text(directory(merchant, &entity.guid())));
        item.insert("sk".into(), text("guid"));
        item.insert("merchantId".into(), text(merchant.as_str()));
        item.insert("contactGuid".into(), text(entity.contact().to_string()));
        item.insert("kind".into(), text(kind_name(entity.kind())));
        let condition = only_new.then(|| ("attribute_not_exists(pk)", Vec::new()));
        self.put(item, condition)
    }

    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    pub(super) fn table(&self) -> &str {
        &self.table
    }

    /// The transaction item of replacing an entity, insisting on the version it was read at.
    pub(super) fn replacement(
        &self,
        merchant: &MerchantId,
        entity: &Entity,
        expected: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        self.put(
            self.item(merchant, entity)?,
            Some(("version = :expected", vec![(":expected", number(expected))])),
        )
    }

    /// The transaction items of creating an entity: the entity and its directory entry.
    pub(super) fn creation(
        &self,
        merchant: &MerchantId,
        entity: &Entity,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        Ok([
            self.put(
                self.item(merchant, entity)?,
                Some(("attribute_not_exists(pk)", Vec::new())),
            )?,
            self.directory_put(merchant, entity, true)?,
        ])
    }

    fn writes(&self, change: &Change) -> Result<Vec<TransactWriteItem>, StoreError> {
        let m = &change.merchant;
        let mut items = Vec::new();
        let mut written_contacts = Vec::new();
        for write in &change.writes {
            match write {
                EntityWrite::Create(entity) => items.extend(self.creation(m, entity)?),
                EntityWrite::Replace { entity, expected } => {
                    if let Entity::Contact(c) = entity {
                        written_contacts.push(c.guid);
                    }
                    items.push(self.replacement(m, entity, *expected)?);
                }
                EntityWrite::Move {
                    entity,
                    from,
                    expected,
                } => {
                    items.push(self.put(
                        self.item(m, entity)?,
                        Some(("attribute_not_exists(pk)", Vec::new())),
                    )?);
                    let delete = Delete::builder()
                        .table_name(&self.table)
                        .key("pk", text(partition(m, from)))
                        .key("sk", text(sort_key(entity)))
                        .condition_expression("version = :expected")
                        .expression_attribute_values(":expected", number(*expected))
                        .build()
                        .map_err(corrupt("transaction item"))?;
                    items.push(TransactWriteItem::builder().delete(delete).build());
                    items.push(self.directory_put(m, entity, false)?);
                }
            }
        }
        for (contact, states) in change
            .conditions
            .iter()
            .filter(|(c, _)| !written_contacts.contains(c))
        {
            let names: Vec<String> = (0..states.len()).map(|i| format!(":s{i}")).collect();
            let mut check = ConditionCheck::builder()
                .table_name(&self.table)
                .key("pk", text(partition(m, contact)))
                .key("sk", text("contact"))
                .condition_expression(format!("#state IN ({})", names.join(", ")))
                .expression_attribute_names("#state", "state");
            for (name, state) in names.iter().zip(states.iter()) {
                check = check.expression_attribute_values(name, text(contact_state(*state)));
            }
            let check = check.build().map_err(corrupt("transaction item"))?;
            items.push(TransactWriteItem::builder().condition_check(check).build());
        }
        let mut withdrawals: Vec<(&str, Vec<&Payment>)> = Vec::new();
        for record in &change.records {
            items.push(match record {
                RecordWrite::NewChangelog(entry) => self.changelogs.creation(entry)?,
                RecordWrite::UpdateChangelog(entry) => self.changelogs.update(entry)?,
                RecordWrite::NewDataSet(dataset) => self.datasets.creation(dataset)?,
                RecordWrite::Withdrawal {
                    collection,
                    payment,
                } => {
                    match withdrawals.iter_mut().find(|(c, _)| c == collection) {
                        Some((_, payments)) => payments.push(payment),
                        None => withdrawals.push((collection, vec![payment])),
                    }
                    continue;
                }
            });
        }
        for (collection, payments) in withdrawals {
            items.extend(self.withdrawal(m, collection, &payments)?);
        }
        Ok(items)
    }
}

pub(super) fn entity_from(item: &Item) -> Result<Entity, StoreError> {
    let value = item
        .get("entity")
        .cloned()
        .ok_or_else(|| StoreError::corrupt_without_cause("entity item"))?;
    from_attribute_value(value).map_err(corrupt("entity item"))
}

impl EntityStore for DynamoEntities {
    async fn locate(
        &self,
        merchant: &MerchantId,
        guid: &EntityGuid,
    ) -> Result<Option<Located>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", text(directory(merchant, guid)))
            .key("sk", text("guid"))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        let Some(item) = output.item else {
            return Ok(None);
        };
        let field = |name: &str| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .map(String::as_str)
        };
        let contact = field("contactGuid")
            .and_then(|g| EntityGuid::parse(g).ok())
            .ok_or_else(|| StoreError::corrupt_without_cause("directory entry"))?;
        let kind = field("kind")
            .and_then(kind_of)
            .ok_or_else(|| StoreError::corrupt_without_cause("directory entry"))?;
        Ok(Some(Located { contact, kind }))
    }

    async fn donor(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
    ) -> Result<Option<Donor>, StoreError> {
        let mut entities = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", text(partition(merchant, contact)))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(backend)?;
            for item in output.items() {
                entities.push(entity_from(item)?);
            }
            match output.last_evaluated_key {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        Ok(Donor::from_entities(entities))
    }

    async fn apply(&self, change: &Change) -> Result<Applied, StoreError> {
        let items = self.writes(change)?;
        if items.is_empty() {
            return Ok(Applied::Done);
        }
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
}

/// A transaction cancelled because a condition failed or a concurrent transaction held an
/// item: a conflict to read again and decide on. Any other cancellation is a failure.
pub(super) fn cancelled_by_conflict<R>(
    err: &aws_sdk_dynamodb::error::SdkError<TransactWriteItemsError, R>,
) -> bool {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        err.as_service_error()
    else {
        return false;
    };
    cancelled.cancellation_reasons().iter().all(|reason| {
        matches!(
            reason.code(),
            None | Some("None" | "ConditionalCheckFailed" | "TransactionConflict")
        )
    })
}
