//! `GET /dataSets` (seed `dataset-api.txt`): the calling merchant's DataSets, oldest first
//! (ties by guid), filtered by inclusive local dates, paged by `pageNumber` or `nextToken`.

use std::collections::HashMap;
use std::time::Instant;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;

use shared::auth::Authenticator;
use shared::config::{self, ConfigError};
use shared::http::{ApiError, json_response, log_request};
use shared::listing::{ListRequest, PageLimit, Position, TokenSigner};
use shared::merchant::MerchantId;
use shared::store::dynamo::{DynamoApiKeys, DynamoDataSets};
use shared::store::{ApiKeyStore, DataSetStore, Page};

pub struct State<D, K> {
    pub datasets: D,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

pub type DynamoState = State<DynamoDataSets, DynamoApiKeys>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        Ok(State {
            datasets: DynamoDataSets::from_env(client.clone())?,
            auth: Authenticator::new(DynamoApiKeys::from_env(client)?),
            time_zone: config::time_zone()?,
            signer: TokenSigner::new(config::signing_secret()?),
        })
    }
}

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

/// Answers one request. Never fails: every error becomes its problem+json response here.
pub async fn handle<D: DataSetStore, K: ApiKeyStore>(
    req: Request,
    state: &State<D, K>,
) -> Response<Body> {
    let started = Instant::now();
    let mut merchant = None;
    let mut read_units = None;
    let response = list(&req, state, &mut merchant, &mut read_units)
        .await
        .unwrap_or_else(ApiError::into_response);
    log_request(
        &req,
        "/dataSets",
        response.status(),
        started,
        merchant.as_ref(),
        read_units,
    );
    response
}

async fn list<D: DataSetStore, K: ApiKeyStore>(
    req: &Request,
    state: &State<D, K>,
    merchant_out: &mut Option<MerchantId>,
    read_units: &mut Option<f64>,
) -> Result<Response<Body>, ApiError> {
    let merchant = state.auth.authenticate(req.headers()).await?;
    *merchant_out = Some(merchant.clone());
    if req.method() != Method::GET {
        return Err(ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow: "GET",
        });
    }
    let params = query_params(req);
    let request = ListRequest::parse(&params, &merchant, &state.time_zone, &state.signer)?;
    let page: Page = state
        .datasets
        .list(
            &merchant,
            request.bounds,
            request.start,
            PageLimit::items(usize::from(request.page_size)),
        )
        .await?;
    *read_units = Some(page.read_units);

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
        .map(|ds| {
            ds.to_json(&state.time_zone)
                .and_then(RawValue::from_string)
                .map_err(|err| ApiError::Internal(err.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let body = ListResponse {
        page_number: request.page_number,
        page_size: request.page_size,
        start_date: request.start_date,
        end_date: request.end_date,
        list,
        next_token,
    };
    let body = serde_json::to_string(&body).map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
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
