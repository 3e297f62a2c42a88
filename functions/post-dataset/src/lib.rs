//! `POST /dataSet` (seed `dataset-api.txt`): records a DataSet for the key's merchant; fields we
//! own (guid, merchant, timestamps) are ours to set, whatever the body says. With an
//! `Idempotency-Key` header, a retried POST answers the first DataSet (`Idempotent-Replayed:
//! true`) instead of recording a second; the same key with another body is a 422.

use lambda_http::http::header::HeaderValue;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, PostRecordState};
use shared::dataset;
use shared::edge::body::{DATASET_BODY_LIMIT, DATASET_DEPTH_LIMIT, json_body, retry_of};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::metrics::{self, Metric};
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSet",
    method: Method::POST,
    allow: "POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &PostRecordState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = json_body(
            req.headers(),
            req.body(),
            DATASET_BODY_LIMIT,
            DATASET_DEPTH_LIMIT,
        )?;
        let new = wire::datasets::new_dataset(body)?;
        let retry = retry_of(req.headers(), body.as_bytes())?;
        let recorded = dataset::record(
            &state.datasets,
            &state.idempotency,
            merchant,
            new,
            retry,
            shared::ground::time::now(),
        )
        .await?;
        if !recorded.replayed {
            metrics::record(None, &[(Metric::DataSetsCreated, 1)]);
        }
        let mut response = json_response(
            StatusCode::CREATED,
            wire::datasets::dataset(&recorded.dataset, &state.time_zone)?,
        );
        if recorded.replayed {
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        Ok(response)
    })
    .await
}
