//! `POST /sessions/{sessionId}` (seed `session-management-api.txt`): the merchant's ids merged
//! into a live visit session (200), or a new one started under this id (201).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::VisitsState;
use shared::edge::body::optional_json_body;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::response::json_response;
use shared::ground::ids::VisitSessionId;
use shared::merchant::MerchantStore;
use shared::visit::{VisitIds, VisitStore};

const ENDPOINT: Endpoint = Endpoint {
    route: "/sessions/{sessionId}",
    method: Method::POST,
    allow: "GET, POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<V: VisitStore, K: MerchantStore>(
    req: Request,
    state: &VisitsState<V, K>,
) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let id = VisitSessionId::parse(path_param(req, "sessionId").unwrap_or_default())?;
        let body = optional_json_body(
            req.headers(),
            req.body(),
            VisitIds::BODY_LIMIT,
            VisitIds::DEPTH_LIMIT,
        )?;
        let ids = VisitIds::from_json(body)?;
        let (session, created) = state
            .visits
            .associate(&merchant, &id, &ids, shared::ground::time::now(), state.ttl)
            .await?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let body = serde_json::to_string(&session.info(&state.time_zone, &state.links))?;
        Ok(json_response(status, body))
    })
    .await
}
