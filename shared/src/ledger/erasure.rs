//! Erasure (GDPR art. 17): the donor's data gone everywhere. The person and the payment
//! methods' details go at once with the changelog entry, every subscription ends, and the
//! payments and DataSets follow in batches.

use serde_json::{Map, Value, json};

use super::actions::ActionRequest;
use super::context::ActionContext;
use super::donor::{Donor, masked_iban};
use super::model::{
    Contact, ContactState, DirectDebit, Entity, Payment, PaymentMethod, PaymentState, Pending,
    Subscription, SubscriptionState,
};
use super::ports::{Change, EntityWrite, RecordWrite};
use super::records::{changelog, derived_guid, entry_of};
use super::rules::Refusal;
use super::rules::{contact_change, refused};
use super::withdrawals::{WithdrawalReason, unsent};
use crate::changelog::ChangelogStatus;
use crate::dataset::JsonElement;
use crate::ground::ids::ChangelogGuid;

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
    // The request that erases the donor keeps no personal data of theirs either.
    entry.meta_data = entry.meta_data.as_ref().map(redacted_meta_data);
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
        let (mut erased, withdrawal) = erased_payment(payment);
        records.extend(withdrawal);
        erased.updated_at = ctx.now;
        erased.version = payment.version + 1;
        writes.push(EntityWrite::Replace {
            expected: payment.version,
            entity: Entity::Payment(erased),
        });
    }
    (writes, records)
}

/// A payment with its debit's copy of the debtor gone and, if the bank does not have it yet,
/// withdrawn (with its leaving the collection that claimed it).
fn erased_payment(payment: &Payment) -> (Payment, Option<RecordWrite>) {
    let mut erased = payment.clone();
    if let Some(debit) = erased.debit.as_mut() {
        debit.debtor_name = String::new();
        debit.debtor_iban = masked_iban(&debit.debtor_iban);
        debit.debtor_bic = None;
        debit.debtor_address = None;
    }
    let mut withdrawal = None;
    if unsent(payment) {
        erased.state = PaymentState::Cancelled;
        withdrawal = payment
            .debit
            .as_ref()
            .filter(|_| payment.state == PaymentState::Claimed)
            .and_then(|d| d.collection.clone())
            .map(|collection| RecordWrite::Withdrawal {
                collection,
                payment: Box::new(payment.clone()),
            });
    }
    (erased, withdrawal)
}

/// An entity of a merge whose target was erased while it ran, erased as it moves, as the
/// target's own were: the account masked, a subscription cancelled, a debit's debtor gone
/// and, if the bank does not have it yet, withdrawn.
pub fn erased_entity(entity: Entity) -> (Entity, Option<RecordWrite>) {
    match entity {
        Entity::PaymentMethod(pm) => (
            Entity::PaymentMethod(PaymentMethod {
                iban: pm.iban.as_deref().map(masked_iban),
                bic: None,
                holder: None,
                ..pm
            }),
            None,
        ),
        Entity::Subscription(sub) => (
            Entity::Subscription(Subscription {
                state: SubscriptionState::Cancelled,
                ..sub
            }),
            None,
        ),
        Entity::Payment(payment) => {
            let (erased, withdrawal) = erased_payment(&payment);
            (Entity::Payment(erased), withdrawal)
        }
        other => (other, None),
    }
}

/// Whether nothing of the debtor is left on a debit.
fn debtor_erased(debit: &DirectDebit) -> bool {
    debit.debtor_name.is_empty()
        && debit.debtor_bic.is_none()
        && debit.debtor_address.is_none()
        && debit.debtor_iban == masked_iban(&debit.debtor_iban)
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

/// A changelog entry's `metaData` with the donor's data gone, by the same names as a DataSet's.
pub fn redacted_meta_data(meta_data: &Value) -> Value {
    let element = JsonElement::from_stored(meta_data.to_string());
    serde_json::from_str(redacted(&element, &[]).as_str()).unwrap_or(Value::Null)
}

/// The visit session a DataSet's donation came through, to erase with the donor.
pub fn visit_session_of(element: &JsonElement) -> Option<String> {
    let document: Value = serde_json::from_str(element.as_str()).ok()?;
    document["visitSession"]["sessionId"]
        .as_str()
        .map(str::to_owned)
}
