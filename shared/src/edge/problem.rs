//! Back-office failures as RFC 9457 `application/problem+json`: the one mapping from domain
//! errors to HTTP for every merchant-key route.

use lambda_http::http::header::{ALLOW, RETRY_AFTER, WWW_AUTHENTICATE};
use lambda_http::http::{HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;

use super::body::BodyError;
use super::response::{PROBLEM_JSON, response_with};
use crate::bank::{
    CollectError, CollectInputError, CollectionStateError, ReportBookError, ReturnInputError,
    SendingError,
};
use crate::dataset::RecordError;
use crate::form::FormInputError;
use crate::ground::ids::{InvalidFormHash, InvalidGuid, InvalidVisitSessionId};
use crate::ground::storage::{StoreError, chain};
use crate::idempotency::InvalidIdempotencyKey;
use crate::ledger::{ActionError, ActionInputError, Refusal};
use crate::listing::ListingError;
use crate::merchant::AuthError;
use crate::sepa::CreditorInputError;
use crate::sepa::reports::ReportError;
use crate::visit::VisitInputError;
use crate::wire::datasets::DataSetInputError;

/// Everything a handler can answer besides success, each with its status and problem type.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    DataSetInput(#[from] DataSetInputError),
    #[error(transparent)]
    InvalidIdempotencyKey(#[from] InvalidIdempotencyKey),
    #[error("{0}")]
    IdempotencyKeyReused(RecordError),
    #[error(transparent)]
    InvalidGuid(#[from] InvalidGuid),
    #[error(transparent)]
    FormInput(#[from] FormInputError),
    #[error(transparent)]
    InvalidFormHash(#[from] InvalidFormHash),
    #[error("form hash '{0}' belongs to another merchant; choose another hash")]
    FormHashTaken(String),
    #[error(transparent)]
    VisitInput(#[from] VisitInputError),
    #[error(transparent)]
    InvalidVisitSessionId(#[from] InvalidVisitSessionId),
    #[error(transparent)]
    Listing(#[from] ListingError),
    #[error(transparent)]
    ActionInput(#[from] ActionInputError),
    #[error(transparent)]
    CreditorInput(#[from] CreditorInputError),
    #[error(transparent)]
    CollectInput(#[from] CollectInputError),
    #[error(transparent)]
    ReturnInput(#[from] ReturnInputError),
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Collecting refused; storage failures become `Store`.
    #[error(transparent)]
    Collect(CollectError),
    /// The collection's status forbids what was asked (409).
    #[error(transparent)]
    CollectionState(#[from] CollectionStateError),
    /// An action refused, or contended; storage failures become `Store`.
    #[error(transparent)]
    Action(ActionError),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{method} is not supported on this path")]
    MethodNotAllowed {
        method: String,
        /// The `Allow` header: the methods this path serves.
        allow: &'static str,
    },
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("a response could not be encoded")]
    Encode(#[from] serde_json::Error),
    #[error("no random id could be drawn")]
    Random(#[from] getrandom::Error),
    #[error("the handler panicked")]
    Panicked,
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
}

impl ApiError {
    fn status_and_title(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Auth(AuthError::Store(err)) | Self::Store(err) if err.is_unavailable() => {
                (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable")
            }
            Self::Auth(AuthError::Store(_))
            | Self::Store(_)
            | Self::Encode(_)
            | Self::Random(_)
            | Self::Panicked => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
            Self::Auth(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            Self::Body(BodyError::NotJson | BodyError::NotJsonOrXml) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
            }
            Self::Body(BodyError::TooLarge { .. }) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            }
            Self::Body(_) => (StatusCode::BAD_REQUEST, "Malformed body"),
            Self::DataSetInput(_) => (StatusCode::BAD_REQUEST, "Invalid DataSet"),
            Self::InvalidIdempotencyKey(_) => (StatusCode::BAD_REQUEST, "Invalid Idempotency-Key"),
            Self::IdempotencyKeyReused(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Idempotency-Key reused")
            }
            Self::InvalidGuid(_) => (StatusCode::BAD_REQUEST, "Invalid guid"),
            Self::FormInput(_) => (StatusCode::BAD_REQUEST, "Invalid form"),
            Self::InvalidFormHash(_) => (StatusCode::BAD_REQUEST, "Invalid form hash"),
            Self::FormHashTaken(_) => (StatusCode::CONFLICT, "Form hash taken"),
            Self::VisitInput(_) => (StatusCode::BAD_REQUEST, "Invalid session"),
            Self::InvalidVisitSessionId(_) => (StatusCode::BAD_REQUEST, "Invalid sessionId"),
            Self::Listing(_) => (StatusCode::BAD_REQUEST, "Invalid listing request"),
            Self::CreditorInput(_) => (StatusCode::BAD_REQUEST, "Invalid creditor settings"),
            Self::CollectInput(_) => (StatusCode::BAD_REQUEST, "Invalid collection request"),
            Self::ReturnInput(_) => (StatusCode::BAD_REQUEST, "Invalid returns"),
            Self::Report(_) => (StatusCode::BAD_REQUEST, "Invalid bank report"),
            Self::Collect(CollectError::NoCreditor) => {
                (StatusCode::CONFLICT, "No creditor settings")
            }
            Self::Collect(CollectError::NothingDue(_)) => {
                (StatusCode::CONFLICT, "Nothing to collect")
            }
            Self::Collect(CollectError::KeyReused) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Idempotency-Key reused")
            }
            Self::Collect(CollectError::Store(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            }
            Self::CollectionState(CollectionStateError::Building) => {
                (StatusCode::CONFLICT, "Collection being built")
            }
            Self::CollectionState(CollectionStateError::Stale(_)) => {
                (StatusCode::CONFLICT, "Collection has withdrawn debits")
            }
            Self::CollectionState(_) => (StatusCode::CONFLICT, "Collection not ready"),
            Self::ActionInput(_) | Self::Action(ActionError::Refused(Refusal::Invalid(_))) => {
                (StatusCode::BAD_REQUEST, "Invalid action")
            }
            Self::Action(ActionError::Refused(Refusal::NotFound(title))) => {
                (StatusCode::NOT_FOUND, title)
            }
            Self::Action(ActionError::Refused(Refusal::Conflict(_))) => {
                (StatusCode::CONFLICT, "Action not allowed in this state")
            }
            Self::Action(ActionError::Contended) => (StatusCode::CONFLICT, "Concurrent change"),
            Self::Action(ActionError::KeyReused) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "Idempotency-Key reused")
            }
            Self::Action(ActionError::Store(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            }
            Self::Action(ActionError::Provider(_)) => {
                (StatusCode::BAD_GATEWAY, "Payment provider failed")
            }
            Self::NotFound(title) => (StatusCode::NOT_FOUND, title),
            Self::MethodNotAllowed { .. } => (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status_and_title().0
    }

    /// The problem+json response. Internal details are logged, never sent to the caller.
    pub fn into_response(self) -> Response<Body> {
        let (status, title) = self.status_and_title();
        let detail = if status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(error = %chain(&self), "storage unavailable");
            "The database did not answer in time; the request may not have been applied. \
             Please retry in a moment."
                .to_owned()
        } else if status.is_server_error() {
            tracing::error!(error = %chain(&self), "request failed");
            "Something went wrong on our side; the request changed nothing. Please retry."
                .to_owned()
        } else {
            self.to_string()
        };
        let problem = Problem {
            kind: format!("urn:problem-type:{}", slug(title)),
            title,
            status: status.as_u16(),
            detail,
        };
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let mut response = response_with(status, PROBLEM_JSON, body);
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let Self::MethodNotAllowed { allow, .. } = self {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

impl From<RecordError> for ApiError {
    fn from(err: RecordError) -> Self {
        match err {
            RecordError::Store(err) => Self::Store(err),
            reused @ RecordError::KeyReused => Self::IdempotencyKeyReused(reused),
        }
    }
}

impl From<ReportBookError> for ApiError {
    fn from(err: ReportBookError) -> Self {
        match err {
            ReportBookError::Input(err) => Self::ReturnInput(err),
            ReportBookError::Store(err) => Self::Store(err),
        }
    }
}

impl From<CollectError> for ApiError {
    fn from(err: CollectError) -> Self {
        match err {
            CollectError::Store(err) => Self::Store(err),
            other => Self::Collect(other),
        }
    }
}

impl From<SendingError> for ApiError {
    fn from(err: SendingError) -> Self {
        match err {
            SendingError::NotFound => Self::NotFound("Collection not found"),
            SendingError::State(state) => Self::CollectionState(state),
            SendingError::Store(err) => Self::Store(err),
        }
    }
}

impl From<ActionError> for ApiError {
    fn from(err: ActionError) -> Self {
        match err {
            ActionError::Store(err) => Self::Store(err),
            other => Self::Action(other),
        }
    }
}

impl ApiError {
    /// The answer to a handler that panicked.
    pub fn panicked() -> Response<Body> {
        Self::Panicked.into_response()
    }
}

fn slug(title: &str) -> String {
    title.to_ascii_lowercase().replace(' ', "-")
}
