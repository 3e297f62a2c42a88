//! `POST /actions`: one action of the seed's "DataSet and Changes" table on one of the
//! merchant's payment entities. The entity's change and its record (a changelog entry or a
//! DataSet) are written in one transaction; the answer is that record, `201`, with its
//! `Location`. An erasure or merge that has DataSets left after this call's time answers `202`
//! with its changelog entry (`status: inProgress`); the same request again goes on with it.
//! With an `Idempotency-Key`, a retry answers the first record instead of acting twice.

use lambda_http::http::header::{HeaderValue, LOCATION};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{ActionsState, Backend};
use shared::edge::body::{ACTION_BODY_LIMIT, DATASET_DEPTH_LIMIT, json_body, retry_of};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::ledger::{Actions, Answer, Budget};
use shared::merchant::MerchantStore;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/actions",
    method: Method::POST,
    allow: "POST",
};

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ActionsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let body = json_body(
            req.headers(),
            req.body(),
            ACTION_BODY_LIMIT,
            DATASET_DEPTH_LIMIT,
        )?;
        let request = wire::actions::action(body)?;
        let retry = retry_of(req.headers(), body.as_bytes())?;
        let creditor = state
            .auth
            .keys()
            .get_merchant(&merchant)
            .await?
            .and_then(|m| m.creditor);
        let actions = Actions {
            entities: &state.entities,
            datasets: &state.datasets,
            changelogs: &state.changelogs,
            visits: &state.visits,
            idempotency: &state.idempotency,
            provider: &state.provider,
            creditor: creditor.as_ref(),
        };
        let answer = actions
            .perform(
                &merchant,
                &request,
                retry,
                shared::ground::time::now(),
                &state.time_zone,
                &Budget::of(state.budget),
            )
            .await?;
        let status = if answer.in_progress() {
            StatusCode::ACCEPTED
        } else {
            StatusCode::CREATED
        };
        let (body, location) = match &answer {
            Answer::Changelog(entry) => (
                wire::changelogs::entry(entry, &state.time_zone)?,
                format!("/changelog/{}", entry.guid),
            ),
            Answer::DataSet(dataset) => (
                wire::datasets::dataset(dataset, &state.time_zone)?,
                format!("/dataSet/{}", dataset.guid),
            ),
        };
        let mut response = json_response(status, body);
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(LOCATION, location);
        }
        Ok(response)
    })
    .await
}
