//! The HTTP edge: reading JSON bodies safely, and the one place where errors become
//! responses (RFC 9457 `application/problem+json`).

use lambda_http::http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use lambda_http::request::RequestContext;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use lambda_http::http::{HeaderMap, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;

use crate::auth::AuthError;
use crate::dataset::{DataSetInputError, InvalidGuid};
use crate::form::{FormInputError, FormRefusal, InvalidFormHash};
use crate::listing::ListingError;
use crate::merchant::MerchantId;
use crate::session::request::ParamsError;
use crate::store::StoreError;
use crate::visit::{InvalidVisitSessionId, VisitInputError};

pub const APPLICATION_JSON: &str = "application/json";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// DataSet bodies: DynamoDB items stop at 400 KB, and we keep room for our own attributes.
pub const DATASET_BODY_LIMIT: usize = 350 * 1024;
/// DynamoDB refuses documents nested deeper than 32 levels.
pub const DATASET_DEPTH_LIMIT: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("the body must be sent as 'Content-Type: application/json'")]
    NotJson,
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the body is not valid UTF-8")]
    InvalidUtf8,
    #[error("the body is empty")]
    Empty,
    #[error("the JSON is nested deeper than {limit} levels")]
    TooDeep { limit: usize },
}

/// Everything a handler can answer besides success, each with its status and problem type.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error(transparent)]
    DataSetInput(#[from] DataSetInputError),
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
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{method} is not supported on this path")]
    MethodNotAllowed {
        method: String,
        /// The `Allow` header: the methods this path serves.
        allow: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
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
            Self::Auth(AuthError::Store(_)) | Self::Store(_) | Self::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            }
            Self::Auth(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            Self::Body(BodyError::NotJson) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
            }
            Self::Body(BodyError::TooLarge { .. }) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large")
            }
            Self::Body(_) | Self::MalformedJson(_) => (StatusCode::BAD_REQUEST, "Malformed body"),
            Self::DataSetInput(_) => (StatusCode::BAD_REQUEST, "Invalid DataSet"),
            Self::InvalidGuid(_) => (StatusCode::BAD_REQUEST, "Invalid guid"),
            Self::FormInput(_) => (StatusCode::BAD_REQUEST, "Invalid form"),
            Self::InvalidFormHash(_) => (StatusCode::BAD_REQUEST, "Invalid form hash"),
            Self::FormHashTaken(_) => (StatusCode::CONFLICT, "Form hash taken"),
            Self::VisitInput(_) => (StatusCode::BAD_REQUEST, "Invalid session"),
            Self::InvalidVisitSessionId(_) => (StatusCode::BAD_REQUEST, "Invalid sessionId"),
            Self::Listing(_) => (StatusCode::BAD_REQUEST, "Invalid listing request"),
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
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
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
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                lambda_http::http::HeaderValue::from_static("Bearer"),
            );
        }
        if let Self::MethodNotAllowed { allow, .. } = self {
            response
                .headers_mut()
                .insert(ALLOW, lambda_http::http::HeaderValue::from_static(allow));
        }
        response
    }
}

fn slug(title: &str) -> String {
    title.to_ascii_lowercase().replace(' ', "-")
}

/// Set by the first request an instance serves: later ones are warm.
static WARM: AtomicBool = AtomicBool::new(false);

/// The one log line of a request. Only these fields: nothing a donor or integrator sent.
/// `request_id` is API Gateway's, the id its access log carries; the Lambda runtime adds its
/// own request id and trace id as the span of every line.
pub fn log_request(
    req: &Request,
    route: &'static str,
    status: StatusCode,
    started: Instant,
    merchant: Option<&MerchantId>,
    read_units: Option<f64>,
) {
    let request_id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    };
    tracing::info!(
        method = %req.method(),
        request_id,
        cold_start = !WARM.swap(true, Ordering::Relaxed),
        route,
        status = status.as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        merchant = merchant.map(MerchantId::as_str),
        read_units,
        "request"
    );
}

pub fn json_response(status: StatusCode, body: String) -> Response<Body> {
    response_with(status, APPLICATION_JSON, body)
}

fn response_with(status: StatusCode, content_type: &'static str, body: String) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        lambda_http::http::HeaderValue::from_static(content_type),
    );
    response
}

/// Checks a JSON request body before anything parses it: media type, size, encoding and
/// nesting depth, so that oversized or hostile input is refused cheaply and clearly.
pub fn json_body<'a>(
    headers: &HeaderMap,
    body: &'a Body,
    max_bytes: usize,
    max_depth: usize,
) -> Result<&'a str, BodyError> {
    if !is_json_content_type(headers) {
        return Err(BodyError::NotJson);
    }
    let bytes: &[u8] = body.as_ref();
    if bytes.len() > max_bytes {
        return Err(BodyError::TooLarge { limit: max_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BodyError::InvalidUtf8)?;
    if text.trim().is_empty() {
        return Err(BodyError::Empty);
    }
    if nesting_depth(text) > max_depth {
        return Err(BodyError::TooDeep { limit: max_depth });
    }
    Ok(text)
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(APPLICATION_JSON))
}

/// Deepest bracket nesting outside of strings; a top-level object is depth 1.
fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().expect("valid"),
        );
        h
    }

    #[test]
    fn depth_ignores_brackets_inside_strings() {
        assert_eq!(nesting_depth(r#"{"a":"[[[{{{"}"#), 1);
        assert_eq!(nesting_depth(r#"{"a":[{"b":"\"]"}]}"#), 3);
        assert_eq!(nesting_depth("1"), 0);
    }

    #[test]
    fn bodies_are_checked_in_order_of_cost() {
        let ok = Body::Text(r#"{"a":1}"#.into());
        assert_eq!(json_body(&json_headers(), &ok, 100, 32), Ok(r#"{"a":1}"#));
        assert_eq!(
            json_body(&HeaderMap::new(), &ok, 100, 32),
            Err(BodyError::NotJson)
        );
        assert_eq!(
            json_body(&json_headers(), &ok, 3, 32),
            Err(BodyError::TooLarge { limit: 3 })
        );
        let latin1 = Body::Binary(vec![b'"', 0xe9, b'"']);
        assert_eq!(
            json_body(&json_headers(), &latin1, 100, 32),
            Err(BodyError::InvalidUtf8)
        );
        let deep = Body::Text(format!("{}{}", "[".repeat(33), "]".repeat(33)));
        assert_eq!(
            json_body(&json_headers(), &deep, 1000, 32),
            Err(BodyError::TooDeep { limit: 32 })
        );
    }
}

/// The Session-API's failures (seed `session-api-introduction.md`): `{"status":"error",
/// "error":"error NNN: text"}`. Codes above 205 are ours, for inputs the seed does not cover.
#[derive(Debug, thiserror::Error)]
pub enum SessionApiError {
    #[error("error 101: general error")]
    General(String),
    #[error("error 102: not owner")]
    NotOwner,
    #[error("error 103: inactive")]
    Inactive,
    #[error("error 104: not api owner")]
    NotApiOwner,
    #[error("error 105: no hash")]
    NoHash,
    #[error("error 106: no config")]
    NoConfig,
    #[error("error 202: session processed")]
    Processed,
    #[error("error 203: session not found")]
    SessionNotFound,
    #[error("error 204: session exists already")]
    SessionExists,
    #[error("error 205: new session requires values")]
    NoValues,
    #[error("error 206: session incomplete")]
    Incomplete,
    #[error("error 207: invalid request: {0}")]
    InvalidRequest(#[from] ParamsError),
    #[error("error 207: invalid request: a session holds at most {0}")]
    SessionFull(&'static str),
    #[error("error 208: invalid api key")]
    InvalidApiKey,
    #[error("error 207: invalid request: use POST")]
    MethodNotAllowed,
}

impl From<StoreError> for SessionApiError {
    fn from(err: StoreError) -> Self {
        Self::General(err.to_string())
    }
}

impl From<FormRefusal> for SessionApiError {
    fn from(refusal: FormRefusal) -> Self {
        match refusal {
            FormRefusal::MerchantWithoutForms => Self::NotOwner,
            FormRefusal::Inactive => Self::Inactive,
            FormRefusal::ApiDisabled => Self::NotApiOwner,
        }
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
            Self::General(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NoConfig | Self::SessionNotFound => StatusCode::NOT_FOUND,
            Self::InvalidRequest(ParamsError::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidRequest(ParamsError::UnsupportedMediaType(_)) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::InvalidApiKey => StatusCode::UNAUTHORIZED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Internal details are logged, never sent.
    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        if let Self::General(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let body = serde_json::to_string(&SessionApiFailure {
            status: "error",
            error: self.to_string(),
        })
        .unwrap_or_default();
        let mut response = json_response(status, body);
        if let Self::MethodNotAllowed = self {
            response.headers_mut().insert(
                ALLOW,
                lambda_http::http::HeaderValue::from_static("POST, OPTIONS"),
            );
        }
        response
    }
}
