//! Collections in memory: the same claims, leases and all-or-nothing batches, under the
//! entities' lock.

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::entities::MemoryEntities;
use super::filed::{Filed, Key, debit_sort};
use super::lock;
use crate::bank::{Claim, Collection, CollectionPage, CollectionStatus, CollectionStore, id_range};
use crate::ground::ids::EntityGuid;
use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::ground::storage::StoreError;
use crate::ledger::{Applied, ContactState, Entity, Payment, PaymentState, SubscriptionState};
use crate::listing::{Start, TimeBounds};
use crate::sepa::{Debit, payment_of};

#[derive(Clone, Default)]
pub struct MemoryCollections {
    held: Arc<Mutex<Filed>>,
    pub entities: MemoryEntities,
}

impl MemoryCollections {
    /// Collections claiming the payments of `entities` (and held beside them, so that the
    /// entities' changes can withdraw debits from them).
    pub fn over(entities: MemoryEntities) -> Self {
        Self {
            held: entities.filed.clone(),
            entities,
        }
    }
}

fn key(collection: &Collection) -> Key {
    (collection.merchant_id.clone(), collection.id.clone())
}

fn owned_and_building(held: &Filed, collection: &Collection, owner: Uuid) -> bool {
    held.headers
        .get(&key(collection))
        .is_some_and(|c| c.status == CollectionStatus::Building && c.lease.owner == owner)
}

impl CollectionStore for MemoryCollections {
    async fn pending(
        &self,
        merchant: &MerchantId,
        until: Date,
        limit: usize,
    ) -> Result<Vec<Payment>, StoreError> {
        let entities = lock(&self.entities.entities);
        let mut pending: Vec<Payment> = entities
            .partitions
            .iter()
            .filter(|((m, _), _)| m == merchant)
            .flat_map(|(_, partition)| partition.values())
            .filter_map(|entity| match entity {
                Entity::Payment(p)
                    if p.state == PaymentState::Pending
                        && p.debit.is_some()
                        && p.due_date <= until =>
                {
                    Some(p.clone())
                }
                _ => None,
            })
            .collect();
        pending.sort_by_key(|p| (p.due_date, p.guid.to_string()));
        pending.truncate(limit);
        Ok(pending)
    }

    async fn begin(&self, collection: &Collection) -> Result<bool, StoreError> {
        let mut held = lock(&self.held);
        if held.headers.contains_key(&key(collection)) {
            return Ok(false);
        }
        held.headers.insert(key(collection), collection.clone());
        Ok(true)
    }

    async fn building(&self, merchant: &MerchantId) -> Result<Vec<Collection>, StoreError> {
        Ok(lock(&self.held)
            .headers
            .values()
            .filter(|c| &c.merchant_id == merchant && c.status == CollectionStatus::Building)
            .cloned()
            .collect())
    }

    async fn lease(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut held = lock(&self.held);
        match held.headers.get_mut(&key(collection)) {
            Some(c)
                if c.status == CollectionStatus::Building
                    && (c.lease.until <= now || c.lease.owner == owner) =>
            {
                c.lease.owner = owner;
                c.lease.until = until;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn claim(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        claims: &[Claim],
        bytes: u64,
    ) -> Result<Applied, StoreError> {
        // Entities first, then collections: the order every memory store locks in.
        let mut entities = lock(&self.entities.entities);
        let mut held = lock(&self.held);
        let merchant = &collection.merchant_id;
        let stored = |contact: EntityGuid, guid: EntityGuid| {
            entities
                .partitions
                .get(&(merchant.clone(), contact))
                .and_then(|p| p.get(&guid))
        };
        let payments_hold = claims.iter().all(|claim| {
            let payment = &claim.payment;
            let contact_active = matches!(
                stored(payment.contact, payment.contact),
                Some(Entity::Contact(c)) if c.state == ContactState::Active
            );
            let subscription_active = payment.subscription.is_none_or(|sub| {
                matches!(
                    stored(payment.contact, sub),
                    Some(Entity::Subscription(s)) if s.state == SubscriptionState::Active
                )
            });
            stored(payment.contact, payment.guid).is_some_and(|e| e.version() == claim.expected)
                && contact_active
                && subscription_active
        });
        if !payments_hold || !owned_and_building(&held, collection, owner) {
            return Ok(Applied::Conflict);
        }
        for claim in claims {
            entities.put(merchant, Entity::Payment(claim.payment.clone()));
        }
        let debits = held.debits.entry(key(collection)).or_default();
        for claim in claims {
            let d = &claim.debit;
            let sort = debit_sort(d.sequence, d.collection_date, &d.end_to_end_id);
            debits.insert(sort, d.clone());
        }
        if let Some(c) = held.headers.get_mut(&key(collection)) {
            c.count += claims.len() as u64;
            let added: u64 = claims.iter().map(|claim| claim.debit.amount.cents()).sum();
            c.control_sum = Amount::from_cents(c.control_sum.cents() + added);
            c.file_bytes += bytes;
            c.lease.until = until;
        }
        Ok(Applied::Done)
    }

    async fn finish(&self, collection: &Collection, owner: Uuid) -> Result<bool, StoreError> {
        let mut held = lock(&self.held);
        if !owned_and_building(&held, collection, owner) {
            return Ok(false);
        }
        if let Some(c) = held.headers.get_mut(&key(collection)) {
            c.status = CollectionStatus::Ready;
            c.withdrawn_when_ready = c.withdrawn;
        }
        Ok(true)
    }

    async fn discard(&self, collection: &Collection, owner: Uuid) -> Result<bool, StoreError> {
        let mut held = lock(&self.held);
        let empty = held
            .headers
            .get(&key(collection))
            .is_some_and(|c| c.count == 0);
        if !owned_and_building(&held, collection, owner) || !empty {
            return Ok(false);
        }
        held.headers.remove(&key(collection));
        Ok(true)
    }

    async fn get(&self, merchant: &MerchantId, id: &str) -> Result<Option<Collection>, StoreError> {
        Ok(lock(&self.held)
            .headers
            .get(&(merchant.clone(), id.to_owned()))
            .cloned())
    }

    async fn debits(&self, collection: &Collection) -> Result<Vec<Debit>, StoreError> {
        Ok(lock(&self.held)
            .debits
            .get(&key(collection))
            .map(|d| d.values().cloned().collect())
            .unwrap_or_default())
    }

    async fn settle(
        &self,
        collection: &Collection,
        to: CollectionStatus,
        _now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut held = lock(&self.held);
        match held.headers.get_mut(&key(collection)) {
            Some(c)
                if c.status == CollectionStatus::Ready
                    && (to != CollectionStatus::Sent || !c.stale()) =>
            {
                c.status = to;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn members(
        &self,
        collection: &Collection,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Payment>, Option<String>), StoreError> {
        let limit = limit.max(1);
        let entities = lock(&self.entities.entities);
        let held = lock(&self.held);
        let merchant = &collection.merchant_id;
        let Some(debits) = held.debits.get(&key(collection)) else {
            return Ok((Vec::new(), None));
        };
        let page: Vec<(&String, &Debit)> = debits
            .iter()
            .filter(|(sort, _)| after.is_none_or(|after| sort.as_str() > after))
            .take(limit + 1)
            .collect();
        let next = (page.len() > limit).then(|| page[limit - 1].0.clone());
        let payments = page
            .iter()
            .take(limit)
            .filter_map(|(_, debit)| {
                let guid = payment_of(&debit.end_to_end_id)?;
                let located = entities.directory.get(&(merchant.clone(), guid))?;
                match entities
                    .partitions
                    .get(&(merchant.clone(), located.contact))?
                    .get(&guid)?
                {
                    Entity::Payment(p) => Some(p.clone()),
                    _ => None,
                }
            })
            .collect();
        Ok((payments, next))
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: usize,
    ) -> Result<CollectionPage, StoreError> {
        let (low, high) = id_range(bounds, start);
        let mut all: Vec<Collection> = lock(&self.held)
            .headers
            .values()
            .filter(|c| &c.merchant_id == merchant)
            .filter(|c| low.as_ref().is_none_or(|low| &c.id >= low))
            .filter(|c| high.as_ref().is_none_or(|high| &c.id < high))
            .cloned()
            .collect();
        all.sort_by(|a, b| b.id.cmp(&a.id));
        let skip = match start {
            Start::Skip(n) => usize::try_from(n).unwrap_or(usize::MAX),
            Start::After(_) => 0,
        };
        let mut items: Vec<Collection> = all.into_iter().skip(skip).take(limit + 1).collect();
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(CollectionPage { items, more })
    }
}
