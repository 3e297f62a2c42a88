//! `GET /dataSet/{guid}` (seed `dataset-api.txt`): one of the merchant's DataSets. Another
//! merchant's guid is indistinguishable from an unknown one (404).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, RecordsState};
use shared::dataset::DataSetStore;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::DataSetGuid;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSet/{guid}",
    method: Method::GET,
    allow: "GET, PUT",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &RecordsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let guid = DataSetGuid::parse(path_param(req, "guid").unwrap_or_default())?;
        let dataset = state
            .datasets
            .get(&merchant, &guid)
            .await?
            .ok_or(ApiError::NotFound("DataSet not found"))?;
        Ok(json_response(
            StatusCode::OK,
            wire::datasets::dataset(&dataset, &state.time_zone)?,
        ))
    })
    .await
}
