//! `GET /sepa/creditor`: the merchant's SEPA creditor settings, or 404 while none are stored
//! (its forms do not offer SEPA direct debit then).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CreditorState};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::merchant::MerchantStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/creditor",
    method: Method::GET,
    allow: "GET, PUT",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CreditorState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let creditor = state
            .auth
            .keys()
            .get_merchant(&merchant)
            .await?
            .and_then(|m| m.creditor)
            .ok_or(ApiError::NotFound(
                "No creditor settings: PUT /sepa/creditor first",
            ))?;
        Ok(json_response(
            StatusCode::OK,
            wire::creditor::settings(&creditor, &merchant)?,
        ))
    })
    .await
}
