//! `GET /contact/{guid}`: one of the merchant's contacts with its payment methods (IBANs
//! masked), subscriptions, payments and add-ons and their states, and the guids of its
//! DataSets. A merged contact says which contact it went into. Another merchant's guid is
//! indistinguishable from an unknown one (404).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ContactsState};
use shared::dataset::DataSetStore;
use shared::edge::pipeline::{Endpoint, back_office, path_param};
use shared::edge::problem::ApiError;
use shared::edge::response::json_response;
use shared::ground::ids::EntityGuid;
use shared::ledger::EntityStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/contact/{guid}",
    method: Method::GET,
    allow: "GET",
};

/// DataSet guids a contact's answer lists; `moreDataSets` says when there are more.
const LISTED_DATASETS: usize = 1000;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ContactsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let guid = EntityGuid::parse(path_param(req, "guid").unwrap_or_default())?;
        let (donor, datasets) = futures::try_join!(
            state.entities.donor(&merchant, &guid),
            state
                .datasets
                .for_contact(&merchant, &guid, None, LISTED_DATASETS),
        )?;
        let donor = donor.ok_or(ApiError::NotFound("Contact not found"))?;
        let guids: Vec<_> = datasets.items.into_iter().map(|(guid, _)| guid).collect();
        Ok(json_response(
            StatusCode::OK,
            wire::contacts::contact(&donor, &state.time_zone, &guids, datasets.more)?,
        ))
    })
    .await
}
