//! The error every store port returns. Each domain module defines the ports it needs; they all
//! fail the same few ways, so they share this one type, which keeps the cause for the logs.

use std::error::Error;

/// Boxed so that ports need not name an adapter's error types.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a record with this key already exists")]
    AlreadyExists,
    #[error("the storage request failed")]
    Backend(#[source] Cause),
    /// Timed out, throttled or unreachable: nothing is wrong with the request, so a retry in a
    /// moment can succeed.
    #[error("storage did not answer in time")]
    Unavailable(#[source] Cause),
    #[error("a stored record is malformed: {what}")]
    Corrupt {
        what: &'static str,
        #[source]
        source: Option<Cause>,
    },
}

impl StoreError {
    pub fn backend(err: impl Into<Cause>) -> Self {
        Self::Backend(err.into())
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// A record that cannot be read back as what was written.
    pub fn corrupt(what: &'static str, source: impl Into<Cause>) -> Self {
        Self::Corrupt {
            what,
            source: Some(source.into()),
        }
    }

    pub fn corrupt_without_cause(what: &'static str) -> Self {
        Self::Corrupt { what, source: None }
    }
}

/// An error with all its causes, `outer: inner: innermost`, for the one log line of a failure.
pub fn chain(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_every_cause() {
        let err = StoreError::corrupt("session item", std::io::Error::other("bad number"));
        assert_eq!(
            chain(&err),
            "a stored record is malformed: session item: bad number"
        );
    }
}
