//! What DataSets need from storage.

use std::future::Future;

use jiff::Timestamp;

use super::{DataSet, JsonElement};
use crate::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::listing::{PageLimit, Start, TimeBounds};

/// One page of a merchant's DataSets in listing order (`createdTs`, then guid).
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<DataSet>,
    /// Whether DataSets follow this page.
    pub more: bool,
    /// Read capacity the page cost (DynamoDB's `ConsumedCapacity`; zero in memory).
    pub read_units: f64,
}

/// A page of a contact's DataSets, oldest first: each with its position (`createdAt#guid`),
/// from which the next page goes on.
#[derive(Debug, Default)]
pub struct ContactPage {
    pub items: Vec<(DataSetGuid, String)>,
    pub more: bool,
}

pub trait DataSetStore: Send + Sync {
    /// Writes a new DataSet.
    ///
    /// # Errors
    /// `AlreadyExists` if its guid is taken; `Backend` when storage fails.
    fn insert(&self, dataset: &DataSet) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The merchant's DataSet, or `None` when it does not exist or belongs to someone else.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
    ) -> impl Future<Output = Result<Option<DataSet>, StoreError>> + Send;

    /// Replaces `jsonElement` and bumps `updatedTs` in one conditional write. `None` when the
    /// DataSet does not exist or belongs to another merchant: a replace never creates.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn replace_json_element(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        json_element: &JsonElement,
        updated_at: Timestamp,
    ) -> impl Future<Output = Result<Option<DataSet>, StoreError>> + Send;

    /// The contact's DataSets after position `after`, at most `limit`: one Query of an index.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn for_contact(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<ContactPage, StoreError>> + Send;

    /// Links the DataSet to contact `to` instead of `from` (a merge); `false` when it is not
    /// linked to `from` (any more).
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn move_to_contact(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        from: &EntityGuid,
        to: &EntityGuid,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The merchant's DataSets created within `bounds`, from `start` on, as many as `limit`
    /// allows (by count and by listed size, never none when some remain).
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;
}
