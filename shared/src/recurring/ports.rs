//! What the scheduler needs from storage: what falls due, found through sparse indexes in
//! shards and pages (never a Scan).

use std::future::Future;

use jiff::civil::Date;

use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ground::storage::StoreError;

/// Partitions of the scheduler's indexes; each run reads every one.
pub const SHARDS: u16 = 8;

/// Something due: whose, in which contact's partition, which entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub merchant: MerchantId,
    pub contact: EntityGuid,
    pub entity: EntityGuid,
}

/// A page of what is due, and where the next one starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DuePage {
    pub items: Vec<Due>,
    pub next: Option<String>,
}

pub trait Schedule: Send + Sync {
    /// Active subscriptions of `shard` whose next payment, or an add-on's, falls due by
    /// `until`, from `after`.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn subscriptions_due(
        &self,
        shard: u16,
        until: Date,
        after: Option<String>,
    ) -> impl Future<Output = Result<DuePage, StoreError>> + Send;

    /// Submitted direct debits of `shard` collected on or before `until`, from `after`.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn debits_submitted(
        &self,
        shard: u16,
        until: Date,
        after: Option<String>,
    ) -> impl Future<Output = Result<DuePage, StoreError>> + Send;
}
