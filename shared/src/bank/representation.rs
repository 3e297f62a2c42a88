//! A temporary return presented again: a debit the bank gave back for a passing reason
//! (AM04 insufficient funds, MS03 reason not specified) on a recurrent mandate is presented
//! once more, as a new `RCUR` of the same amount on the same mandate, the creditor's
//! `representation_days` after the return (on a business day), booked with the return in one
//! transaction. Its guid follows from the returned payment's, so the same return booked twice
//! presents it once; a debit that was itself presented again is not presented a third time, a
//! one-off mandate never twice.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::json;

use crate::ground::ids::{ChangelogGuid, EntityGuid};
use crate::ground::money::Amount;
use crate::ledger::{
    ContactState, DirectDebit, Donor, Entity, EntityWrite, Payment, PaymentMethodState,
    PaymentState, RecordWrite, Subscription, SubscriptionState, derived_guid, new_payment_entry,
    used,
};
use crate::sepa::{Creditor, Sequence, calendar};

/// Return reasons that may pass: the debit may succeed another day.
const TEMPORARY: &[&str] = &["AM04", "MS03"];

/// What presenting a returned debit again writes besides the return.
pub(super) struct Representation {
    pub payment: EntityGuid,
    pub writes: Vec<EntityWrite>,
    pub record: RecordWrite,
}

/// The debit presenting `returned` again after the bank returned it for `reason` on `date`,
/// if it is to be: a temporary reason (never a holding one, so never with a hold), a debit of
/// a series (`FRST` or `RCUR`) not itself presented again, the creditor presenting again at
/// all, the contact, subscription and mandate still active. The writes insist on the
/// subscription and payment method as read, so a Cancel, Hold or Renewal at the same moment
/// either comes first (and nothing is presented) or withdraws it.
pub(super) fn representation(
    donor: &Donor,
    returned: &Payment,
    (reason, date): (&str, Date),
    creditor: Option<&Creditor>,
    now: Timestamp,
) -> Option<Representation> {
    let debit = returned.debit.as_ref()?;
    let days = creditor.map_or(0, |c| c.representation_days);
    let presentable = TEMPORARY.contains(&reason)
        && matches!(debit.sequence, Sequence::Frst | Sequence::Rcur)
        && returned.representation_of.is_none()
        && days > 0
        && donor.contact.state == ContactState::Active;
    if !presentable {
        return None;
    }
    let sub = donor
        .subscriptions
        .iter()
        .find(|s| Some(s.guid) == returned.subscription)
        .filter(|s| s.state == SubscriptionState::Active)?;
    let method = donor
        .payment_methods
        .iter()
        .find(|m| m.guid == returned.payment_method)
        .filter(|m| m.state == PaymentMethodState::Active)?;
    let mandate = method.mandate.as_ref()?;
    let due = calendar::on_or_after(date.checked_add(i64::from(days).days()).ok()?);
    if !mandate.allows(true) || !mandate.valid_on(due) {
        return None;
    }
    let guid = derived_guid(returned.guid.uuid(), "representation");
    if donor.payments.iter().any(|p| p.guid == guid) {
        return None;
    }
    let payment = Payment {
        guid,
        state: PaymentState::Pending,
        due_date: due,
        refunded: Amount::from_cents(0),
        debit: Some(DirectDebit {
            sequence: Sequence::Rcur,
            mandate_reference: mandate.reference.clone(),
            mandate_signed_on: mandate.signed_on,
            collection: None,
            collection_date: None,
            returned: None,
            creditor_id: mandate.creditor_id.clone().or(debit.creditor_id.clone()),
            ..debit.clone()
        }),
        provider_reference: None,
        representation_of: Some(returned.guid),
        created_at: now,
        updated_at: now,
        version: 0,
        ..returned.clone()
    };
    let merchant = &donor.contact.merchant_id;
    let entry = new_payment_entry(
        &payment,
        merchant,
        ChangelogGuid::from_uuid(derived_guid(guid.uuid(), "representation").uuid()),
        now,
        json!({
            "source": "representation",
            "returnedPaymentGuid": returned.guid.to_string(),
            "reasonCode": reason,
            "subscriptionGuid": sub.guid.to_string(),
        }),
    );
    let mut writes = vec![
        EntityWrite::Create(Entity::Payment(payment)),
        // Unchanged, but insisted on: a Cancel or Hold that wins the race sees the new debit.
        EntityWrite::Replace {
            expected: sub.version,
            entity: Entity::Subscription(Subscription {
                version: sub.version + 1,
                ..sub.clone()
            }),
        },
    ];
    if let Some(used) = used(method, due, creditor) {
        writes.push(EntityWrite::Replace {
            expected: method.version,
            entity: Entity::PaymentMethod(crate::ledger::PaymentMethod {
                updated_at: now,
                version: method.version + 1,
                ..used
            }),
        });
    }
    Some(Representation {
        payment: guid,
        writes,
        record: RecordWrite::NewChangelog(entry),
    })
}
