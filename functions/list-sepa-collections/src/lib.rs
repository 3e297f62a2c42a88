//! `GET /sepa/collections`: the merchant's collections, newest first (the last 100).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::value::RawValue;

use shared::app::{Backend, CollectionsState};
use shared::bank::CollectionStore;
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;

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
        let list: Vec<Box<RawValue>> = state
            .collections
            .list(&merchant, LISTED)
            .await?
            .iter()
            .map(|c| c.to_json(&state.time_zone).and_then(RawValue::from_string))
            .collect::<Result<_, _>>()?;
        let body = serde_json::to_string(&serde_json::json!({ "list": list }))?;
        Ok(json_response(StatusCode::OK, body))
    })
    .await
}
