//! The SEPA creditor settings as `PUT` and `GET /sepa/creditor` have them.

use serde::{Deserialize, Serialize};

use crate::ground::ids::MerchantId;
use crate::sepa::{Creditor, CreditorInputError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    /// As `GET` shows it: may be sent back, and is ignored.
    #[serde(default, rename = "merchantId")]
    _merchant_id: Option<serde::de::IgnoredAny>,
    name: String,
    creditor_id: String,
    iban: String,
    #[serde(default)]
    bic: Option<String>,
    #[serde(default)]
    prenotification_days: Option<u8>,
    /// Wider than it may be, so that a negative or too large number gets the field's message.
    #[serde(default)]
    representation_days: Option<i64>,
}

/// Reads a `PUT /sepa/creditor` body; every field is checked.
pub fn creditor(body: &str) -> Result<Creditor, CreditorInputError> {
    let body: Body =
        serde_json::from_str(body).map_err(|e| CreditorInputError::Malformed(e.to_string()))?;
    Creditor::new(
        &body.name,
        &body.creditor_id,
        &body.iban,
        body.bic.as_deref(),
        body.prenotification_days,
        body.representation_days,
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreditorView<'a> {
    merchant_id: &'a str,
    #[serde(flatten)]
    creditor: &'a Creditor,
}

/// The settings as the API answers them, with their merchant.
pub fn settings(creditor: &Creditor, merchant: &MerchantId) -> Result<String, serde_json::Error> {
    serde_json::to_string(&CreditorView {
        merchant_id: merchant.as_str(),
        creditor,
    })
}
