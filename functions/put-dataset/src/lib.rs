//! `PUT /dataSet/{guid}` (seed `dataset-api.txt`): replaces a DataSet's `jsonElement` in one
//! conditional write that never creates and never touches another merchant's DataSet.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, RecordsState};
use shared::dataset::DataSetStore;
use shared::edge::body::{DATASET_BODY_LIMIT, DATASET_DEPTH_LIMIT, json_body};
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::DataSetGuid;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSet/{guid}",
    method: Method::PUT,
    allow: "GET, PUT",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &RecordsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let guid = DataSetGuid::parse(path_param(req, "guid").unwrap_or_default())?;
        let body = json_body(
            req.headers(),
            req.body(),
            DATASET_BODY_LIMIT,
            DATASET_DEPTH_LIMIT,
        )?;
        let json_element = wire::datasets::replacement(body)?;
        let dataset = state
            .datasets
            .replace_json_element(&merchant, &guid, &json_element, shared::ground::time::now())
            .await?
            .ok_or(ApiError::NotFound("DataSet not found"))?;
        Ok(json_response(
            StatusCode::OK,
            wire::datasets::dataset(&dataset, &state.time_zone)?,
        ))
    })
    .await
}
