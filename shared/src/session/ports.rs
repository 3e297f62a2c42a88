//! What the session service needs from storage.

use std::future::Future;

use jiff::Timestamp;

use super::model::{Claim, Expectation, PaymentSession, Processed, SessionChanges};
use crate::dataset::DataSet;
use crate::ground::ids::SessionHash;
use crate::ground::storage::StoreError;
use crate::ledger::Donor;

/// The outcome of a conditional session write.
#[derive(Debug)]
pub enum SessionWrite {
    /// Written; the session as it is now, with every concurrent change.
    Updated(PaymentSession),
    /// The expectation did not hold; the session as it is (none if it does not exist),
    /// returned by the failed write itself so that no second read is needed.
    Conflict(Option<PaymentSession>),
}

pub trait SessionStore: Send + Sync {
    /// Writes a new session.
    ///
    /// # Errors
    /// `AlreadyExists` if its hash is taken; `Backend` when storage fails.
    fn create(
        &self,
        session: &PaymentSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The payment session with this hash, strongly consistent (a session created a moment
    /// ago must be found), expired or not: callers check the expiry.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get(
        &self,
        hash: &SessionHash,
    ) -> impl Future<Output = Result<Option<PaymentSession>, StoreError>> + Send;

    /// Applies `changes` value by value in one conditional write.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn update(
        &self,
        hash: &SessionHash,
        expect: &Expectation,
        changes: &SessionChanges,
    ) -> impl Future<Output = Result<SessionWrite, StoreError>> + Send;
}

/// How a processing write went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    Done,
    /// What the write insisted on no longer held (the session changed, or someone else got
    /// there first): nothing was written; read again and decide.
    Conflict,
}

/// The two writes that turn a complete session into a donation.
pub trait ProcessStore: Send + Sync {
    /// Claims the session for processing: `open` → `processing`, insisting on the version it
    /// was read with (so the values checked are the values frozen) and that it is still live.
    ///
    /// # Errors
    /// `Backend` when storage fails (then nothing was written).
    fn claim(
        &self,
        read: &PaymentSession,
        claim: &Claim,
        now: Timestamp,
    ) -> impl Future<Output = Result<Processing, StoreError>> + Send;

    /// In one transaction: `processing` → `processed` (insisting on the claim), the donor's
    /// values dropped from the session, the DataSet inserted and the donor's entities created
    /// (insisting their guids are new). All or nothing.
    ///
    /// # Errors
    /// `Backend` when storage fails (then nothing was written).
    fn commit(
        &self,
        claimed: &PaymentSession,
        processed: &Processed,
        dataset: &DataSet,
        donor: &Donor,
    ) -> impl Future<Output = Result<Processing, StoreError>> + Send;
}
