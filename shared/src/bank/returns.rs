//! Returns: debits the bank gave back, reported with ISO 20022 reason codes. The payment
//! becomes `returned` and a changelog entry records why; a code that means the mandate or the
//! account is no good (no mandate, closed or blocked account, a refusal) also puts the
//! subscription on hold and withdraws its other debits the bank does not have yet, a passing
//! one (insufficient funds) does not, and its debit is presented again once (see
//! `representation`). The same return twice changes nothing.

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::json;

use super::representation::representation;
use crate::ground::ids::{ChangelogGuid, MerchantId};
use crate::ground::money::Amount;
use crate::ground::storage::StoreError;
use crate::ledger::DebitReturn;
use crate::ledger::{
    Applied, Change, ContactState, Donor, Entity, EntityKind, EntityStore, EntityWrite, Payment,
    PaymentState, RecordWrite, Subscription, SubscriptionState, WithdrawalReason, derived_guid,
    entry_of, withdraw_subscription_debits,
};
use crate::sepa::{Creditor, payment_of};

/// Codes after which the mandate cannot be drawn on again until the donor acts.
const HOLDING: &[&str] = &[
    "AC01", "AC04", "AC06", "AG01", "AG02", "BE05", "MD01", "MD02", "MD06", "MD07", "MS02", "SL01",
];

/// One debit the bank returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankReturn {
    pub end_to_end_id: String,
    pub reason: String,
    pub date: Date,
    /// A pain.002 reject may not give it.
    pub amount: Option<Amount>,
}

/// Returns one request may book: each is a few reads and a transaction.
pub const MAX_RETURNS: usize = 1000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReturnInputError {
    #[error("malformed returns: {0}")]
    Malformed(String),
    #[error("'returns' must list 1 to 1000 returns")]
    Count,
    #[error("returns[{0}].reasonCode must be an ISO 20022 code of 4 letters and digits")]
    Reason(usize),
    #[error("returns[{0}].amount must be an amount above zero with at most two decimals")]
    Amount(usize),
    #[error("a bank report may hold at most 1000 returns and rejects; this one holds {0}")]
    TooManyInReport(usize),
}

impl BankReturn {
    /// Whether the code means the mandate or account is no good.
    pub fn holds_subscription(&self) -> bool {
        HOLDING.contains(&self.reason.as_str())
    }
}

/// What became of one return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booked {
    pub end_to_end_id: String,
    pub result: BookedResult,
    pub payment_guid: Option<String>,
    pub changelog_guid: Option<String>,
    pub subscription_held: bool,
    /// The payment presenting the debit again, made by this booking.
    pub representation_guid: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookedResult {
    Returned,
    /// Booked before: nothing changed.
    AlreadyReturned,
    /// No direct debit of this merchant has that end-to-end id.
    Unknown,
    /// The debit was never handed to the bank (still pending), or was refunded.
    NotSubmitted,
}

/// Books each return for `merchant`, whose `creditor` settings say when a temporary return's
/// debit is presented again.
///
/// # Errors
/// `Backend` or `Unavailable` when storage fails (returns booked before stay booked; the
/// same list again books the rest).
pub async fn book<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    creditor: Option<&Creditor>,
    returns: &[BankReturn],
    now: Timestamp,
) -> Result<Vec<Booked>, StoreError> {
    let mut booked = Vec::with_capacity(returns.len());
    for bank_return in returns {
        booked.push(book_one(entities, merchant, creditor, bank_return, now).await?);
    }
    Ok(booked)
}

async fn book_one<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    creditor: Option<&Creditor>,
    bank_return: &BankReturn,
    now: Timestamp,
) -> Result<Booked, StoreError> {
    let mut outcome = Booked {
        end_to_end_id: bank_return.end_to_end_id.clone(),
        result: BookedResult::Unknown,
        payment_guid: None,
        changelog_guid: None,
        subscription_held: false,
        representation_guid: None,
    };
    let Some(guid) = payment_of(&bank_return.end_to_end_id) else {
        return Ok(outcome);
    };
    let Some(located) = entities.locate(merchant, &guid).await? else {
        return Ok(outcome);
    };
    if located.kind != EntityKind::Payment {
        return Ok(outcome);
    }
    for _ in 0..3 {
        let Some(donor) = entities.donor(merchant, &located.contact).await? else {
            return Ok(outcome);
        };
        let Some(payment) = donor
            .payments
            .iter()
            .find(|p| p.guid == guid && p.debit.is_some())
        else {
            return Ok(outcome);
        };
        outcome.payment_guid = Some(guid.to_string());
        let entry_guid = ChangelogGuid::from_uuid(derived_guid(guid.uuid(), "return").uuid());
        if payment.state == PaymentState::Returned {
            outcome.result = BookedResult::AlreadyReturned;
            outcome.changelog_guid = Some(entry_guid.to_string());
            return Ok(outcome);
        }
        if !matches!(
            payment.state,
            PaymentState::Submitted | PaymentState::Collected
        ) {
            outcome.result = BookedResult::NotSubmitted;
            return Ok(outcome);
        }
        let (mut change, held) = returned(&donor, payment, bank_return, entry_guid, now);
        let reason = (bank_return.reason.as_str(), bank_return.date);
        let mut presented = None;
        if let Some(again) = representation(&donor, payment, reason, creditor, now) {
            // Only a donor still active is debited again.
            change
                .conditions
                .push((donor.contact.guid, &[ContactState::Active]));
            change.writes.extend(again.writes);
            change.records.push(again.record);
            presented = Some(again.payment);
        }
        if entities.apply(&change).await? == Applied::Done {
            outcome.result = BookedResult::Returned;
            outcome.changelog_guid = Some(entry_guid.to_string());
            outcome.subscription_held = held;
            outcome.representation_guid = presented.map(|guid| guid.to_string());
            return Ok(outcome);
        }
    }
    Err(StoreError::backend(
        "the payment kept changing while its return was booked",
    ))
}

/// The change a return makes: the payment returned with its reason, and the subscription on
/// hold when the code says the mandate or account is no good; each with its changelog entry.
fn returned(
    donor: &Donor,
    payment: &Payment,
    bank_return: &BankReturn,
    entry_guid: ChangelogGuid,
    now: Timestamp,
) -> (Change, bool) {
    let merchant = &donor.contact.merchant_id;
    let mut after = payment.clone();
    after.state = PaymentState::Returned;
    after.updated_at = now;
    after.version = payment.version + 1;
    if let Some(debit) = after.debit.as_mut() {
        debit.returned = Some(DebitReturn {
            reason: bank_return.reason.clone(),
            date: bank_return.date,
        });
    }
    let meta = json!({
        "reasonCode": bank_return.reason,
        "returnDate": bank_return.date.to_string(),
        "amount": bank_return.amount,
    });
    let (before_entity, after_entity) = (Entity::Payment(payment.clone()), Entity::Payment(after));
    let mut change = Change {
        merchant: merchant.clone(),
        conditions: Vec::new(),
        writes: vec![EntityWrite::Replace {
            expected: payment.version,
            entity: after_entity.clone(),
        }],
        records: vec![RecordWrite::NewChangelog(entry_of(
            "Return",
            (&before_entity, &after_entity),
            merchant,
            entry_guid,
            now,
            Some(meta),
        ))],
    };
    let sub = payment
        .subscription
        .and_then(|guid| donor.subscriptions.iter().find(|s| s.guid == guid))
        .filter(|s| s.state == SubscriptionState::Active && bank_return.holds_subscription());
    let Some(sub) = sub else {
        return (change, false);
    };
    let held = Subscription {
        state: SubscriptionState::OnHold,
        updated_at: now,
        version: sub.version + 1,
        ..sub.clone()
    };
    let (before_sub, after_sub) = (
        Entity::Subscription(sub.clone()),
        Entity::Subscription(held),
    );
    change.writes.push(EntityWrite::Replace {
        expected: sub.version,
        entity: after_sub.clone(),
    });
    let hold_guid = derived_guid(payment.guid.uuid(), "return hold");
    change.records.push(RecordWrite::NewChangelog(entry_of(
        "Hold",
        (&before_sub, &after_sub),
        merchant,
        ChangelogGuid::from_uuid(hold_guid.uuid()),
        now,
        Some(json!({"reason": format!("return {}", bank_return.reason)})),
    )));
    // Its other debits the bank does not have yet would come back the same way: withdrawn.
    let others: Vec<Payment> = donor
        .payments
        .iter()
        .filter(|p| p.guid != payment.guid)
        .cloned()
        .collect();
    let (writes, records) = withdraw_subscription_debits(
        &others,
        sub.guid,
        WithdrawalReason::SubscriptionHeldByReturn,
        "Hold",
        hold_guid.uuid(),
        merchant,
        now,
    );
    change.writes.extend(writes);
    change.records.extend(records);
    (change, true)
}
