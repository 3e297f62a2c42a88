//! `GET /sessions/{sessionId}` (seed `session-management-api.txt`): the merchant's live visit
//! session; an expired or another merchant's one is not found.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, VisitsState};
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::VisitSessionId;
use shared::visit::VisitStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sessions/{sessionId}",
    method: Method::GET,
    allow: "GET, POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &VisitsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let id = VisitSessionId::parse(path_param(req, "sessionId").unwrap_or_default())?;
        let now = shared::ground::time::now();
        let session = state
            .visits
            .get(&merchant, &id)
            .await?
            .filter(|s| s.is_live(now))
            .ok_or(ApiError::NotFound("Session not found"))?;
        let body = wire::visits::info(&session, &state.time_zone, &state.links)?;
        Ok(json_response(StatusCode::OK, body))
    })
    .await
}
