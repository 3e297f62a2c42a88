//! Visit sessions (seed `session-management-api.txt`): a merchant's visitor, carrying a
//! customer id and visit ids across requests, and into the DataSet of a donation.

mod link;
mod ports;

pub use link::LinkSigner;
pub use ports::VisitStore;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ground::ids::{MerchantId, VisitSessionId};
use crate::ground::time::{expiry, seed_format};

/// The ids a merchant associates with a visit; absent ones are left as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VisitIds {
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub visit_id: Option<String>,
    #[serde(default)]
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
    /// A body of three ids needs little room and no nesting.
    pub const BODY_LIMIT: usize = 4 * 1024;
    pub const DEPTH_LIMIT: usize = 2;

    /// The body of `PUT /sessions/new` or `POST /sessions/{sessionId}`; empty means no ids.
    pub fn from_json(body: Option<&str>) -> Result<Self, VisitInputError> {
        let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
            return Ok(Self::default());
        };
        let malformed = |e: serde_json::Error| VisitInputError::Malformed(e.to_string());
        // An object, not the array form serde would also accept for a struct.
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(body).map_err(malformed)?;
        let ids: Self =
            serde_json::from_value(serde_json::Value::Object(object)).map_err(malformed)?;
        for (name, value) in ids.named() {
            if value.is_some_and(|v| {
                v.chars().count() > MAX_ID_CHARS || v.chars().any(char::is_control)
            }) {
                return Err(VisitInputError::InvalidId(name));
            }
        }
        Ok(ids)
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

    /// SessionInfo, as the routes answer it, with the token that links payment sessions.
    pub fn info(&self, zone: &jiff::tz::TimeZone, links: &LinkSigner) -> SessionInfo<'_> {
        let stamp = |at| seed_format(at, zone);
        SessionInfo {
            session_id: self.id.as_str(),
            customer_id: self.ids.customer_id.as_deref(),
            visit_id: self.ids.visit_id.as_deref(),
            global_visit_id: self.ids.global_visit_id.as_deref(),
            created_ts: stamp(self.created_at),
            updated_ts: stamp(self.updated_at),
            expires_ts: stamp(self.expires_at),
            link_token: links.issue(&self.merchant_id, &self.id),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo<'a> {
    pub session_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub visit_id: Option<&'a str>,
    pub global_visit_id: Option<&'a str>,
    pub created_ts: String,
    pub updated_ts: String,
    pub expires_ts: String,
    /// For the donor's page: lets createSession/updateSession link a payment session to this
    /// visit session without the merchant's API key (`visitSessionToken`).
    pub link_token: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_strict() {
        assert_eq!(VisitIds::from_json(None), Ok(VisitIds::default()));
        assert_eq!(VisitIds::from_json(Some("  ")), Ok(VisitIds::default()));
        let ids =
            VisitIds::from_json(Some(r#"{"customerId":"c-1","visitId":null}"#)).expect("valid");
        assert_eq!(ids.customer_id.as_deref(), Some("c-1"));
        assert!(matches!(
            VisitIds::from_json(Some(r#"{"customerID":"c-1"}"#)),
            Err(VisitInputError::Malformed(_))
        ));
        assert!(matches!(
            VisitIds::from_json(Some(r#"{"customerId":5}"#)),
            Err(VisitInputError::Malformed(_))
        ));
        let long = format!(r#"{{"visitId":"{}"}}"#, "x".repeat(129));
        assert_eq!(
            VisitIds::from_json(Some(&long)),
            Err(VisitInputError::InvalidId("visitId"))
        );
        assert_eq!(
            VisitIds::from_json(Some(r#"{"globalVisitId":"a\u0000b"}"#)),
            Err(VisitInputError::InvalidId("globalVisitId"))
        );
    }

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
