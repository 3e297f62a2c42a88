//! `POST /app/processSession`: a complete session is paid through the payment provider and
//! recorded as a DataSet. One DynamoDB transaction marks the session processed and writes the
//! DataSet, so a donation is recorded exactly once, however often or concurrently it is sent.

use std::time::Instant;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::config::{self, ConfigError};
use shared::form::FormCatalog;
use shared::http::{SessionApiError, json_response, log_request};
use shared::merchant::MerchantId;
use shared::payment::{PaymentProvider, SandboxProvider};
use shared::session::flow::{Context, Processor};
use shared::session::{self, edge};
use shared::store::dynamo::{
    DynamoApiKeys, DynamoDataSets, DynamoForms, DynamoProcessing, DynamoSessions, DynamoVisits,
};
use shared::store::{ApiKeyStore, FormStore, ProcessStore, SessionStore, VisitStore};

pub struct State<S, P, V, F, K, Pay> {
    pub sessions: S,
    pub processing: P,
    pub visits: V,
    pub forms: FormCatalog<F, K>,
    pub provider: Pay,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
}

pub type DynamoState = State<
    DynamoSessions,
    DynamoProcessing,
    DynamoVisits,
    DynamoForms,
    DynamoApiKeys,
    SandboxProvider,
>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        let sessions = DynamoSessions::from_env(client.clone())?;
        Ok(State {
            processing: DynamoProcessing::new(
                sessions.clone(),
                DynamoDataSets::from_env(client.clone())?,
            ),
            sessions,
            visits: DynamoVisits::from_env(client.clone())?,
            forms: FormCatalog::new(
                DynamoForms::from_env(client.clone())?,
                DynamoApiKeys::from_env(client)?,
            ),
            provider: SandboxProvider,
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
        })
    }
}

const ROUTE: &str = "/app/processSession";

/// Answers one request. Never fails: every error becomes its `{"status":"error"}` answer.
pub async fn handle<
    S: SessionStore,
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: ApiKeyStore,
    Pay: PaymentProvider,
>(
    req: Request,
    state: &State<S, P, V, F, K, Pay>,
) -> Response<Body> {
    let started = Instant::now();
    let mut merchant = None;
    let mut response = match *req.method() {
        Method::OPTIONS => edge::preflight(),
        Method::POST => serve(&req, state, &mut merchant)
            .await
            .unwrap_or_else(SessionApiError::into_response),
        _ => SessionApiError::MethodNotAllowed.into_response(),
    };
    edge::with_cors(&mut response);
    log_request(
        &req,
        ROUTE,
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

async fn serve<
    S: SessionStore,
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: ApiKeyStore,
    Pay: PaymentProvider,
>(
    req: &Request,
    state: &State<S, P, V, F, K, Pay>,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, SessionApiError> {
    let params = edge::params(req)?;
    let form = edge::usable_form(&state.forms, &params).await?;
    *merchant_out = Some(form.merchant_id.clone());
    let hash = edge::session_hash(&params)?;
    let lang = edge::language(req, &params, &form);
    let ctx = Context::new(
        &form,
        shared::time::now(),
        state.session_ttl,
        &state.time_zone,
    );
    let processor = Processor {
        sessions: &state.sessions,
        processing: &state.processing,
        visits: &state.visits,
        provider: &state.provider,
    };
    let session = processor.process(&ctx, &hash).await?;
    let body = session::render(&session, &ctx.rules, &Default::default(), lang, ctx.zone)
        .map_err(|e| SessionApiError::General(e.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
}
