//! Merchants and their API keys. A key is printed once at creation and never stored in clear.

use shared::ground::ids::MerchantId;
use shared::ground::storage::StoreError;
use shared::merchant::{ApiKey, ApiKeyHash, ApiKeyRecord, Merchant, MerchantStore};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("merchant '{0}' does not exist; create it first with 'admin merchant create'")]
    UnknownMerchant(MerchantId),
    #[error("merchant '{0}' already exists")]
    MerchantExists(MerchantId),
    #[error("no API key with hash {0}")]
    UnknownKey(String),
    #[error("the operating system's random generator failed: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create_merchant<K: MerchantStore>(
    keys: &K,
    id: MerchantId,
    name: String,
    forms_enabled: bool,
) -> Result<Merchant, AccountError> {
    let merchant = Merchant {
        id,
        name,
        created_at: shared::ground::time::now(),
        forms_enabled,
        creditor: None,
    };
    match keys.put_merchant(&merchant).await {
        Ok(()) => Ok(merchant),
        Err(StoreError::AlreadyExists) => Err(AccountError::MerchantExists(merchant.id)),
        Err(err) => Err(err.into()),
    }
}

/// Creates a key for an existing merchant and returns it in clear, the only time it exists so.
pub async fn create_key<K: MerchantStore>(
    keys: &K,
    merchant: &MerchantId,
) -> Result<ApiKey, AccountError> {
    if keys.get_merchant(merchant).await?.is_none() {
        return Err(AccountError::UnknownMerchant(merchant.clone()));
    }
    let key = ApiKey::generate().map_err(|err| AccountError::Random(err.to_string()))?;
    keys.put_key(&ApiKeyRecord {
        key_hash: key.hash(),
        merchant_id: merchant.clone(),
        created_at: shared::ground::time::now(),
        revoked: false,
    })
    .await?;
    Ok(key)
}

pub async fn revoke_key<K: MerchantStore>(keys: &K, hash: &ApiKeyHash) -> Result<(), AccountError> {
    if keys.revoke_key(hash).await? {
        Ok(())
    } else {
        Err(AccountError::UnknownKey(hash.as_str().to_owned()))
    }
}
