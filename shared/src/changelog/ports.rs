//! What the changelog needs from storage. Entries are written together with the change they
//! record (see `entities::EntityStore`); here they are read.

use std::future::Future;

use super::ChangelogEntry;
use crate::ground::ids::{ChangelogGuid, MerchantId};
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
}
