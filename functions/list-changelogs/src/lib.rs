//! `GET /changelogs`: the calling merchant's changelog entries, oldest first (ties by guid),
//! filtered and paged exactly as `GET /dataSets`, so a CRM syncs both feeds the same way.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ChangelogListingState};
use shared::changelog::ChangelogStore;
use shared::edge::listing::{ListedPage, list_request, list_response};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::listing::{PageLimit, Position};
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/changelogs",
    method: Method::GET,
    allow: "GET",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ChangelogListingState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let request = list_request(req, &merchant, &state.time_zone, &state.signer)?;
        let page = state
            .changelogs
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
            |entry| Position {
                created_at: entry.created_at,
                guid: entry.guid.uuid(),
            },
            |entry| wire::changelogs::entry(entry, &state.time_zone),
        )?;
        list_response(&request, &merchant, &state.signer, page)
    })
    .await
}
