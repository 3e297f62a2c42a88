//! Visit sessions as the Session Management API has them (seed `session-management-api.txt`):
//! the body of `PUT /sessions/new` and `POST /sessions/{sessionId}`, and SessionInfo, the
//! answer, with the token that links payment sessions.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::ground::time::seed_format;
use crate::visit::{LinkSigner, VisitIds, VisitInputError, VisitSession};

/// A body of three ids needs little room and no nesting.
pub const BODY_LIMIT: usize = 4 * 1024;
pub const DEPTH_LIMIT: usize = 2;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default)]
    visit_id: Option<String>,
    #[serde(default)]
    global_visit_id: Option<String>,
}

/// The ids of a body; an empty body means none.
pub fn ids(body: Option<&str>) -> Result<VisitIds, VisitInputError> {
    let Some(body) = body.filter(|b| !b.trim().is_empty()) else {
        return Ok(VisitIds::default());
    };
    let malformed = |e: serde_json::Error| VisitInputError::Malformed(e.to_string());
    // An object, not the array form serde would also accept for a struct.
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(body).map_err(malformed)?;
    let body: Body =
        serde_json::from_value(serde_json::Value::Object(object)).map_err(malformed)?;
    VisitIds {
        customer_id: body.customer_id,
        visit_id: body.visit_id,
        global_visit_id: body.global_visit_id,
    }
    .checked()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo<'a> {
    session_id: &'a str,
    customer_id: Option<&'a str>,
    visit_id: Option<&'a str>,
    global_visit_id: Option<&'a str>,
    created_ts: String,
    updated_ts: String,
    expires_ts: String,
    /// For the donor's page: lets createSession/updateSession link a payment session to this
    /// visit session without the merchant's API key (`visitSessionToken`).
    link_token: String,
}

/// SessionInfo, as the routes answer it, with the token that links payment sessions.
pub fn info(
    session: &VisitSession,
    zone: &TimeZone,
    links: &LinkSigner,
) -> Result<String, serde_json::Error> {
    let stamp = |at| seed_format(at, zone);
    serde_json::to_string(&SessionInfo {
        session_id: session.id.as_str(),
        customer_id: session.ids.customer_id.as_deref(),
        visit_id: session.ids.visit_id.as_deref(),
        global_visit_id: session.ids.global_visit_id.as_deref(),
        created_ts: stamp(session.created_at),
        updated_ts: stamp(session.updated_at),
        expires_ts: stamp(session.expires_at),
        link_token: links.issue(&session.merchant_id, &session.id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_strict() {
        assert_eq!(ids(None), Ok(VisitIds::default()));
        assert_eq!(ids(Some("  ")), Ok(VisitIds::default()));
        let read = ids(Some(r#"{"customerId":"c-1","visitId":null}"#)).expect("valid");
        assert_eq!(read.customer_id.as_deref(), Some("c-1"));
        assert!(matches!(
            ids(Some(r#"{"customerID":"c-1"}"#)),
            Err(VisitInputError::Malformed(_))
        ));
        assert!(matches!(
            ids(Some(r#"{"customerId":5}"#)),
            Err(VisitInputError::Malformed(_))
        ));
        let long = format!(r#"{{"visitId":"{}"}}"#, "x".repeat(129));
        assert_eq!(ids(Some(&long)), Err(VisitInputError::InvalidId("visitId")));
        assert_eq!(
            ids(Some(r#"{"globalVisitId":"a\u0000b"}"#)),
            Err(VisitInputError::InvalidId("globalVisitId"))
        );
    }
}
