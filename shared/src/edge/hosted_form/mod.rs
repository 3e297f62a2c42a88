//! The hosted donation form's edge: its pipeline (method, form, security headers, the log
//! line), failures as pages, the form page rendered from a session, and CSRF tokens.

mod fields;
mod page;
mod sepa;
mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use lambda_http::http::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use maud::Markup;
use serde_json::{Map, Value};
use sha2::Sha256;

use super::pipeline::{path_param, serve};
use super::response::no_store;
use super::session_api::SessionApiError;
use crate::form::{Channel, Form, FormCatalog, FormStore, FormUnusable};
use crate::ground::ids::{FormHash, SessionHash};
use crate::ground::lang::Lang;
use crate::ground::storage::{StoreError, chain};
use crate::merchant::MerchantStore;
use crate::session::{Context, PaymentSession, SessionError};
use crate::validation::scalar_text;

pub use fields::{OTHER_AMOUNT, PRESET_FIELD};
pub use page::STYLE_HASH;

const ROUTE: &str = "/form/{formHash}";

/// A page and its status.
pub struct Page {
    status: StatusCode,
    markup: Markup,
    /// Sites allowed to frame it (`frame-ancestors`); none for error pages.
    frame_ancestors: Vec<String>,
}

impl Page {
    pub fn message(status: StatusCode, lang: Lang, title: &str, text: &str) -> Self {
        Self {
            status,
            markup: page::message_page(lang, title, text),
            frame_ancestors: Vec::new(),
        }
    }
}

/// One request for the form page: `method` is what this function serves, the form must take
/// sessions through the hosted form, and every answer is a page.
pub async fn serve_form_page<F, K, H, Fut>(
    req: &Request,
    method: Method,
    forms: &FormCatalog<F, K>,
    handler: H,
) -> Response<Body>
where
    F: FormStore,
    K: MerchantStore,
    H: FnOnce(Arc<Form>) -> Fut,
    Fut: Future<Output = Result<Page, SessionApiError>>,
{
    serve(req, ROUTE, panicked, async {
        let mut merchant = None;
        let page = match usable_form(req, &method, forms).await {
            Ok(form) => {
                merchant = Some(form.merchant_id.clone());
                handler(form).await
            }
            Err(err) => Err(err),
        }
        .unwrap_or_else(|err| error_page(&err));
        let mut response = html_response(page);
        if response.status() == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, POST"));
        }
        (response, merchant)
    })
    .await
}

async fn usable_form<F: FormStore, K: MerchantStore>(
    req: &Request,
    method: &Method,
    forms: &FormCatalog<F, K>,
) -> Result<Arc<Form>, SessionApiError> {
    if req.method() != method {
        return Err(SessionApiError::MethodNotAllowed);
    }
    let raw_hash = path_param(req, "formHash").unwrap_or_default();
    let hash = FormHash::parse(raw_hash).map_err(|_| FormUnusable::NotFound)?;
    Ok(forms.usable(&hash, Channel::HostedForm).await?)
}

fn panicked() -> Response<Body> {
    html_response(error_page(&SessionApiError::Panicked))
}

fn error_page(err: &SessionApiError) -> Page {
    let lang = Lang::De;
    match err {
        SessionApiError::Form(FormUnusable::NotFound) => Page::message(
            StatusCode::NOT_FOUND,
            lang,
            "Formular nicht gefunden",
            "Dieses Spendenformular gibt es nicht. / This donation form does not exist.",
        ),
        SessionApiError::Form(FormUnusable::MerchantWithoutForms | FormUnusable::Inactive) => {
            Page::message(
                StatusCode::GONE,
                lang,
                "Formular nicht verfügbar",
                "Dieses Spendenformular ist derzeit nicht aktiv. / This donation form is not active.",
            )
        }
        SessionApiError::Session(SessionError::NotFound) => Page::message(
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
            if err.is_general() {
                tracing::error!(error = %chain(err), "request failed");
            }
            let status = if err.is_unavailable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            Page::message(
                status,
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
        *STYLE_HASH
    );
    let mut response = Response::new(Body::Text(page.markup.into_string()));
    *response.status_mut() = page.status;
    no_store(&mut response);
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
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

/// `lang=…` when given and spoken, else the form's locale.
pub fn lang_of(raw: Option<&str>, form: &Form) -> Lang {
    raw.and_then(Lang::from_tag)
        .unwrap_or(form.definition.locale)
}

/// The thank-you page of a processed session.
pub fn thanks(
    ctx: &Context<'_>,
    lang: Lang,
    session: &PaymentSession,
) -> Result<Page, SessionApiError> {
    let processed = session
        .processed
        .as_ref()
        .ok_or_else(|| StoreError::corrupt_without_cause("processed session without its result"))?;
    let amount = session.values.get("amount").and_then(Value::as_str);
    Ok(Page {
        status: StatusCode::OK,
        markup: page::thank_you_page(ctx.form, lang, &processed.data_set_guid.to_string(), amount),
        frame_ancestors: ctx.form.definition.allowed_origins.clone(),
    })
}

/// Stored values as the form's inputs show them.
pub fn text_values(values: &Map<String, Value>) -> BTreeMap<String, String> {
    values
        .iter()
        .filter_map(|(name, value)| scalar_text(value).map(|text| (name.clone(), text)))
        .collect()
}

/// What the form page shows besides the form itself.
pub struct Filled<'a> {
    pub session: Option<&'a PaymentSession>,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    pub notice: Option<&'static str>,
}

impl Filled<'_> {
    pub fn empty() -> Self {
        Filled {
            session: None,
            values: BTreeMap::new(),
            errors: BTreeMap::new(),
            notice: None,
        }
    }
}

/// The form page, filled as given, with the CSRF token of its session.
pub fn form_page(csrf_key: &[u8], ctx: &Context<'_>, lang: Lang, filled: Filled<'_>) -> Page {
    let no_fixed = BTreeSet::new();
    let hash = filled.session.map(|s| &s.hash);
    let view = view::FormView {
        form: ctx.form,
        lang,
        values: filled.values,
        fixed: filled.session.map_or(&no_fixed, |s| &s.fixed),
        errors: filled.errors,
        session: hash.map(SessionHash::as_str),
        csrf: csrf_token(csrf_key, ctx.form, hash),
        notice: filled.notice,
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

pub fn csrf_matches(key: &[u8], form: &Form, session: Option<&SessionHash>, token: &str) -> bool {
    hex::decode(token).is_ok_and(|bytes| csrf_mac(key, form, session).verify_slice(&bytes).is_ok())
}
