//! `POST /sepa/collections` as a service: finish a collection an earlier call left building
//! (once its lease ran out, or given back when its time budget ran out), or begin one; claim
//! the merchant's pending due debits into it in batches, each batch one transaction that
//! insists every payment is still pending; then mark it ready. A file holds at most 5,000
//! debits. Concurrent calls each build their own collection, and a payment goes into exactly
//! one of them; retries with one `Idempotency-Key` all build and answer the same one.

use std::time::{Duration, Instant};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use uuid::Uuid;

use super::claims::{BATCH, batch, fit};
use super::model::{Collection, Lease, MAX_DEBITS_PER_FILE};
use super::ports::CollectionStore;
use crate::dataset::Retry;
use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::ground::storage::StoreError;
use crate::idempotency::{IdempotencyStore, KEY_LIFETIME, Reservation};
use crate::ledger::Applied;
use crate::sepa::{Creditor, calendar};

/// How many pending payments a batch picks from, so that concurrent calls collide seldom.
const WINDOW: usize = 200;
/// Batches in a row that lost every payment to other calls before this one stops claiming.
const CONFLICTS_TO_GIVE_UP: u32 = 20;
/// How long a call holds its collection between batches.
pub const LEASE: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no SEPA creditor settings: PUT /sepa/creditor first")]
    NoCreditor,
    #[error("no pending direct debit is due by {0}")]
    NothingDue(Date),
    #[error(
        "this Idempotency-Key was used within the last 24 hours for another collection request; \
         use a new key"
    )]
    KeyReused,
    #[error("storage failed")]
    Store(#[from] StoreError),
}

/// What to collect: payments due by `collection_date` (default: every debit announced so far,
/// i.e. due within the pre-notification days), at most `max_payments`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CollectRequest {
    pub collection_date: Option<Date>,
    pub max_payments: Option<u64>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CollectInputError {
    #[error("malformed collection request: {0}")]
    Malformed(String),
    #[error("'maxPayments' must be 1 to 5000: a file holds at most 5,000 debits")]
    MaxPayments,
}

pub struct Collector<'a, S, I> {
    pub store: &'a S,
    pub keys: &'a I,
    pub lease: Duration,
    /// How long a call claims before it answers "call again" (well under the function's
    /// timeout); it always claims one batch.
    pub budget: Duration,
}

/// What a call made of the collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collected {
    pub collection: Collection,
    /// `false`: still building (the time budget was spent, or another call with the same
    /// `Idempotency-Key` is building it); the next call goes on with it.
    pub complete: bool,
    /// Due debits left for another file (this one was full).
    pub more_due: bool,
}

/// How a keyed call finds its collection.
enum Keyed {
    /// Leased to this call, to build.
    Mine(Collection),
    /// Built already, or being built by a live call: answered as it is.
    Answer(Collection),
}

impl<S: CollectionStore, I: IdempotencyStore> Collector<'_, S, I> {
    /// Builds (or finishes) one collection of `merchant`'s due debits and answers it: ready,
    /// or still building when the budget ran out. With `retry`, the first call reserves its
    /// key for the collection's id, and every retry answers (or goes on with) that collection.
    ///
    /// # Errors
    /// `NoCreditor` without creditor settings, `NothingDue` when no debit is due (nothing is
    /// kept then), `KeyReused` for a key of another request, `Store` when storage fails (the
    /// collection is finished by the next call).
    pub async fn collect(
        &self,
        merchant: &MerchantId,
        creditor: Option<&Creditor>,
        request: CollectRequest,
        retry: Option<Retry>,
        now: Timestamp,
        zone: &TimeZone,
    ) -> Result<Collected, CollectError> {
        let started = Instant::now();
        let creditor = creditor.ok_or(CollectError::NoCreditor)?;
        let today = now.to_zoned(zone.clone()).date();
        let until = request.collection_date.unwrap_or_else(|| {
            today
                .checked_add(i64::from(creditor.prenotification_days).days())
                .unwrap_or(today)
        });
        let owner = Uuid::new_v4();
        let lease = Lease {
            owner,
            until: until_after(now, self.lease),
        };
        let mut collection = match retry {
            Some(retry) => {
                let id = self.reserve(merchant, retry, now).await?;
                match self.keyed(id, merchant, creditor, now, zone, lease).await? {
                    Keyed::Mine(collection) => collection,
                    Keyed::Answer(collection) => return self.answer(collection, until).await,
                }
            }
            None => {
                self.take_over_or_begin(merchant, creditor, now, zone, lease)
                    .await?
            }
        };
        let max = request
            .max_payments
            .unwrap_or(MAX_DEBITS_PER_FILE)
            .min(MAX_DEBITS_PER_FILE);
        let earliest = calendar::after(today);
        let (mut conflicts, mut batches, mut drained) = (0, 0u32, false);
        while collection.count < max && conflicts < CONFLICTS_TO_GIVE_UP {
            let pending = self.store.pending(merchant, until, WINDOW).await?;
            if pending.is_empty() {
                drained = true;
                break;
            }
            if batches > 0 && started.elapsed() >= self.budget {
                // Out of time: the lease is given back, so the next call goes on at once.
                self.store.lease(&collection, owner, now, now).await?;
                return self.answer(self.stored(collection).await?, until).await;
            }
            batches += 1;
            let room = usize::try_from(max - collection.count).unwrap_or(usize::MAX);
            let mut claims = batch(&pending, room.min(BATCH), &collection, earliest, now);
            let bytes = fit(&mut claims, &collection);
            if claims.is_empty() {
                break;
            }
            match self
                .store
                .claim(&collection, owner, lease.until, &claims, bytes)
                .await?
            {
                Applied::Done => {
                    collection.count += claims.len() as u64;
                    let added: u64 = claims.iter().map(|c| c.debit.amount.cents()).sum();
                    collection.control_sum =
                        Amount::from_cents(collection.control_sum.cents() + added);
                    collection.file_bytes += bytes;
                    conflicts = 0;
                }
                Applied::Conflict => conflicts += 1,
            }
        }
        // Debits withdrawn while it was building left it: the stored count is the one to trust.
        collection = self.stored(collection).await?;
        if collection.count == 0 {
            self.store.discard(&collection, owner).await?;
            return Err(CollectError::NothingDue(until));
        }
        self.store.finish(&collection, owner).await?;
        collection.status = super::CollectionStatus::Ready;
        collection.withdrawn_when_ready = collection.withdrawn;
        let more_due = !drained && !self.store.pending(merchant, until, 1).await?.is_empty();
        Ok(Collected {
            collection,
            complete: true,
            more_due,
        })
    }

    async fn stored(&self, collection: Collection) -> Result<Collection, CollectError> {
        Ok(self
            .store
            .get(&collection.merchant_id, &collection.id)
            .await?
            .unwrap_or(collection))
    }

    /// A collection answered as it stands: complete unless still building.
    async fn answer(&self, collection: Collection, until: Date) -> Result<Collected, CollectError> {
        let complete = collection.status != super::CollectionStatus::Building;
        let more_due = complete
            && !self
                .store
                .pending(&collection.merchant_id, until, 1)
                .await?
                .is_empty();
        Ok(Collected {
            collection,
            complete,
            more_due,
        })
    }

    /// The collection id `retry`'s key names: reserved now for a new id, or the first call's.
    async fn reserve(
        &self,
        merchant: &MerchantId,
        retry: Retry,
        now: Timestamp,
    ) -> Result<String, CollectError> {
        let fresh = Collection::new_id(now);
        let expires = now.saturating_add(KEY_LIFETIME).unwrap_or(now);
        let scoped = retry.key.scoped(merchant);
        match self
            .keys
            .reserve(&scoped, &retry.fingerprint, &fresh, now, expires)
            .await?
        {
            Reservation::Fresh => Ok(fresh),
            Reservation::Taken {
                fingerprint,
                resource,
            } if fingerprint == retry.fingerprint && Collection::is_id(&resource) => Ok(resource),
            Reservation::Taken { .. } => Err(CollectError::KeyReused),
        }
    }

    /// The keyed collection `id`: begun if the first call did not get that far (or found
    /// nothing due), taken over if its builder stopped, else answered as it is.
    async fn keyed(
        &self,
        id: String,
        merchant: &MerchantId,
        creditor: &Creditor,
        now: Timestamp,
        zone: &TimeZone,
        lease: Lease,
    ) -> Result<Keyed, CollectError> {
        let fresh = Collection::begin(id.clone(), merchant, creditor, now, zone, lease);
        if self.store.begin(&fresh).await? {
            return Ok(Keyed::Mine(fresh));
        }
        let Some(mut found) = self.store.get(merchant, &id).await? else {
            return Err(CollectError::Store(StoreError::corrupt_without_cause(
                "a collection begun and gone",
            )));
        };
        if found.status == super::CollectionStatus::Building
            && found.lease.until <= now
            && self
                .store
                .lease(&found, lease.owner, lease.until, now)
                .await?
        {
            found.lease = lease;
            return Ok(Keyed::Mine(found));
        }
        Ok(Keyed::Answer(found))
    }

    /// A collection an earlier call left building, taken over once its lease ran out; else a
    /// new one.
    async fn take_over_or_begin(
        &self,
        merchant: &MerchantId,
        creditor: &Creditor,
        now: Timestamp,
        zone: &TimeZone,
        lease: Lease,
    ) -> Result<Collection, CollectError> {
        for mut left in self.store.building(merchant).await? {
            if left.lease.until <= now
                && self
                    .store
                    .lease(&left, lease.owner, lease.until, now)
                    .await?
            {
                left.lease = lease;
                return Ok(left);
            }
        }
        let id = Collection::new_id(now);
        let collection = Collection::begin(id, merchant, creditor, now, zone, lease);
        self.store.begin(&collection).await?;
        Ok(collection)
    }
}

fn until_after(now: Timestamp, lease: Duration) -> Timestamp {
    SignedDuration::try_from(lease)
        .ok()
        .and_then(|lease| now.checked_add(lease).ok())
        .unwrap_or(now)
}
