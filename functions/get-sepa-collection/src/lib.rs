//! `GET /sepa/collections/{id}`: the collection's pain.008.001.08 file for the bank
//! (`application/xml`), the same bytes on every call, while it is ready and once it is sent.
//! A collection still being built, voided, or with a debit withdrawn after its file was made
//! (which must not reach the bank) is a 409.

use lambda_http::http::header::{CONTENT_DISPOSITION, HeaderValue};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CollectionsState};
use shared::bank::{Collection, CollectionStateError, CollectionStatus, CollectionStore};
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::{APPLICATION_XML, response_with};

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections/{id}",
    method: Method::GET,
    allow: "GET",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CollectionsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let id = path_param(req, "id").unwrap_or_default();
        let collection = if Collection::is_id(id) {
            state.collections.get(&merchant, id).await?
        } else {
            None
        }
        .ok_or(ApiError::NotFound("Collection not found"))?;
        match collection.status {
            CollectionStatus::Building => Err(CollectionStateError::Building)?,
            CollectionStatus::Voided => Err(CollectionStateError::Voided)?,
            CollectionStatus::Ready if collection.stale() => Err(CollectionStateError::Stale(
                collection.withdrawn - collection.withdrawn_when_ready,
            ))?,
            CollectionStatus::Ready | CollectionStatus::Sent => {}
        }
        let debits = state.collections.debits(&collection).await?;
        let file = collection.file(&debits);
        let mut response = response_with(
            StatusCode::OK,
            APPLICATION_XML,
            String::from_utf8_lossy(&file).into_owned(),
        );
        let attachment = format!("attachment; filename=\"{}.xml\"", collection.id);
        if let Ok(value) = HeaderValue::from_str(&attachment) {
            response.headers_mut().insert(CONTENT_DISPOSITION, value);
        }
        Ok(response)
    })
    .await
}
