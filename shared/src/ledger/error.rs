//! Why an action was not done: refused by the entities' states, a reused key, storage, a
//! contention that did not settle, or the payment provider.

use super::charges::NotTaken;
use super::rules::Refusal;
use crate::cards::ProviderError;
use crate::ground::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(
        "this Idempotency-Key was used within the last 24 hours for another action; use a new \
         key for a new action"
    )]
    KeyReused,
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("the entity kept changing under concurrent actions; retry")]
    Contended,
    #[error("the payment provider failed; nothing was changed")]
    Provider(#[source] ProviderError),
}

impl From<NotTaken> for ActionError {
    fn from(err: NotTaken) -> Self {
        match err {
            NotTaken::Refused(refusal) => Self::Refused(refusal),
            NotTaken::Provider(cause) => Self::Provider(cause),
        }
    }
}
