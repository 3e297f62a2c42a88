//! The session as the Session-API answers it: `{"status":"success","session":{…}}` exactly as
//! the seeds show it.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ground::lang::Lang;
use crate::ground::time::seed_format;
use crate::session::{PaymentSession, SessionStatus};
use crate::validation::{FieldError, Rules};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    status: &'static str,
    session: SessionView<'a>,
    /// Processed sessions: the donation's DataSet and payment result.
    #[serde(skip_serializing_if = "Option::is_none")]
    data_set_guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_session_result: Option<&'a Map<String, Value>>,
}

#[derive(Serialize)]
struct SessionView<'a> {
    hash: &'a str,
    status: &'static str,
    errors: Errors,
    values: &'a Map<String, Value>,
    fixed_values: BTreeMap<&'a str, &'static str>,
    meta_info: Map<String, Value>,
}

#[derive(Serialize)]
struct Errors {
    current_fields: BTreeMap<String, String>,
    other_fields: BTreeMap<String, String>,
}

/// The session as the Session-API answers it, with this request's errors (`current`) and
/// what the stored values still lack (`other_fields`, never repeating a current error).
pub fn render(
    session: &PaymentSession,
    rules: &Rules<'_>,
    current: &BTreeMap<String, FieldError>,
    lang: Lang,
    zone: &jiff::tz::TimeZone,
) -> Result<String, serde_json::Error> {
    let lacking = rules.lacking(&session.values);
    let messages = |errors: &mut dyn Iterator<Item = (&String, &FieldError)>| {
        errors
            .map(|(name, err)| (name.clone(), err.message(lang)))
            .collect::<BTreeMap<_, _>>()
    };
    let current_fields = messages(&mut current.iter());
    let other_fields = messages(
        &mut lacking
            .iter()
            .filter(|(name, _)| !current.contains_key(*name)),
    );
    let status = match session.status {
        SessionStatus::Processed => "processed",
        SessionStatus::Processing => "processing",
        SessionStatus::Open if current_fields.is_empty() && other_fields.is_empty() => "complete",
        SessionStatus::Open => "incomplete",
    };
    let mut meta_info = session.meta.clone();
    let stamp = |at| Value::String(seed_format(at, zone));
    meta_info.insert("form_hash".into(), session.form_hash.as_str().into());
    meta_info.insert("created_ts".into(), stamp(session.created_at));
    meta_info.insert("updated_ts".into(), stamp(session.updated_at));
    meta_info.insert("expires_ts".into(), stamp(session.expires_at));
    if let Some(visit) = &session.visit_session {
        meta_info.insert("visit_session_id".into(), visit.as_str().into());
    }
    serde_json::to_string(&Envelope {
        status: "success",
        session: SessionView {
            hash: session.hash.as_str(),
            status,
            errors: Errors {
                current_fields,
                other_fields,
            },
            values: &session.values,
            fixed_values: session.fixed.iter().map(|n| (n.as_str(), "fix")).collect(),
            meta_info,
        },
        data_set_guid: session
            .processed
            .as_ref()
            .map(|p| p.data_set_guid.to_string()),
        payment_session_result: session.processed.as_ref().map(|p| &p.payment_result),
    })
}
