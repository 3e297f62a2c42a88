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
use serde::Serialize;

use super::ports::{Due, SHARDS, Schedule};
use crate::cards::PaymentProvider;
use crate::ground::ids::{ChangelogGuid, MerchantId};
use crate::ground::money::{Amount, MethodKind};
use crate::ground::storage::StoreError;
use crate::ledger::{
    Applied, Change, ContactState, Donor, Entity, EntityStore, EntityWrite, NotDrawable, Payment,
    PaymentState, RecordWrite, Subscription, SubscriptionState, charge_new_payments, derived_guid,
    entry_of, terms, used,
};
use crate::merchant::MerchantStore;
use crate::sepa::{Creditor, DEFAULT_PRENOTIFICATION_DAYS};

/// Calendar days after its collection date at which an unreturned debit counts as collected.
pub const RETURN_WINDOW_DAYS: i64 = 14;
/// Periods one run makes for one subscription at most (a scheduler stopped for two years).
const CATCH_UP: usize = 24;

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub payments: u64,
    pub held: u64,
    pub collected: u64,
    pub skipped: u64,
}

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

    /// The subscription's payments that are due, one period at a time.
    async fn renew(
        &self,
        due: &Due,
        creditor: Option<&Creditor>,
        today: Date,
        now: Timestamp,
        report: &mut Report,
    ) -> Result<(), StoreError> {
        for _ in 0..CATCH_UP {
            let Some(donor) = self.entities.donor(&due.merchant, &due.contact).await? else {
                return Ok(());
            };
            let provided = self.provider.methods();
            match next_period(&donor, due, creditor, provided, today, now, report) {
                None => return Ok(()),
                Some(Step::Pay(mut change)) => {
                    if let Err(not_taken) =
                        charge_new_payments(self.provider, &donor, &mut change).await
                    {
                        // Declined, or the provider is down: nothing booked; the next run
                        // asks again with the same key.
                        tracing::warn!(
                            subscription = %due.entity,
                            error = %not_taken,
                            "renewal not charged"
                        );
                        report.skipped += 1;
                        return Ok(());
                    }
                    if self.entities.apply(&change).await? == Applied::Done {
                        report.payments += 1;
                    }
                }
                Some(Step::Hold(change)) => {
                    if self.entities.apply(&change).await? == Applied::Done {
                        report.held += 1;
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
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

/// What a subscription's next period needs.
enum Step {
    /// The payment, the subscription moved on one period, its mandate's use.
    Pay(Change),
    /// The subscription on hold, with a changelog entry ([`HoldReason`]).
    Hold(Change),
}

/// Why a due subscription is put on hold instead of paid.
#[derive(Clone, Copy)]
enum HoldReason {
    /// Its SEPA mandate lapsed (unused for 36 months): the donor renews it.
    MandateLapsed,
    /// Card or PayPal, and no payment provider here takes it (a subscription made before
    /// methods had to be collected): nothing may be booked that nobody charged.
    NoPaymentProvider,
}

impl HoldReason {
    fn code(self) -> &'static str {
        match self {
            Self::MandateLapsed => "mandateLapsed",
            Self::NoPaymentProvider => "noPaymentProvider",
        }
    }

    /// What the hold's changelog guid derives from, with the period.
    fn label(self) -> &'static str {
        match self {
            Self::MandateLapsed => "lapsed",
            Self::NoPaymentProvider => "unprovided",
        }
    }
}

/// The subscription's next step, if it is time; `None` when nothing is due yet. `provided` are
/// the card and wallet methods the payment provider takes.
fn next_period(
    donor: &Donor,
    due: &Due,
    creditor: Option<&Creditor>,
    provided: &[MethodKind],
    today: Date,
    now: Timestamp,
    report: &mut Report,
) -> Option<Step> {
    if donor.contact.state != ContactState::Active {
        return None;
    }
    let sub = donor.subscriptions.iter().find(|s| s.guid == due.entity)?;
    if sub.state != SubscriptionState::Active {
        return None;
    }
    let Some(method) = donor
        .payment_methods
        .iter()
        .find(|m| m.guid == sub.payment_method)
    else {
        report.skipped += 1;
        return None;
    };
    let notice = match (method.kind, creditor) {
        (MethodKind::SepaDirectDebit, Some(c)) => i64::from(c.prenotification_days),
        _ => 0,
    };
    if today.checked_add(notice.days()).ok()? < sub.next_due {
        return None;
    }
    if method.kind != MethodKind::SepaDirectDebit && !provided.contains(&method.kind) {
        return Some(Step::Hold(hold(
            donor,
            sub,
            now,
            HoldReason::NoPaymentProvider,
        )));
    }
    let terms = match terms(
        method,
        &donor.contact.person,
        creditor,
        today,
        Some(sub.next_due),
        true,
    ) {
        Ok(terms) => terms,
        Err(NotDrawable::MandateLapsed) => {
            return Some(Step::Hold(hold(donor, sub, now, HoldReason::MandateLapsed)));
        }
        Err(_) => {
            report.skipped += 1;
            return None;
        }
    };
    let add_ons: u64 = donor
        .add_ons
        .iter()
        .filter(|a| a.subscription == sub.guid && a.interval == sub.interval)
        .map(|a| a.amount.cents())
        .sum();
    let payment = Payment {
        guid: derived_guid(sub.guid.uuid(), &format!("period {}", sub.next_due)),
        contact: donor.contact.guid,
        subscription: Some(sub.guid),
        payment_method: method.guid,
        amount: Amount::from_cents(sub.amount.cents() + add_ons),
        currency: sub.currency.clone(),
        due_date: terms.due_date,
        state: terms.state,
        refunded: Amount::from_cents(0),
        debit: terms.debit,
        provider_reference: None,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let next_due = sub
        .next_due
        .checked_add(i64::from(sub.interval.months()).months())
        .ok()?;
    let mut writes = vec![
        EntityWrite::Create(Entity::Payment(payment.clone())),
        EntityWrite::Replace {
            expected: sub.version,
            entity: Entity::Subscription(Subscription {
                next_due,
                updated_at: now,
                version: sub.version + 1,
                ..sub.clone()
            }),
        },
    ];
    if let Some(used) = used(method, payment.due_date) {
        writes.push(EntityWrite::Replace {
            expected: method.version,
            entity: Entity::PaymentMethod(crate::ledger::PaymentMethod {
                updated_at: now,
                version: method.version + 1,
                ..used
            }),
        });
    }
    Some(Step::Pay(Change {
        merchant: due.merchant.clone(),
        conditions: vec![(donor.contact.guid, &[ContactState::Active])],
        writes,
        records: Vec::new(),
    }))
}

/// A subscription that cannot be paid: on hold, recorded, until it is renewed or restarted.
fn hold(donor: &Donor, sub: &Subscription, now: Timestamp, reason: HoldReason) -> Change {
    let held = Subscription {
        state: SubscriptionState::OnHold,
        updated_at: now,
        version: sub.version + 1,
        ..sub.clone()
    };
    let before = Entity::Subscription(sub.clone());
    let after = Entity::Subscription(held.clone());
    let guid = derived_guid(
        sub.guid.uuid(),
        &format!("{} {}", reason.label(), sub.next_due),
    );
    let entry = entry_of(
        "Hold",
        (&before, &after),
        &donor.contact.merchant_id,
        ChangelogGuid::from_uuid(guid.uuid()),
        now,
        Some(serde_json::json!({"reason": reason.code()})),
    );
    Change {
        merchant: donor.contact.merchant_id.clone(),
        conditions: vec![(donor.contact.guid, &[ContactState::Active])],
        writes: vec![EntityWrite::Replace {
            expected: sub.version,
            entity: after,
        }],
        records: vec![RecordWrite::NewChangelog(entry)],
    }
}
