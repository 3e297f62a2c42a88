//! What collections need from storage.

use std::future::Future;

use jiff::Timestamp;
use jiff::civil::Date;
use uuid::Uuid;

use super::model::{Collection, CollectionStatus};
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::ledger::{Applied, Payment};
use crate::listing::{Start, TimeBounds};
use crate::sepa::Debit;

/// A pending payment claimed into a collection: the payment as it becomes (`claimed`, with its
/// collection), the version it was read at, and its debit as the file will carry it. The claim
/// insists the payment is as read and that its contact and subscription are still active.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    pub payment: Payment,
    pub expected: u64,
    pub debit: Debit,
}

pub trait CollectionStore: Send + Sync {
    /// The merchant's pending direct debits due on or before `until`, oldest first, at most
    /// `limit`: one Query of a sparse index.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn pending(
        &self,
        merchant: &MerchantId,
        until: Date,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Payment>, StoreError>> + Send;

    /// Stores a new collection; `false` if its id is taken.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn begin(
        &self,
        collection: &Collection,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The merchant's collections still building.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn building(
        &self,
        merchant: &MerchantId,
    ) -> impl Future<Output = Result<Vec<Collection>, StoreError>> + Send;

    /// Leases a building collection to `owner` until `until`, if its lease ran out by `now`
    /// (or is `owner`'s already); `false` otherwise.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn lease(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// In one transaction: each claimed payment replaced (insisting on its version), its debit
    /// added to the collection, the collection's count, sum and `file_bytes` (by `bytes`)
    /// raised and its lease renewed to `until` (insisting it is building and `owner`'s). All
    /// or nothing.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` when a write cannot be encoded.
    fn claim(
        &self,
        collection: &Collection,
        owner: Uuid,
        until: Timestamp,
        claims: &[Claim],
        bytes: u64,
    ) -> impl Future<Output = Result<Applied, StoreError>> + Send;

    /// Marks the collection ready (insisting it is `owner`'s); `false` otherwise.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn finish(
        &self,
        collection: &Collection,
        owner: Uuid,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Removes a collection that claimed nothing (insisting it is `owner`'s and empty).
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn discard(
        &self,
        collection: &Collection,
        owner: Uuid,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The merchant's collection, or `None` for an unknown id or another merchant's.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn get(
        &self,
        merchant: &MerchantId,
        id: &str,
    ) -> impl Future<Output = Result<Option<Collection>, StoreError>> + Send;

    /// A collection's debits in file order (sequence type, collection date, end-to-end id).
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn debits(
        &self,
        collection: &Collection,
    ) -> impl Future<Output = Result<Vec<Debit>, StoreError>> + Send;

    /// Moves a ready collection to `to` (`sent` or `voided`), insisting it is ready and, to be
    /// sent, that no debit left it since it was ready; `false` otherwise.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn settle(
        &self,
        collection: &Collection,
        to: CollectionStatus,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A page of the payments the collection claimed, in file order, as they are stored now
    /// (at most `limit`, after the position `after`), and the next page's position.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn members(
        &self,
        collection: &Collection,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<Payment>, Option<String>), StoreError>> + Send;

    /// A page of the merchant's collections, newest first, begun within `bounds`, from
    /// `start` (skipping some, or after a collection's [`Collection::position`]), at most
    /// `limit`; and whether more follow.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: usize,
    ) -> impl Future<Output = Result<CollectionPage, StoreError>> + Send;
}

/// One page of `GET /sepa/collections`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CollectionPage {
    pub items: Vec<Collection>,
    pub more: bool,
}
