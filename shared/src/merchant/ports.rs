//! What authentication needs from storage.

use std::future::Future;

use super::{ApiKeyHash, ApiKeyRecord, Merchant};
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::sepa::Creditor;

/// Merchants and the hashes of their API keys.
pub trait MerchantStore: Send + Sync {
    /// Registers a merchant.
    ///
    /// # Errors
    /// `AlreadyExists` if the id is taken; `Backend` when storage fails.
    fn put_merchant(
        &self,
        merchant: &Merchant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The merchant with this id, if registered.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get_merchant(
        &self,
        id: &MerchantId,
    ) -> impl Future<Output = Result<Option<Merchant>, StoreError>> + Send;

    /// Stores the merchant's SEPA creditor settings; `false` when no such merchant exists.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` when the settings cannot be encoded.
    fn set_creditor(
        &self,
        id: &MerchantId,
        creditor: &Creditor,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores a key record, replacing one with the same hash.
    ///
    /// # Errors
    /// `Backend` when storage fails.
    fn put_key(&self, key: &ApiKeyRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The key record with this hash, revoked or not.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;

    /// Marks a key revoked; `false` when no such key exists.
    ///
    /// # Errors
    /// `Backend` when storage fails.
    fn revoke_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
