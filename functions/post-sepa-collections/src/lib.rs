//! `POST /sepa/collections`: claims the merchant's pending direct debits due by
//! `collectionDate` (default: every debit announced so far), at most `maxPayments`, into one
//! new collection, and answers it (201) with its id, count and control sum; its pain.008 file
//! is `GET /sepa/collections/{id}`. A collection an earlier call left half-built is finished
//! first. Claimed payments become `submitted`; each goes into exactly one collection.

use lambda_http::http::header::{HeaderValue, LOCATION};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CollectionsState};
use shared::bank::Collector;
use shared::edge::body::optional_json_body;
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
        let creditor = state
            .auth
            .keys()
            .get_merchant(&merchant)
            .await?
            .and_then(|m| m.creditor);
        let collector = Collector {
            store: &state.collections,
            lease: state.lease,
        };
        let collection = collector
            .collect(
                &merchant,
                creditor.as_ref(),
                request,
                shared::ground::time::now(),
                &state.time_zone,
            )
            .await?;
        let mut response = json_response(
            StatusCode::CREATED,
            wire::collections::collection(&collection, &state.time_zone)?,
        );
        if let Ok(location) = HeaderValue::from_str(&format!("/sepa/collections/{}", collection.id))
        {
            response.headers_mut().insert(LOCATION, location);
        }
        Ok(response)
    })
    .await
}
