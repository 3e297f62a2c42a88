//! `POST /sepa/returns`: the debits the bank returned, by end-to-end id with their ISO 20022
//! reason codes. Each payment becomes `returned` with a changelog entry; codes that mean the
//! mandate or account is no good (MD01, AC04, …) also hold its subscription. The same list
//! again changes nothing. The answer (200) says what became of each return.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ReturnsState};
use shared::bank::book;
use shared::edge::body::json_body;
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/returns",
    method: Method::POST,
    allow: "POST",
};
/// A thousand returns of about 120 bytes each.
const BODY_LIMIT: usize = 160 * 1024;
const DEPTH_LIMIT: usize = 3;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ReturnsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = json_body(req.headers(), req.body(), BODY_LIMIT, DEPTH_LIMIT)?;
        let returns = wire::collections::returns(body)?;
        let results = book(
            &state.entities,
            &merchant,
            &returns,
            shared::ground::time::now(),
        )
        .await?;
        Ok(json_response(
            StatusCode::OK,
            wire::collections::booked(&results)?,
        ))
    })
    .await
}
