//! `POST /dataSet` (seed `dataset-api.txt`): records a DataSet for the key's merchant; fields we
//! own (guid, merchant, timestamps) are ours to set, whatever the body says.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::RecordsState;
use shared::auth::ApiKeyStore;
use shared::dataset::{DataSetStore, NewDataSet};
use shared::edge::body::{DATASET_BODY_LIMIT, DATASET_DEPTH_LIMIT, json_body};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::metrics::{self, Metric};

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSet",
    method: Method::POST,
    allow: "POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<D: DataSetStore, K: ApiKeyStore>(
    req: Request,
    state: &RecordsState<D, K>,
) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = json_body(
            req.headers(),
            req.body(),
            DATASET_BODY_LIMIT,
            DATASET_DEPTH_LIMIT,
        )?;
        let dataset =
            NewDataSet::from_json(body)?.into_dataset(merchant, shared::ground::time::now());
        state.datasets.insert(&dataset).await?;
        metrics::record(None, &[(Metric::DataSetsCreated, 1)]);
        Ok(json_response(
            StatusCode::CREATED,
            dataset.to_json(&state.time_zone)?,
        ))
    })
    .await
}
