//! `GET /dataSets` (seed `dataset-api.txt`): the calling merchant's DataSets, oldest first
//! (ties by guid), filtered by inclusive local dates, paged by `pageNumber` or `nextToken`.

use std::collections::HashMap;

use jiff::civil::Date;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;

use shared::app::ListingState;
use shared::auth::ApiKeyStore;
use shared::dataset::DataSetStore;
use shared::dataset::listing::{ListRequest, PageLimit, Position};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::{ReadUnits, json_response};

const ENDPOINT: Endpoint = Endpoint {
    route: "/dataSets",
    method: Method::GET,
    allow: "GET",
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListResponse {
    page_number: u32,
    page_size: u16,
    start_date: Option<Date>,
    end_date: Option<Date>,
    list: Vec<Box<RawValue>>,
    next_token: Option<String>,
}

/// Answers one request; every failure is a problem+json response.
pub async fn handle<D: DataSetStore, K: ApiKeyStore>(
    req: Request,
    state: &ListingState<D, K>,
) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let request = ListRequest::parse(
            &query_params(req),
            &merchant,
            &state.time_zone,
            &state.signer,
        )?;
        let page = state
            .datasets
            .list(
                &merchant,
                request.bounds,
                request.start,
                PageLimit::items(usize::from(request.page_size)),
            )
            .await?;
        let next_token = page.items.last().filter(|_| page.more).map(|last| {
            let position = Position {
                created_at: last.created_at,
                guid: last.guid,
            };
            state.signer.next_token(&merchant, &request, position)
        });
        let list = page
            .items
            .iter()
            .map(|ds| ds.to_json(&state.time_zone).and_then(RawValue::from_string))
            .collect::<Result<_, _>>()?;
        let body = serde_json::to_string(&ListResponse {
            page_number: request.page_number,
            page_size: request.page_size,
            start_date: request.start_date,
            end_date: request.end_date,
            list,
            next_token,
        })?;
        let mut response = json_response(StatusCode::OK, body);
        response.extensions_mut().insert(ReadUnits(page.read_units));
        Ok(response)
    })
    .await
}

/// The first value of each query parameter.
fn query_params(req: &Request) -> HashMap<&str, &str> {
    let mut params = HashMap::new();
    if let Some(query) = req.query_string_parameters_ref() {
        for (name, value) in query.iter() {
            params.entry(name).or_insert(value);
        }
    }
    params
}
