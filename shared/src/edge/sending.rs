//! The two routes that report a collection's way on (`…/submitted`, `…/voided`): the same
//! request, the same answer (the collection, with how many debits this call moved and whether
//! all have), 200 when complete, 202 when the call ran out of time and should be repeated.

use jiff::tz::TimeZone;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::pipeline::{Endpoint, back_office, path_param};
use super::problem::ApiError;
use super::response::json_response;
use crate::bank::{Collection, CollectionStore, Sending, Way};
use crate::ledger::EntityStore;
use crate::merchant::{Authenticator, MerchantStore};
use crate::wire;

/// Answers one request of either route; every failure is a problem+json response.
pub async fn settle_collection<S, E, K>(
    req: &Request,
    endpoint: &Endpoint,
    auth: &Authenticator<K>,
    sending: &Sending<'_, S, E>,
    way: Way,
    zone: &TimeZone,
) -> Response<Body>
where
    S: CollectionStore,
    E: EntityStore,
    K: MerchantStore,
{
    back_office(req, endpoint, auth, |merchant| async move {
        let id = path_param(req, "id").unwrap_or_default();
        if !Collection::is_id(id) {
            return Err(ApiError::NotFound("Collection not found"));
        }
        let moved = sending
            .go(&merchant, id, way, crate::ground::time::now())
            .await?;
        let status = if moved.complete {
            StatusCode::OK
        } else {
            StatusCode::ACCEPTED
        };
        Ok(json_response(
            status,
            wire::collections::moved(&moved, zone)?,
        ))
    })
    .await
}
