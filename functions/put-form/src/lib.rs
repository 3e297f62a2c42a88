//! `PUT /forms/{formHash}`: creates (201) or replaces (200) one of the merchant's donation
//! forms; a hash another merchant owns is a conflict (409), and a payment method that nobody
//! would collect (no payment provider takes it) is refused (400).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, FormsState};
use shared::edge::body::json_body;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::form::{Form, FormStore, FormWrite};
use shared::ground::ids::FormHash;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/forms/{formHash}",
    method: Method::PUT,
    allow: "GET, PUT",
};
/// A form with 100 fields of 300 options each stays far below this.
const FORM_BODY_LIMIT: usize = 200 * 1024;
const FORM_DEPTH_LIMIT: usize = 8;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &FormsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let hash = FormHash::parse(path_param(req, "formHash").unwrap_or_default())?;
        let json = json_body(req.headers(), req.body(), FORM_BODY_LIMIT, FORM_DEPTH_LIMIT)?;
        let definition = wire::forms::definition(json, &hash, &merchant)?;
        definition.check_collected(state.provided)?;
        let form = Form {
            hash,
            merchant_id: merchant,
            updated_at: shared::ground::time::now(),
            definition,
            creditor: None,
        };
        let status = match state.forms.put(&form).await? {
            FormWrite::Created => StatusCode::CREATED,
            FormWrite::Replaced => StatusCode::OK,
            FormWrite::Taken => return Err(ApiError::FormHashTaken(form.hash.to_string())),
        };
        Ok(json_response(
            status,
            wire::forms::form(&form, &state.time_zone)?,
        ))
    })
    .await
}
