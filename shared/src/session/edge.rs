//! What every Session-API route does at its edge: decode the parameters, find a usable form,
//! find a usable session, pick the language, answer browsers (CORS).

use std::sync::Arc;

use jiff::Timestamp;
use lambda_http::http::StatusCode;
use lambda_http::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use lambda_http::{Body, Request, Response};

use super::request::{self, SessionParams};
use super::{PaymentSession, SessionHash, SessionStatus};
use crate::form::{Channel, Form, FormCatalog, FormHash, Lang};
use crate::http::SessionApiError;
use crate::store::{ApiKeyStore, FormStore};

/// The request's parameters from its query string and body.
pub fn params(req: &Request) -> Result<SessionParams, SessionApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Ok(request::decode(
        req.uri().query(),
        content_type,
        req.body().as_ref(),
    )?)
}

/// The form named by `hash`, if it may take sessions: else the seed's 102 to 106.
pub async fn usable_form<F: FormStore, K: ApiKeyStore>(
    catalog: &FormCatalog<F, K>,
    params: &SessionParams,
) -> Result<Arc<Form>, SessionApiError> {
    let raw = params.form_hash.as_deref().ok_or(SessionApiError::NoHash)?;
    let hash = FormHash::parse(raw).map_err(|_| SessionApiError::NoConfig)?;
    Ok(catalog
        .usable(&hash, Channel::Api)
        .await?
        .ok_or(SessionApiError::NoConfig)??)
}

/// The hash in `fbSessionHash`, or 203 for anything we never hand out.
pub fn session_hash(params: &SessionParams) -> Result<SessionHash, SessionApiError> {
    params
        .session_hash
        .as_deref()
        .and_then(SessionHash::parse)
        .ok_or(SessionApiError::SessionNotFound)
}

/// The session if it is this form's and live, else 203; a processed one is 202 unless the
/// caller accepts it (processing answers it again, idempotently).
pub fn live_session(
    session: Option<PaymentSession>,
    form: &Form,
    now: Timestamp,
    processed_ok: bool,
) -> Result<PaymentSession, SessionApiError> {
    let session = session
        .filter(|s| {
            s.form_hash == form.hash && (s.is_live(now) || s.status == SessionStatus::Processed)
        })
        .ok_or(SessionApiError::SessionNotFound)?;
    if session.status == SessionStatus::Processed && !processed_ok {
        return Err(SessionApiError::Processed);
    }
    Ok(session)
}

/// `lang`, else `Accept-Language`, else the form's locale (German unless set otherwise).
pub fn language(req: &Request, params: &SessionParams, form: &Form) -> Lang {
    params
        .lang
        .or_else(|| {
            req.headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(form.definition.locale)
}

/// The Session-API is public by design, so any site may call it from a browser; without
/// credentials `*` is safe. Sessions hold personal data: no cache may keep a copy.
pub fn with_cors(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub fn preflight() -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("content-type, accept-language"),
    );
    headers.insert("access-control-max-age", HeaderValue::from_static("86400"));
    response
}
