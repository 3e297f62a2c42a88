//! The scheduler's reads in memory: everything in shard 0, in the indexes' order.

use jiff::civil::Date;

use super::entities::MemoryEntities;
use super::lock;
use crate::ground::storage::StoreError;
use crate::ledger::{Entity, PaymentState, SubscriptionState};
use crate::recurring::{Due, DuePage, Schedule};

#[derive(Clone, Default)]
pub struct MemorySchedule {
    pub entities: MemoryEntities,
}

impl MemorySchedule {
    /// Every entity of shard 0 that `pick` dates on or before `until`, ordered by that date.
    fn due(&self, shard: u16, until: Date, pick: impl Fn(&Entity) -> Option<Date>) -> DuePage {
        if shard != 0 {
            return DuePage::default();
        }
        let entities = lock(&self.entities.entities);
        let mut items: Vec<(String, Due)> = entities
            .partitions
            .iter()
            .flat_map(|((merchant, contact), partition)| {
                partition.values().filter_map(|entity| {
                    let date = pick(entity).filter(|d| *d <= until)?;
                    Some((
                        format!("{date}#{}", entity.guid()),
                        Due {
                            merchant: merchant.clone(),
                            contact: *contact,
                            entity: entity.guid(),
                        },
                    ))
                })
            })
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        DuePage {
            items: items.into_iter().map(|(_, due)| due).collect(),
            next: None,
        }
    }
}

impl Schedule for MemorySchedule {
    async fn subscriptions_due(
        &self,
        shard: u16,
        until: Date,
        _after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        Ok(self.due(shard, until, |entity| match entity {
            Entity::Subscription(s) if s.state == SubscriptionState::Active => Some(s.wakes_on()),
            _ => None,
        }))
    }

    async fn debits_submitted(
        &self,
        shard: u16,
        until: Date,
        _after: Option<String>,
    ) -> Result<DuePage, StoreError> {
        Ok(self.due(shard, until, |entity| match entity {
            Entity::Payment(p) if p.state == PaymentState::Submitted => {
                p.debit.as_ref().and_then(|d| d.collection_date)
            }
            _ => None,
        }))
    }
}
