//! What the changelog needs from storage. Entries are written together with the change they
//! record (see `entities::EntityStore`); here they are read.

use std::future::Future;

use serde_json::Value;

use super::ChangelogEntry;
use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::storage::StoreError;
use crate::listing::{PageLimit, Start, TimeBounds};

/// One page of a merchant's changelog in listing order (`createdTs`, then guid).
#[derive(Debug, Default)]
pub struct ChangelogPage {
    pub items: Vec<ChangelogEntry>,
    pub more: bool,
    pub read_units: f64,
}

pub trait ChangelogStore: Send + Sync {
    /// The merchant's entry, or `None` when it does not exist or is another merchant's.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn get(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
    ) -> impl Future<Output = Result<Option<ChangelogEntry>, StoreError>> + Send;

    /// The merchant's entries created within `bounds`, from `start` on, as many as `limit`
    /// allows, exactly as DataSets are listed.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> impl Future<Output = Result<ChangelogPage, StoreError>> + Send;

    /// Up to `limit` of the merchant's entries about `contact` whose `metaData` (a CRM's, as
    /// sent: it may name the donor) was not yet erased.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn with_meta_data(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<ChangelogEntry>, StoreError>> + Send;

    /// The entry's `metaData` replaced by `meta_data`, what an erasure left of it; the entry
    /// is then no longer among [`Self::with_meta_data`]. An entry that is not there (or
    /// another merchant's) is left alone.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn erase_meta_data(
        &self,
        merchant: &MerchantId,
        guid: &ChangelogGuid,
        meta_data: Option<Value>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
