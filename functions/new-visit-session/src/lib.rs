//! `PUT /sessions/new` (seed `session-management-api.txt`): a visit session with an id of ours,
//! and the merchant's ids if sent.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, VisitsState};
use shared::edge::body::optional_json_body;
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::VisitSessionId;
use shared::ground::storage::StoreError;
use shared::visit::{VisitSession, VisitStore};
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sessions/new",
    method: Method::PUT,
    allow: "PUT",
};
/// Tries when 165 random bits collide with an existing id (they never should).
const ATTEMPTS: usize = 3;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &VisitsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = optional_json_body(
            req.headers(),
            req.body(),
            wire::visits::BODY_LIMIT,
            wire::visits::DEPTH_LIMIT,
        )?;
        let ids = wire::visits::ids(body)?;
        let mut collision = StoreError::AlreadyExists;
        for _ in 0..ATTEMPTS {
            let session = VisitSession::new(
                VisitSessionId::generate()?,
                merchant.clone(),
                ids.clone(),
                shared::ground::time::now(),
                state.ttl,
            );
            match state.visits.create(&session).await {
                Ok(()) => {
                    let body = wire::visits::info(&session, &state.time_zone, &state.links)?;
                    return Ok(json_response(StatusCode::CREATED, body));
                }
                Err(err @ StoreError::AlreadyExists) => collision = err,
                Err(err) => return Err(err.into()),
            }
        }
        Err(ApiError::Store(collision))
    })
    .await
}
