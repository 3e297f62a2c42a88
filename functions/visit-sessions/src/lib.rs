//! The Session Management API (seed `session-management-api.txt`): `PUT /sessions/new`,
//! `GET /sessions/{sessionId}`, `POST /sessions/{sessionId}`. Visit sessions carry a
//! merchant's customer id across requests; a merchant API key is required and a merchant
//! sees only its own sessions.

use std::time::Instant;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

use shared::auth::Authenticator;
use shared::config::{self, ConfigError};
use shared::http::{ApiError, json_body, json_response, log_request};
use shared::merchant::MerchantId;
use shared::store::dynamo::{DynamoApiKeys, DynamoVisits};
use shared::store::{ApiKeyStore, StoreError, VisitStore};
use shared::visit::{VisitIds, VisitSession, VisitSessionId};

const NOT_FOUND: &str = "Session not found";
const BODY_LIMIT: usize = 4 * 1024;
const DEPTH_LIMIT: usize = 2;

pub struct State<V, K> {
    pub visits: V,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub ttl: SignedDuration,
}

pub type DynamoState = State<DynamoVisits, DynamoApiKeys>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        Ok(State {
            visits: DynamoVisits::from_env(client.clone())?,
            auth: Authenticator::new(DynamoApiKeys::from_env(client)?),
            time_zone: config::time_zone()?,
            ttl: config::visit_session_ttl()?,
        })
    }
}

/// Answers one request. Never fails: every error becomes its problem+json response here.
pub async fn handle<V: VisitStore, K: ApiKeyStore>(
    req: Request,
    state: &State<V, K>,
) -> Response<Body> {
    let started = Instant::now();
    let mut merchant = None;
    let response = route(&req, state, &mut merchant)
        .await
        .unwrap_or_else(ApiError::into_response);
    let route = if session_param(&req).is_some() {
        "/sessions/{sessionId}"
    } else {
        "/sessions/new"
    };
    log_request(
        &req,
        route,
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

fn session_param(req: &Request) -> Option<&str> {
    req.path_parameters_ref()
        .and_then(|params| params.first("sessionId"))
}

async fn route<V: VisitStore, K: ApiKeyStore>(
    req: &Request,
    state: &State<V, K>,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, ApiError> {
    let merchant = state.auth.authenticate(req.headers()).await?;
    *merchant_out = Some(merchant.clone());
    match (req.method(), session_param(req)) {
        (&Method::PUT, None) => start(req, state, merchant).await,
        (&Method::GET, Some(id)) => read(state, &merchant, &VisitSessionId::parse(id)?).await,
        (&Method::POST, Some(id)) => {
            associate(req, state, &merchant, &VisitSessionId::parse(id)?).await
        }
        (method, id) => Err(ApiError::MethodNotAllowed {
            method: method.to_string(),
            allow: if id.is_some() { "GET, POST" } else { "PUT" },
        }),
    }
}

/// The optional JSON body: empty is fine, anything else must be JSON of our three ids.
fn ids(req: &Request) -> Result<VisitIds, ApiError> {
    let body = if req.body().is_empty() {
        None
    } else {
        Some(json_body(
            req.headers(),
            req.body(),
            BODY_LIMIT,
            DEPTH_LIMIT,
        )?)
    };
    Ok(VisitIds::from_json(body)?)
}

async fn start<V: VisitStore, K>(
    req: &Request,
    state: &State<V, K>,
    merchant: MerchantId,
) -> Result<Response<Body>, ApiError> {
    let ids = ids(req)?;
    for _ in 0..3 {
        let id = VisitSessionId::generate().map_err(|e| ApiError::Internal(e.to_string()))?;
        let session = VisitSession::new(
            id,
            merchant.clone(),
            ids.clone(),
            shared::time::now(),
            state.ttl,
        );
        match state.visits.create(&session).await {
            Ok(()) => return respond(StatusCode::CREATED, &session, state),
            // 165 random bits collided: draw again.
            Err(StoreError::AlreadyExists) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::Internal("no free session id".into()))
}

async fn read<V: VisitStore, K>(
    state: &State<V, K>,
    merchant: &MerchantId,
    id: &VisitSessionId,
) -> Result<Response<Body>, ApiError> {
    let now = shared::time::now();
    let session = state
        .visits
        .get(merchant, id)
        .await?
        .filter(|s| s.is_live(now))
        .ok_or(ApiError::NotFound(NOT_FOUND))?;
    respond(StatusCode::OK, &session, state)
}

async fn associate<V: VisitStore, K>(
    req: &Request,
    state: &State<V, K>,
    merchant: &MerchantId,
    id: &VisitSessionId,
) -> Result<Response<Body>, ApiError> {
    let ids = ids(req)?;
    let (session, created) = state
        .visits
        .associate(merchant, id, &ids, shared::time::now(), state.ttl)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    respond(status, &session, state)
}

fn respond<V, K>(
    status: StatusCode,
    session: &VisitSession,
    state: &State<V, K>,
) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(&session.info(&state.time_zone))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(json_response(status, body))
}
