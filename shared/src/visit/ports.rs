//! What visit sessions need from storage.

use std::future::Future;

use jiff::{SignedDuration, Timestamp};

use super::{VisitIds, VisitSession};
use crate::ground::ids::{MerchantId, VisitSessionId};
use crate::ground::storage::StoreError;

/// Visit sessions, scoped by merchant: another merchant's session id is simply unknown.
pub trait VisitStore: Send + Sync {
    /// Writes a new visit session.
    ///
    /// # Errors
    /// `AlreadyExists` if the merchant has one with this id; `Backend` when storage fails.
    fn create(&self, session: &VisitSession)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The merchant's visit session, expired or not: callers check the expiry.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
    ) -> impl Future<Output = Result<Option<VisitSession>, StoreError>> + Send;

    /// Merges `ids` into the live session with this id, or starts one (`true` when started),
    /// and slides its expiry to `now + ttl`: one write.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn associate(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
        ids: &VisitIds,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> impl Future<Output = Result<(VisitSession, bool), StoreError>> + Send;

    /// Deletes the merchant's visit session (a donor's erasure); nothing when there is none.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails.
    fn delete(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
