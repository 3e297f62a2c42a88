//! The hosted donation form: `GET /form/{formHash}?fbSessionHash=…` renders the form prefilled
//! from a session; `POST /form/{formHash}` runs exactly the updateSession code path and, once
//! the session is complete, the processing code path, then thanks the donor.

mod page;

use std::collections::BTreeMap;
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use jiff::SignedDuration;
use jiff::tz::TimeZone;
use lambda_http::http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use maud::Markup;
use serde_json::{Map, Value};
use sha2::Sha256;

use shared::config::{self, ConfigError};
use shared::form::{Channel, Form, FormCatalog, FormHash, Lang};
use shared::http::{SessionApiError, log_request};
use shared::merchant::MerchantId;
use shared::payment::{PaymentProvider, SandboxProvider};
use shared::session::flow::{self, Context, Processor};
use shared::session::request::ParamsError;
use shared::session::{
    Authority, PaymentInput, PaymentSession, SessionHash, SessionStatus, Submission,
};
use shared::store::dynamo::{
    DynamoApiKeys, DynamoDataSets, DynamoForms, DynamoProcessing, DynamoSessions, DynamoVisits,
};
use shared::store::{ApiKeyStore, FormStore, ProcessStore, SessionStore, VisitStore};
use shared::validation::scalar_text;

use page::FormView;

/// A form post is small; this is generous.
const BODY_LIMIT: usize = 64 * 1024;

pub struct State<S, P, V, F, K, Pay> {
    pub sessions: S,
    pub processing: P,
    pub visits: V,
    pub forms: FormCatalog<F, K>,
    pub provider: Pay,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    /// Key for the per-session CSRF tokens.
    pub csrf_key: Vec<u8>,
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
            csrf_key: config::signing_secret()?,
        })
    }
}

/// A page and its status.
struct Page {
    status: StatusCode,
    markup: Markup,
    /// Sites allowed to frame it (`frame-ancestors`); none for error pages.
    frame_ancestors: Vec<String>,
}

impl Page {
    fn message(status: StatusCode, lang: Lang, title: &str, text: &str) -> Self {
        Self {
            status,
            markup: page::message_page(lang, title, text),
            frame_ancestors: Vec::new(),
        }
    }
}

/// Answers one request. Never fails: every error becomes a page.
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
    let page = serve(&req, state, &mut merchant)
        .await
        .unwrap_or_else(|err| error_page(&err));
    let mut response = html_response(page);
    if response.status() == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    }
    log_request(
        &req,
        "/form/{formHash}",
        response.status(),
        started,
        merchant.as_ref(),
        None,
    );
    response
}

fn error_page(err: &SessionApiError) -> Page {
    let lang = Lang::De;
    match err {
        SessionApiError::NoConfig => Page::message(
            StatusCode::NOT_FOUND,
            lang,
            "Formular nicht gefunden",
            "Dieses Spendenformular gibt es nicht. / This donation form does not exist.",
        ),
        SessionApiError::NotOwner | SessionApiError::Inactive => Page::message(
            StatusCode::GONE,
            lang,
            "Formular nicht verfügbar",
            "Dieses Spendenformular ist derzeit nicht aktiv. / This donation form is not active.",
        ),
        SessionApiError::SessionNotFound => Page::message(
            StatusCode::NOT_FOUND,
            lang,
            "Sitzung abgelaufen",
            "Bitte laden Sie das Formular neu. / Your session has expired; please reload the form.",
        ),
        SessionApiError::InvalidRequest(_) | SessionApiError::MethodNotAllowed => Page::message(
            err.status(),
            lang,
            "Ungültige Anfrage",
            "Bitte laden Sie das Formular neu. / Please reload the form.",
        ),
        _ => {
            if let SessionApiError::General(detail) = err {
                tracing::error!(error = %detail, "request failed");
            }
            Page::message(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                "Fehler",
                "Etwas ist schiefgegangen; bitte versuchen Sie es erneut. / Something went wrong; please try again.",
            )
        }
    }
}

/// Security headers for pages that hold personal data and may be framed by the merchant only.
fn html_response(page: Page) -> Response<Body> {
    let ancestors = if page.frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        page.frame_ancestors.join(" ")
    };
    let csp = format!(
        "default-src 'none'; style-src {}; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}",
        *page::STYLE_HASH
    );
    let mut response = Response::new(Body::Text(page.markup.into_string()));
    *response.status_mut() = page.status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert("content-security-policy", csp);
    }
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
) -> Result<Page, SessionApiError> {
    if !matches!(*req.method(), Method::GET | Method::POST) {
        return Err(SessionApiError::MethodNotAllowed);
    }
    let raw_hash = req
        .path_parameters_ref()
        .and_then(|params| params.first("formHash"))
        .unwrap_or_default();
    let hash = FormHash::parse(raw_hash).map_err(|_| SessionApiError::NoConfig)?;
    let form = state
        .forms
        .usable(&hash, Channel::HostedForm)
        .await?
        .ok_or(SessionApiError::NoConfig)??;
    *merchant_out = Some(form.merchant_id.clone());
    let ctx = Context::new(
        &form,
        shared::time::now(),
        state.session_ttl,
        &state.time_zone,
    );
    if *req.method() == Method::GET {
        show(req, state, &ctx).await
    } else {
        submit(req, state, &ctx).await
    }
}

fn lang_of(raw: Option<&str>, form: &Form) -> Lang {
    raw.and_then(Lang::from_tag)
        .unwrap_or(form.definition.locale)
}

/// `GET`: the form, prefilled from the session when one is named.
async fn show<S: SessionStore, P, V, F, K, Pay>(
    req: &Request,
    state: &State<S, P, V, F, K, Pay>,
    ctx: &Context<'_>,
) -> Result<Page, SessionApiError> {
    let query = req.query_string_parameters();
    let lang = lang_of(query.first("lang"), ctx.form);
    let Some(raw) = query.first("fbSessionHash").filter(|s| !s.is_empty()) else {
        return Ok(render(
            state,
            ctx,
            lang,
            None,
            BTreeMap::new(),
            BTreeMap::new(),
            None,
        ));
    };
    let found = match SessionHash::parse(raw) {
        Some(hash) => state.sessions.get(&hash).await?,
        None => None,
    };
    let session = found.filter(|s| s.form_hash == ctx.form.hash);
    match session {
        Some(session) if session.status == SessionStatus::Processed => thanks(ctx, lang, &session),
        Some(session) if session.is_live(ctx.now) => {
            // Stored values that no longer pass (not the ones still missing: nothing was sent).
            let errors = ctx
                .rules
                .lacking(&session.values)
                .into_iter()
                .filter(|(name, _)| session.values.contains_key(name))
                .map(|(name, err)| (name, err.message(lang)))
                .collect();
            Ok(render(
                state,
                ctx,
                lang,
                Some(&session),
                text_values(&session.values),
                errors,
                None,
            ))
        }
        _ => Ok(render(
            state,
            ctx,
            lang,
            None,
            BTreeMap::new(),
            BTreeMap::new(),
            Some(match lang {
                Lang::De => "Ihre Sitzung ist abgelaufen; bitte füllen Sie das Formular neu aus.",
                Lang::En => "Your session has expired; please fill in the form again.",
            }),
        )),
    }
}

/// The form's own fields of a post; everything else is not the form's and is dropped.
struct Post {
    session: Option<String>,
    csrf: String,
    lang: Option<String>,
    values: Map<String, Value>,
}

fn read_post(req: &Request, form: &Form) -> Result<Post, SessionApiError> {
    let form_encoded = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let body = req.body().as_ref();
    if !form_encoded {
        return Err(ParamsError::UnsupportedMediaType("not a form post".into()).into());
    }
    if body.len() > BODY_LIMIT {
        return Err(ParamsError::TooLarge.into());
    }
    let mut post = Post {
        session: None,
        csrf: String::new(),
        lang: None,
        values: Map::new(),
    };
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            "fbSessionHash" => post.session = Some(value.into_owned()).filter(|s| !s.is_empty()),
            "csrf" => post.csrf = value.into_owned(),
            "lang" => post.lang = Some(value.into_owned()),
            field if form.definition.field(field).is_some() => {
                post.values
                    .insert(field.to_owned(), Value::String(value.into_owned()));
            }
            _ => {}
        }
    }
    Ok(post)
}

/// `POST`: the donor's values through the updateSession path; complete means processed.
async fn submit<S: SessionStore, P: ProcessStore, V: VisitStore, F, K, Pay: PaymentProvider>(
    req: &Request,
    state: &State<S, P, V, F, K, Pay>,
    ctx: &Context<'_>,
) -> Result<Page, SessionApiError> {
    let post = read_post(req, ctx.form)?;
    let lang = lang_of(post.lang.as_deref(), ctx.form);
    let hash = match &post.session {
        Some(raw) => Some(SessionHash::parse(raw).ok_or(SessionApiError::SessionNotFound)?),
        None => None,
    };
    if !csrf_matches(&state.csrf_key, ctx.form, hash.as_ref(), &post.csrf) {
        return Ok(Page::message(
            StatusCode::FORBIDDEN,
            lang,
            match lang {
                Lang::De => "Formular abgelaufen",
                Lang::En => "Form expired",
            },
            match lang {
                Lang::De => "Bitte laden Sie das Formular neu und senden Sie es noch einmal.",
                Lang::En => "Please reload the form and send it again.",
            },
        ));
    }
    let typed = post.values.clone();
    let submission = Submission {
        values: PaymentInput::from_map(post.values),
        // The form is public: fixed values stay as they are, whatever the post says.
        authority: Authority::Public,
        visit_session: None,
    };
    let outcome = match &hash {
        Some(hash) => match flow::update(&state.sessions, ctx, hash, &submission).await {
            Err(SessionApiError::Processed) => {
                let session = state.sessions.get(hash).await?;
                return match session {
                    Some(session) => thanks(ctx, lang, &session),
                    None => Err(SessionApiError::SessionNotFound),
                };
            }
            other => other?,
        },
        None => flow::create(&state.sessions, ctx, &submission).await?,
    };
    let lacking = ctx.rules.lacking(&outcome.session.values);
    if outcome.current.is_empty() && lacking.is_empty() {
        let processor = Processor {
            sessions: &state.sessions,
            processing: &state.processing,
            visits: &state.visits,
            provider: &state.provider,
        };
        let processed = processor.process(ctx, &outcome.session.hash).await?;
        return thanks(ctx, lang, &processed);
    }
    // Show what the donor typed where it was refused, except in fixed fields.
    let mut values = text_values(&outcome.session.values);
    for (name, value) in &typed {
        if outcome.current.contains_key(name) && !outcome.session.fixed.contains(name) {
            values.insert(name.clone(), scalar_text(value).unwrap_or_default());
        }
    }
    let mut errors: BTreeMap<String, String> = lacking
        .into_iter()
        .map(|(name, err)| (name, err.message(lang)))
        .collect();
    errors.extend(
        outcome
            .current
            .iter()
            .map(|(name, err)| (name.clone(), err.message(lang))),
    );
    Ok(render(
        state,
        ctx,
        lang,
        Some(&outcome.session),
        values,
        errors,
        None,
    ))
}

fn thanks(
    ctx: &Context<'_>,
    lang: Lang,
    session: &PaymentSession,
) -> Result<Page, SessionApiError> {
    let processed = session
        .processed
        .as_ref()
        .ok_or_else(|| SessionApiError::General("processed session without result".into()))?;
    let amount = session.values.get("amount").and_then(Value::as_str);
    Ok(Page {
        status: StatusCode::OK,
        markup: page::thank_you_page(ctx.form, lang, &processed.data_set_guid.to_string(), amount),
        frame_ancestors: ctx.form.definition.allowed_origins.clone(),
    })
}

fn text_values(values: &Map<String, Value>) -> BTreeMap<String, String> {
    values
        .iter()
        .filter_map(|(name, value)| scalar_text(value).map(|text| (name.clone(), text)))
        .collect()
}

fn render<S, P, V, F, K, Pay>(
    state: &State<S, P, V, F, K, Pay>,
    ctx: &Context<'_>,
    lang: Lang,
    session: Option<&PaymentSession>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    notice: Option<&'static str>,
) -> Page {
    let no_fixed = Default::default();
    let hash = session.map(|s| &s.hash);
    let view = FormView {
        form: ctx.form,
        lang,
        values,
        fixed: session.map_or(&no_fixed, |s| &s.fixed),
        errors,
        session: hash.map(SessionHash::as_str),
        csrf: csrf_token(&state.csrf_key, ctx.form, hash),
        notice,
    };
    Page {
        status: StatusCode::OK,
        markup: page::form_page(&view),
        frame_ancestors: ctx.form.definition.allowed_origins.clone(),
    }
}

/// HMAC of the session hash (or, before there is a session, of the form hash): another site
/// cannot post into a donor's session without having read the page.
fn csrf_mac(key: &[u8], form: &Form, session: Option<&SessionHash>) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    match session {
        Some(hash) => mac.update(format!("csrf:session:{hash}").as_bytes()),
        None => mac.update(format!("csrf:form:{}", form.hash).as_bytes()),
    }
    mac
}

fn csrf_token(key: &[u8], form: &Form, session: Option<&SessionHash>) -> String {
    hex::encode(csrf_mac(key, form, session).finalize().into_bytes())
}

fn csrf_matches(key: &[u8], form: &Form, session: Option<&SessionHash>, token: &str) -> bool {
    hex::decode(token).is_ok_and(|bytes| csrf_mac(key, form, session).verify_slice(&bytes).is_ok())
}
