//! What forms need from storage.

use std::future::Future;

use super::Form;
use crate::ground::ids::FormHash;
use crate::ground::storage::StoreError;

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
    ///
    /// # Errors
    /// `Backend` when storage fails.
    fn put(&self, form: &Form) -> impl Future<Output = Result<FormWrite, StoreError>> + Send;

    /// The form with this hash, whoever owns it.
    ///
    /// # Errors
    /// `Backend` when storage fails; `Corrupt` for an unreadable record.
    fn get(&self, hash: &FormHash)
    -> impl Future<Output = Result<Option<Form>, StoreError>> + Send;
}
