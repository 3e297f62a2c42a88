//! `GET /dataSets` (seed `dataset-api.txt`): the calling merchant's DataSets, oldest first
//! (ties by guid), filtered by inclusive local dates, paged by `pageNumber` or `nextToken`.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use serde_json::value::RawValue;

use shared::app::ListingState;
use shared::auth::ApiKeyStore;
use shared::dataset::DataSetStore;
use shared::dataset::listing::{PageLimit, Position};
use shared::edge::listing::{ListedPage, list_request, list_response};
use shared::edge::pipeline::{Endpoint, back_office};

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSets",
    method: Method::GET,
    allow: "GET",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<D: DataSetStore, K: ApiKeyStore>(
    req: Request,
    state: &ListingState<D, K>,
) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let request = list_request(req, &merchant, &state.time_zone, &state.signer)?;
        let page = state
            .datasets
            .list(
                &merchant,
                request.bounds,
                request.start,
                PageLimit::items(usize::from(request.page_size)),
            )
            .await?;
        let next = page
            .items
            .last()
            .filter(|_| page.more)
            .map(|last| Position {
                created_at: last.created_at,
                guid: last.guid.uuid(),
            });
        let list = page
            .items
            .iter()
            .map(|ds| ds.to_json(&state.time_zone).and_then(RawValue::from_string))
            .collect::<Result<_, _>>()?;
        let page = ListedPage {
            list,
            next,
            read_units: page.read_units,
        };
        list_response(&request, &merchant, &state.signer, page)
    })
    .await
}
