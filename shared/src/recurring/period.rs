//! A subscription's next period: its payment (with the changelog entry a CRM's sync sees, as
//! for any new payment) and the subscription moved on, or the subscription held.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

use super::ports::Due;
use super::report::Report;
use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::ground::ids::{ChangelogGuid, MerchantId};
use crate::ground::money::{Amount, MethodKind};
use crate::ledger::{
    Change, ContactState, Donor, Entity, EntityWrite, NotDrawable, Payment, RecordWrite,
    Subscription, SubscriptionState, derived_guid, entry_of, state_of, terms, used,
};
use crate::sepa::Creditor;

/// What a subscription's next period needs.
pub(super) enum Step {
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
pub(super) fn next_period(
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
    let next_due = sub.interval.after(sub.next_due, sub.day)?;
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
    if let Some(used) = used(method, payment.due_date, creditor) {
        writes.push(EntityWrite::Replace {
            expected: method.version,
            entity: Entity::PaymentMethod(crate::ledger::PaymentMethod {
                updated_at: now,
                version: method.version + 1,
                ..used
            }),
        });
    }
    let entry = new_payment_entry(&payment, sub, &due.merchant, now);
    Some(Step::Pay(Change {
        merchant: due.merchant.clone(),
        conditions: vec![(donor.contact.guid, &[ContactState::Active])],
        writes,
        records: vec![RecordWrite::NewChangelog(entry)],
    }))
}

/// The changelog entry of a payment the scheduler made: `SignUp` of a `Payment` (nothing
/// before it), `metaData` saying it is the scheduler's and which period it pays, so a CRM that
/// syncs `GET /changelogs` sees every debit and card charge. Its guid follows from the payment's.
fn new_payment_entry(
    payment: &Payment,
    sub: &Subscription,
    merchant: &MerchantId,
    now: Timestamp,
) -> ChangelogEntry {
    ChangelogEntry {
        guid: ChangelogGuid::from_uuid(derived_guid(payment.guid.uuid(), "scheduled").uuid()),
        merchant_id: merchant.clone(),
        created_at: now,
        updated_at: now,
        action: "SignUp".to_owned(),
        entity_type: "Payment".to_owned(),
        entity_guid: payment.guid,
        contact_guid: payment.contact,
        meta_data: Some(json!({
            "source": "scheduler",
            "subscriptionGuid": sub.guid.to_string(),
            "period": sub.next_due.to_string(),
        })),
        before: serde_json::Value::Null,
        after: state_of(&Entity::Payment(payment.clone())),
        status: ChangelogStatus::Completed,
    }
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
