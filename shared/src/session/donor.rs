//! The payment entities a processed donation creates: the donor as a contact, the payment
//! method (a SEPA mandate signed today, a card, PayPal), a subscription for recurring donations
//! and the first payment (a direct debit due after the creditor's pre-notification days; a
//! card or PayPal payment `collected` only when the provider took it).
//! Their guids follow from the claim, so a processing finished after a crash writes the very
//! same entities.

use jiff::tz::TimeZone;
use serde_json::Value;

use super::donation::{NotPayable, order};
use super::model::{Claim, PaymentSession};
use crate::cards::{PaymentStatus, ProviderPayment};
use crate::form::Form;
use crate::ground::money::{Amount, MethodKind};
use crate::ledger::{
    Contact, ContactState, Donor, Payment, PaymentMethod, PaymentMethodState, PaymentState, Person,
    Subscription, SubscriptionState, derived_guid, terms, used,
};
use crate::sepa::{Mandate, MandateKind};

/// The donor's person, from the session's values.
fn person(session: &PaymentSession) -> Person {
    let text = |name: &str| {
        session
            .values
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    Person {
        salutation: text("salutation"),
        title: text("title"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        company: text("company"),
        street: text("street"),
        post_code: text("post_code"),
        city: text("city"),
        country: text("country"),
        email: text("email"),
        phone: text("phone"),
        birthday: text("birthday"),
    }
}

/// The entities of a frozen, complete session; `paid` is the provider's answer for a card or
/// PayPal donation.
pub fn donor_of(
    session: &PaymentSession,
    form: &Form,
    claim: &Claim,
    zone: &TimeZone,
    paid: Option<&ProviderPayment>,
) -> Result<Donor, NotPayable> {
    let order = order(session, form)?;
    let seed = claim.data_set_guid.uuid();
    let at = claim.claimed_at;
    let today = at.to_zoned(zone.clone()).date();
    let person = person(session);
    let contact = Contact {
        guid: derived_guid(seed, "contact"),
        merchant_id: form.merchant_id.clone(),
        state: ContactState::Active,
        merged_into: None,
        pending: None,
        created_at: at,
        updated_at: at,
        version: 0,
        person: Box::new(person),
    };
    let sepa = order.method == MethodKind::SepaDirectDebit;
    let value = |name: &str| {
        session
            .values
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let method = PaymentMethod {
        guid: derived_guid(seed, "payment-method"),
        contact: contact.guid,
        kind: order.method,
        state: PaymentMethodState::Active,
        iban: value("iban").filter(|_| sepa),
        bic: value("bic").filter(|_| sepa),
        holder: contact.person.full_name(),
        replaced_by: None,
        mandate: None,
        provider_reference: paid.and_then(|p| p.saved_method.clone()),
        created_at: at,
        updated_at: at,
        version: 0,
    };
    let guid = method.guid;
    let recurring = order.interval.is_recurring();
    let kind = if recurring {
        MandateKind::Recurrent
    } else {
        MandateKind::OneOff
    };
    let method = PaymentMethod {
        mandate: sepa.then(|| Mandate::new(guid, today, kind)),
        ..method
    };
    let first = terms(
        &method,
        &contact.person,
        form.creditor.as_deref(),
        today,
        None,
        recurring,
    )
    .map_err(|_| NotPayable("payment_method"))?;
    let method = used(&method, first.due_date, form.creditor.as_deref()).unwrap_or(method);
    let subscription = if recurring {
        // The series keeps the first debit's day of the month.
        let day = first.due_date.day();
        let next_due = order
            .interval
            .after(first.due_date, Some(day))
            .ok_or(NotPayable("interval"))?;
        Some(Subscription {
            guid: derived_guid(seed, "subscription"),
            contact: contact.guid,
            amount: order.amount,
            currency: order.currency.clone(),
            interval: order.interval,
            state: SubscriptionState::Active,
            payment_method: method.guid,
            next_due,
            day: Some(day),
            add_ons_due: None,
            created_at: at,
            updated_at: at,
            version: 0,
        })
    } else {
        None
    };
    let payment = Payment {
        guid: derived_guid(seed, "payment"),
        contact: contact.guid,
        subscription: subscription.as_ref().map(|s| s.guid),
        payment_method: method.guid,
        amount: order.amount,
        currency: order.currency.clone(),
        due_date: first.due_date,
        state: match paid.map(|p| p.status) {
            Some(PaymentStatus::Succeeded) => PaymentState::Collected,
            _ => first.state,
        },
        refunded: Amount::from_cents(0),
        debit: first.debit,
        provider_reference: paid.map(|p| p.reference.clone()),
        representation_of: None,
        created_at: at,
        updated_at: at,
        version: 0,
    };
    Ok(Donor {
        contact,
        payment_methods: vec![method],
        subscriptions: subscription.into_iter().collect(),
        payments: vec![payment],
        add_ons: Vec::new(),
    })
}
