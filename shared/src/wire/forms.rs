//! Forms as the form configuration API has them: the body of `PUT /forms/{formHash}` (the
//! form's definition, as [`FormDefinition`]'s own fields) and the form an answer shows.

use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::form::{Form, FormDefinition, FormInputError};
use crate::ground::ids::{FormHash, MerchantId};
use crate::ground::time::seed_format;

/// Reads a `PUT /forms/{formHash}` body, checked by the rules a form follows. What
/// `GET /forms/{formHash}` answers may be sent back as is: its `formHash` and `merchantId`
/// must match the request, `updatedTs` is ignored.
pub fn definition(
    json: &str,
    hash: &FormHash,
    merchant: &MerchantId,
) -> Result<FormDefinition, FormInputError> {
    let mut document: Map<String, Value> =
        serde_json::from_str(json).map_err(|e| FormInputError::Malformed(e.to_string()))?;
    for (field, expected) in [
        ("formHash", hash.as_str()),
        ("merchantId", merchant.as_str()),
    ] {
        match document.remove(field) {
            Some(Value::String(given)) if given != expected => {
                return Err(FormInputError::Mismatch {
                    field,
                    expected: expected.to_owned(),
                });
            }
            Some(Value::String(_)) | None => {}
            Some(_) => {
                return Err(FormInputError::Invalid(format!(
                    "'{field}' must be a string"
                )));
            }
        }
    }
    document.remove("updatedTs");
    let definition: FormDefinition = serde_json::from_value(Value::Object(document))
        .map_err(|e| FormInputError::Malformed(e.to_string()))?;
    definition.check()?;
    Ok(definition)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FormView<'a> {
    form_hash: &'a FormHash,
    merchant_id: &'a MerchantId,
    updated_ts: String,
    #[serde(flatten)]
    definition: &'a FormDefinition,
}

/// The form as the API answers it: its definition, hash, merchant and last change.
pub fn form(form: &Form, zone: &TimeZone) -> Result<String, serde_json::Error> {
    serde_json::to_string(&FormView {
        form_hash: &form.hash,
        merchant_id: &form.merchant_id,
        updated_ts: seed_format(form.updated_at, zone),
        definition: &form.definition,
    })
}
