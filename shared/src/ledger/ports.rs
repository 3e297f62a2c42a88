//! What the payment entities need from storage.

use std::future::Future;

use super::donor::Donor;
use super::model::{ContactState, Entity, EntityKind};
use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::dataset::DataSet;
use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;

/// Where an entity lives: its contact's partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Located {
    pub contact: EntityGuid,
    pub kind: EntityKind,
}

/// One entity written by a change.
#[derive(Clone, Debug, PartialEq)]
pub enum EntityWrite {
    /// A new entity (and its directory entry); refused if its guid exists.
    Create(Entity),
    /// The entity as changed, insisting it is still at the version it was read at.
    Replace { entity: Entity, expected: u64 },
    /// The entity moved into another contact's partition (a merge): written there, removed
    /// from `from` insisting on the version read, its directory entry pointed at the new home.
    Move {
        entity: Entity,
        from: EntityGuid,
        expected: u64,
    },
}

/// A record written with a change.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordWrite {
    NewChangelog(ChangelogEntry),
    /// An entry of a change in batches, updated as the batches go (never a second entry).
    UpdateChangelog(ChangelogEntry),
    NewDataSet(DataSet),
    /// A claimed debit (`payment`, as it was read) leaving the collection that claimed it,
    /// insisting the collection is not yet sent: its debit is taken out of the file and the
    /// collection's count, sum and withdrawals change with it. A collection that is ready
    /// cannot be sent after that; it is voided and the rest collected again.
    Withdrawal {
        collection: String,
        payment: Box<super::model::Payment>,
    },
}

/// Everything one action writes, in one transaction: all of it, or (on `Conflict`) nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub merchant: MerchantId,
    /// The contacts whose states the change depends on, checked in the same transaction (a
    /// contact the change writes insists on its version instead).
    pub conditions: Vec<(EntityGuid, &'static [ContactState])>,
    pub writes: Vec<EntityWrite>,
    pub records: Vec<RecordWrite>,
}

impl Change {
    /// The changelog entry of the batch operation (erasure, merge) this change starts.
    pub fn starts_batches(&self) -> Option<ChangelogGuid> {
        self.records.iter().find_map(|record| match record {
            RecordWrite::NewChangelog(entry) if entry.status == ChangelogStatus::InProgress => {
                Some(entry.guid)
            }
            _ => None,
        })
    }

    /// The entry of the batch operation this change goes on with.
    pub fn batch_entry(self) -> Option<ChangelogEntry> {
        self.records.into_iter().find_map(|record| match record {
            RecordWrite::UpdateChangelog(entry) => Some(entry),
            _ => None,
        })
    }

    /// Whether this change ends a batch operation.
    pub fn finishes_batches(&self) -> bool {
        self.records.iter().any(|record| {
            matches!(record, RecordWrite::UpdateChangelog(entry) if entry.status == ChangelogStatus::Completed)
        })
    }
}

/// How a change went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// An entity, the contact or a record was not as the change insisted: nothing written.
    Conflict,
}

pub trait EntityStore: Send + Sync {
    /// Where the merchant's entity with this guid lives; `None` for unknown guids and for
    /// other merchants' entities. Strongly consistent.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn locate(
        &self,
        merchant: &MerchantId,
        guid: &EntityGuid,
    ) -> impl Future<Output = Result<Option<Located>, StoreError>> + Send;

    /// The merchant's contact with all its entities: one Query, strongly consistent.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn donor(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
    ) -> impl Future<Output = Result<Option<Donor>, StoreError>> + Send;

    /// Applies a change in one transaction.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails (then nothing was written); `Corrupt`
    /// when a write cannot be encoded.
    fn apply(&self, change: &Change) -> impl Future<Output = Result<Applied, StoreError>> + Send;
}
