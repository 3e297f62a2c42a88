//! `GET /sepa/collections`: the merchant's collections, newest first, paged and filtered as
//! `GET /dataSets` is (`pageSize`, `pageNumber`, `startDate`/`endDate` on the day a
//! collection began, a signed `nextToken` when more follow).

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, CollectionListingState};
use shared::bank::{Collection, CollectionStore};
use shared::edge::listing::{ListedPage, list_request, list_response};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/collections",
    method: Method::GET,
    allow: "GET, POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &CollectionListingState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let request = list_request(req, &merchant, &state.time_zone, &state.signer)?;
        let page = state
            .collections
            .list(
                &merchant,
                request.bounds,
                request.start,
                usize::from(request.page_size),
            )
            .await?;
        let page = ListedPage::of(
            &page.items,
            page.more,
            // Headers are small and few; their reads are not metered.
            0.0,
            Collection::position,
            |collection| wire::collections::collection(collection, &state.time_zone),
        )?;
        list_response(&request, &merchant, &state.signer, page)
    })
    .await
}
