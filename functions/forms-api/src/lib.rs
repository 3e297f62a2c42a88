//! Form configuration: `PUT /forms/{formHash}` and `GET /forms/{formHash}`. A merchant API key
//! is required; a merchant sees and changes only its own forms.

use std::time::Instant;

use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

use shared::auth::Authenticator;
use shared::config::{self, ConfigError};
use shared::form::{Form, FormDefinition, FormHash};
use shared::http::{ApiError, json_body, json_response, log_request};
use shared::merchant::MerchantId;
use shared::store::dynamo::{DynamoApiKeys, DynamoForms};
use shared::store::{ApiKeyStore, FormStore, FormWrite};

const NOT_FOUND: &str = "Form not found";
/// A form with 100 fields of 300 options each stays far below this.
const FORM_BODY_LIMIT: usize = 200 * 1024;
const FORM_DEPTH_LIMIT: usize = 8;

pub struct State<F, K> {
    pub forms: F,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoState = State<DynamoForms, DynamoApiKeys>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        Ok(State {
            forms: DynamoForms::from_env(client.clone())?,
            auth: Authenticator::new(DynamoApiKeys::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// Answers one request. Never fails: every error becomes its problem+json response here.
pub async fn handle<F: FormStore, K: ApiKeyStore>(
    req: Request,
    state: &State<F, K>,
) -> Response<Body> {
    let started = Instant::now();
    let mut merchant = None;
    let response = route(&req, state, &mut merchant)
        .await
        .unwrap_or_else(ApiError::into_response);
    log_request(
        &req,
        "/forms/{formHash}",
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

async fn route<F: FormStore, K: ApiKeyStore>(
    req: &Request,
    state: &State<F, K>,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, ApiError> {
    let merchant = state.auth.authenticate(req.headers()).await?;
    *merchant_out = Some(merchant.clone());
    let raw_hash = req
        .path_parameters_ref()
        .and_then(|params| params.first("formHash"))
        .ok_or(ApiError::NotFound(NOT_FOUND))?;
    let hash = FormHash::parse(raw_hash)?;
    match *req.method() {
        Method::GET => read(state, &merchant, &hash).await,
        Method::PUT => write(req, state, merchant, hash).await,
        ref method => Err(ApiError::MethodNotAllowed {
            method: method.to_string(),
            allow: "GET, PUT",
        }),
    }
}

async fn read<F: FormStore, K>(
    state: &State<F, K>,
    merchant: &MerchantId,
    hash: &FormHash,
) -> Result<Response<Body>, ApiError> {
    let form = state
        .forms
        .get(hash)
        .await?
        .filter(|form| &form.merchant_id == merchant)
        .ok_or(ApiError::NotFound(NOT_FOUND))?;
    respond(StatusCode::OK, &form, state)
}

async fn write<F: FormStore, K>(
    req: &Request,
    state: &State<F, K>,
    merchant: MerchantId,
    hash: FormHash,
) -> Result<Response<Body>, ApiError> {
    let json = json_body(req.headers(), req.body(), FORM_BODY_LIMIT, FORM_DEPTH_LIMIT)?;
    let definition = FormDefinition::from_json(json, &hash, &merchant)?;
    let form = Form {
        hash,
        merchant_id: merchant,
        updated_at: shared::time::now(),
        definition,
    };
    match state.forms.put(&form).await? {
        FormWrite::Created => respond(StatusCode::CREATED, &form, state),
        FormWrite::Replaced => respond(StatusCode::OK, &form, state),
        FormWrite::Taken => Err(ApiError::FormHashTaken(form.hash.to_string())),
    }
}

fn respond<F, K>(
    status: StatusCode,
    form: &Form,
    state: &State<F, K>,
) -> Result<Response<Body>, ApiError> {
    let body = form
        .to_json(&state.time_zone)
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok(json_response(status, body))
}
