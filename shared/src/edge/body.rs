//! Reading JSON request bodies safely: media type, size, encoding and nesting depth are checked
//! before anything parses the body, so oversized or hostile input is refused cheaply.

use lambda_http::Body;
use lambda_http::http::HeaderMap;
use lambda_http::http::header::CONTENT_TYPE;

use super::response::{APPLICATION_JSON, APPLICATION_XML};
use crate::dataset::Retry;
use crate::idempotency::{Fingerprint, IdempotencyKey, InvalidIdempotencyKey};

/// DataSet bodies: DynamoDB items stop at 400 KB, and we keep room for our own attributes.
pub const DATASET_BODY_LIMIT: usize = 350 * 1024;
/// DynamoDB refuses documents nested deeper than 32 levels.
pub const DATASET_DEPTH_LIMIT: usize = 32;
/// `POST /actions`: a change and its record are one transaction, billed twice its writes, so
/// an action (a DataSet sign-up's `jsonElement` included) is kept to 64 KB.
pub const ACTION_BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("the body must be sent as 'Content-Type: application/json'")]
    NotJson,
    #[error(
        "the body must be sent as 'Content-Type: application/json', or a bank report as \
         'application/xml'"
    )]
    NotJsonOrXml,
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the body is not valid UTF-8")]
    InvalidUtf8,
    #[error("the body is empty")]
    Empty,
    #[error("the JSON is nested deeper than {limit} levels")]
    TooDeep { limit: usize },
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

/// A body that may be left out; when sent, it is checked as [`json_body`] does.
pub fn optional_json_body<'a>(
    headers: &HeaderMap,
    body: &'a Body,
    max_bytes: usize,
    max_depth: usize,
) -> Result<Option<&'a str>, BodyError> {
    if body.is_empty() {
        return Ok(None);
    }
    json_body(headers, body, max_bytes, max_depth).map(Some)
}

/// An XML body (a bank's own report): `None` unless sent as `application/xml` or
/// `text/xml`; its size is checked, the XML reader checks the rest.
pub fn xml_body<'a>(
    headers: &HeaderMap,
    body: &'a Body,
    max_bytes: usize,
) -> Result<Option<&'a [u8]>, BodyError> {
    if !media_type_is(headers, &[APPLICATION_XML, "text/xml"]) {
        return Ok(None);
    }
    let bytes: &[u8] = body.as_ref();
    if bytes.len() > max_bytes {
        return Err(BodyError::TooLarge { limit: max_bytes });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::Empty);
    }
    Ok(Some(bytes))
}

fn is_json_content_type(headers: &HeaderMap) -> bool {
    media_type_is(headers, &[APPLICATION_JSON])
}

fn media_type_is(headers: &HeaderMap, types: &[&str]) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| types.iter().any(|t| media.trim().eq_ignore_ascii_case(t)))
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

/// The request's `Idempotency-Key` with what its body was, if the client sent one.
///
/// # Errors
/// `InvalidIdempotencyKey` for a key that is not 1 to 255 visible ASCII characters.
pub fn retry_of(headers: &HeaderMap, body: &[u8]) -> Result<Option<Retry>, InvalidIdempotencyKey> {
    headers
        .get("idempotency-key")
        .map(|raw| {
            Ok(Retry {
                key: IdempotencyKey::parse(raw.to_str().unwrap_or_default())?,
                fingerprint: Fingerprint::of(body),
            })
        })
        .transpose()
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
