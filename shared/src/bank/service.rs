//! `POST /sepa/collections` as a service: finish a collection an earlier call left building
//! (once its lease ran out), or begin one; claim the merchant's pending due debits into it in
//! batches, each batch one transaction that insists every payment is still pending; then mark
//! it ready. Concurrent calls each build their own collection, and a payment goes into
//! exactly one of them.

use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use uuid::Uuid;

use super::model::Collection;
use super::ports::{Claim, CollectionStore};
use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::ground::storage::StoreError;
use crate::ledger::{Applied, Payment, PaymentState};
use crate::sepa::{Creditor, Debit, calendar, end_to_end_id, sepa_text};

/// Payments claimed per transaction: each is a payment, a debit item and the checks that its
/// contact and subscription are active (at most 4 items), with the header: under DynamoDB's 100.
const BATCH: usize = 24;
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
    #[error("'maxPayments' must be 1 to 100000")]
    MaxPayments,
}

pub struct Collector<'a, S> {
    pub store: &'a S,
    pub lease: Duration,
}

impl<S: CollectionStore> Collector<'_, S> {
    /// Builds (or finishes) one collection of `merchant`'s due debits and answers it, ready.
    ///
    /// # Errors
    /// `NoCreditor` without creditor settings, `NothingDue` when no debit is due (nothing is
    /// kept then), `Store` when storage fails (the collection is finished by the next call).
    pub async fn collect(
        &self,
        merchant: &MerchantId,
        creditor: Option<&Creditor>,
        request: CollectRequest,
        now: Timestamp,
        zone: &TimeZone,
    ) -> Result<Collection, CollectError> {
        let creditor = creditor.ok_or(CollectError::NoCreditor)?;
        let today = now.to_zoned(zone.clone()).date();
        let until = request.collection_date.unwrap_or_else(|| {
            today
                .checked_add(i64::from(creditor.prenotification_days).days())
                .unwrap_or(today)
        });
        let owner = Uuid::new_v4();
        let mut collection = self
            .take_over_or_begin(merchant, creditor, now, owner)
            .await?;
        let max = request.max_payments.unwrap_or(u64::MAX);
        let earliest = calendar::after(today);
        let mut conflicts = 0;
        while collection.count < max && conflicts < CONFLICTS_TO_GIVE_UP {
            let pending = self.store.pending(merchant, until, WINDOW).await?;
            if pending.is_empty() {
                break;
            }
            let room = usize::try_from(max - collection.count).unwrap_or(usize::MAX);
            let claims = batch(&pending, room.min(BATCH), &collection, earliest, now);
            let lease_until = until_after(now, self.lease);
            match self
                .store
                .claim(&collection, owner, lease_until, &claims)
                .await?
            {
                Applied::Done => {
                    collection.count += claims.len() as u64;
                    let added: u64 = claims.iter().map(|c| c.debit.amount.cents()).sum();
                    collection.control_sum =
                        Amount::from_cents(collection.control_sum.cents() + added);
                    conflicts = 0;
                }
                Applied::Conflict => conflicts += 1,
            }
        }
        // Debits withdrawn while it was building left it: the stored count is the one to trust.
        if let Some(stored) = self.store.get(merchant, &collection.id).await? {
            collection = stored;
        }
        if collection.count == 0 {
            self.store.discard(&collection, owner).await?;
            return Err(CollectError::NothingDue(until));
        }
        self.store.finish(&collection, owner).await?;
        collection.status = super::CollectionStatus::Ready;
        collection.withdrawn_when_ready = collection.withdrawn;
        Ok(collection)
    }

    /// A collection an earlier call left building, taken over once its lease ran out; else a
    /// new one.
    async fn take_over_or_begin(
        &self,
        merchant: &MerchantId,
        creditor: &Creditor,
        now: Timestamp,
        owner: Uuid,
    ) -> Result<Collection, CollectError> {
        let until = until_after(now, self.lease);
        for mut left in self.store.building(merchant).await? {
            if left.lease.until <= now && self.store.lease(&left, owner, until, now).await? {
                left.lease = super::Lease { owner, until };
                return Ok(left);
            }
        }
        let collection = Collection::begin(merchant, creditor, now, owner, until);
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

/// Up to `size` of the pending payments, from a random place in the window (concurrent calls
/// then mostly claim different payments), as claims of `collection`.
fn batch(
    pending: &[Payment],
    size: usize,
    collection: &Collection,
    earliest: Date,
    now: Timestamp,
) -> Vec<Claim> {
    let start = usize::from(random_byte()) % pending.len();
    pending
        .iter()
        .cycle()
        .skip(start)
        .take(size.min(pending.len()))
        .filter_map(|payment| claim(payment, collection, earliest, now))
        .collect()
}

fn random_byte() -> u8 {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).map_or(0, |()| byte[0])
}

/// A pending payment as the collection claims it: `claimed` (the bank has it only once the
/// file is sent), its collection date the due date or, for a debit already due, the first
/// date the bank can still collect on.
fn claim(
    payment: &Payment,
    collection: &Collection,
    earliest: Date,
    now: Timestamp,
) -> Option<Claim> {
    let debit = payment.debit.as_ref()?;
    let date = calendar::on_or_after(payment.due_date.max(earliest));
    let mut claimed = payment.clone();
    claimed.state = PaymentState::Claimed;
    claimed.updated_at = now;
    claimed.version = payment.version + 1;
    if let Some(d) = claimed.debit.as_mut() {
        d.collection = Some(collection.id.clone());
        d.collection_date = Some(date);
    }
    Some(Claim {
        expected: payment.version,
        debit: Debit {
            end_to_end_id: end_to_end_id(payment.guid),
            amount: payment.amount,
            sequence: debit.sequence,
            collection_date: date,
            mandate_reference: debit.mandate_reference.clone(),
            mandate_signed_on: debit.mandate_signed_on,
            debtor_name: debit.debtor_name.clone(),
            debtor_iban: debit.debtor_iban.clone(),
            debtor_bic: debit.debtor_bic.clone(),
            debtor_address: debit.debtor_address.clone(),
            remittance: sepa_text(
                &format!("Spende / Donation {}", collection.creditor.name),
                140,
                "Spende / Donation",
            ),
            original_creditor_id: debit
                .creditor_id
                .clone()
                .filter(|id| id != collection.creditor.creditor_id.as_str()),
        },
        payment: claimed,
    })
}
