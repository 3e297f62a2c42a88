//! `GET /sepa/collections`: the merchant's collections, newest first (the last 100).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CollectionsState};
use shared::bank::CollectionStore;
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections",
    method: Method::GET,
    allow: "GET, POST",
};
const LISTED: usize = 100;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CollectionsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let list = state.collections.list(&merchant, LISTED).await?;
        Ok(json_response(
            StatusCode::OK,
            wire::collections::collections(&list, &state.time_zone)?,
        ))
    })
    .await
}
