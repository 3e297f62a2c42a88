//! A contact as `GET /contact/{guid}` answers it: its state, person and every entity with its
//! state; an IBAN only masked, and of an erased contact nothing but states and amounts.

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::ground::ids::DataSetGuid;
use crate::ground::money::Amount;
use crate::ground::time::seed_format;
use crate::ledger::{
    AddOn, Donor, Payment, PaymentMethod, Person, Subscription, masked_iban, state_text,
};
use crate::sepa::MandateKind;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContactView<'a> {
    contact_guid: String,
    merchant_id: &'a str,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    merged_into: Option<String>,
    /// An erasure or merge still under way: its changelog entry and DataSets done so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<PendingView>,
    person: &'a Person,
    created_ts: String,
    updated_ts: String,
    payment_methods: Vec<PaymentMethodView<'a>>,
    subscriptions: Vec<SubscriptionView<'a>>,
    payments: Vec<PaymentView<'a>>,
    add_ons: Vec<AddOnView<'a>>,
    data_set_guids: Vec<String>,
    /// More DataSets follow than `dataSetGuids` lists.
    more_data_sets: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PendingView {
    changelog_guid: String,
    done: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentMethodView<'a> {
    payment_method_guid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    state: String,
    iban: Option<String>,
    bic: Option<&'a str>,
    holder: Option<&'a str>,
    replaced_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mandate_reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mandate_signed_on: Option<String>,
    /// `oneOff` (one debit) or `recurrent` (a series); absent for a mandate from before.
    #[serde(skip_serializing_if = "Option::is_none")]
    mandate_kind: Option<&'static str>,
    created_ts: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionView<'a> {
    subscription_guid: String,
    state: String,
    amount: Amount,
    currency: &'a str,
    interval: u8,
    payment_method_guid: String,
    next_due_date: String,
    created_ts: String,
    updated_ts: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentView<'a> {
    payment_guid: String,
    state: String,
    amount: Amount,
    refunded_amount: Amount,
    currency: &'a str,
    due_date: String,
    subscription_guid: Option<String>,
    payment_method_guid: String,
    /// Direct debits: `FRST`, `RCUR` or `OOFF`, the collection that claimed it, a return.
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collection_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_reason: Option<&'a str>,
    /// A debit presented again after a temporary return: the returned payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    representation_of: Option<String>,
    created_ts: String,
    updated_ts: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddOnView<'a> {
    add_on_guid: String,
    subscription_guid: String,
    name: &'a str,
    amount: Amount,
    interval: u8,
    /// An add-on with an interval of its own: when its next payment falls due.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_due_date: Option<String>,
    created_ts: String,
}

/// The donor's contact as the API answers it, with the guids of (the first of) its DataSets.
pub fn contact(
    donor: &Donor,
    zone: &TimeZone,
    datasets: &[DataSetGuid],
    more_data_sets: bool,
) -> Result<String, serde_json::Error> {
    let ts = |at| seed_format(at, zone);
    let c = &donor.contact;
    let view = ContactView {
        contact_guid: c.guid.to_string(),
        merchant_id: c.merchant_id.as_str(),
        state: state_text(&c.state),
        merged_into: c.merged_into.map(|g| g.to_string()),
        pending: c.pending.as_ref().map(|p| PendingView {
            changelog_guid: p.changelog.to_string(),
            done: p.done,
        }),
        person: &c.person,
        created_ts: ts(c.created_at),
        updated_ts: ts(c.updated_at),
        payment_methods: donor
            .payment_methods
            .iter()
            .map(|pm| method(pm, &ts))
            .collect(),
        subscriptions: donor
            .subscriptions
            .iter()
            .map(|s| subscription(s, &ts))
            .collect(),
        payments: donor.payments.iter().map(|p| payment(p, &ts)).collect(),
        add_ons: donor.add_ons.iter().map(|a| add_on(a, &ts)).collect(),
        data_set_guids: datasets.iter().map(ToString::to_string).collect(),
        more_data_sets,
    };
    serde_json::to_string(&view)
}

fn method<'a>(
    pm: &'a PaymentMethod,
    ts: &dyn Fn(jiff::Timestamp) -> String,
) -> PaymentMethodView<'a> {
    PaymentMethodView {
        payment_method_guid: pm.guid.to_string(),
        kind: pm.kind.as_str(),
        state: state_text(&pm.state),
        iban: pm.iban.as_deref().map(masked_iban),
        bic: pm.bic.as_deref(),
        holder: pm.holder.as_deref(),
        replaced_by: pm.replaced_by.map(|g| g.to_string()),
        mandate_reference: pm.mandate.as_ref().map(|m| m.reference.as_str()),
        mandate_signed_on: pm.mandate.as_ref().map(|m| m.signed_on.to_string()),
        mandate_kind: pm
            .mandate
            .as_ref()
            .and_then(|m| m.kind)
            .map(|kind| match kind {
                MandateKind::OneOff => "oneOff",
                MandateKind::Recurrent => "recurrent",
            }),
        created_ts: ts(pm.created_at),
    }
}

fn subscription<'a>(
    s: &'a Subscription,
    ts: &dyn Fn(jiff::Timestamp) -> String,
) -> SubscriptionView<'a> {
    SubscriptionView {
        subscription_guid: s.guid.to_string(),
        state: state_text(&s.state),
        amount: s.amount,
        currency: s.currency.as_str(),
        interval: s.interval.months(),
        payment_method_guid: s.payment_method.to_string(),
        next_due_date: s.next_due.to_string(),
        created_ts: ts(s.created_at),
        updated_ts: ts(s.updated_at),
    }
}

fn payment<'a>(p: &'a Payment, ts: &dyn Fn(jiff::Timestamp) -> String) -> PaymentView<'a> {
    PaymentView {
        payment_guid: p.guid.to_string(),
        state: state_text(&p.state),
        amount: p.amount,
        refunded_amount: p.refunded,
        currency: p.currency.as_str(),
        due_date: p.due_date.to_string(),
        subscription_guid: p.subscription.map(|g| g.to_string()),
        payment_method_guid: p.payment_method.to_string(),
        sequence_type: p.debit.as_ref().map(|d| d.sequence.code()),
        collection_id: p.debit.as_ref().and_then(|d| d.collection.as_deref()),
        return_reason: p
            .debit
            .as_ref()
            .and_then(|d| d.returned.as_ref())
            .map(|r| r.reason.as_str()),
        representation_of: p.representation_of.map(|g| g.to_string()),
        created_ts: ts(p.created_at),
        updated_ts: ts(p.updated_at),
    }
}

fn add_on<'a>(a: &'a AddOn, ts: &dyn Fn(jiff::Timestamp) -> String) -> AddOnView<'a> {
    AddOnView {
        add_on_guid: a.guid.to_string(),
        subscription_guid: a.subscription.to_string(),
        name: &a.name,
        amount: a.amount,
        interval: a.interval.months(),
        next_due_date: a.next_due.map(|d| d.to_string()),
        created_ts: ts(a.created_at),
    }
}
