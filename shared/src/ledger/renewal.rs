//! Renewal of a payment method: a new account is a new mandate, and the contact's
//! subscriptions move to it in the same transaction.

use serde_json::json;

use super::actions::ActionRequest;
use super::context::ActionContext;
use super::debits::debtor_account;
use super::donor::{Donor, masked_iban};
use super::model::{Entity, PaymentMethod, PaymentMethodState, Subscription, SubscriptionState};
use super::ports::{Change, EntityWrite};
use super::records::derived_guid;
use super::rules::{Refusal, as_map, conflict, invalid, recorded};
use crate::ground::money::MethodKind;
use crate::sepa::{Mandate, MandateKind};

/// What a renewed mandate authorises: a series when subscriptions move to it (or the old one
/// was recurrent), else what the old one did.
fn renewed_kind(donor: &Donor, old: &PaymentMethod) -> MandateKind {
    let carries_series = donor
        .subscriptions
        .iter()
        .any(|s| s.payment_method == old.guid && s.state != SubscriptionState::Cancelled);
    match old.mandate.as_ref().and_then(|m| m.kind) {
        Some(MandateKind::OneOff) if !carries_series => MandateKind::OneOff,
        _ => MandateKind::Recurrent,
    }
}

pub(super) fn renewal(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let old = donor
        .payment_methods
        .iter()
        .find(|pm| pm.guid == request.entity_guid)
        .ok_or(Refusal::NotFound("PaymentMethod not found"))?;
    if old.state != PaymentMethodState::Active {
        return Err(conflict(
            "this payment method was replaced already; renew its successor",
        ));
    }
    let fields = &request.fields;
    let raw = fields
        .iban
        .as_deref()
        .ok_or_else(|| invalid("a renewal needs the new 'iban'"))?;
    let (iban, bic) = debtor_account(raw, fields.bic.as_deref(), &donor.contact.person)
        .map_err(|why| invalid(why.to_string()))?;
    let guid = derived_guid(ctx.record, "payment-method");
    let renewed = PaymentMethod {
        guid,
        // A new account is a new mandate, signed now; its first debit is a FRST again.
        mandate: (old.kind == MethodKind::SepaDirectDebit)
            .then(|| Mandate::new(guid, ctx.today(), renewed_kind(donor, old))),
        iban: Some(iban.clone()),
        bic,
        holder: fields.holder.clone().or_else(|| old.holder.clone()),
        state: PaymentMethodState::Active,
        replaced_by: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 0,
        ..old.clone()
    };
    let mut writes = vec![
        EntityWrite::Create(Entity::PaymentMethod(renewed.clone())),
        EntityWrite::Replace {
            expected: old.version,
            entity: Entity::PaymentMethod(PaymentMethod {
                state: PaymentMethodState::Replaced,
                replaced_by: Some(renewed.guid),
                updated_at: ctx.now,
                version: old.version + 1,
                ..old.clone()
            }),
        },
    ];
    // The contact's subscriptions on the old method move to the new one.
    for sub in donor
        .subscriptions
        .iter()
        .filter(|s| s.payment_method == old.guid && s.state != SubscriptionState::Cancelled)
    {
        writes.push(EntityWrite::Replace {
            expected: sub.version,
            entity: Entity::Subscription(Subscription {
                payment_method: renewed.guid,
                updated_at: ctx.now,
                version: sub.version + 1,
                ..sub.clone()
            }),
        });
    }
    // The DataSet is an answer like any other: the new IBAN only masked.
    let form = json!({"iban": masked_iban(&iban), "bic": renewed.bic, "holder": renewed.holder});
    let created = [("paymentMethodGuidResult", renewed.guid)];
    Ok(recorded(
        request,
        donor,
        writes,
        &created,
        as_map(form),
        ctx,
    ))
}
