//! Why a session operation did not go through. The edge maps each to the Session-API's seed
//! codes; causes are kept for the log line, never sent.

use crate::cards::ProviderError;
use crate::ground::storage::StoreError;

use super::donation::NotPayable;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("no live session of this form has this hash")]
    NotFound,
    #[error("the session has been processed")]
    Processed,
    #[error("the session is being processed; its values can no longer change")]
    Processing,
    #[error("a session with this hash exists already")]
    Exists,
    #[error("a new session needs values")]
    NoValues,
    #[error("the session is not complete")]
    Incomplete,
    #[error("a session holds at most {0}")]
    Full(&'static str),
    #[error("the session kept changing under concurrent requests")]
    Contended,
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("no random session hash could be drawn")]
    Random(#[from] getrandom::Error),
    #[error("the payment provider failed")]
    Payment(#[from] ProviderError),
    #[error("a complete session cannot be paid")]
    NotPayable(#[from] NotPayable),
    #[error("the donation's DataSet could not be written")]
    Encode(#[from] serde_json::Error),
}
