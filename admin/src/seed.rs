//! The local demo: two merchants with a key each and a demo form, written to
//! `.local/demo.json`. Re-running reuses what still works, so the printed key stays valid.

use std::path::Path;

use serde::{Deserialize, Serialize};

use shared::form::FormStore;
use shared::ground::ids::{FormHash, MerchantId};
use shared::ground::money::MethodKind;
use shared::merchant::ApiKey;
use shared::merchant::MerchantStore;
use shared::sepa::Creditor;

use crate::accounts::{self, AccountError};
use crate::forms::{self, FormError};

pub const DEMO_MERCHANT: &str = "demo-nonprofit";
pub const OTHER_MERCHANT: &str = "other-nonprofit";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub merchant_id: String,
    pub api_key: String,
    pub other_merchant_id: String,
    pub other_api_key: String,
    pub form_hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("demo form: {0}")]
    Form(#[from] FormError),
    #[error("{0}")]
    Random(String),
}

/// The demo form: a German donation form with every built-in field, taking SEPA direct debit
/// (the only method collected until a card provider is configured).
pub const DEMO_FORM_JSON: &str = include_str!("../demo-form.json");

/// The demo merchant's SEPA creditor settings: the Bundesbank's test creditor id, so the demo
/// form's direct debits process out of the box.
pub const DEMO_CREDITOR_JSON: &str = r#"{"name": "Demo Nonprofit e.V.",
    "creditorId": "DE98ZZZ09999999999", "iban": "DE02120300000000202051",
    "bic": "BYLADEM1001", "prenotificationDays": 14}"#;

/// The demo creditor settings.
pub fn demo_creditor() -> Creditor {
    shared::wire::creditor::creditor(DEMO_CREDITOR_JSON)
        .unwrap_or_else(|err| unreachable!("the demo creditor settings are valid: {err}"))
}

/// The demo merchants, their keys and the demo form, whose methods are checked against `provided`
/// (the card and wallet methods the deployment's payment provider takes).
pub async fn seed<K: MerchantStore, F: FormStore>(
    keys: &K,
    forms: &F,
    previous: Option<Demo>,
    provided: &[MethodKind],
) -> Result<Demo, SeedError> {
    let demo = merchant_id(DEMO_MERCHANT);
    let other = merchant_id(OTHER_MERCHANT);
    ensure_merchant(keys, &demo, "Demo Nonprofit e.V.").await?;
    ensure_merchant(keys, &other, "Other Nonprofit gGmbH").await?;
    keys.set_creditor(&demo, &demo_creditor())
        .await
        .map_err(AccountError::from)?;
    let api_key =
        reuse_or_create_key(keys, &demo, previous.as_ref().map(|p| p.api_key.as_str())).await?;
    let other_api_key = reuse_or_create_key(
        keys,
        &other,
        previous.as_ref().map(|p| p.other_api_key.as_str()),
    )
    .await?;
    // The same hash as last time, so printed URLs keep working; the definition is rewritten
    // so the demo always shows the current form model.
    let hash = match previous.and_then(|p| FormHash::parse(&p.form_hash).ok()) {
        Some(hash) => hash,
        None => random_form_hash()?,
    };
    let form =
        match forms::put_form(forms, keys, DEMO_FORM_JSON, hash, demo.clone(), provided).await {
            Err(FormError::Taken(_)) => {
                forms::put_form(
                    forms,
                    keys,
                    DEMO_FORM_JSON,
                    random_form_hash()?,
                    demo.clone(),
                    provided,
                )
                .await?
            }
            other => other?,
        };
    Ok(Demo {
        merchant_id: demo.to_string(),
        api_key,
        other_merchant_id: other.to_string(),
        other_api_key,
        form_hash: form.hash.to_string(),
    })
}

/// 20 random characters of a-z and 0-9.
pub fn random_form_hash() -> Result<FormHash, SeedError> {
    shared::ground::random::random_lowercase_alnum(20)
        .ok()
        .and_then(|raw| FormHash::parse(&raw).ok())
        .ok_or_else(|| SeedError::Random("the OS random generator failed".into()))
}

pub fn read_previous(path: &Path) -> Option<Demo> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
}

fn merchant_id(raw: &'static str) -> MerchantId {
    MerchantId::parse(raw).unwrap_or_else(|err| unreachable!("demo id {raw} is valid: {err}"))
}

async fn ensure_merchant<K: MerchantStore>(
    keys: &K,
    id: &MerchantId,
    name: &str,
) -> Result<(), AccountError> {
    match accounts::create_merchant(keys, id.clone(), name.to_owned(), true).await {
        Ok(_) | Err(AccountError::MerchantExists(_)) => Ok(()),
        Err(err) => Err(err),
    }
}

async fn reuse_or_create_key<K: MerchantStore>(
    keys: &K,
    merchant: &MerchantId,
    previous: Option<&str>,
) -> Result<String, AccountError> {
    if let Some(previous) = previous {
        let still_valid = keys
            .get_key(&ApiKey::from_presented(previous).hash())
            .await?
            .is_some_and(|record| !record.revoked && &record.merchant_id == merchant);
        if still_valid {
            return Ok(previous.to_owned());
        }
    }
    Ok(accounts::create_key(keys, merchant)
        .await?
        .expose()
        .to_owned())
}
