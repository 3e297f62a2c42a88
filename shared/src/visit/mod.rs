//! Visit sessions (seed `session-management-api.txt`): a merchant's visitor, carrying a
//! customer id and visit ids across requests, and into the DataSet of a donation.

mod link;
mod ports;

pub use link::LinkSigner;
pub use ports::VisitStore;

use jiff::{SignedDuration, Timestamp};

use crate::ground::ids::{MerchantId, VisitSessionId};
use crate::ground::time::expiry;

/// The ids a merchant associates with a visit; absent ones are left as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitIds {
    pub customer_id: Option<String>,
    pub visit_id: Option<String>,
    pub global_visit_id: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VisitInputError {
    #[error("malformed body: {0}")]
    Malformed(String),
    #[error("'{0}' must be at most 128 characters without control characters")]
    InvalidId(&'static str),
}

const MAX_ID_CHARS: usize = 128;

impl VisitIds {
    /// The ids, if each is at most 128 characters without control characters.
    pub fn checked(self) -> Result<Self, VisitInputError> {
        for (name, value) in self.named() {
            if value.is_some_and(|v| {
                v.chars().count() > MAX_ID_CHARS || v.chars().any(char::is_control)
            }) {
                return Err(VisitInputError::InvalidId(name));
            }
        }
        Ok(self)
    }

    pub fn named(&self) -> [(&'static str, Option<&str>); 3] {
        [
            ("customerId", self.customer_id.as_deref()),
            ("visitId", self.visit_id.as_deref()),
            ("globalVisitId", self.global_visit_id.as_deref()),
        ]
    }

    /// These ids over `older`: what is given replaces, what is absent stays.
    pub fn over(self, older: Self) -> Self {
        Self {
            customer_id: self.customer_id.or(older.customer_id),
            visit_id: self.visit_id.or(older.visit_id),
            global_visit_id: self.global_visit_id.or(older.global_visit_id),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitSession {
    pub id: VisitSessionId,
    pub merchant_id: MerchantId,
    pub ids: VisitIds,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}

impl VisitSession {
    pub fn new(
        id: VisitSessionId,
        merchant_id: MerchantId,
        ids: VisitIds,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Self {
        Self {
            id,
            merchant_id,
            ids,
            created_at: now,
            updated_at: now,
            expires_at: expiry(now, ttl),
        }
    }

    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_ids_replace_and_absent_ones_stay() {
        let old = VisitIds {
            customer_id: Some("c-1".into()),
            visit_id: Some("v-1".into()),
            global_visit_id: None,
        };
        let new = VisitIds {
            visit_id: Some("v-2".into()),
            global_visit_id: Some("g-1".into()),
            ..VisitIds::default()
        };
        assert_eq!(
            new.over(old),
            VisitIds {
                customer_id: Some("c-1".into()),
                visit_id: Some("v-2".into()),
                global_visit_id: Some("g-1".into()),
            }
        );
    }
}
