//! `POST /sepa/returns`: the debits the bank returned, by end-to-end id with their ISO 20022
//! reason codes, sent as JSON or as the bank's own report (`application/xml`: a camt.054
//! debit notification with returns, a pain.002 status report with rejects). Each payment
//! becomes `returned` with a changelog entry; codes that mean the mandate or account is no
//! good (MD01, AC04, …) also hold its subscription; a passing one (AM04, MS03) of a series'
//! debit presents it again once, the creditor's `representationDays` later. The same returns again, or a reject and
//! then the return of one debit, change it once. The answer (200) says what became of each
//! return and lists a report's entries that changed nothing.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ReturnsState};
use shared::bank::{book, book_report};
use shared::edge::body::{BodyError, json_body, xml_body};
use shared::edge::pipeline::{Endpoint, back_office};
use shared::edge::response::json_response;
use shared::merchant::MerchantStore;
use shared::sepa::reports::read_report;
use shared::wire;

const ENDPOINT: Endpoint = Endpoint {
    route: "/sepa/returns",
    method: Method::POST,
    allow: "POST",
};
/// A thousand returns of about 120 bytes each.
const BODY_LIMIT: usize = 160 * 1024;
/// A bank report of a thousand returns is about 1.5 MB; 3 MiB stays within Lambda's 6 MB
/// request payload even when API Gateway sends the body base64-encoded.
const REPORT_LIMIT: usize = 3 * 1024 * 1024;
const DEPTH_LIMIT: usize = 3;

/// Answers one request; every failure is a problem+json response.
pub async fn handle<B: Backend>(req: Request, state: &ReturnsState<B>) -> Response<Body> {
    let req = &req;
    back_office(req, &ENDPOINT, &state.auth, |merchant| async move {
        let now = shared::ground::time::now();
        let creditor = || async {
            state
                .auth
                .keys()
                .get_merchant(&merchant)
                .await
                .map(|m| m.and_then(|m| m.creditor))
        };
        if let Some(xml) = xml_body(req.headers(), req.body(), REPORT_LIMIT)? {
            let report = read_report(xml)?;
            let creditor = creditor().await?;
            let booked =
                book_report(&state.entities, &merchant, creditor.as_ref(), &report, now).await?;
            return Ok(json_response(
                StatusCode::OK,
                wire::collections::booked(&booked.results, &booked.unmatched, Some(report.format))?,
            ));
        }
        let body =
            json_body(req.headers(), req.body(), BODY_LIMIT, DEPTH_LIMIT).map_err(|e| match e {
                BodyError::NotJson => BodyError::NotJsonOrXml,
                other => other,
            })?;
        let returns = wire::collections::returns(body)?;
        let creditor = creditor().await?;
        let results = book(&state.entities, &merchant, creditor.as_ref(), &returns, now).await?;
        Ok(json_response(
            StatusCode::OK,
            wire::collections::booked(&results, &[], None)?,
        ))
    })
    .await
}
