//! `PUT /sepa/creditor`: the merchant's SEPA creditor settings (name, creditor identifier,
//! IBAN, BIC, pre-notification days), checked and stored on its record. Its forms offer SEPA
//! direct debit from then on (warm instances within a minute).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CreditorState};
use shared::edge::body::json_body;
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::merchant::MerchantStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/creditor",
    method: Method::PUT,
    allow: "GET, PUT",
};
const BODY_LIMIT: usize = 4 * 1024;
const DEPTH_LIMIT: usize = 2;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CreditorState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = json_body(req.headers(), req.body(), BODY_LIMIT, DEPTH_LIMIT)?;
        let creditor = wire::creditor::creditor(body)?;
        if !state.auth.keys().set_creditor(&merchant, &creditor).await? {
            return Err(ApiError::NotFound("Merchant not found"));
        }
        Ok(json_response(
            StatusCode::OK,
            wire::creditor::settings(&creditor, &merchant)?,
        ))
    })
    .await
}
