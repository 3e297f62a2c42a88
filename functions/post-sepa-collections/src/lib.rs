//! `POST /sepa/collections`: claims the merchant's pending direct debits due by
//! `collectionDate` (default: every debit announced so far), at most `maxPayments` (and at
//! most 5,000, what one file holds), into one collection, and answers it `201`, ready, with
//! its id, count and control sum; its pain.008 file is `GET /sepa/collections/{id}`. A call
//! that spends its time budget answers `202` with the collection still `building` and
//! `"complete":false`: the next call goes on with it. A collection an earlier call left
//! half-built is finished first. With an `Idempotency-Key`, every retry answers (or goes on
//! with) the first call's collection, never a second one.

use lambda_http::http::header::{HeaderValue, LOCATION, RETRY_AFTER};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CollectionsState};
use shared::edge::body::{optional_json_body, retry_of};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::merchant::MerchantStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections",
    method: Method::POST,
    allow: "GET, POST",
};
const BODY_LIMIT: usize = 1024;
const DEPTH_LIMIT: usize = 2;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CollectionsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = optional_json_body(req.headers(), req.body(), BODY_LIMIT, DEPTH_LIMIT)?;
        let request = wire::collections::collect_request(body)?;
        let retry = retry_of(req.headers(), body.unwrap_or_default().as_bytes())?;
        let creditor = state
            .auth
            .keys()
            .get_merchant(&merchant)
            .await?
            .and_then(|m| m.creditor);
        let collected = state
            .collector()
            .collect(
                &merchant,
                creditor.as_ref(),
                request,
                retry,
                shared::ground::time::now(),
                &state.time_zone,
            )
            .await?;
        let status = if collected.complete {
            StatusCode::CREATED
        } else {
            StatusCode::ACCEPTED
        };
        let mut response = json_response(
            status,
            wire::collections::collected(&collected, &state.time_zone)?,
        );
        let id = &collected.collection.id;
        if let Ok(location) = HeaderValue::from_str(&format!("/sepa/collections/{id}")) {
            response.headers_mut().insert(LOCATION, location);
        }
        if !collected.complete {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        Ok(response)
    })
    .await
}
