//! A ready collection's two ways on, as the merchant reports them: `sent` (the file was
//! uploaded to the bank; only now are its debits `submitted`, and only those become
//! `collected` after the return window) or `voided` (never sent; its debits pending again, for
//! the next file). The collection's status changes first, in one conditional write; its debits
//! follow in batches, each one transaction, so a call that stopped half-way, or ran out of
//! time, is finished by the next call (the same request again).

use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::model::{Collection, CollectionStatus};
use super::ports::CollectionStore;
use crate::ground::ids::MerchantId;
use crate::ground::retry::{CONFLICT_ATTEMPTS, pause_after_conflict};
use crate::ground::storage::StoreError;
use crate::ledger::{Applied, Change, Entity, EntityStore, EntityWrite, Payment, PaymentState};

/// Debits moved per transaction.
const BATCH: usize = 25;

/// Why a collection cannot go the way asked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CollectionStateError {
    #[error("the collection is still being built: POST /sepa/collections finishes it")]
    Building,
    #[error("the collection was voided; its debits go into the next collection")]
    Voided,
    #[error(
        "the collection was sent to the bank; a debit the bank has comes back only as a return"
    )]
    Sent,
    #[error(
        "{0} debits of this collection were withdrawn after its file was made (a subscription \
         was cancelled or held, or a donor erased): do not upload the file; void the collection \
         and collect again"
    )]
    Stale(u64),
}

#[derive(Debug, thiserror::Error)]
pub enum SendingError {
    #[error("collection not found")]
    NotFound,
    #[error(transparent)]
    State(#[from] CollectionStateError),
    #[error("storage failed")]
    Store(#[from] StoreError),
}

/// Where a collection stands after the call: `complete` once every debit followed.
#[derive(Clone, Debug, PartialEq)]
pub struct Moved {
    pub collection: Collection,
    /// Debits this call moved.
    pub debits: u64,
    pub complete: bool,
}

/// The way on a merchant reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    Sent,
    Voided,
}

pub struct Sending<'a, S, E> {
    pub store: &'a S,
    pub entities: &'a E,
    /// How long a call moves debits before it answers "not complete, call again".
    pub budget: Duration,
}

impl<S: CollectionStore, E: EntityStore> Sending<'_, S, E> {
    /// Takes the collection `way` (or goes on with it) and moves its debits.
    ///
    /// # Errors
    /// `NotFound` for an unknown id or another merchant's; `State` when the collection's
    /// status forbids it (nothing changes then); `Store` when storage fails (the next call
    /// goes on).
    pub async fn go(
        &self,
        merchant: &MerchantId,
        id: &str,
        way: Way,
        now: Timestamp,
    ) -> Result<Moved, SendingError> {
        let started = Instant::now();
        let mut collection = self.settled(merchant, id, way, now).await?;
        let mut moved = 0;
        let mut after: Option<String> = None;
        loop {
            if started.elapsed() >= self.budget {
                return Ok(Moved {
                    collection,
                    debits: moved,
                    complete: false,
                });
            }
            let (count, next) = self
                .move_page(&collection, after.as_deref(), way, now)
                .await?;
            moved += count;
            match next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        if let Some(fresh) = self.store.get(merchant, id).await? {
            collection = fresh;
        }
        Ok(Moved {
            collection,
            debits: moved,
            complete: true,
        })
    }

    /// The collection with its status changed to `way` (or already so).
    async fn settled(
        &self,
        merchant: &MerchantId,
        id: &str,
        way: Way,
        now: Timestamp,
    ) -> Result<Collection, SendingError> {
        for _ in 0..CONFLICT_ATTEMPTS {
            let collection = self
                .store
                .get(merchant, id)
                .await?
                .ok_or(SendingError::NotFound)?;
            let target = match way {
                Way::Sent => CollectionStatus::Sent,
                Way::Voided => CollectionStatus::Voided,
            };
            match (collection.status, way) {
                (status, _) if status == target => return Ok(collection),
                (CollectionStatus::Building, _) => Err(CollectionStateError::Building)?,
                (CollectionStatus::Voided, Way::Sent) => Err(CollectionStateError::Voided)?,
                (CollectionStatus::Sent, Way::Voided) => Err(CollectionStateError::Sent)?,
                _ if way == Way::Sent && collection.stale() => Err(CollectionStateError::Stale(
                    collection.withdrawn - collection.withdrawn_when_ready,
                ))?,
                _ => {
                    if self.store.settle(&collection, target, now).await? {
                        return Ok(Collection {
                            status: target,
                            ..collection
                        });
                    }
                }
            }
        }
        Err(StoreError::backend("the collection kept changing while it was settled").into())
    }

    /// One page of the collection's debits moved on; the next page's start, if any.
    async fn move_page(
        &self,
        collection: &Collection,
        after: Option<&str>,
        way: Way,
        now: Timestamp,
    ) -> Result<(u64, Option<String>), SendingError> {
        for attempt in 0..CONFLICT_ATTEMPTS {
            let (payments, next) = self.store.members(collection, after, BATCH).await?;
            let writes: Vec<EntityWrite> = payments
                .iter()
                .filter(|p| {
                    p.state == PaymentState::Claimed
                        && p.debit.as_ref().and_then(|d| d.collection.as_deref())
                            == Some(collection.id.as_str())
                })
                .map(|p| moved_on(p, way, now))
                .collect();
            let count = writes.len() as u64;
            if writes.is_empty() {
                return Ok((0, next));
            }
            let change = Change {
                merchant: collection.merchant_id.clone(),
                conditions: Vec::new(),
                writes,
                records: Vec::new(),
            };
            match self.entities.apply(&change).await? {
                Applied::Done => return Ok((count, next)),
                Applied::Conflict => pause_after_conflict(attempt).await,
            }
        }
        Err(StoreError::backend("the collection's debits kept changing").into())
    }
}

/// A claimed debit as its collection's way leaves it: `submitted` to the bank, or pending again
/// without a collection.
fn moved_on(payment: &Payment, way: Way, now: Timestamp) -> EntityWrite {
    let mut after = payment.clone();
    match way {
        Way::Sent => after.state = PaymentState::Submitted,
        Way::Voided => {
            after.state = PaymentState::Pending;
            if let Some(debit) = after.debit.as_mut() {
                debit.collection = None;
                debit.collection_date = None;
            }
        }
    }
    after.updated_at = now;
    after.version = payment.version + 1;
    EntityWrite::Replace {
        expected: payment.version,
        entity: Entity::Payment(after),
    }
}
