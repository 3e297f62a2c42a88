//! `POST /app/processSession`: a complete session is paid through the payment provider and
//! recorded as a DataSet. One DynamoDB transaction marks the session processed and writes the
//! DataSet, so a donation is recorded exactly once, however often or concurrently it is sent.

use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::config::{self, ConfigError};
use shared::dataset::DataSetGuid;
use shared::form::{Form, FormCatalog};
use shared::http::{SessionApiError, json_response, log_request};
use shared::merchant::MerchantId;
use shared::payment::{PaymentProvider, SandboxProvider};
use shared::session::processing::{self, Processed};
use shared::session::{self, PaymentSession, SessionStatus, edge};
use shared::store::dynamo::{
    DynamoApiKeys, DynamoDataSets, DynamoForms, DynamoProcessing, DynamoSessions, DynamoVisits,
};
use shared::store::{ApiKeyStore, FormStore, ProcessStore, Processing, VisitStore};
use shared::validation::Rules;

/// Tries when a concurrent request changed the session between read and transaction.
const ATTEMPTS: u32 = 5;

pub struct State<P, V, F, K, Pay> {
    pub sessions: P,
    pub visits: V,
    pub forms: FormCatalog<F, K>,
    pub provider: Pay,
    pub time_zone: TimeZone,
}

pub type DynamoState =
    State<DynamoProcessing, DynamoVisits, DynamoForms, DynamoApiKeys, SandboxProvider>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        Ok(State {
            sessions: DynamoProcessing::new(
                DynamoSessions::from_env(client.clone())?,
                DynamoDataSets::from_env(client.clone())?,
            ),
            visits: DynamoVisits::from_env(client.clone())?,
            forms: FormCatalog::new(
                DynamoForms::from_env(client.clone())?,
                DynamoApiKeys::from_env(client)?,
            ),
            provider: SandboxProvider,
            time_zone: config::time_zone()?,
        })
    }
}

const ROUTE: &str = "/app/processSession";

/// Answers one request. Never fails: every error becomes its `{"status":"error"}` answer.
pub async fn handle<
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: ApiKeyStore,
    Pay: PaymentProvider,
>(
    req: Request,
    state: &State<P, V, F, K, Pay>,
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
        req.method(),
        ROUTE,
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

async fn serve<
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: ApiKeyStore,
    Pay: PaymentProvider,
>(
    req: &Request,
    state: &State<P, V, F, K, Pay>,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, SessionApiError> {
    let params = edge::params(req)?;
    let form = edge::usable_form(&state.forms, &params).await?;
    *merchant_out = Some(form.merchant_id.clone());
    let hash = edge::session_hash(&params)?;
    let lang = edge::language(req, &params, &form);
    let now = shared::time::now();
    let rules = Rules::new(
        &form.definition,
        now.to_zoned(state.time_zone.clone()).date(),
    );
    let read = |session| edge::live_session(session, &form, now, true);
    let mut session = read(state.sessions.get(&hash).await?)?;
    for attempt in 0..ATTEMPTS {
        if session.status == SessionStatus::Processed {
            // Processed before (or just now, concurrently): the same answer again.
            break;
        }
        if !rules.lacking(&session.values).is_empty() {
            return Err(SessionApiError::Incomplete);
        }
        let processed = pay(state, &session, &form, now).await?;
        let visit = match &session.visit_session {
            Some(id) => {
                let found = state.visits.get(&form.merchant_id, id).await?;
                let live = found.filter(|v| v.is_live(now));
                Some(processing::visit_record(id, live.as_ref()))
            }
            None => None,
        };
        let dataset = processing::donation_dataset(&session, &form, &processed, visit)
            .map_err(|e| SessionApiError::General(e.to_string()))?;
        match state
            .sessions
            .process(&session, &processed, &dataset)
            .await?
        {
            Processing::Done => {
                session.status = SessionStatus::Processed;
                session.processed = Some(processed);
                session.version += 1;
                break;
            }
            Processing::Conflict => {
                // Spread concurrent retries a little before reading again.
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
                session = read(state.sessions.get(&hash).await?)?;
            }
        }
    }
    if session.processed.is_none() {
        return Err(SessionApiError::General(
            "the session kept changing during processing".into(),
        ));
    }
    let body = session::render(
        &session,
        &rules,
        &Default::default(),
        lang,
        &state.time_zone,
    )
    .map_err(|e| SessionApiError::General(e.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
}

/// Asks the provider for the payment; the session hash is its idempotency key.
async fn pay<P, V, F, K, Pay: PaymentProvider>(
    state: &State<P, V, F, K, Pay>,
    session: &PaymentSession,
    form: &Form,
    now: jiff::Timestamp,
) -> Result<Processed, SessionApiError> {
    let order =
        processing::order(session, form).map_err(|e| SessionApiError::General(e.to_string()))?;
    let outcome = state
        .provider
        .execute(&order)
        .await
        .map_err(|e| SessionApiError::General(e.to_string()))?;
    Ok(Processed {
        data_set_guid: DataSetGuid::new_v4(),
        payment_result: processing::payment_result(&outcome, now, &state.time_zone),
        processed_at: now,
    })
}
