//! Sign-ups: a payment, a subscription (with a one-off), or a DataSet for an existing contact,
//! each recorded as a DataSet.

use serde_json::{Map, Value, json};

use super::debits::{terms, used};

use super::actions::{ActionEntity, ActionRequest};
use super::context::ActionContext;
use super::donor::Donor;
use super::model::{
    Entity, Payment, PaymentMethod, PaymentMethodState, Subscription, SubscriptionState,
};
use super::ports::{Change, EntityWrite};
use super::records::derived_guid;
use super::rules::{Refusal, as_map, conflict, invalid, recorded, recorded_element};
use crate::ground::ids::EntityGuid;
use crate::ground::money::{Amount, Currency, MethodKind};
use crate::sepa::{Mandate, MandateKind};

/// The payment method a sign-up pays with: the one named, or the contact's newest active one
/// whose mandate may carry it (a series, or a one-off), else its newest active one.
fn paying_method(
    donor: &Donor,
    named: Option<EntityGuid>,
    recurring: bool,
) -> Result<&PaymentMethod, Refusal> {
    let active = |pm: &&PaymentMethod| pm.state == PaymentMethodState::Active;
    if let Some(guid) = named {
        return donor
            .payment_methods
            .iter()
            .find(|pm| pm.guid == guid)
            .filter(active)
            .ok_or_else(|| {
                invalid("'paymentMethodGuid' is no active payment method of this contact")
            });
    }
    let newest = |fits: &dyn Fn(&PaymentMethod) -> bool| {
        donor
            .payment_methods
            .iter()
            .filter(active)
            .filter(|pm| fits(pm))
            .max_by_key(|pm| pm.created_at)
    };
    newest(&|pm| pm.mandate.as_ref().is_none_or(|m| m.allows(recurring)))
        .or_else(|| newest(&|_| true))
        .ok_or_else(|| invalid("the contact has no active payment method; renew one first"))
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
        // The seed's shape, as given: `formResult`, `formFields`, … beside the action's result.
        let element: Map<String, Value> =
            serde_json::from_str(element.as_str()).unwrap_or_default();
        return Ok(recorded_element(
            request,
            donor,
            Vec::new(),
            &[],
            element,
            ctx,
        ));
    }
    if request.entity_guid != donor.contact.guid {
        return Err(invalid("a sign-up names its contact as 'entityGuid'"));
    }
    let series = matches!(
        request.entity,
        ActionEntity::Subscription | ActionEntity::SubscriptionWithOneOff
    );
    let method = paying_method(donor, fields.payment_method, series)?;
    let amount = fields
        .amount
        .ok_or_else(|| invalid("a sign-up needs an 'amount'"))?;
    if method.kind == MethodKind::SepaDirectDebit && currency.as_str() != "EUR" {
        return Err(invalid("SEPA direct debit collects euros only"));
    }
    let mut drawer = Drawer {
        method: method.clone(),
        fresh: Vec::new(),
        ctx,
        donor,
        currency: currency.clone(),
    };
    let mut writes = Vec::new();
    let mut created = Vec::new();
    let mut form = json!({"amount": amount, "currency": currency.as_str()});
    if request.entity == ActionEntity::Payment {
        let one_off = drawer.payment("payment", amount, None)?;
        created.push(("paymentMethodGuidResult", one_off.payment_method));
        created.push(("paymentGuidResult", one_off.guid));
        writes.push(EntityWrite::Create(Entity::Payment(one_off)));
    } else {
        let interval = fields
            .interval
            .filter(|i| i.is_recurring())
            .ok_or_else(|| invalid("a subscription needs an 'interval' of 1, 3, 6 or 12"))?;
        let guid = derived_guid(ctx.record, "subscription");
        let first = drawer.payment("payment", amount, Some(guid))?;
        created.push(("paymentMethodGuidResult", first.payment_method));
        // The series keeps its first payment's day of the month.
        let sub = Subscription {
            guid,
            contact: donor.contact.guid,
            amount,
            currency: currency.clone(),
            interval,
            state: SubscriptionState::Active,
            payment_method: first.payment_method,
            next_due: interval
                .after(first.due_date, Some(first.due_date.day()))
                .ok_or_else(|| invalid("the next due date is out of range"))?,
            day: Some(first.due_date.day()),
            add_ons_due: None,
            created_at: ctx.now,
            updated_at: ctx.now,
            version: 0,
        };
        form["interval"] = json!(interval.months());
        let first_method = sub.payment_method;
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
            if one_off.payment_method != first_method {
                created.push(("oneOffPaymentMethodGuidResult", one_off.payment_method));
            }
            created.push(("oneOffPaymentGuidResult", one_off.guid));
            writes.push(EntityWrite::Create(Entity::Payment(one_off)));
        }
    }
    writes.extend(
        drawer
            .fresh
            .iter()
            .cloned()
            .map(|pm| EntityWrite::Create(Entity::PaymentMethod(pm))),
    );
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

/// Payments drawn one after another from one payment method, its mandate's use kept. A debit
/// its mandate may not carry (a one-off on a recurrent mandate, a series on a one-off one, a
/// one-off mandate used before) is drawn under a mandate of its own: a new payment method of the
/// same account, signed with this sign-up.
struct Drawer<'a, 'c> {
    method: PaymentMethod,
    /// The payment methods this sign-up made for mandates of their own.
    fresh: Vec<PaymentMethod>,
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
        let recurring = subscription.is_some();
        let own_mandate = self
            .method
            .mandate
            .as_ref()
            .is_some_and(|m| !m.allows(recurring));
        let mut method = if own_mandate {
            self.own_mandate(label, recurring)
        } else {
            self.method.clone()
        };
        let today = self.ctx.today();
        let terms = terms(
            &method,
            &self.donor.contact.person,
            self.ctx.creditor,
            today,
            None,
            recurring,
        )
        .map_err(|why| conflict(why.to_string()))?;
        if let Some(used) = used(&method, terms.due_date, self.ctx.creditor) {
            method = used;
        }
        let payment = Payment {
            guid: derived_guid(self.ctx.record, label),
            contact: self.donor.contact.guid,
            subscription,
            payment_method: method.guid,
            amount,
            currency: self.currency.clone(),
            due_date: terms.due_date,
            state: terms.state,
            refunded: Amount::from_cents(0),
            debit: terms.debit,
            provider_reference: None,
            representation_of: None,
            created_at: self.ctx.now,
            updated_at: self.ctx.now,
            version: 0,
        };
        if own_mandate {
            self.fresh.push(method);
        } else {
            self.method = method;
        }
        Ok(payment)
    }

    /// A new payment method of the same account with a mandate for this debit, signed today.
    fn own_mandate(&self, label: &str, recurring: bool) -> PaymentMethod {
        let guid = derived_guid(self.ctx.record, &format!("{label} mandate"));
        let kind = if recurring {
            MandateKind::Recurrent
        } else {
            MandateKind::OneOff
        };
        PaymentMethod {
            guid,
            state: PaymentMethodState::Active,
            replaced_by: None,
            mandate: Some(Mandate::new(guid, self.ctx.today(), kind)),
            created_at: self.ctx.now,
            updated_at: self.ctx.now,
            version: 0,
            ..self.method.clone()
        }
    }
}
