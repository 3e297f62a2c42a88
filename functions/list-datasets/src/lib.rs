//! `GET /dataSets` (seed `dataset-api.txt`): the calling merchant's DataSets, oldest first
//! (ties by guid), filtered by inclusive local dates, paged by `pageNumber` or `nextToken`.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ListingState};
use shared::dataset::DataSetStore;
use shared::edge::listing::{ListedPage, list_request, list_response};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::listing::{PageLimit, Position};
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSets",
    method: Method::GET,
    allow: "GET",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ListingState<B>) -> Response<Body> {
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
        let page = ListedPage::of(
            &page.items,
            page.more,
            page.read_units,
            |ds| Position {
                created_at: ds.created_at,
                guid: ds.guid.uuid(),
            },
            |ds| wire::datasets::dataset(ds, &state.time_zone),
        )?;
        list_response(&request, &merchant, &state.signer, page)
    })
    .await
}
