//! What each action of the seed's table does to a donor's entities: the change to write and
//! the record that goes with it, or why the entities' states forbid it.

use serde_json::{Map, Value, json};

use super::actions::{ActionKind, ActionRequest};
use super::add_ons::{own_interval, realigned};
use super::context::ActionContext;
use super::donor::Donor;
use super::model::{
    AddOn, Contact, ContactState, Entity, Payment, PaymentState, Subscription, SubscriptionState,
};
use super::ports::{Change, EntityWrite, RecordWrite};
use super::records::{action_dataset, changelog, derived_guid};
use super::withdrawals::{WithdrawalReason, withdraw_subscription_debits};
use crate::ground::ids::EntityGuid;
use crate::ground::money::Amount;

/// Contacts whose entities may change.
pub const ACTIVE: &[ContactState] = &[ContactState::Active];

/// Why an action is not taken.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Refusal {
    /// The entities' states forbid it (409).
    #[error("{0}")]
    Conflict(String),
    /// The request lacks what this action needs (400).
    #[error("{0}")]
    Invalid(String),
    /// A named entity does not exist for this merchant (404).
    #[error("{0}")]
    NotFound(&'static str),
}

pub(super) fn conflict(message: impl Into<String>) -> Refusal {
    Refusal::Conflict(message.into())
}

pub(super) fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::Invalid(message.into())
}

pub fn state_name(state: ContactState) -> &'static str {
    match state {
        ContactState::Active => "active",
        ContactState::Archived => "archived",
        ContactState::Merged => "merged",
        ContactState::Anonymising => "being anonymised",
        ContactState::Anonymised => "anonymised",
    }
}

pub(super) fn subscription(donor: &Donor, guid: EntityGuid) -> Result<&Subscription, Refusal> {
    donor
        .subscriptions
        .iter()
        .find(|s| s.guid == guid)
        .ok_or(Refusal::NotFound("Subscription not found"))
}

pub(super) fn payment(donor: &Donor, guid: EntityGuid) -> Result<&Payment, Refusal> {
    donor
        .payments
        .iter()
        .find(|p| p.guid == guid)
        .ok_or(Refusal::NotFound("Payment not found"))
}

/// One entity replaced, recorded in the changelog.
fn logged(
    request: &ActionRequest,
    before: Entity,
    after: Entity,
    ctx: &ActionContext<'_>,
) -> Change {
    let entry = changelog(request, &before, &after, ctx);
    Change {
        merchant: ctx.merchant.clone(),
        conditions: vec![(before.contact(), ACTIVE)],
        writes: vec![EntityWrite::Replace {
            expected: before.version(),
            entity: after,
        }],
        records: vec![RecordWrite::NewChangelog(entry)],
    }
}

pub(super) fn upgrade(
    request: &ActionRequest,
    donor: &Donor,
    sub: &Subscription,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    if sub.state == SubscriptionState::Cancelled {
        return Err(conflict(
            "a cancelled subscription cannot be upgraded; restart it first",
        ));
    }
    let fields = &request.fields;
    if let Some(interval) = fields.interval.filter(|i| !i.is_recurring()) {
        return Err(invalid(format!(
            "'interval' of a subscription must be 1, 3, 6 or 12, not {}",
            interval.months()
        )));
    }
    let amount = fields.amount.unwrap_or(sub.amount);
    let interval = fields.interval.unwrap_or(sub.interval);
    if (amount, interval) == (sub.amount, sub.interval) {
        return Err(invalid("an upgrade needs a new 'amount' or 'interval'"));
    }
    // Payments already made keep their amount: the upgrade applies from the next period.
    let mut after = Subscription {
        amount,
        interval,
        updated_at: ctx.now,
        version: sub.version + 1,
        ..sub.clone()
    };
    // A new interval may make an add-on's its own, or the subscription's.
    let add_ons = realigned(&donor.add_ons, sub, &mut after, jiff::civil::Date::MIN);
    let mut change = logged(
        request,
        Entity::Subscription(sub.clone()),
        Entity::Subscription(after),
        ctx,
    );
    change.writes.extend(add_ons);
    Ok(change)
}

/// Cancel, Hold or Restart of a subscription. Cancel and Hold withdraw its debits the bank does
/// not have yet, in the same transaction: a donor who cancelled is never debited after.
pub(super) fn transition(
    request: &ActionRequest,
    donor: &Donor,
    sub: &Subscription,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    use SubscriptionState::{Active, Cancelled, OnHold};
    let next = match (request.kind, sub.state) {
        (ActionKind::Cancel, Active | OnHold) => Cancelled,
        (ActionKind::Hold, Active) => OnHold,
        (ActionKind::Restart, OnHold | Cancelled) => Active,
        (kind, state) => {
            return Err(conflict(format!(
                "a subscription that is {} cannot be {}",
                subscription_state(state),
                match kind {
                    ActionKind::Cancel => "cancelled",
                    ActionKind::Hold => "put on hold",
                    _ => "restarted",
                }
            )));
        }
    };
    // A restart goes on from today: no payment for the time it was held or cancelled.
    let today = ctx.today();
    let mut after = Subscription {
        state: next,
        next_due: if next == Active {
            sub.next_due.max(today)
        } else {
            sub.next_due
        },
        updated_at: ctx.now,
        version: sub.version + 1,
        ..sub.clone()
    };
    // Its add-ons go on from today as well.
    let add_ons = if next == Active {
        realigned(&donor.add_ons, sub, &mut after, today)
    } else {
        Vec::new()
    };
    let mut change = logged(
        request,
        Entity::Subscription(sub.clone()),
        Entity::Subscription(after),
        ctx,
    );
    change.writes.extend(add_ons);
    let reason = match next {
        Cancelled => Some(WithdrawalReason::SubscriptionCancelled),
        OnHold => Some(WithdrawalReason::SubscriptionHeld),
        Active => None,
    };
    if let Some(reason) = reason {
        let (writes, records) = withdraw_subscription_debits(
            &donor.payments,
            sub.guid,
            reason,
            request.kind.as_str(),
            ctx.record,
            ctx.merchant,
            ctx.now,
        );
        change.writes.extend(writes);
        change.records.extend(records);
    }
    Ok(change)
}

pub fn subscription_state(state: SubscriptionState) -> &'static str {
    match state {
        SubscriptionState::Active => "active",
        SubscriptionState::OnHold => "on hold",
        SubscriptionState::Cancelled => "cancelled",
    }
}

pub(super) fn refund(
    request: &ActionRequest,
    payment: &Payment,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    if payment.state != PaymentState::Collected {
        return Err(conflict(format!(
            "only a collected payment can be refunded; this one is {}",
            serde_json::to_value(payment.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
    }
    let remaining = payment
        .amount
        .cents()
        .saturating_sub(payment.refunded.cents());
    let amount = request.fields.amount.map_or(remaining, Amount::cents);
    if amount > remaining {
        return Err(conflict(format!(
            "at most {} {} of this payment can still be refunded",
            Amount::from_cents(remaining).canonical(),
            payment.currency.as_str()
        )));
    }
    let refunded = payment.refunded.cents() + amount;
    let after = Payment {
        refunded: Amount::from_cents(refunded),
        state: if refunded == payment.amount.cents() {
            PaymentState::Refunded
        } else {
            PaymentState::Collected
        },
        updated_at: ctx.now,
        version: payment.version + 1,
        ..payment.clone()
    };
    Ok(logged(
        request,
        Entity::Payment(payment.clone()),
        Entity::Payment(after),
        ctx,
    ))
}

/// Entities created by a sign-up or an upgrade, recorded as one DataSet whose `formResult` is
/// what was sent.
pub(super) fn recorded(
    request: &ActionRequest,
    donor: &Donor,
    writes: Vec<EntityWrite>,
    created: &[(&str, EntityGuid)],
    form_result: Map<String, Value>,
    ctx: &ActionContext<'_>,
) -> Change {
    let element = Map::from_iter([("formResult".to_owned(), Value::Object(form_result))]);
    recorded_element(request, donor, writes, created, element, ctx)
}

/// As [`recorded`], with the DataSet's whole `jsonElement` given (a DataSet sign-up).
pub(super) fn recorded_element(
    request: &ActionRequest,
    donor: &Donor,
    writes: Vec<EntityWrite>,
    created: &[(&str, EntityGuid)],
    element: Map<String, Value>,
    ctx: &ActionContext<'_>,
) -> Change {
    let dataset = action_dataset(request, donor.contact.guid, created, element, ctx);
    Change {
        merchant: ctx.merchant.clone(),
        conditions: vec![(donor.contact.guid, ACTIVE)],
        writes,
        records: vec![RecordWrite::NewDataSet(dataset)],
    }
}

/// Upgrade of an AddOn: a new add-on of `sub`, from its next period. One with an interval of
/// its own is first due with that period and moves the subscription's `add_ons_due`.
pub(super) fn add_on(
    request: &ActionRequest,
    donor: &Donor,
    sub: &Subscription,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    if sub.state == SubscriptionState::Cancelled {
        return Err(conflict("a cancelled subscription takes no add-on"));
    }
    let fields = &request.fields;
    let amount = fields
        .amount
        .ok_or_else(|| invalid("an add-on needs an 'amount'"))?;
    let interval = fields.interval.unwrap_or(sub.interval);
    if !interval.is_recurring() {
        return Err(invalid(
            "'interval' of an add-on must be 1, 3, 6 or 12 (it recurs), not 0",
        ));
    }
    let mut add_on = AddOn {
        guid: derived_guid(ctx.record, "add-on"),
        contact: donor.contact.guid,
        subscription: sub.guid,
        name: fields.name.clone().unwrap_or_else(|| "AddOn".to_owned()),
        amount,
        interval,
        next_due: None,
        created_at: ctx.now,
        version: 0,
    };
    let mut writes = Vec::new();
    if own_interval(&add_on, sub) {
        add_on.next_due = Some(sub.next_due);
        writes.push(EntityWrite::Replace {
            expected: sub.version,
            entity: Entity::Subscription(Subscription {
                add_ons_due: Some(
                    sub.add_ons_due
                        .map_or(sub.next_due, |d| d.min(sub.next_due)),
                ),
                updated_at: ctx.now,
                version: sub.version + 1,
                ..sub.clone()
            }),
        });
    }
    let form = json!({"name": add_on.name, "amount": amount, "interval": add_on.interval.months()});
    let created = [
        ("addOnGuidResult", add_on.guid),
        ("subscriptionGuidResult", sub.guid),
    ];
    writes.insert(0, EntityWrite::Create(Entity::AddOn(add_on)));
    Ok(recorded(
        request,
        donor,
        writes,
        &created,
        as_map(form),
        ctx,
    ))
}

pub(super) fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A change of a contact itself, with its record.
pub(super) fn contact_change(
    before: &Contact,
    after: Contact,
    record: RecordWrite,
    ctx: &ActionContext<'_>,
) -> Change {
    Change {
        merchant: ctx.merchant.clone(),
        conditions: Vec::new(),
        writes: vec![EntityWrite::Replace {
            expected: before.version,
            entity: Entity::Contact(after),
        }],
        records: vec![record],
    }
}

pub(super) fn refused(contact: &Contact, doing: &str) -> Refusal {
    conflict(format!(
        "a contact that is {} cannot be {doing}",
        state_name(contact.state)
    ))
}
