//! What idempotency needs from storage.

use std::future::Future;

use jiff::Timestamp;

use super::Fingerprint;
use crate::ground::storage::StoreError;

/// The outcome of reserving a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reservation {
    /// The key was free (or its 24 hours had passed): it now names this request's record.
    Fresh,
    /// The key is taken, by the request with this fingerprint, for this record.
    Taken {
        fingerprint: Fingerprint,
        resource: String,
    },
}

pub trait IdempotencyStore: Send + Sync {
    /// Reserves `scoped_key` for `fingerprint` and the record `resource` until `expires_at`,
    /// unless a live reservation holds it: one conditional write.
    ///
    /// # Errors
    /// `Backend` or `Unavailable` when storage fails; `Corrupt` for an unreadable record.
    fn reserve(
        &self,
        scoped_key: &str,
        fingerprint: &Fingerprint,
        resource: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> impl Future<Output = Result<Reservation, StoreError>> + Send;
}
