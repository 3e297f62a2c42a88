//! Forms written by the operator: the same checks as `PUT /forms/{formHash}`.

use shared::form::{Form, FormInputError, FormStore, FormWrite};
use shared::ground::ids::{FormHash, MerchantId};
use shared::ground::money::MethodKind;
use shared::ground::storage::StoreError;
use shared::merchant::MerchantStore;
use shared::wire;

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("merchant '{0}' does not exist; create it first with 'admin merchant create'")]
    UnknownMerchant(MerchantId),
    #[error("form hash '{0}' belongs to another merchant")]
    Taken(FormHash),
    #[error(transparent)]
    Input(#[from] FormInputError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a form offering only methods someone collects: SEPA direct debit, and the card and
/// wallet methods of `provided` (those the deployment's payment provider takes).
pub async fn put_form<F: FormStore, K: MerchantStore>(
    forms: &F,
    keys: &K,
    json: &str,
    hash: FormHash,
    merchant: MerchantId,
    provided: &[MethodKind],
) -> Result<Form, FormError> {
    if keys.get_merchant(&merchant).await?.is_none() {
        return Err(FormError::UnknownMerchant(merchant));
    }
    let definition = wire::forms::definition(json, &hash, &merchant)?;
    definition.check_collected(provided)?;
    let form = Form {
        hash,
        merchant_id: merchant,
        updated_at: shared::ground::time::now(),
        definition,
        creditor: None,
    };
    match forms.put(&form).await? {
        FormWrite::Created | FormWrite::Replaced => Ok(form),
        FormWrite::Taken => Err(FormError::Taken(form.hash)),
    }
}
