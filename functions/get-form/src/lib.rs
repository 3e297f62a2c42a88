//! `GET /forms/{formHash}`: one of the merchant's donation forms; another merchant's form is
//! not found.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, FormsState};
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::form::FormStore;
use shared::ground::ids::FormHash;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/forms/{formHash}",
    method: Method::GET,
    allow: "GET, PUT",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &FormsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let hash = FormHash::parse(path_param(req, "formHash").unwrap_or_default())?;
        let form = state
            .forms
            .get(&hash)
            .await?
            .filter(|form| form.merchant_id == merchant)
            .ok_or(ApiError::NotFound("Form not found"))?;
        Ok(json_response(
            StatusCode::OK,
            wire::forms::form(&form, &state.time_zone)?,
        ))
    })
    .await
}
