//! `POST /sepa/collections/{id}/submitted`: the merchant uploaded the collection's file to its
//! bank. The collection becomes `sent` and its debits `submitted` (only those are `collected`
//! once the return window has passed). A collection that is not ready, or from which a debit
//! was withdrawn after its file was made, is a 409 and changes nothing. Repeating the call is
//! safe; an answer with `"complete": false` (202) ran out of time and the next call goes on.

use lambda_http::{Body, Request, Response};

use shared::app::{Backend, SendingState};
use shared::bank::Way;
use shared::edge::pipeline::Endpoint;
use shared::edge::sending::settle_collection;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections/{id}/submitted",
    method: lambda_http::http::Method::POST,
    allow: "POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &SendingState<B>) -> Response<Body> {
    settle_collection(
        &req,
        &ENDPOINT,
        &state.auth,
        &state.sending(),
        Way::Sent,
        &state.time_zone,
    )
    .await
}
