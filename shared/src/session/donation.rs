//! What processing a complete session makes of it: the payment order, and the DataSet that
//! records the donation (seed `dataset-api.txt`: `formResult`, `formFields`,
//! `paymentSessionResult`).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::model::{PaymentSession, Processed};
use crate::cards::PaymentOrder;
use crate::dataset::{DataSet, JsonElement};
use crate::form::{FieldDefinition, Form, InputType};
use crate::ground::ids::{EntityGuid, VisitSessionId};
use crate::ground::money::{Amount, Interval, MethodKind};
use crate::ledger::Donor;
use crate::validation;
use crate::visit::VisitSession;

#[derive(Debug, thiserror::Error)]
#[error("a complete session lacks a valid {0}")]
pub struct NotPayable(pub(super) &'static str);

/// The payment a complete session asks for. Its values were validated when stored; a missing
/// interval means a one-off donation.
pub fn order<'a>(
    session: &'a PaymentSession,
    form: &'a Form,
) -> Result<PaymentOrder<'a>, NotPayable> {
    let text = |name| session.values.get(name).and_then(Value::as_str);
    let amount = text("amount")
        .and_then(|a| Amount::parse(a).ok())
        .ok_or(NotPayable("amount"))?;
    let method = text("payment_method")
        .and_then(MethodKind::parse)
        .ok_or(NotPayable("payment_method"))?;
    let interval = match text("interval") {
        None => Interval::ONE_OFF,
        Some(months) => months
            .parse()
            .ok()
            .and_then(Interval::new)
            .ok_or(NotPayable("interval"))?,
    };
    Ok(PaymentOrder {
        key: session.hash.as_str(),
        merchant: &form.merchant_id,
        amount,
        currency: &form.definition.currency,
        interval,
        method,
    })
}

/// `paymentSessionResult` as the DataSet seed shows it: the guids of the entities the
/// donation created; agreement (the payment method) and subscription only for recurring
/// donations, the error fields empty on success.
pub fn payment_result(
    donor: &Donor,
    processed_at: Timestamp,
    zone: &TimeZone,
) -> Map<String, Value> {
    let mut result = Map::new();
    let mut put = |name: &str, value: String| {
        result.insert(name.to_owned(), Value::String(value));
    };
    put(
        "postProcessedTs",
        crate::ground::time::seed_format(processed_at, zone),
    );
    put("postProcessingErrorTs", String::new());
    put("postProcessingErrorDescription", String::new());
    put("contactGuidResult", donor.contact.guid.to_string());
    if let Some(method) = donor.payment_methods.first() {
        put("paymentMethodGuidResult", method.guid.to_string());
    }
    if let Some(payment) = donor.payments.first() {
        put("paymentGuidResult", payment.guid.to_string());
    }
    if let Some(subscription) = donor.subscriptions.first() {
        // The agreement is the subscription (amount, interval, state): what an Upgrade names.
        put("agreementGuidResult", subscription.guid.to_string());
        put("subscriptionGuidResult", subscription.guid.to_string());
    }
    result
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FormFieldRecord<'a> {
    input_type: InputType,
    label: &'a str,
    name: &'a str,
    value: Option<&'a Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<Value>,
}

/// The DataSet of a processed session: what was submitted, the form's fields as they are now
/// (so a receipt can be rendered without the form), the payment's guids, and the visit
/// session it was linked to.
pub fn donation_dataset(
    session: &PaymentSession,
    form: &Form,
    processed: &Processed,
    visit_session: Option<Value>,
    contact: Option<EntityGuid>,
) -> Result<DataSet, serde_json::Error> {
    let lang = form.definition.locale;
    let fields: Vec<FormFieldRecord<'_>> = form
        .definition
        .fields
        .iter()
        .map(|field| FormFieldRecord {
            input_type: field.input_type,
            label: field.label.get(lang),
            name: &field.name,
            value: session.values.get(&field.name),
            options: options_of(field, form),
        })
        .collect();
    let mut element = Map::new();
    element.insert("formResult".into(), Value::Object(session.values.clone()));
    element.insert("formFields".into(), serde_json::to_value(fields)?);
    element.insert(
        "paymentSessionResult".into(),
        Value::Object(processed.payment_result.clone()),
    );
    if let Some(visit) = visit_session {
        element.insert("visitSession".into(), visit);
    }
    Ok(DataSet {
        guid: processed.data_set_guid,
        merchant_id: form.merchant_id.clone(),
        created_at: processed.processed_at,
        updated_at: processed.processed_at,
        source_type: "form".into(),
        source_guid: Some(form.hash.to_string()),
        vendor: None,
        is_transactional: true,
        is_third_party: false,
        sensitive_data: sensitive_fields(session, form),
        json_element: JsonElement::from_stored(serde_json::to_string(&element)?),
        contact,
    })
}

fn options_of(field: &FieldDefinition, form: &Form) -> Vec<Value> {
    let lang = form.definition.locale;
    if field.name == "fb_item_id" && field.options.is_empty() {
        return form
            .definition
            .items
            .iter()
            .map(|item| json!({"value": item.id, "label": item.label.get(lang)}))
            .collect();
    }
    field
        .options
        .iter()
        .map(|o| json!({"value": o.value, "label": o.label.get(lang)}))
        .collect()
}

/// Personal values present in the session: the built-in ones and the form's own email,
/// phone and date fields.
fn sensitive_fields(session: &PaymentSession, form: &Form) -> Vec<String> {
    session
        .values
        .keys()
        .filter(|name| {
            validation::PERSONAL_FIELDS.contains(&name.as_str())
                || form.definition.field(name).is_some_and(|f| {
                    matches!(
                        f.input_type,
                        InputType::Email | InputType::Tel | InputType::Date
                    )
                })
        })
        .cloned()
        .collect()
}

/// `visitSession` of a donation's DataSet: the linked visit session's ids, or only its id when
/// it no longer exists.
pub fn visit_record(id: &VisitSessionId, session: Option<&VisitSession>) -> Value {
    let ids = session.map(|s| &s.ids);
    json!({
        "sessionId": id.as_str(),
        "customerId": ids.and_then(|i| i.customer_id.as_deref()),
        "visitId": ids.and_then(|i| i.visit_id.as_deref()),
        "globalVisitId": ids.and_then(|i| i.global_visit_id.as_deref()),
    })
}
