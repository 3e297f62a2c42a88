//! The Session-API's edge: its pipeline (CORS, preflight, the parameters read by
//! [`crate::wire::session_api`], the form, who is calling, the language) and its error codes.

mod error;

pub use error::SessionApiError;

use std::future::Future;
use std::sync::Arc;

use jiff::Timestamp;
use lambda_http::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, HeaderValue};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

use super::pipeline::{presented_key, serve};
use super::response::no_store;
use crate::form::{Channel, Form, FormCatalog, FormStore, FormUnusable};
use crate::ground::ids::{FormHash, MerchantId, SessionHash, VisitSessionId};
use crate::ground::lang::Lang;
use crate::merchant::{AuthError, Authenticator, MerchantStore};
use crate::session::{Authority, SessionError};
use crate::visit::LinkSigner;
use crate::wire::session_api::{self as wire, SessionParams};

/// What the pipeline learnt about a request before its handler runs.
pub struct SessionCall {
    pub params: SessionParams,
    pub form: Arc<Form>,
    pub authority: Authority,
    pub lang: Lang,
    pub now: Timestamp,
}

impl SessionCall {
    /// The visit session to link, if one is named: the merchant (by its key) may link any of
    /// its own; anyone else needs the link token the merchant got with the visit session.
    pub fn visit_session(
        &self,
        links: &LinkSigner,
    ) -> Result<Option<VisitSessionId>, SessionApiError> {
        let Some(id) = &self.params.visit_session else {
            return Ok(None);
        };
        let token = self
            .params
            .visit_session_token
            .as_deref()
            .unwrap_or_default();
        if self.authority == Authority::Merchant || links.verify(&self.form.merchant_id, id, token)
        {
            Ok(Some(id.clone()))
        } else {
            Err(SessionApiError::VisitLinkRefused)
        }
    }

    /// The hash in `fbSessionHash`; anything we never hand out is an unknown session.
    pub fn session_hash(&self) -> Result<SessionHash, SessionError> {
        self.params
            .session_hash
            .as_deref()
            .and_then(|raw| SessionHash::parse(raw).ok())
            .ok_or(SessionError::NotFound)
    }
}

/// Who may call: everyone with the form hash; a request that also carries an API key is the
/// merchant's when the key is the form merchant's, and refused otherwise.
pub enum Callers<'a, K> {
    Public,
    PublicOrMerchant(&'a Authenticator<K>),
}

/// One Session-API request: preflight, CORS, the seed's error codes, the log line.
pub async fn serve_session_api<F, K, H, Fut>(
    req: &Request,
    route: &'static str,
    forms: &FormCatalog<F, K>,
    callers: Callers<'_, K>,
    handler: H,
) -> Response<Body>
where
    F: FormStore,
    K: MerchantStore,
    H: FnOnce(SessionCall) -> Fut,
    Fut: Future<Output = Result<Response<Body>, SessionApiError>>,
{
    serve(req, route, SessionApiError::panicked, async {
        let (response, merchant) = match *req.method() {
            Method::OPTIONS => (preflight(), None),
            Method::POST => match call(req, forms, callers).await {
                Ok(call) => {
                    let merchant = Some(call.form.merchant_id.clone());
                    (handler(call).await, merchant)
                }
                Err((err, merchant)) => (Err(err), merchant),
            },
            _ => (Err(SessionApiError::MethodNotAllowed), None),
        };
        let mut response = response.unwrap_or_else(SessionApiError::into_response);
        with_cors(&mut response);
        (response, merchant)
    })
    .await
}

/// A refused request, with the merchant when the form was found (for the log line).
type Refusal = (SessionApiError, Option<MerchantId>);

async fn call<F: FormStore, K: MerchantStore>(
    req: &Request,
    forms: &FormCatalog<F, K>,
    callers: Callers<'_, K>,
) -> Result<SessionCall, Refusal> {
    let params = params(req).map_err(|err| (err, None))?;
    let form = usable_form(forms, &params)
        .await
        .map_err(|err| (err, None))?;
    let merchant = Some(form.merchant_id.clone());
    let authority = match callers {
        Callers::Public => Authority::Public,
        Callers::PublicOrMerchant(auth) => authority(req, auth, &form)
            .await
            .map_err(|err| (err, merchant.clone()))?,
    };
    Ok(SessionCall {
        lang: language(req, &params, &form),
        params,
        form,
        authority,
        now: crate::ground::time::now(),
    })
}

/// The request's parameters from its query string and body.
fn params(req: &Request) -> Result<SessionParams, SessionApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Ok(wire::decode(
        req.uri().query(),
        content_type,
        req.body().as_ref(),
    )?)
}

/// The form named by `hash`, if it may take sessions: else the seed's 102 to 106.
async fn usable_form<F: FormStore, K: MerchantStore>(
    catalog: &FormCatalog<F, K>,
    params: &SessionParams,
) -> Result<Arc<Form>, SessionApiError> {
    let raw = params.form_hash.as_deref().ok_or(SessionApiError::NoHash)?;
    let hash = FormHash::parse(raw).map_err(|_| FormUnusable::NotFound)?;
    Ok(catalog.usable(&hash, Channel::Api).await?)
}

/// A request with an API key must carry the key of the form's merchant; without one it is
/// the public.
async fn authority<K: MerchantStore>(
    req: &Request,
    auth: &Authenticator<K>,
    form: &Form,
) -> Result<Authority, SessionApiError> {
    match auth.authenticate(presented_key(req.headers())).await {
        Ok(merchant) if merchant == form.merchant_id => Ok(Authority::Merchant),
        Ok(_) | Err(AuthError::Unknown | AuthError::Revoked) => Err(SessionApiError::InvalidApiKey),
        Err(AuthError::Missing) => Ok(Authority::Public),
        Err(AuthError::Store(err)) => Err(err.into()),
    }
}

/// `lang`, else `Accept-Language`, else the form's locale (German unless set otherwise).
fn language(req: &Request, params: &SessionParams, form: &Form) -> Lang {
    params
        .lang
        .or_else(|| {
            req.headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(form.definition.locale)
}

/// The Session-API is public by design, so any site may call it from a browser; without
/// credentials `*` is safe. Sessions hold personal data: no cache may keep a copy.
fn with_cors(response: &mut Response<Body>) {
    response
        .headers_mut()
        .insert("access-control-allow-origin", HeaderValue::from_static("*"));
    no_store(response);
}

fn preflight() -> Result<Response<Body>, SessionApiError> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("content-type, accept-language"),
    );
    headers.insert("access-control-max-age", HeaderValue::from_static("86400"));
    Ok(response)
}
