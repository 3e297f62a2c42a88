//! `POST /sessions/{sessionId}` (seed `session-management-api.txt`): the merchant's ids merged
//! into a live visit session (200), or a new one started under this id (201).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, VisitsState};
use shared::edge::body::optional_json_body;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::response::json_response;
use shared::ground::ids::VisitSessionId;
use shared::visit::VisitStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sessions/{sessionId}",
    method: Method::POST,
    allow: "GET, POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &VisitsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let id = VisitSessionId::parse(path_param(req, "sessionId").unwrap_or_default())?;
        let body = optional_json_body(
            req.headers(),
            req.body(),
            wire::visits::BODY_LIMIT,
            wire::visits::DEPTH_LIMIT,
        )?;
        let ids = wire::visits::ids(body)?;
        let (session, created) = state
            .visits
            .associate(&merchant, &id, &ids, shared::ground::time::now(), state.ttl)
            .await?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let body = wire::visits::info(&session, &state.time_zone, &state.links)?;
        Ok(json_response(status, body))
    })
    .await
}
