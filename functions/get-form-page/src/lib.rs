//! `GET /form/{formHash}?fbSessionHash=…`: the hosted donation form, prefilled from a session
//! when one is named; a processed session shows its thank-you page.

use std::collections::BTreeMap;
use std::sync::Arc;

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

use shared::app::{Backend, FormPageState};
use shared::edge::hosted_form::{
    Filled, Page, form_page, lang_of, serve_form_page, text_values, thanks,
};
use shared::edge::session_api::SessionApiError;
use shared::form::Form;
use shared::ground::ids::SessionHash;
use shared::ground::lang::Lang;
use shared::session::{Context, SessionStatus, SessionStore};

/// Answers one request; every failure is a page.
pub async fn handle<B: Backend>(req: Request, state: &FormPageState<B>) -> Response<Body> {
    serve_form_page(&req, Method::GET, &state.forms, |form| {
        show(&req, state, form)
    })
    .await
}

async fn show<B: Backend>(
    req: &Request,
    state: &FormPageState<B>,
    form: Arc<Form>,
) -> Result<Page, SessionApiError> {
    let ctx = Context::new(
        &form,
        shared::ground::time::now(),
        state.session_ttl,
        &state.time_zone,
    );
    let query = req.query_string_parameters();
    let lang = lang_of(query.first("lang"), ctx.form);
    let key = &state.csrf_key;
    let Some(raw) = query.first("fbSessionHash").filter(|s| !s.is_empty()) else {
        return Ok(form_page(key, &ctx, lang, Filled::empty()));
    };
    let found = match SessionHash::parse(raw) {
        Ok(hash) => state.sessions.get(&hash).await?,
        Err(_) => None,
    };
    match found.filter(|s| s.form_hash == ctx.form.hash) {
        Some(session) if session.status == SessionStatus::Processed => thanks(&ctx, lang, &session),
        Some(session) if session.status == SessionStatus::Processing => {
            let (title, text) = match lang {
                Lang::De => (
                    "Ihre Spende wird verarbeitet",
                    "Bitte laden Sie diese Seite in einem Moment neu.",
                ),
                Lang::En => (
                    "Your donation is being processed",
                    "Please reload this page in a moment.",
                ),
            };
            Ok(Page::message(StatusCode::OK, lang, title, text))
        }
        Some(session) if session.is_live(ctx.now) => {
            // Stored values that no longer pass (not the ones still missing: nothing was sent).
            let errors: BTreeMap<String, String> = ctx
                .rules
                .lacking(&session.values)
                .into_iter()
                .filter(|(name, _)| session.values.contains_key(name))
                .map(|(name, err)| (name, err.message(lang)))
                .collect();
            let filled = Filled {
                values: text_values(&session.values),
                session: Some(&session),
                errors,
                notice: None,
            };
            Ok(form_page(key, &ctx, lang, filled))
        }
        _ => {
            let notice = match lang {
                Lang::De => "Ihre Sitzung ist abgelaufen; bitte füllen Sie das Formular neu aus.",
                Lang::En => "Your session has expired; please fill in the form again.",
            };
            let filled = Filled {
                notice: Some(notice),
                ..Filled::empty()
            };
            Ok(form_page(key, &ctx, lang, filled))
        }
    }
}
