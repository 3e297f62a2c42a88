//! What happens to a contact as a whole: archiving (read-only from then on), erasure (the
//! donor's data gone everywhere, in batches) and merging (everything moved into another
//! contact, in batches, the source left as a pointer). The batch steps are decided here; the
//! service runs them until nothing is left.

use serde_json::{Map, Value, json};

use super::actions::ActionRequest;
use super::context::ActionContext;
use super::model::{
    Contact, ContactState, DirectDebit, Donor, Entity, PaymentMethod, PaymentState, Pending,
    Subscription, SubscriptionState, masked_iban,
};
use super::ports::{Change, EntityWrite, RecordWrite};
use super::records::{changelog, derived_guid, entry_of, state_of};
use super::rules::{ACTIVE, Refusal, conflict, invalid, state_name};
use super::withdrawals::{WithdrawalReason, unsent};
use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::dataset::JsonElement;
use crate::ground::ids::{ChangelogGuid, EntityGuid};

/// Entities moved per transaction in a merge (each is a put, a delete and a directory entry).
const MOVES_PER_CHANGE: usize = 25;

fn contact_change(
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

fn refused(contact: &Contact, doing: &str) -> Refusal {
    conflict(format!(
        "a contact that is {} cannot be {doing}",
        state_name(contact.state)
    ))
}

/// Active → archived: read-only from now on.
pub fn archive(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let before = &donor.contact;
    if before.state != ContactState::Active {
        return Err(refused(before, "archived"));
    }
    let after = Contact {
        state: ContactState::Archived,
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    let entry = changelog(
        request,
        &Entity::Contact(before.clone()),
        &Entity::Contact(after.clone()),
        ctx,
    );
    Ok(contact_change(
        before,
        after,
        RecordWrite::NewChangelog(entry),
        ctx,
    ))
}

/// The start of an erasure (also of an archived contact: erasure is a right): the person and
/// the payment methods' details go at once, in one transaction with the changelog entry;
/// the DataSets follow in batches.
pub fn start_erasure(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let before = &donor.contact;
    if !matches!(before.state, ContactState::Active | ContactState::Archived) {
        return Err(refused(before, "anonymised"));
    }
    let after = Contact {
        state: ContactState::Anonymising,
        person: Box::default(),
        pending: Some(Pending {
            changelog: ChangelogGuid::from_uuid(ctx.record),
            after: None,
            done: 0,
        }),
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    let mut entry = changelog(
        request,
        &Entity::Contact(before.clone()),
        &Entity::Contact(after.clone()),
        ctx,
    );
    entry.status = ChangelogStatus::InProgress;
    let mut change = contact_change(before, after, RecordWrite::NewChangelog(entry), ctx);
    for pm in &donor.payment_methods {
        change.writes.push(EntityWrite::Replace {
            expected: pm.version,
            entity: Entity::PaymentMethod(PaymentMethod {
                iban: pm.iban.as_deref().map(masked_iban),
                bic: None,
                holder: None,
                updated_at: ctx.now,
                version: pm.version + 1,
                ..pm.clone()
            }),
        });
    }
    // An erased donor gives no more: every subscription still running ends here.
    for sub in donor
        .subscriptions
        .iter()
        .filter(|s| s.state != SubscriptionState::Cancelled)
    {
        let after = Subscription {
            state: SubscriptionState::Cancelled,
            updated_at: ctx.now,
            version: sub.version + 1,
            ..sub.clone()
        };
        let (before, after) = (
            Entity::Subscription(sub.clone()),
            Entity::Subscription(after),
        );
        let guid = derived_guid(ctx.record, &format!("cancel {}", sub.guid));
        change.records.push(RecordWrite::NewChangelog(entry_of(
            "Cancel",
            (&before, &after),
            ctx.merchant,
            ChangelogGuid::from_uuid(guid.uuid()),
            ctx.now,
            Some(json!({"reason": WithdrawalReason::ContactErased.code()})),
        )));
        change.writes.push(EntityWrite::Replace {
            expected: sub.version,
            entity: after,
        });
    }
    Ok(change)
}

/// Payments an erasure handles per batch (each is one write of the batch's transaction).
const PAYMENTS_PER_BATCH: usize = 25;

/// The next payments of an erasure: debits keep a copy of the debtor, erased too (whatever was
/// left of it: a debit with no holder name still had its IBAN); one the bank does not have
/// yet is withdrawn, leaving the collection that claimed it.
pub fn erased_payments(
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> (Vec<EntityWrite>, Vec<RecordWrite>) {
    let mut writes = Vec::new();
    let mut records = Vec::new();
    for payment in donor
        .payments
        .iter()
        .filter(|p| p.debit.as_ref().is_some_and(|d| !debtor_erased(d)) || unsent(p))
        .take(PAYMENTS_PER_BATCH)
    {
        let mut erased = payment.clone();
        if let Some(debit) = erased.debit.as_mut() {
            debit.debtor_name = String::new();
            debit.debtor_iban = masked_iban(&debit.debtor_iban);
            debit.debtor_bic = None;
            debit.debtor_address = None;
        }
        if unsent(payment) {
            erased.state = PaymentState::Cancelled;
            if let Some(collection) = payment
                .debit
                .as_ref()
                .filter(|_| payment.state == PaymentState::Claimed)
                .and_then(|d| d.collection.clone())
            {
                records.push(RecordWrite::Withdrawal {
                    collection,
                    payment: Box::new(payment.clone()),
                });
            }
        }
        erased.updated_at = ctx.now;
        erased.version = payment.version + 1;
        writes.push(EntityWrite::Replace {
            expected: payment.version,
            entity: Entity::Payment(erased),
        });
    }
    (writes, records)
}

/// Whether nothing of the debtor is left on a debit.
fn debtor_erased(debit: &DirectDebit) -> bool {
    debit.debtor_name.is_empty()
        && debit.debtor_bic.is_none()
        && debit.debtor_address.is_none()
        && debit.debtor_iban == masked_iban(&debit.debtor_iban)
}

/// How far a batch operation got: the contact keeps it, so the next call goes on from there.
pub fn progress(
    contact: &Contact,
    after: Option<String>,
    done: u64,
    ctx: &ActionContext<'_>,
    entry: &ChangelogEntry,
) -> Change {
    let pending = contact
        .pending
        .clone()
        .map(|p| Pending { after, done, ..p });
    let updated = Contact {
        pending,
        updated_at: ctx.now,
        version: contact.version + 1,
        ..contact.clone()
    };
    let mut entry = entry.clone();
    entry.updated_at = ctx.now;
    entry.after["done"] = json!(done);
    contact_change(contact, updated, RecordWrite::UpdateChangelog(entry), ctx)
}

/// The end of an erasure or a merge: the entry says `completed` only now.
pub fn finish(contact: &Contact, entry: &ChangelogEntry, ctx: &ActionContext<'_>) -> Change {
    let state = match contact.state {
        ContactState::Anonymising => ContactState::Anonymised,
        other => other,
    };
    let done = contact.pending.as_ref().map_or(0, |p| p.done);
    let after = Contact {
        state,
        pending: None,
        updated_at: ctx.now,
        version: contact.version + 1,
        ..contact.clone()
    };
    let mut entry = entry.clone();
    entry.updated_at = ctx.now;
    entry.status = ChangelogStatus::Completed;
    entry.after = state_of(&Entity::Contact(after.clone()));
    entry.after["done"] = json!(done);
    contact_change(contact, after, RecordWrite::UpdateChangelog(entry), ctx)
}

/// The start of a merge into `target`: the source becomes a pointer at once; its entities and
/// DataSets follow in batches.
pub fn start_merge(
    request: &ActionRequest,
    source: &Donor,
    target: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let before = &source.contact;
    if before.guid == target.contact.guid {
        return Err(invalid("a contact cannot be merged into itself"));
    }
    if before.state != ContactState::Active {
        return Err(refused(before, "merged"));
    }
    if target.contact.state != ContactState::Active {
        return Err(conflict(format!(
            "the target contact is {}: nothing can be merged into it",
            state_name(target.contact.state)
        )));
    }
    let after = Contact {
        state: ContactState::Merged,
        merged_into: Some(target.contact.guid),
        pending: Some(Pending {
            changelog: ChangelogGuid::from_uuid(ctx.record),
            after: None,
            done: 0,
        }),
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    let mut entry = changelog(
        request,
        &Entity::Contact(before.clone()),
        &Entity::Contact(after.clone()),
        ctx,
    );
    entry.status = ChangelogStatus::InProgress;
    let mut change = contact_change(before, after, RecordWrite::NewChangelog(entry), ctx);
    change.conditions.push((target.contact.guid, ACTIVE));
    Ok(change)
}

/// The next entities of a merged contact moved into its target; `None` when none are left.
pub fn merge_moves(source: &Donor, target: EntityGuid, ctx: &ActionContext<'_>) -> Option<Change> {
    let moves: Vec<EntityWrite> = source
        .entities()
        .into_iter()
        .filter(|e| !matches!(e, Entity::Contact(_)))
        .take(MOVES_PER_CHANGE)
        .map(|entity| {
            let (from, expected) = (entity.contact(), entity.version());
            EntityWrite::Move {
                entity: rehome(entity, target),
                from,
                expected,
            }
        })
        .collect();
    (!moves.is_empty()).then(|| Change {
        merchant: ctx.merchant.clone(),
        conditions: vec![
            (source.contact.guid, &[ContactState::Merged]),
            (target, ACTIVE),
        ],
        writes: moves,
        records: Vec::new(),
    })
}

fn rehome(entity: Entity, contact: EntityGuid) -> Entity {
    match entity {
        Entity::PaymentMethod(e) => Entity::PaymentMethod(PaymentMethod { contact, ..e }),
        Entity::Subscription(mut e) => {
            e.contact = contact;
            Entity::Subscription(e)
        }
        Entity::Payment(mut e) => {
            e.contact = contact;
            Entity::Payment(e)
        }
        Entity::AddOn(mut e) => {
            e.contact = contact;
            Entity::AddOn(e)
        }
        contact_itself => contact_itself,
    }
}

/// Names integrators commonly give person data, erased too, whatever `sensitive_data` says.
const ALSO_PERSONAL: &[&str] = &[
    "name",
    "fullName",
    "firstName",
    "lastName",
    "middleName",
    "holder",
    "accountHolder",
    "address",
    "postCode",
    "postalCode",
    "zip",
    "mobile",
    "customerId",
    "birthDate",
];

/// A DataSet's document with the donor's data gone: every value named as personal (the known
/// person fields, and what the DataSet itself lists as `sensitive_data`), wherever it is.
pub fn redacted(element: &JsonElement, sensitive: &[String]) -> JsonElement {
    fn walk(value: &mut Value, names: &dyn Fn(&str) -> bool) {
        match value {
            Value::Object(map) => {
                // A form field record (`formFields`): keep the field, drop its value.
                let field = map.contains_key("inputType");
                if field && map.get("name").and_then(Value::as_str).is_some_and(names) {
                    map.insert("value".to_owned(), Value::Null);
                }
                map.retain(|key, _| (field && key == "name") || !names(key));
                map.values_mut().for_each(|v| walk(v, names));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, names)),
            _ => {}
        }
    }
    let mut document: Value =
        serde_json::from_str(element.as_str()).unwrap_or(Value::Object(Map::new()));
    let personal = |name: &str| {
        crate::validation::PERSONAL_FIELDS.contains(&name)
            || ALSO_PERSONAL.contains(&name)
            || sensitive.iter().any(|s| s == name)
    };
    walk(&mut document, &personal);
    JsonElement::from_stored(document.to_string())
}

/// The visit session a DataSet's donation came through, to erase with the donor.
pub fn visit_session_of(element: &JsonElement) -> Option<String> {
    let document: Value = serde_json::from_str(element.as_str()).ok()?;
    document["visitSession"]["sessionId"]
        .as_str()
        .map(str::to_owned)
}
