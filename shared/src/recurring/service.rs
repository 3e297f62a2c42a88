//! The daily run: each active subscription's next payment, made once its due date enters the
//! pre-notification window (a direct debit) or arrives (a card or PayPal, charged through the
//! payment provider before it is booked, the payment's guid as the key); and submitted debits
//! marked collected once the bank's return window has passed. A payment's guid follows from its
//! subscription and period, and each write insists on what it read, so a run repeated, or two
//! at once, never makes a period's payment twice; a run that stopped is finished by the next.

use std::collections::HashMap;

use futures::future::try_join_all;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::period::{Run, Step, next_step};
use super::ports::{Due, SHARDS, Schedule};
use super::report::Report;
use crate::cards::PaymentProvider;
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::ledger::{
    Applied, Change, Entity, EntityStore, EntityWrite, Payment, PaymentState, charge_new_payments,
};
use crate::merchant::MerchantStore;
use crate::sepa::{Creditor, DEFAULT_PRENOTIFICATION_DAYS};

/// Calendar days after its collection date at which an unreturned debit counts as collected.
pub const RETURN_WINDOW_DAYS: i64 = 14;

pub struct Scheduler<'a, E, S, K, P> {
    pub entities: &'a E,
    pub schedule: &'a S,
    pub merchants: &'a K,
    pub provider: &'a P,
}

impl<E, S, K, P> Scheduler<'_, E, S, K, P>
where
    E: EntityStore,
    S: Schedule,
    K: MerchantStore,
    P: PaymentProvider,
{
    /// The run of `today` (at `now`).
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; what was done stays done, and the next
    /// run goes on.
    pub async fn run(&self, today: Date, now: Timestamp) -> Result<Report, StoreError> {
        let mut report = Report::default();
        let mut creditors = HashMap::new();
        let horizon = today
            .checked_add(i64::from(DEFAULT_PRENOTIFICATION_DAYS).days())
            .unwrap_or(today);
        // Every shard's first page at once: on most days that is all there is, one round trip.
        let first_pages = try_join_all(
            (0..SHARDS).map(|shard| self.schedule.subscriptions_due(shard, horizon, None)),
        )
        .await?;
        for (shard, mut page) in (0..SHARDS).zip(first_pages) {
            loop {
                for due in &page.items {
                    let creditor = self.creditor(&mut creditors, &due.merchant).await?;
                    self.renew(due, creditor.as_ref(), today, now, &mut report)
                        .await?;
                }
                let Some(next) = page.next else { break };
                page = self
                    .schedule
                    .subscriptions_due(shard, horizon, Some(next))
                    .await?;
            }
        }
        let settled = today
            .checked_sub(RETURN_WINDOW_DAYS.days())
            .unwrap_or(today);
        let first_pages = try_join_all(
            (0..SHARDS).map(|shard| self.schedule.debits_submitted(shard, settled, None)),
        )
        .await?;
        for (shard, mut page) in (0..SHARDS).zip(first_pages) {
            loop {
                for due in &page.items {
                    self.settle(due, now, &mut report).await?;
                }
                let Some(next) = page.next else { break };
                page = self
                    .schedule
                    .debits_submitted(shard, settled, Some(next))
                    .await?;
            }
        }
        Ok(report)
    }

    async fn creditor(
        &self,
        cache: &mut HashMap<MerchantId, Option<Creditor>>,
        merchant: &MerchantId,
    ) -> Result<Option<Creditor>, StoreError> {
        if let Some(known) = cache.get(merchant) {
            return Ok(known.clone());
        }
        let creditor = self
            .merchants
            .get_merchant(merchant)
            .await?
            .and_then(|m| m.creditor);
        cache.insert(merchant.clone(), creditor.clone());
        Ok(creditor)
    }

    /// The subscription's next payment, if it is due. One per run: after missed days the
    /// periods that were missed follow one a run, each due a day after the one before, so no
    /// subscription ever has two debits of its own on one day. Each of its add-ons with an
    /// interval of its own is paid first, likewise once a run, a debit of its own.
    async fn renew(
        &self,
        due: &Due,
        creditor: Option<&Creditor>,
        today: Date,
        now: Timestamp,
        report: &mut Report,
    ) -> Result<(), StoreError> {
        let run = Run {
            today,
            now,
            provided: self.provider.methods(),
        };
        let mut paid = Vec::new();
        loop {
            let Some(donor) = self.entities.donor(&due.merchant, &due.contact).await? else {
                return Ok(());
            };
            let (add_on, mut change) = match next_step(&donor, due, creditor, &paid, &run, report) {
                None => return Ok(()),
                Some(Step::Hold(change)) => {
                    if self.entities.apply(&change).await? == Applied::Done {
                        report.held += 1;
                    }
                    return Ok(());
                }
                Some(Step::Pay(change)) => (None, change),
                Some(Step::PayAddOn(guid, change)) => {
                    paid.push(guid);
                    (Some(guid), change)
                }
            };
            if let Err(not_taken) = charge_new_payments(self.provider, &donor, &mut change).await {
                // Declined, or the provider is down: nothing booked; the next run asks
                // again with the same key.
                tracing::warn!(
                    subscription = %due.entity,
                    error = %not_taken,
                    "renewal not charged"
                );
                report.skipped += 1;
                if add_on.is_some() {
                    continue;
                }
                return Ok(());
            }
            let applied = self.entities.apply(&change).await?;
            if applied == Applied::Done {
                report.payments += 1;
            }
            // The subscription's own period ends its turn; so does a conflict (another run
            // is at it, and goes on).
            if add_on.is_none() || applied == Applied::Conflict {
                return Ok(());
            }
        }
    }

    /// A submitted debit past the return window: collected.
    async fn settle(
        &self,
        due: &Due,
        now: Timestamp,
        report: &mut Report,
    ) -> Result<(), StoreError> {
        let Some(donor) = self.entities.donor(&due.merchant, &due.contact).await? else {
            return Ok(());
        };
        let Some(payment) = donor.payments.iter().find(|p| p.guid == due.entity) else {
            return Ok(());
        };
        if payment.state != PaymentState::Submitted {
            return Ok(());
        }
        let collected = Payment {
            state: PaymentState::Collected,
            updated_at: now,
            version: payment.version + 1,
            ..payment.clone()
        };
        let change = Change {
            merchant: due.merchant.clone(),
            conditions: Vec::new(),
            writes: vec![EntityWrite::Replace {
                expected: payment.version,
                entity: Entity::Payment(collected),
            }],
            records: Vec::new(),
        };
        if self.entities.apply(&change).await? == Applied::Done {
            report.collected += 1;
        }
        Ok(())
    }
}
