//! `POST /sepa/collections/{id}/voided`: the collection's file will not go to the bank (never
//! uploaded, rejected as a whole, or a debit in it was withdrawn). The collection becomes
//! `voided` and its debits `pending` again, for the next `POST /sepa/collections`. A collection
//! already sent, or still being built, is a 409 and changes nothing. Repeating the call is
//! safe; an answer with `"complete": false` (202) ran out of time and the next call goes on.

use lambda_http::{Body, Request, Response};

use shared::app::{Backend, SendingState};
use shared::bank::Way;
use shared::edge::pipeline::Endpoint;
use shared::edge::sending::settle_collection;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections/{id}/voided",
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
        Way::Voided,
        &state.time_zone,
    )
    .await
}
