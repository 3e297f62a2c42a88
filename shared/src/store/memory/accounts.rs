//! API keys, merchants and forms in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::lock;
use crate::form::{Form, FormStore, FormWrite};
use crate::ground::ids::{FormHash, MerchantId};
use crate::ground::storage::StoreError;
use crate::merchant::{ApiKeyHash, ApiKeyRecord, Merchant, MerchantStore};
use crate::sepa::Creditor;

#[derive(Clone, Default)]
pub struct MemoryMerchants {
    merchants: Arc<Mutex<HashMap<MerchantId, Merchant>>>,
    keys: Arc<Mutex<HashMap<ApiKeyHash, ApiKeyRecord>>>,
}

impl MerchantStore for MemoryMerchants {
    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        let mut merchants = lock(&self.merchants);
        if merchants.contains_key(&merchant.id) {
            return Err(StoreError::AlreadyExists);
        }
        merchants.insert(merchant.id.clone(), merchant.clone());
        Ok(())
    }

    async fn get_merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        Ok(lock(&self.merchants).get(id).cloned())
    }

    async fn set_creditor(&self, id: &MerchantId, creditor: &Creditor) -> Result<bool, StoreError> {
        Ok(match lock(&self.merchants).get_mut(id) {
            Some(merchant) => {
                merchant.creditor = Some(creditor.clone());
                true
            }
            None => false,
        })
    }

    async fn put_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        lock(&self.keys).insert(key.key_hash.clone(), key.clone());
        Ok(())
    }

    async fn get_key(&self, hash: &ApiKeyHash) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(lock(&self.keys).get(hash).cloned())
    }

    async fn revoke_key(&self, hash: &ApiKeyHash) -> Result<bool, StoreError> {
        Ok(lock(&self.keys)
            .get_mut(hash)
            .map(|key| key.revoked = true)
            .is_some())
    }
}

#[derive(Clone, Default)]
pub struct MemoryForms {
    forms: Arc<Mutex<HashMap<FormHash, Form>>>,
}

impl FormStore for MemoryForms {
    async fn put(&self, form: &Form) -> Result<FormWrite, StoreError> {
        let mut forms = lock(&self.forms);
        let outcome = match forms.get(&form.hash) {
            Some(existing) if existing.merchant_id != form.merchant_id => {
                return Ok(FormWrite::Taken);
            }
            Some(_) => FormWrite::Replaced,
            None => FormWrite::Created,
        };
        forms.insert(form.hash.clone(), form.clone());
        Ok(outcome)
    }

    async fn get(&self, hash: &FormHash) -> Result<Option<Form>, StoreError> {
        Ok(lock(&self.forms).get(hash).cloned())
    }
}
