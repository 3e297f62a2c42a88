//! A subscription's next period, or the next period of one of its add-ons with an interval of
//! its own: the payment (with the changelog entry a CRM's sync sees, as for any new payment)
//! and the series moved on one period in the same transaction, or the subscription held.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde_json::{Value, json};

use super::hold::{HoldReason, hold};
use super::ports::Due;
use super::report::Report;
use crate::ground::ids::{ChangelogGuid, EntityGuid};
use crate::ground::money::{Amount, MethodKind};
use crate::ledger::{
    AddOn, Change, ContactState, Donor, Entity, EntityWrite, NotDrawable, Payment, PaymentMethod,
    RecordWrite, Subscription, SubscriptionState, add_ons_due, derived_guid, new_payment_entry,
    own_interval, terms, used,
};
use crate::sepa::Creditor;

/// What a due subscription needs next.
pub(super) enum Step {
    /// Its next period's payment, the subscription moved on one period, its mandate's use.
    Pay(Change),
    /// The payment of the add-on named, which moves on one of its own periods.
    PayAddOn(EntityGuid, Change),
    /// The subscription on hold, with a changelog entry ([`HoldReason`]).
    Hold(Change),
}

/// The run a step is decided in: its day, its moment, and the card and wallet methods the
/// payment provider takes.
pub(super) struct Run<'a> {
    pub today: Date,
    pub now: Timestamp,
    pub provided: &'a [MethodKind],
}

/// What falls due: the subscription's period (its add-ons of its interval summed in), or an
/// add-on's of an interval of its own.
#[derive(Clone, Copy)]
enum Owed<'a> {
    Period,
    AddOn(&'a AddOn),
}

/// The subscription's next step, if it is time; `None` when nothing is due yet. Its add-ons
/// of their own interval come first, each once a run (`paid`: those paid this run), then its
/// own period.
pub(super) fn next_step(
    donor: &Donor,
    due: &Due,
    creditor: Option<&Creditor>,
    paid: &[EntityGuid],
    run: &Run<'_>,
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
    let horizon = run.today.checked_add(notice.days()).ok()?;
    let add_on = donor
        .add_ons
        .iter()
        .filter(|a| own_interval(a, sub) && !paid.contains(&a.guid))
        // One stored before add-ons had their own calendar is due with the next period.
        .map(|a| (a, a.next_due.unwrap_or(sub.next_due)))
        .filter(|(_, period)| *period <= horizon)
        .min_by_key(|(_, period)| *period);
    let (owed, period) = match add_on {
        Some((a, period)) => (Owed::AddOn(a), period),
        None if sub.next_due <= horizon => (Owed::Period, sub.next_due),
        None => return None,
    };
    if method.kind != MethodKind::SepaDirectDebit && !run.provided.contains(&method.kind) {
        return Some(Step::Hold(hold(
            donor,
            sub,
            run.now,
            HoldReason::NoPaymentProvider,
        )));
    }
    let person = &donor.contact.person;
    let terms = match terms(method, person, creditor, run.today, Some(period), true) {
        Ok(terms) => terms,
        Err(NotDrawable::MandateLapsed) => {
            return Some(Step::Hold(hold(
                donor,
                sub,
                run.now,
                HoldReason::MandateLapsed,
            )));
        }
        Err(_) => {
            report.skipped += 1;
            return None;
        }
    };
    let moved = moved_on(donor, sub, owed, period, run.now)?;
    let payment = Payment {
        guid: derived_guid(moved.seed.uuid(), &format!("period {period}")),
        contact: donor.contact.guid,
        subscription: Some(sub.guid),
        payment_method: method.guid,
        amount: Amount::from_cents(moved.cents),
        currency: sub.currency.clone(),
        due_date: terms.due_date,
        state: terms.state,
        refunded: Amount::from_cents(0),
        debit: terms.debit,
        provider_reference: None,
        representation_of: None,
        created_at: run.now,
        updated_at: run.now,
        version: 0,
    };
    let mut meta = json!({
        "source": "scheduler",
        "subscriptionGuid": sub.guid.to_string(),
        "period": period.to_string(),
    });
    if let Owed::AddOn(a) = owed {
        meta["addOnGuid"] = a.guid.to_string().into();
    }
    let change = paid_change(
        donor,
        method,
        creditor,
        payment,
        moved.writes,
        meta,
        run.now,
    );
    Some(match owed {
        Owed::Period => Step::Pay(change),
        Owed::AddOn(a) => Step::PayAddOn(a.guid, change),
    })
}

/// A period's payment: what its guid derives from, its amount, and the series moved on.
struct Moved {
    seed: EntityGuid,
    cents: u64,
    writes: Vec<EntityWrite>,
}

/// The series `owed` moved on one period from `period`: the subscription to its next period
/// (its add-ons of its interval summed into the amount), or the add-on to its next one (and the
/// subscription's `add_ons_due` with it). `None` when the next period is out of range.
fn moved_on(
    donor: &Donor,
    sub: &Subscription,
    owed: Owed<'_>,
    period: Date,
    now: Timestamp,
) -> Option<Moved> {
    let mut next = Subscription {
        updated_at: now,
        version: sub.version + 1,
        ..sub.clone()
    };
    let replace = |expected, entity| EntityWrite::Replace { expected, entity };
    match owed {
        Owed::Period => {
            let add_ons: u64 = donor
                .add_ons
                .iter()
                .filter(|a| a.subscription == sub.guid && a.interval == sub.interval)
                .map(|a| a.amount.cents())
                .sum();
            next.next_due = sub.interval.after(sub.next_due, sub.day)?;
            Some(Moved {
                seed: sub.guid,
                cents: sub.amount.cents() + add_ons,
                writes: vec![replace(sub.version, Entity::Subscription(next))],
            })
        }
        Owed::AddOn(add_on) => {
            let moved = AddOn {
                next_due: Some(add_on.interval.after(period, sub.day)?),
                version: add_on.version + 1,
                ..add_on.clone()
            };
            let add_ons: Vec<AddOn> = donor
                .add_ons
                .iter()
                .map(|a| if a.guid == add_on.guid { &moved } else { a }.clone())
                .collect();
            next.add_ons_due = add_ons_due(sub, &add_ons);
            Some(Moved {
                seed: add_on.guid,
                cents: add_on.amount.cents(),
                writes: vec![
                    replace(add_on.version, Entity::AddOn(moved)),
                    replace(sub.version, Entity::Subscription(next)),
                ],
            })
        }
    }
}

/// The change that books a scheduled `payment`: it, the series moved on (`moved`), the
/// mandate's use, and its changelog entry, on condition its contact is still active.
fn paid_change(
    donor: &Donor,
    method: &PaymentMethod,
    creditor: Option<&Creditor>,
    payment: Payment,
    moved: Vec<EntityWrite>,
    meta: Value,
    now: Timestamp,
) -> Change {
    let merchant = &donor.contact.merchant_id;
    // `SignUp` of a `Payment`, `metaData` saying it is the scheduler's and which period (of
    // which add-on) it pays, so a CRM that syncs `GET /changelogs` sees every debit and card
    // charge; its guid follows from the payment's.
    let guid = derived_guid(payment.guid.uuid(), "scheduled");
    let entry = new_payment_entry(
        &payment,
        merchant,
        ChangelogGuid::from_uuid(guid.uuid()),
        now,
        meta,
    );
    let mut writes = vec![EntityWrite::Create(Entity::Payment(payment.clone()))];
    writes.extend(moved);
    if let Some(used) = used(method, payment.due_date, creditor) {
        writes.push(EntityWrite::Replace {
            expected: method.version,
            entity: Entity::PaymentMethod(PaymentMethod {
                updated_at: now,
                version: method.version + 1,
                ..used
            }),
        });
    }
    Change {
        merchant: merchant.clone(),
        conditions: vec![(donor.contact.guid, &[ContactState::Active])],
        writes,
        records: vec![RecordWrite::NewChangelog(entry)],
    }
}
