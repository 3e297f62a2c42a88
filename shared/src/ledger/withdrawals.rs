//! Debits withdrawn before the bank has them. When a subscription is cancelled or held (by
//! the merchant, a return or an erasure), its debits still `pending` or `claimed` into a
//! collection that is not yet sent are `cancelled` in the same transaction, each with a
//! changelog entry that says why; one in a collection also leaves that collection (see
//! [`RecordWrite::Withdrawal`]). A debit already `submitted` is the bank's: a return or a
//! refund handles it.

use jiff::Timestamp;
use serde_json::json;
use uuid::Uuid;

use super::model::{Entity, Payment, PaymentState};
use super::ports::{EntityWrite, RecordWrite};
use super::records::{derived_guid, entry_of};
use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};

/// Why a debit was withdrawn, as its changelog entry's `metaData.reason` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WithdrawalReason {
    SubscriptionCancelled,
    SubscriptionHeld,
    /// A return whose reason code means the mandate or account is no good.
    SubscriptionHeldByReturn,
    ContactErased,
    /// Archived: read-only, nothing more is collected.
    ContactArchived,
}

impl WithdrawalReason {
    pub fn code(self) -> &'static str {
        match self {
            Self::SubscriptionCancelled => "subscriptionCancelled",
            Self::SubscriptionHeld => "subscriptionHeld",
            Self::SubscriptionHeldByReturn => "subscriptionHeldByReturn",
            Self::ContactErased => "contactErased",
            Self::ContactArchived => "contactArchived",
        }
    }
}

/// Whether a payment is a debit the bank does not have yet.
pub fn unsent(payment: &Payment) -> bool {
    payment.debit.is_some()
        && matches!(payment.state, PaymentState::Pending | PaymentState::Claimed)
}

/// The subscription's unsent debits withdrawn: their writes and records, to add to the change
/// that cancels or holds it. `cause` is the guid of that change's record (the changelog
/// entries' guids derive from it, so a retry writes the same entries).
pub fn withdraw_subscription_debits(
    payments: &[Payment],
    subscription: EntityGuid,
    reason: WithdrawalReason,
    action: &str,
    cause: Uuid,
    merchant: &MerchantId,
    now: Timestamp,
) -> (Vec<EntityWrite>, Vec<RecordWrite>) {
    let mut writes = Vec::new();
    let mut records = Vec::new();
    for payment in payments
        .iter()
        .filter(|p| p.subscription == Some(subscription) && unsent(p))
    {
        let (write, mut recorded) = withdraw(payment, reason, action, cause, merchant, now);
        writes.push(write);
        records.append(&mut recorded);
    }
    (writes, records)
}

/// One unsent debit withdrawn: the payment `cancelled`, its changelog entry, and, if a
/// collection had claimed it, its leaving that collection.
pub fn withdraw(
    payment: &Payment,
    reason: WithdrawalReason,
    action: &str,
    cause: Uuid,
    merchant: &MerchantId,
    now: Timestamp,
) -> (EntityWrite, Vec<RecordWrite>) {
    let after = Payment {
        state: PaymentState::Cancelled,
        updated_at: now,
        version: payment.version + 1,
        ..payment.clone()
    };
    let (before, after_entity) = (Entity::Payment(payment.clone()), Entity::Payment(after));
    let guid = derived_guid(cause, &format!("withdraw {}", payment.guid));
    let collection = payment
        .debit
        .as_ref()
        .filter(|_| payment.state == PaymentState::Claimed)
        .and_then(|d| d.collection.clone());
    let mut meta = json!({"reason": reason.code()});
    if let Some(id) = &collection {
        meta["collectionId"] = json!(id);
    }
    let mut records = vec![RecordWrite::NewChangelog(entry_of(
        action,
        (&before, &after_entity),
        merchant,
        ChangelogGuid::from_uuid(guid.uuid()),
        now,
        Some(meta),
    ))];
    if let Some(collection) = collection {
        records.push(RecordWrite::Withdrawal {
            collection,
            payment: Box::new(payment.clone()),
        });
    }
    (
        EntityWrite::Replace {
            expected: payment.version,
            entity: after_entity,
        },
        records,
    )
}
