//! Payment entities and the changelog in memory: one lock over entities, directory, changelog
//! and DataSets while a change is checked and written, so a change is all or nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::datasets::MemoryDataSets;
use super::filed::Filed;
use super::listing::{Listable, listed_page};
use super::lock;
use crate::changelog::{ChangelogEntry, ChangelogPage, ChangelogStatus, ChangelogStore};
use serde_json::Value;

use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::ledger::{
    Applied, Change, Donor, Entity, EntityStore, EntityWrite, Located, RecordWrite,
};
use crate::listing::{PageLimit, Position, Start, TimeBounds};
use crate::wire;

#[derive(Clone, Default)]
pub struct MemoryChangelogs {
    entries: Arc<Mutex<HashMap<ChangelogGuid, ChangelogEntry>>>,
    /// Entries whose `metaData` an erasure went over (a rewrite of the entry puts it back
    /// among those to go over, as the DynamoDB index does).
    meta_erased: Arc<Mutex<HashSet<ChangelogGuid>>>,
}

impl Listable for ChangelogEntry {
    fn merchant(&self) -> &MerchantId {
        &self.merchant_id
    }

    fn position(&self) -> Position {
        Position {
            created_at: self.created_at,
            guid: self.guid.uuid(),
        }
    }

    fn listed_bytes(&self) -> u64 {
        wire::changelogs::listed_bytes(self)
    }
}

impl ChangelogStore for MemoryChangelogs {
    async fn get(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
    ) -> Result<Option<ChangelogEntry>, StoreError> {
        Ok(lock(&self.entries)
            .get(guid)
            .filter(|e| &e.merchant_id == merchant)
            .cloned())
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<ChangelogPage, StoreError> {
        let (items, more) =
            listed_page(lock(&self.entries).values(), merchant, bounds, start, limit);
        Ok(ChangelogPage {
            items,
            more,
            read_units: 0.0,
        })
    }

    async fn with_meta_data(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        limit: usize,
    ) -> Result<Vec<ChangelogEntry>, StoreError> {
        let erased = lock(&self.meta_erased).clone();
        Ok(lock(&self.entries)
            .values()
            .filter(|e| &e.merchant_id == merchant && &e.contact_guid == contact)
            .filter(|e| e.meta_data.is_some() && !erased.contains(&e.guid))
            .take(limit)
            .cloned()
            .collect())
    }

    async fn erase_meta_data(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
        meta_data: Option<Value>,
    ) -> Result<(), StoreError> {
        let mut entries = lock(&self.entries);
        if let Some(entry) = entries.get_mut(guid).filter(|e| &e.merchant_id == merchant) {
            entry.meta_data = meta_data;
            lock(&self.meta_erased).insert(*guid);
        }
        Ok(())
    }
}

type Partition = BTreeMap<EntityGuid, Entity>;

/// Entities by (merchant, contact) partition, and the directory of every entity's home.
#[derive(Default)]
pub(super) struct Entities {
    pub(super) partitions: HashMap<(MerchantId, EntityGuid), Partition>,
    pub(super) directory: HashMap<(MerchantId, EntityGuid), Located>,
}

#[derive(Clone, Default)]
pub struct MemoryEntities {
    pub(super) entities: Arc<Mutex<Entities>>,
    /// The collections, which withdrawn debits leave.
    pub(super) filed: Arc<Mutex<Filed>>,
    pub changelogs: MemoryChangelogs,
    pub datasets: MemoryDataSets,
}

impl MemoryEntities {
    /// Entities whose changes record into `datasets` (and their own changelog).
    pub fn recording_into(datasets: MemoryDataSets) -> Self {
        Self {
            datasets,
            ..Self::default()
        }
    }
}

impl Entities {
    fn stored(
        &self,
        merchant: &MerchantId,
        contact: EntityGuid,
        guid: EntityGuid,
    ) -> Option<&Entity> {
        self.partitions
            .get(&(merchant.clone(), contact))
            .and_then(|p| p.get(&guid))
    }

    /// Whether every write, condition and record holds as the change insists.
    fn holds(
        &self,
        change: &Change,
        changelogs: &HashMap<ChangelogGuid, ChangelogEntry>,
        datasets: &MemoryDataSets,
        filed: &Filed,
    ) -> bool {
        let m = &change.merchant;
        let written_contacts: Vec<EntityGuid> = change
            .writes
            .iter()
            .filter_map(|w| match w {
                EntityWrite::Replace {
                    entity: Entity::Contact(c),
                    ..
                } => Some(c.guid),
                _ => None,
            })
            .collect();
        let conditions = change.conditions.iter().filter(|(c, _)| !written_contacts.contains(c)).all(|(contact, states)| {
            matches!(self.stored(m, *contact, *contact), Some(Entity::Contact(c)) if states.contains(&c.state))
        });
        let writes = change.writes.iter().all(|write| match write {
            EntityWrite::Create(e) => !self.directory.contains_key(&(m.clone(), e.guid())),
            EntityWrite::Replace { entity, expected } => {
                self.stored(m, entity.contact(), entity.guid())
                    .map(Entity::version)
                    == Some(*expected)
            }
            EntityWrite::Move {
                entity,
                from,
                expected,
            } => {
                self.stored(m, *from, entity.guid()).map(Entity::version) == Some(*expected)
                    && self.stored(m, entity.contact(), entity.guid()).is_none()
            }
        });
        let items = super::lock(&datasets.items);
        let records = change.records.iter().all(|record| match record {
            RecordWrite::NewChangelog(e) => !changelogs.contains_key(&e.guid),
            RecordWrite::UpdateChangelog(e) => changelogs
                .get(&e.guid)
                .is_some_and(|held| held.status == ChangelogStatus::InProgress),
            RecordWrite::NewDataSet(ds) => !items.contains_key(&ds.guid),
            RecordWrite::Withdrawal { collection, .. } => filed.unsent(m, collection),
        });
        conditions && writes && records
    }

    pub(super) fn put(&mut self, merchant: &MerchantId, entity: Entity) {
        let located = Located {
            contact: entity.contact(),
            kind: entity.kind(),
        };
        self.directory
            .insert((merchant.clone(), entity.guid()), located);
        self.partitions
            .entry((merchant.clone(), entity.contact()))
            .or_default()
            .insert(entity.guid(), entity);
    }
}

impl EntityStore for MemoryEntities {
    async fn locate(
        &self,
        merchant: &MerchantId,
        guid: &EntityGuid,
    ) -> Result<Option<Located>, StoreError> {
        Ok(lock(&self.entities)
            .directory
            .get(&(merchant.clone(), *guid))
            .copied())
    }

    async fn donor(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
    ) -> Result<Option<Donor>, StoreError> {
        let entities = lock(&self.entities);
        Ok(entities
            .partitions
            .get(&(merchant.clone(), *contact))
            .and_then(|p| Donor::from_entities(p.values().cloned().collect())))
    }

    async fn apply(&self, change: &Change) -> Result<Applied, StoreError> {
        let mut entities = lock(&self.entities);
        let mut changelogs = lock(&self.changelogs.entries);
        let mut filed = lock(&self.filed);
        if !entities.holds(change, &changelogs, &self.datasets, &filed) {
            return Ok(Applied::Conflict);
        }
        let m = &change.merchant;
        for write in &change.writes {
            match write {
                EntityWrite::Create(e) | EntityWrite::Replace { entity: e, .. } => {
                    entities.put(m, e.clone())
                }
                EntityWrite::Move { entity, from, .. } => {
                    if let Some(p) = entities.partitions.get_mut(&(m.clone(), *from)) {
                        p.remove(&entity.guid());
                    }
                    entities.put(m, entity.clone());
                }
            }
        }
        let mut datasets = lock(&self.datasets.items);
        for record in &change.records {
            match record {
                RecordWrite::NewChangelog(e) | RecordWrite::UpdateChangelog(e) => {
                    changelogs.insert(e.guid, e.clone());
                    lock(&self.changelogs.meta_erased).remove(&e.guid);
                }
                RecordWrite::NewDataSet(ds) => {
                    datasets.insert(ds.guid, ds.clone());
                }
                RecordWrite::Withdrawal {
                    collection,
                    payment,
                } => filed.withdraw(m, collection, payment),
            }
        }
        Ok(Applied::Done)
    }
}
