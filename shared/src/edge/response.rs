//! Responses every API family sends.

use lambda_http::http::StatusCode;
use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use lambda_http::{Body, Response};

pub const APPLICATION_JSON: &str = "application/json";
pub const PROBLEM_JSON: &str = "application/problem+json";
pub const APPLICATION_XML: &str = "application/xml";

/// Read capacity a request consumed, carried on its response to the log line.
#[derive(Clone, Copy, Debug)]
pub struct ReadUnits(pub f64);

pub fn json_response(status: StatusCode, body: String) -> Response<Body> {
    response_with(status, APPLICATION_JSON, body)
}

pub fn response_with(
    status: StatusCode,
    content_type: &'static str,
    body: String,
) -> Response<Body> {
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Merchant records and donors' data: no cache may keep a copy.
pub fn no_store(response: &mut Response<Body>) {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
