//! Sign-ups: a payment, a subscription (with a one-off), or a DataSet for an existing contact,
//! each recorded as a DataSet.

use jiff::ToSpan;
use serde_json::{Map, Value, json};

use super::actions::{ActionEntity, ActionRequest};
use super::model::{
    Donor, Entity, Payment, PaymentMethodEntity, PaymentMethodState, PaymentState, Subscription,
    SubscriptionState,
};
use super::ports::{Change, EntityWrite};
use super::records::derived_guid;
use super::rules::{ActionContext, Refusal, as_map, invalid, recorded};
use crate::ground::ids::EntityGuid;
use crate::ground::money::{Amount, Currency, Interval};

/// The payment method a sign-up pays with: the one named, or the contact's newest active one.
fn paying_method(
    donor: &Donor,
    named: Option<EntityGuid>,
) -> Result<&PaymentMethodEntity, Refusal> {
    let active = |pm: &&PaymentMethodEntity| pm.state == PaymentMethodState::Active;
    match named {
        Some(guid) => donor
            .payment_methods
            .iter()
            .find(|pm| pm.guid == guid)
            .filter(active)
            .ok_or_else(|| {
                invalid("'paymentMethodGuid' is no active payment method of this contact")
            }),
        None => donor
            .payment_methods
            .iter()
            .filter(active)
            .max_by_key(|pm| pm.created_at)
            .ok_or_else(|| invalid("the contact has no active payment method; renew one first")),
    }
}

pub(super) fn sign_up(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let fields = &request.fields;
    let currency = fields.currency.clone().unwrap_or_else(|| {
        Currency::parse("EUR").unwrap_or_else(|| unreachable!("EUR is a currency"))
    });
    let today = ctx.today();
    if request.entity == ActionEntity::DataSet {
        let element = fields
            .json_element
            .as_ref()
            .ok_or_else(|| invalid("a DataSet sign-up needs its 'jsonElement'"))?;
        let form: Map<String, Value> = serde_json::from_str(element.as_str()).unwrap_or_default();
        return Ok(recorded(request, donor, Vec::new(), &[], form, ctx));
    }
    if request.entity_guid != donor.contact.guid {
        return Err(invalid("a sign-up names its contact as 'entityGuid'"));
    }
    let method = paying_method(donor, fields.payment_method)?;
    let amount = fields
        .amount
        .ok_or_else(|| invalid("a sign-up needs an 'amount'"))?;
    let payment = |label: &str, amount: Amount, subscription: Option<EntityGuid>| Payment {
        guid: derived_guid(ctx.record, label),
        contact: donor.contact.guid,
        subscription,
        payment_method: method.guid,
        amount,
        currency: currency.clone(),
        due_date: today,
        state: PaymentState::Pending,
        refunded: Amount::from_cents(0),
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 0,
    };
    let mut writes = Vec::new();
    let mut created = vec![("paymentMethodGuidResult", method.guid)];
    let mut form = json!({"amount": amount, "currency": currency.as_str()});
    if request.entity == ActionEntity::Payment {
        let one_off = payment("payment", amount, None);
        created.push(("paymentGuidResult", one_off.guid));
        writes.push(EntityWrite::Create(Entity::Payment(one_off)));
    } else {
        let interval = fields
            .interval
            .filter(|i| i.is_recurring())
            .ok_or_else(|| invalid("a subscription needs an 'interval' of 1, 3, 6 or 12"))?;
        let sub = new_subscription(donor, method, amount, currency.clone(), interval, ctx)?;
        let first = payment("payment", amount, Some(sub.guid));
        form["interval"] = json!(interval.months());
        created.push(("subscriptionGuidResult", sub.guid));
        created.push(("paymentGuidResult", first.guid));
        writes.push(EntityWrite::Create(Entity::Subscription(sub)));
        writes.push(EntityWrite::Create(Entity::Payment(first)));
        if request.entity == ActionEntity::SubscriptionWithOneOff {
            let one_off_amount = fields
                .one_off_amount
                .ok_or_else(|| invalid("a subscription with a one-off needs a 'oneOffAmount'"))?;
            let one_off = payment("one-off", one_off_amount, None);
            form["oneOffAmount"] = json!(one_off_amount);
            created.push(("oneOffPaymentGuidResult", one_off.guid));
            writes.push(EntityWrite::Create(Entity::Payment(one_off)));
        }
    }
    Ok(recorded(
        request,
        donor,
        writes,
        &created,
        as_map(form),
        ctx,
    ))
}

fn new_subscription(
    donor: &Donor,
    method: &PaymentMethodEntity,
    amount: Amount,
    currency: Currency,
    interval: Interval,
    ctx: &ActionContext<'_>,
) -> Result<Subscription, Refusal> {
    let today = ctx.today();
    let next_due = today
        .checked_add(i64::from(interval.months()).months())
        .map_err(|_| invalid("the next due date is out of range"))?;
    Ok(Subscription {
        guid: derived_guid(ctx.record, "subscription"),
        contact: donor.contact.guid,
        amount,
        currency,
        interval,
        state: SubscriptionState::Active,
        payment_method: method.guid,
        next_due,
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 0,
    })
}
