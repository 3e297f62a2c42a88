//! The DataSet record API (seed `dataset-api.txt`): `POST /dataSet`, `GET /dataSet/{guid}`,
//! `PUT /dataSet/{guid}`. Every route needs a merchant API key and sees only that merchant's
//! DataSets; another merchant's guid is indistinguishable from an unknown one (404).

use std::time::Instant;

use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

use shared::auth::Authenticator;
use shared::config::{self, ConfigError};
use shared::dataset::{self, DataSet, DataSetGuid, NewDataSet};
use shared::http::{
    ApiError, DATASET_BODY_LIMIT, DATASET_DEPTH_LIMIT, json_body, json_response, log_request,
};
use shared::merchant::MerchantId;
use shared::metrics::{self, Metric};
use shared::store::dynamo::{DynamoApiKeys, DynamoDataSets};
use shared::store::{ApiKeyStore, DataSetStore};

const NOT_FOUND: &str = "DataSet not found";

pub struct State<D, K> {
    pub datasets: D,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
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
        })
    }
}

/// Answers one request. Never fails: every error becomes its problem+json response here.
pub async fn handle<D: DataSetStore, K: ApiKeyStore>(
    req: Request,
    state: &State<D, K>,
) -> Response<Body> {
    let started = Instant::now();
    let mut merchant = None;
    let response = route(&req, state, &mut merchant)
        .await
        .unwrap_or_else(ApiError::into_response);
    log_request(
        &req,
        route_name(&req),
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

fn route_name(req: &Request) -> &'static str {
    if guid_param(req).is_some() {
        "/dataSet/{guid}"
    } else {
        "/dataSet"
    }
}

fn guid_param(req: &Request) -> Option<&str> {
    req.path_parameters_ref()
        .and_then(|params| params.first("guid"))
}

async fn route<D: DataSetStore, K: ApiKeyStore>(
    req: &Request,
    state: &State<D, K>,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, ApiError> {
    let merchant = state.auth.authenticate(req.headers()).await?;
    *merchant_out = Some(merchant.clone());
    match (req.method(), guid_param(req)) {
        (&Method::POST, None) => create(req, state, merchant).await,
        (&Method::GET, Some(guid)) => read(state, &merchant, guid).await,
        (&Method::PUT, Some(guid)) => replace(req, state, &merchant, guid).await,
        (method, guid) => Err(ApiError::MethodNotAllowed {
            method: method.to_string(),
            allow: if guid.is_some() { "GET, PUT" } else { "POST" },
        }),
    }
}

fn request_json(req: &Request) -> Result<&str, ApiError> {
    Ok(json_body(
        req.headers(),
        req.body(),
        DATASET_BODY_LIMIT,
        DATASET_DEPTH_LIMIT,
    )?)
}

async fn create<D: DataSetStore, K>(
    req: &Request,
    state: &State<D, K>,
    merchant: MerchantId,
) -> Result<Response<Body>, ApiError> {
    let new = NewDataSet::from_json(request_json(req)?)?;
    let dataset = new.into_dataset(merchant, shared::time::now());
    state.datasets.insert(&dataset).await?;
    metrics::record(None, &[(Metric::DataSetsCreated, 1)]);
    respond(StatusCode::CREATED, &dataset, state)
}

async fn read<D: DataSetStore, K>(
    state: &State<D, K>,
    merchant: &MerchantId,
    guid: &str,
) -> Result<Response<Body>, ApiError> {
    let guid = DataSetGuid::parse(guid)?;
    let dataset = state
        .datasets
        .get(merchant, &guid)
        .await?
        .ok_or(ApiError::NotFound(NOT_FOUND))?;
    respond(StatusCode::OK, &dataset, state)
}

async fn replace<D: DataSetStore, K>(
    req: &Request,
    state: &State<D, K>,
    merchant: &MerchantId,
    guid: &str,
) -> Result<Response<Body>, ApiError> {
    let guid = DataSetGuid::parse(guid)?;
    let json_element = dataset::replacement_json_element(request_json(req)?)?;
    let dataset = state
        .datasets
        .replace_json_element(merchant, &guid, &json_element, shared::time::now())
        .await?
        .ok_or(ApiError::NotFound(NOT_FOUND))?;
    respond(StatusCode::OK, &dataset, state)
}

fn respond<D, K>(
    status: StatusCode,
    dataset: &DataSet,
    state: &State<D, K>,
) -> Result<Response<Body>, ApiError> {
    let body = dataset
        .to_json(&state.time_zone)
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok(json_response(status, body))
}
