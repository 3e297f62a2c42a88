//! Sign-ups: a payment, a subscription (with a one-off), or a DataSet for an existing contact,
//! each recorded as a DataSet.

use jiff::ToSpan;
use serde_json::{Map, Value, json};

use super::debits::{terms, used};

use super::actions::{ActionEntity, ActionRequest};
use super::context::ActionContext;
use super::model::{
    Donor, Entity, Payment, PaymentMethod, PaymentMethodState, Subscription, SubscriptionState,
};
use super::ports::{Change, EntityWrite};
use super::records::derived_guid;
use super::rules::{Refusal, as_map, conflict, invalid, recorded};
use crate::ground::ids::EntityGuid;
use crate::ground::money::{Amount, Currency, MethodKind};

/// The payment method a sign-up pays with: the one named, or the contact's newest active one.
fn paying_method(donor: &Donor, named: Option<EntityGuid>) -> Result<&PaymentMethod, Refusal> {
    let active = |pm: &&PaymentMethod| pm.state == PaymentMethodState::Active;
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
    if method.kind == MethodKind::SepaDirectDebit && currency.as_str() != "EUR" {
        return Err(invalid("SEPA direct debit collects euros only"));
    }
    let mut drawer = Drawer {
        method: method.clone(),
        ctx,
        donor,
        currency: currency.clone(),
    };
    let mut writes = Vec::new();
    let mut created = vec![("paymentMethodGuidResult", method.guid)];
    let mut form = json!({"amount": amount, "currency": currency.as_str()});
    if request.entity == ActionEntity::Payment {
        let one_off = drawer.payment("payment", amount, None)?;
        created.push(("paymentGuidResult", one_off.guid));
        writes.push(EntityWrite::Create(Entity::Payment(one_off)));
    } else {
        let interval = fields
            .interval
            .filter(|i| i.is_recurring())
            .ok_or_else(|| invalid("a subscription needs an 'interval' of 1, 3, 6 or 12"))?;
        let guid = derived_guid(ctx.record, "subscription");
        let first = drawer.payment("payment", amount, Some(guid))?;
        // The series keeps its first payment's day of the month.
        let sub = Subscription {
            guid,
            contact: donor.contact.guid,
            amount,
            currency: currency.clone(),
            interval,
            state: SubscriptionState::Active,
            payment_method: method.guid,
            next_due: first
                .due_date
                .checked_add(i64::from(interval.months()).months())
                .map_err(|_| invalid("the next due date is out of range"))?,
            created_at: ctx.now,
            updated_at: ctx.now,
            version: 0,
        };
        form["interval"] = json!(interval.months());
        created.push(("subscriptionGuidResult", sub.guid));
        created.push(("paymentGuidResult", first.guid));
        writes.push(EntityWrite::Create(Entity::Subscription(sub)));
        writes.push(EntityWrite::Create(Entity::Payment(first)));
        if request.entity == ActionEntity::SubscriptionWithOneOff {
            let one_off_amount = fields
                .one_off_amount
                .ok_or_else(|| invalid("a subscription with a one-off needs a 'oneOffAmount'"))?;
            let one_off = drawer.payment("one-off", one_off_amount, None)?;
            form["oneOffAmount"] = json!(one_off_amount);
            created.push(("oneOffPaymentGuidResult", one_off.guid));
            writes.push(EntityWrite::Create(Entity::Payment(one_off)));
        }
    }
    if drawer.method != *method {
        writes.push(EntityWrite::Replace {
            expected: method.version,
            entity: Entity::PaymentMethod(PaymentMethod {
                updated_at: ctx.now,
                version: method.version + 1,
                ..drawer.method
            }),
        });
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

/// Payments drawn one after another from one payment method, its mandate's use kept.
struct Drawer<'a, 'c> {
    method: PaymentMethod,
    ctx: &'a ActionContext<'c>,
    donor: &'a Donor,
    currency: Currency,
}

impl Drawer<'_, '_> {
    fn payment(
        &mut self,
        label: &str,
        amount: Amount,
        subscription: Option<EntityGuid>,
    ) -> Result<Payment, Refusal> {
        let today = self.ctx.today();
        let terms = terms(
            &self.method,
            &self.donor.contact.person,
            self.ctx.creditor,
            today,
            None,
            subscription.is_some(),
        )
        .map_err(|why| conflict(why.to_string()))?;
        if let Some(used) = used(&self.method, terms.due_date) {
            self.method = used;
        }
        Ok(Payment {
            guid: derived_guid(self.ctx.record, label),
            contact: self.donor.contact.guid,
            subscription,
            payment_method: self.method.guid,
            amount,
            currency: self.currency.clone(),
            due_date: terms.due_date,
            state: terms.state,
            refunded: Amount::from_cents(0),
            debit: terms.debit,
            provider_reference: None,
            created_at: self.ctx.now,
            updated_at: self.ctx.now,
            version: 0,
        })
    }
}
