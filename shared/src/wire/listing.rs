//! The envelope both feeds a CRM syncs (`GET /dataSets`, `GET /changelogs`) answer a page in.

use jiff::civil::Date;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::listing::ListRequest;

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

/// The page of `request`: its records, each already JSON, and the token of the next page.
pub fn page(
    request: &ListRequest,
    list: Vec<Box<RawValue>>,
    next_token: Option<String>,
) -> Result<String, serde_json::Error> {
    serde_json::to_string(&ListResponse {
        page_number: request.page_number,
        page_size: request.page_size,
        start_date: request.start_date,
        end_date: request.end_date,
        list,
        next_token,
    })
}
