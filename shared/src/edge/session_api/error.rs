//! The Session-API's failures (seed `session-api-introduction.md`): `{"status":"error",
//! "error":"error NNN: text"}`. Codes above 205 are ours, for inputs the seed does not cover.

use lambda_http::http::header::ALLOW;
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::edge::response::json_response;
use crate::form::FormUnusable;
use crate::ground::storage::{StoreError, chain};
use crate::session::SessionError;
use crate::wire::session_api::ParamsError;

#[derive(Debug, thiserror::Error)]
pub enum SessionApiError {
    #[error("error 105: no hash")]
    NoHash,
    #[error("{}", form_text(.0))]
    Form(#[from] FormUnusable),
    #[error("{}", session_text(.0))]
    Session(#[from] SessionError),
    #[error("error 207: invalid request: {0}")]
    InvalidRequest(#[from] ParamsError),
    #[error("error 207: invalid request: use POST")]
    MethodNotAllowed,
    #[error(
        "error 207: invalid request: linking visitSessionId needs its visitSessionToken (from the \
         Session Management API) or the merchant's API key"
    )]
    VisitLinkRefused,
    #[error("error 208: invalid api key")]
    InvalidApiKey,
    #[error("{GENERAL}")]
    Store(#[from] StoreError),
    #[error("{GENERAL}")]
    Encode(#[from] serde_json::Error),
    #[error("{GENERAL}")]
    Panicked,
}

const GENERAL: &str = "error 101: general error";

fn form_text(err: &FormUnusable) -> &'static str {
    match err {
        FormUnusable::NotFound => "error 106: no config",
        FormUnusable::MerchantWithoutForms => "error 102: not owner",
        FormUnusable::Inactive => "error 103: inactive",
        FormUnusable::ApiDisabled => "error 104: not api owner",
        FormUnusable::Store(_) => GENERAL,
    }
}

fn session_text(err: &SessionError) -> String {
    match err {
        SessionError::Processed => "error 202: session processed".to_owned(),
        SessionError::NotFound => "error 203: session not found".to_owned(),
        SessionError::Processing => "error 209: session is being processed".to_owned(),
        SessionError::Exists => "error 204: session exists already".to_owned(),
        SessionError::NoValues => "error 205: new session requires values".to_owned(),
        SessionError::Incomplete => "error 206: session incomplete".to_owned(),
        SessionError::Full(what) => {
            format!("error 207: invalid request: a session holds at most {what}")
        }
        SessionError::Contended
        | SessionError::Store(_)
        | SessionError::Random(_)
        | SessionError::Payment(_)
        | SessionError::NotPayable(_)
        | SessionError::Encode(_) => GENERAL.to_owned(),
    }
}

#[derive(Serialize)]
struct SessionApiFailure {
    status: &'static str,
    error: String,
}

impl SessionApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Form(FormUnusable::NotFound) | Self::Session(SessionError::NotFound) => {
                StatusCode::NOT_FOUND
            }
            Self::InvalidRequest(ParamsError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidRequest(ParamsError::UnsupportedMediaType(_)) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::InvalidApiKey => StatusCode::UNAUTHORIZED,
            Self::Session(SessionError::Processing) => StatusCode::CONFLICT,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            _ if self.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ if self.is_general() => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Our own failure, not the caller's: error 101.
    pub fn is_general(&self) -> bool {
        self.to_string() == GENERAL
    }

    /// Storage did not answer in time: error 101 as 503, worth a retry.
    pub fn is_unavailable(&self) -> bool {
        let store = match self {
            Self::Store(err)
            | Self::Form(FormUnusable::Store(err))
            | Self::Session(SessionError::Store(err)) => err,
            _ => return false,
        };
        store.is_unavailable()
    }

    /// The seed's answer. Causes are logged, never sent.
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        if self.is_general() {
            tracing::error!(error = %chain(&self), "request failed");
        }
        let body = serde_json::to_string(&SessionApiFailure {
            status: "error",
            error: self.to_string(),
        })
        .unwrap_or_default();
        let mut response = json_response(status, body);
        if let Self::MethodNotAllowed = self {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        }
        response
    }

    /// The answer to a handler that panicked.
    pub fn panicked() -> Response<Body> {
        Self::Panicked.into_response()
    }
}
