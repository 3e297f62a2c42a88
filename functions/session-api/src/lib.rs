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
use shared::session::flow::{self, Context, Outcome};
use shared::session::request::SessionParams;
use shared::session::{self, Authority, PaymentInput, SessionHash, Submission, edge};
use shared::store::dynamo::{DynamoApiKeys, DynamoForms, DynamoSessions};
use shared::store::{ApiKeyStore, FormStore, SessionStore};

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
        &req,
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
    fn context<'a, S, F, K>(&'a self, state: &'a State<S, F, K>) -> Context<'a> {
        Context::new(&self.form, self.now, state.session_ttl, &state.time_zone)
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
    let ctx = call.context(state);
    let outcome = flow::create(&state.sessions, &ctx, &submission).await?;
    respond(&outcome, &ctx, call.lang)
}

async fn update<S: SessionStore, F, K>(
    state: &State<S, F, K>,
    call: &Call,
    params: SessionParams,
) -> Result<Response<Body>, SessionApiError> {
    let hash = edge::session_hash(&params)?;
    let submission = Submission {
        values: params
            .payment
            .map(PaymentInput::from_map)
            .unwrap_or_default(),
        authority: call.authority,
        visit_session: params.visit_session,
    };
    let ctx = call.context(state);
    let outcome = flow::update(&state.sessions, &ctx, &hash, &submission).await?;
    respond(&outcome, &ctx, call.lang)
}

fn respond(
    outcome: &Outcome,
    ctx: &Context<'_>,
    lang: Lang,
) -> Result<Response<Body>, SessionApiError> {
    let body = session::render(
        &outcome.session,
        &ctx.rules,
        &outcome.current,
        lang,
        ctx.zone,
    )
    .map_err(|e| SessionApiError::General(e.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
}
