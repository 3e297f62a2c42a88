//! What an action records: a changelog entry with the entity's state before and after, or a
//! DataSet of what it signed up; and the guids of what it creates, derived from the record's
//! guid so that a retried action creates the very same entities.

use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::actions::ActionRequest;
use super::context::ActionContext;
use super::donor::masked_iban;
use super::model::{Entity, Payment};
use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::dataset::{DataSet, JsonElement};
use crate::ground::ids::{ChangelogGuid, DataSetGuid, EntityGuid, MerchantId};
use crate::ground::time::seed_format;

/// A guid that follows from `seed` and `label` alone.
pub fn derived_guid(seed: Uuid, label: &str) -> EntityGuid {
    let digest = Sha256::new()
        .chain_update(b"entity:")
        .chain_update(seed.as_bytes())
        .chain_update(b":")
        .chain_update(label.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    EntityGuid::from_uuid(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// An entity's state as the changelog records it: states, amounts and links, never a donor's
/// person data (an IBAN only masked).
pub fn state_of(entity: &Entity) -> Value {
    match entity {
        Entity::Contact(c) => {
            json!({"state": state_text(&c.state), "mergedInto": c.merged_into.map(|g| g.to_string())})
        }
        Entity::PaymentMethod(pm) => json!({
            "state": state_text(&pm.state),
            "type": pm.kind.as_str(),
            "iban": pm.iban.as_deref().map(masked_iban),
            "replacedBy": pm.replaced_by.map(|g| g.to_string()),
        }),
        Entity::Subscription(s) => json!({
            "state": state_text(&s.state),
            "amount": s.amount,
            "currency": s.currency.as_str(),
            "interval": s.interval.months(),
            "paymentMethodGuid": s.payment_method.to_string(),
            "nextDueDate": s.next_due.to_string(),
        }),
        Entity::Payment(p) => json!({
            "state": state_text(&p.state),
            "amount": p.amount,
            "refundedAmount": p.refunded,
            "currency": p.currency.as_str(),
            "dueDate": p.due_date.to_string(),
        }),
        Entity::AddOn(a) => json!({"amount": a.amount, "interval": a.interval.months()}),
    }
}

/// A state written the way its JSON says it (`onHold`, `collected`).
pub fn state_text<T: Serialize>(state: &T) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The changelog entry of a change from `before` to `after`.
pub fn changelog(
    request: &ActionRequest,
    before: &Entity,
    after: &Entity,
    ctx: &ActionContext<'_>,
) -> ChangelogEntry {
    let mut entry = entry_of(
        request.kind.as_str(),
        (before, after),
        ctx.merchant,
        ChangelogGuid::from_uuid(ctx.record),
        ctx.now,
        request.meta_data.clone(),
    );
    entry.entity_type = request.entity.as_str().to_owned();
    entry.entity_guid = request.entity_guid;
    entry
}

/// The changelog entry of a change the system made itself (a bank's return, a lapsed mandate),
/// named `action`, from `before` to `after`.
pub fn entry_of(
    action: &str,
    (before, after): (&Entity, &Entity),
    merchant: &MerchantId,
    guid: ChangelogGuid,
    now: Timestamp,
    meta_data: Option<Value>,
) -> ChangelogEntry {
    ChangelogEntry {
        guid,
        merchant_id: merchant.clone(),
        created_at: now,
        updated_at: now,
        action: action.to_owned(),
        entity_type: entity_type(before).to_owned(),
        entity_guid: before.guid(),
        contact_guid: before.contact(),
        meta_data,
        before: state_of(before),
        after: state_of(after),
        status: ChangelogStatus::Completed,
    }
}

/// The changelog entry of a payment the system made itself (the scheduler's next period, a
/// debit presented again): `SignUp` of a `Payment`, nothing before it, `meta` saying whose.
pub fn new_payment_entry(
    payment: &Payment,
    merchant: &MerchantId,
    guid: ChangelogGuid,
    now: Timestamp,
    meta: Value,
) -> ChangelogEntry {
    ChangelogEntry {
        guid,
        merchant_id: merchant.clone(),
        created_at: now,
        updated_at: now,
        action: "SignUp".to_owned(),
        entity_type: "Payment".to_owned(),
        entity_guid: payment.guid,
        contact_guid: payment.contact,
        meta_data: Some(meta),
        before: Value::Null,
        after: state_of(&Entity::Payment(payment.clone())),
        status: ChangelogStatus::Completed,
    }
}

/// An entity's type as the changelog names it.
fn entity_type(entity: &Entity) -> &'static str {
    match entity {
        Entity::Contact(_) => "Contact",
        Entity::PaymentMethod(_) => "PaymentMethod",
        Entity::Subscription(_) => "Subscription",
        Entity::Payment(_) => "Payment",
        Entity::AddOn(_) => "AddOn",
    }
}

/// The DataSet of an action that signs something up: its `jsonElement` as given (a DataSet
/// sign-up) or `{"formResult": …}` with what was sent, plus the action and the guids of what it
/// created (`paymentSessionResult`, as a processed donation has it).
pub fn action_dataset(
    request: &ActionRequest,
    contact: EntityGuid,
    created: &[(&str, EntityGuid)],
    mut element: Map<String, Value>,
    ctx: &ActionContext<'_>,
) -> DataSet {
    let mut result = Map::new();
    result.insert(
        "postProcessedTs".into(),
        seed_format(ctx.now, ctx.zone).into(),
    );
    result.insert("contactGuidResult".into(), contact.to_string().into());
    for (name, guid) in created {
        result.insert((*name).to_owned(), guid.to_string().into());
    }
    let form_result = element.get("formResult").and_then(Value::as_object);
    let has = |name: &str| form_result.is_some_and(|form| form.contains_key(name));
    let sensitive: Vec<String> = crate::validation::PERSONAL_FIELDS
        .iter()
        .chain(&["holder"])
        .filter(|name| has(name))
        .map(|name| (*name).to_owned())
        .collect();
    for (name, value) in [
        ("action", json!(request.kind.as_str())),
        ("entityType", json!(request.entity.as_str())),
        ("entityGuid", json!(request.entity_guid.to_string())),
        ("metaData", json!(request.meta_data)),
        ("paymentSessionResult", Value::Object(result)),
    ] {
        element.insert(name.to_owned(), value);
    }
    let element = Value::Object(element);
    DataSet {
        guid: DataSetGuid::from_uuid(ctx.record),
        merchant_id: ctx.merchant.clone(),
        created_at: ctx.now,
        updated_at: ctx.now,
        source_type: "action".to_owned(),
        source_guid: Some(request.entity_guid.to_string()),
        vendor: None,
        is_transactional: true,
        is_third_party: false,
        sensitive_data: sensitive,
        json_element: JsonElement::from_stored(element.to_string()),
        contact: Some(contact),
    }
}
