//! What a donor's choices on the hosted form make of the session's values: the amount a
//! preset stands for, and the SEPA mandate the donor grants by ticking its box, recorded with
//! the donation (what was accepted, in which text version, for which creditor).

use serde_json::{Map, Value, json};

use crate::form::Form;
use crate::ground::money::{Amount, MethodKind};
use crate::sepa::MANDATE_TEXT_VERSION;

pub use crate::validation::MANDATE_VALUE;

fn chooses_direct_debit(values: &Map<String, Value>) -> bool {
    values.get("payment_method").and_then(Value::as_str)
        == Some(MethodKind::SepaDirectDebit.as_str())
}

/// The amount a preset choice stands for, if it is one of the form's presets (a free amount is
/// typed into `amount` itself).
pub fn choose_amount(values: &mut Map<String, Value>, preset: Option<&str>, form: &Form) {
    let chosen = preset
        .and_then(|p| Amount::parse(p).ok())
        .filter(|a| form.definition.amount_presets.contains(a));
    if let Some(amount) = chosen {
        values.insert("amount".to_owned(), Value::String(amount.canonical()));
    }
}

/// A ticked mandate box, recorded with a direct debit donation the form's creditor collects.
pub fn sign_mandate(values: &mut Map<String, Value>, ticked: bool, form: &Form) {
    if let (true, true, Some(creditor)) = (
        ticked,
        chooses_direct_debit(values),
        form.creditor.as_deref(),
    ) {
        values.insert(
            MANDATE_VALUE.to_owned(),
            json!({
                "accepted": true,
                "textVersion": MANDATE_TEXT_VERSION,
                "creditorId": creditor.creditor_id.as_str(),
            }),
        );
    }
}
