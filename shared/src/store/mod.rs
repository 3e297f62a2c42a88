//! The storage boundary. Handlers depend on these traits; DynamoDB implements them in
//! production and in integration tests, the in-memory store in fast unit tests. Both pass the
//! same contract tests (`tests/src/contract.rs`).

use std::future::Future;

use jiff::{SignedDuration, Timestamp};

use crate::auth::{ApiKeyHash, ApiKeyRecord};
use crate::dataset::{DataSet, DataSetGuid, JsonElement};
use crate::form::{Form, FormHash};
use crate::listing::{PageLimit, Start, TimeBounds};
use crate::merchant::{Merchant, MerchantId};
use crate::session::processing::Processed;
use crate::session::{Expectation, PaymentSession, SessionChanges, SessionHash};
use crate::visit::{VisitIds, VisitSession, VisitSessionId};

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

    /// The merchant's DataSets created within `bounds`, from `start` on, as many as `limit`
    /// allows (by count and by listed size, never none when some remain).
    fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
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

/// How a form write went: forms are keyed by their public hash, which one merchant owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormWrite {
    Created,
    Replaced,
    /// The hash belongs to another merchant; nothing was written.
    Taken,
}

pub trait FormStore: Send + Sync {
    /// Creates or replaces the form, unless its hash belongs to another merchant.
    fn put(&self, form: &Form) -> impl Future<Output = Result<FormWrite, StoreError>> + Send;

    fn get(&self, hash: &FormHash)
    -> impl Future<Output = Result<Option<Form>, StoreError>> + Send;
}

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
    /// Writes a new session; `AlreadyExists` if its hash is taken.
    fn create(
        &self,
        session: &PaymentSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The payment session with this hash, strongly consistent (a session created a moment
    /// ago must be found), expired or not: callers check the expiry.
    fn get(
        &self,
        hash: &SessionHash,
    ) -> impl Future<Output = Result<Option<PaymentSession>, StoreError>> + Send;

    /// Applies `changes` value by value in one conditional write.
    fn update(
        &self,
        hash: &SessionHash,
        expect: &Expectation,
        changes: &SessionChanges,
    ) -> impl Future<Output = Result<SessionWrite, StoreError>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    Done,
    /// The session changed since it was read (or was processed meanwhile): nothing written.
    Conflict,
}

/// The one write that turns a session into a donation.
pub trait ProcessStore: Send + Sync {
    /// In one transaction: marks the session processed, insisting on the version and status
    /// it was read with, and inserts the DataSet, insisting its guid is new. All or nothing.
    fn process(
        &self,
        read: &PaymentSession,
        processed: &Processed,
        dataset: &DataSet,
    ) -> impl Future<Output = Result<Processing, StoreError>> + Send;
}

/// Visit sessions, scoped by merchant: another merchant's session id is simply unknown.
pub trait VisitStore: Send + Sync {
    /// Writes a new visit session; `AlreadyExists` if the merchant has one with this id.
    fn create(&self, session: &VisitSession)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The merchant's visit session, expired or not: callers check the expiry.
    fn get(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
    ) -> impl Future<Output = Result<Option<VisitSession>, StoreError>> + Send;

    /// Merges `ids` into the live session with this id, or starts one (`true` when started),
    /// and slides its expiry to `now + ttl`: one write.
    fn associate(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
        ids: &VisitIds,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> impl Future<Output = Result<(VisitSession, bool), StoreError>> + Send;
}

/// A store shared by several parts of one state (the form catalog and the authenticator both
/// read API keys; processing and the session flows both use the sessions).
impl<T: ApiKeyStore> ApiKeyStore for std::sync::Arc<T> {
    fn put_merchant(
        &self,
        merchant: &Merchant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).put_merchant(merchant)
    }

    fn get_merchant(
        &self,
        id: &MerchantId,
    ) -> impl Future<Output = Result<Option<Merchant>, StoreError>> + Send {
        (**self).get_merchant(id)
    }

    fn put_key(&self, key: &ApiKeyRecord) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).put_key(key)
    }

    fn get_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<Option<ApiKeyRecord>, StoreError>> + Send {
        (**self).get_key(hash)
    }

    fn revoke_key(
        &self,
        hash: &ApiKeyHash,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        (**self).revoke_key(hash)
    }
}

impl<T: SessionStore> SessionStore for std::sync::Arc<T> {
    fn create(
        &self,
        session: &PaymentSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).create(session)
    }

    fn get(
        &self,
        hash: &SessionHash,
    ) -> impl Future<Output = Result<Option<PaymentSession>, StoreError>> + Send {
        (**self).get(hash)
    }

    fn update(
        &self,
        hash: &SessionHash,
        expect: &Expectation,
        changes: &SessionChanges,
    ) -> impl Future<Output = Result<SessionWrite, StoreError>> + Send {
        (**self).update(hash, expect, changes)
    }
}
