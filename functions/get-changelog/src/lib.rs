//! `GET /changelog/{guid}`: one of the merchant's changelog entries. Another merchant's guid
//! is indistinguishable from an unknown one (404).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ChangelogState};
use shared::changelog::ChangelogStore;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::ChangelogGuid;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/changelog/{guid}",
    method: Method::GET,
    allow: "GET",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ChangelogState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let guid = ChangelogGuid::parse(path_param(req, "guid").unwrap_or_default())?;
        let entry = state
            .changelogs
            .get(&merchant, &guid)
            .await?
            .ok_or(ApiError::NotFound("Changelog entry not found"))?;
        Ok(json_response(
            StatusCode::OK,
            wire::changelogs::entry(&entry, &state.time_zone)?,
        ))
    })
    .await
}
