//! The two feeds a CRM syncs, `GET /dataSets` and `GET /changelogs`, answer alike: the request
//! read the same way, the page in the same envelope with the same `nextToken`.

use std::collections::HashMap;

use jiff::tz::TimeZone;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::value::RawValue;

use super::problem::ApiError;
use super::response::{ReadUnits, json_response};
use crate::ground::ids::MerchantId;
use crate::listing::{ListRequest, Position, TokenSigner};
use crate::wire;

/// The listing request of `req` for `merchant`: its query parameters, the first of each.
///
/// # Errors
/// `Listing` for parameters that do not make a listing request.
pub fn list_request(
    req: &Request,
    merchant: &MerchantId,
    zone: &TimeZone,
    signer: &TokenSigner,
) -> Result<ListRequest, ApiError> {
    let mut params = HashMap::new();
    if let Some(query) = req.query_string_parameters_ref() {
        for (name, value) in query.iter() {
            params.entry(name).or_insert(value);
        }
    }
    Ok(ListRequest::parse(&params, merchant, zone, signer)?)
}

/// One page of records, each already JSON, as the answer says it.
pub struct ListedPage {
    pub list: Vec<Box<RawValue>>,
    /// Where the last record stands, when more follow.
    pub next: Option<Position>,
    pub read_units: f64,
}

impl ListedPage {
    /// A page of `items`, each written by `json`; `position` says where the last one stands
    /// when `more` follow.
    ///
    /// # Errors
    /// `Encode` when an item cannot be written.
    pub fn of<T>(
        items: &[T],
        more: bool,
        read_units: f64,
        position: impl Fn(&T) -> Position,
        json: impl Fn(&T) -> Result<String, serde_json::Error>,
    ) -> Result<Self, ApiError> {
        let list = items
            .iter()
            .map(|item| json(item).and_then(RawValue::from_string))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            list,
            next: items.last().filter(|_| more).map(position),
            read_units,
        })
    }
}

/// The page's `200` answer, with a `nextToken` when more records follow.
///
/// # Errors
/// `Encode` when the answer cannot be written.
pub fn list_response(
    request: &ListRequest,
    merchant: &MerchantId,
    signer: &TokenSigner,
    page: ListedPage,
) -> Result<Response<Body>, ApiError> {
    let next_token = page
        .next
        .map(|position| signer.next_token(merchant, request, position));
    let body = wire::listing::page(request, page.list, next_token)?;
    let mut response = json_response(StatusCode::OK, body);
    response.extensions_mut().insert(ReadUnits(page.read_units));
    Ok(response)
}
