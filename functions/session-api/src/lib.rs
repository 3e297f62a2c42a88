//! The Session-API (seeds `session-api-*.md`): `POST /app/createSession` and
//! `POST /app/updateSession`. Public by design: the form hash is all it takes. A request that
//! also carries the form's merchant API key may change fixed values.

use std::sync::Arc;
use std::time::Instant;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use shared::auth::{AuthError, Authenticator};
use shared::config::{self, ConfigError};
use shared::form::{Form, FormCatalog, Lang};
use shared::http::{SessionApiError, json_response, log_request};
use shared::merchant::MerchantId;
use shared::session::request::SessionParams;
use shared::session::{
    self, Authority, Expectation, PaymentInput, PaymentSession, SessionHash, Submission, edge,
};
use shared::store::dynamo::{DynamoApiKeys, DynamoForms, DynamoSessions};
use shared::store::{ApiKeyStore, FormStore, SessionStore, SessionWrite, StoreError};
use shared::validation::{FieldError, Rules};

/// Values a session may hold in all, and roughly how much data: DynamoDB items stop at 400 KB.
const SESSION_VALUE_LIMIT: usize = 200;
const SESSION_SIZE_LIMIT: usize = 300 * 1024;
/// Tries when a concurrent request changed what a write insists on (the fixed set).
const WRITE_ATTEMPTS: usize = 3;

pub struct State<S, F, K> {
    pub sessions: S,
    pub forms: FormCatalog<F, K>,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
}

pub type DynamoState = State<DynamoSessions, DynamoForms, DynamoApiKeys>;

impl DynamoState {
    /// Everything a cold start builds once: settings and the one DynamoDB client.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client().await;
        let keys = DynamoApiKeys::from_env(client.clone())?;
        Ok(State {
            sessions: DynamoSessions::from_env(client.clone())?,
            forms: FormCatalog::new(DynamoForms::from_env(client)?, keys.clone()),
            auth: Authenticator::new(keys),
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Operation {
    Create,
    Update,
}

impl Operation {
    fn of(req: &Request) -> Option<Self> {
        let path = req.uri().path();
        if path.ends_with("/app/createSession") {
            Some(Self::Create)
        } else if path.ends_with("/app/updateSession") {
            Some(Self::Update)
        } else {
            None
        }
    }

    fn route(self) -> &'static str {
        match self {
            Self::Create => "/app/createSession",
            Self::Update => "/app/updateSession",
        }
    }
}

/// Answers one request. Never fails: every error becomes its `{"status":"error"}` answer.
pub async fn handle<S: SessionStore, F: FormStore, K: ApiKeyStore>(
    req: Request,
    state: &State<S, F, K>,
) -> Response<Body> {
    let started = Instant::now();
    let operation = Operation::of(&req);
    let mut merchant = None;
    let mut response = match (req.method(), operation) {
        (&Method::OPTIONS, _) => edge::preflight(),
        (&Method::POST, Some(operation)) => serve(&req, state, operation, &mut merchant)
            .await
            .unwrap_or_else(SessionApiError::into_response),
        (&Method::POST, None) => SessionApiError::NoConfig.into_response(),
        _ => SessionApiError::MethodNotAllowed.into_response(),
    };
    edge::with_cors(&mut response);
    log_request(
        req.method(),
        operation.map_or("/app", Operation::route),
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

async fn serve<S: SessionStore, F: FormStore, K: ApiKeyStore>(
    req: &Request,
    state: &State<S, F, K>,
    operation: Operation,
    merchant_out: &mut Option<MerchantId>,
) -> Result<Response<Body>, SessionApiError> {
    let params = edge::params(req)?;
    let form = edge::usable_form(&state.forms, &params).await?;
    *merchant_out = Some(form.merchant_id.clone());
    let call = Call {
        authority: authority(req, state, &form).await?,
        lang: edge::language(req, &params, &form),
        form,
        now: shared::time::now(),
    };
    match operation {
        Operation::Create => create(state, &call, params).await,
        Operation::Update => update(state, &call, params).await,
    }
}

/// What every step of one request needs to know.
struct Call {
    form: Arc<Form>,
    authority: Authority,
    lang: Lang,
    now: Timestamp,
}

impl Call {
    fn rules(&self, zone: &TimeZone) -> Rules<'_> {
        Rules::new(
            &self.form.definition,
            self.now.to_zoned(zone.clone()).date(),
        )
    }
}

/// A request with an API key must carry the key of the form's merchant; without one it is
/// the public.
async fn authority<S, F, K: ApiKeyStore>(
    req: &Request,
    state: &State<S, F, K>,
    form: &Form,
) -> Result<Authority, SessionApiError> {
    match state.auth.authenticate(req.headers()).await {
        Ok(merchant) if merchant == form.merchant_id => Ok(Authority::Merchant),
        Ok(_) | Err(AuthError::Unknown | AuthError::Revoked) => Err(SessionApiError::InvalidApiKey),
        Err(AuthError::Missing) => Ok(Authority::Public),
        Err(AuthError::Store(err)) => Err(err.into()),
    }
}

async fn create<S: SessionStore, F, K>(
    state: &State<S, F, K>,
    call: &Call,
    params: SessionParams,
) -> Result<Response<Body>, SessionApiError> {
    if let Some(existing) = params.session_hash.as_deref().and_then(SessionHash::parse)
        && state.sessions.get(&existing).await?.is_some()
    {
        return Err(SessionApiError::SessionExists);
    }
    let submission = Submission {
        values: params
            .payment
            .map(PaymentInput::from_map)
            .filter(|input| !input.is_empty())
            .ok_or(SessionApiError::NoValues)?,
        authority: call.authority,
        visit_session: params.visit_session,
    };
    let rules = call.rules(&state.time_zone);
    for _ in 0..WRITE_ATTEMPTS {
        let hash = SessionHash::generate().map_err(|e| SessionApiError::General(e.to_string()))?;
        let mut session = PaymentSession::open(hash, &call.form, call.now, state.session_ttl);
        let plan = session::plan(
            &rules,
            &call.form,
            &session,
            &submission,
            call.now,
            state.session_ttl,
        );
        session.apply(&plan.changes);
        check_size(&session)?;
        match state.sessions.create(&session).await {
            Ok(()) => return respond(&session, &rules, &plan.current, call, state),
            // 165 random bits collided: draw again.
            Err(StoreError::AlreadyExists) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(SessionApiError::General("no free session hash".into()))
}

async fn update<S: SessionStore, F, K>(
    state: &State<S, F, K>,
    call: &Call,
    params: SessionParams,
) -> Result<Response<Body>, SessionApiError> {
    let hash = edge::session_hash(&params)?;
    let mut session = edge::live_session(
        state.sessions.get(&hash).await?,
        &call.form,
        call.now,
        false,
    )?;
    let rules = call.rules(&state.time_zone);
    let submission = Submission {
        values: params
            .payment
            .map(PaymentInput::from_map)
            .unwrap_or_default(),
        authority: call.authority,
        visit_session: params.visit_session,
    };
    if submission.values.is_empty() && submission.visit_session.is_none() {
        return respond(&session, &rules, &Default::default(), call, state);
    }
    for _ in 0..WRITE_ATTEMPTS {
        let plan = session::plan(
            &rules,
            &call.form,
            &session,
            &submission,
            call.now,
            state.session_ttl,
        );
        if !plan.changes.changes_values() {
            return respond(&session, &rules, &plan.current, call, state);
        }
        let mut after = session.clone();
        after.apply(&plan.changes);
        check_size(&after)?;
        let expect = Expectation {
            form_hash: call.form.hash.clone(),
            fixed_rev: session.fixed_rev,
            now: call.now,
        };
        match state.sessions.update(&hash, &expect, &plan.changes).await? {
            SessionWrite::Updated(updated) => {
                return respond(&updated, &rules, &plan.current, call, state);
            }
            // Processed, expired or its fixed set changed meanwhile: judge again on what the
            // failed write returned.
            SessionWrite::Conflict(current) => {
                session = edge::live_session(current, &call.form, call.now, false)?;
            }
        }
    }
    Err(SessionApiError::General(
        "the session kept changing during the update".into(),
    ))
}

/// Refuses a session that would outgrow a DynamoDB item.
fn check_size(session: &PaymentSession) -> Result<(), SessionApiError> {
    if session.values.len() > SESSION_VALUE_LIMIT {
        return Err(SessionApiError::SessionFull("200 values"));
    }
    let size = serde_json::to_vec(&session.values).map_or(usize::MAX, |v| v.len());
    if size > SESSION_SIZE_LIMIT {
        return Err(SessionApiError::SessionFull("300 KB of values"));
    }
    Ok(())
}

fn respond<S, F, K>(
    session: &PaymentSession,
    rules: &Rules<'_>,
    current: &std::collections::BTreeMap<String, FieldError>,
    call: &Call,
    state: &State<S, F, K>,
) -> Result<Response<Body>, SessionApiError> {
    let body = session::render(session, rules, current, call.lang, &state.time_zone)
        .map_err(|e| SessionApiError::General(e.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
}
