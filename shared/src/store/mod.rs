//! The storage boundary. Handlers depend on these traits; DynamoDB implements them in
//! production and in integration tests, the in-memory store in fast unit tests. Both pass the
//! same contract tests (`tests/src/contract.rs`).

use std::future::Future;

use jiff::Timestamp;

use crate::auth::{ApiKeyHash, ApiKeyRecord};
use crate::dataset::{DataSet, DataSetGuid, JsonElement};
use crate::listing::{Start, TimeBounds};
use crate::merchant::{Merchant, MerchantId};

pub mod dynamo;
pub mod memory;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with this key already exists")]
    AlreadyExists,
    #[error("storage request failed: {0}")]
    Backend(String),
    #[error("a stored record is malformed: {0}")]
    Corrupt(String),
}

/// One page of a merchant's DataSets in listing order (`createdTs`, then guid).
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<DataSet>,
    /// Whether DataSets follow this page.
    pub more: bool,
    /// Read capacity the page cost (DynamoDB's `ConsumedCapacity`; zero in memory).
    pub read_units: f64,
}

pub trait DataSetStore: Send + Sync {
    /// Writes a new DataSet; `AlreadyExists` if its guid is taken.
    fn insert(&self, dataset: &DataSet) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The merchant's DataSet, or `None` when it does not exist or belongs to someone else.
    fn get(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
    ) -> impl Future<Output = Result<Option<DataSet>, StoreError>> + Send;

    /// Replaces `jsonElement` and bumps `updatedTs` in one conditional write. `None` when the
    /// DataSet does not exist or belongs to another merchant: a replace never creates.
    fn replace_json_element(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        json_element: &JsonElement,
        updated_at: Timestamp,
    ) -> impl Future<Output = Result<Option<DataSet>, StoreError>> + Send;

    /// Up to `page_size` of the merchant's DataSets created within `bounds`, from `start` on.
    fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        page_size: usize,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;
}

pub trait ApiKeyStore: Send + Sync {
    /// Registers a merchant; `AlreadyExists` if the id is taken.
    fn put_merchant(
        &self,
        merchant: &Merchant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_merchant(
        &self,
        id: &MerchantId,
    ) -> impl Future<Output = Result<Option<Merchant>, StoreError>> + Send;

    fn put_key(&self, key: &ApiKeyRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn get_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send;

    /// Marks a key revoked; `false` when no such key exists.
    fn revoke_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
