//! `POST /form/{formHash}`: the donor's values run exactly the updateSession code path (or
//! createSession, for the first post) and, once the session is complete, processing; then the
//! donor is thanked, or sees the form again with what is missing.

use std::collections::BTreeMap;
use std::sync::Arc;

use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value};

use shared::app::{Backend, FormPostState};
use shared::edge::hosted_form::{
    Filled, PRESET_FIELD, Page, csrf_matches, form_page, lang_of, serve_form_page, text_values,
    thanks,
};
use shared::edge::session_api::SessionApiError;
use shared::form::Form;
use shared::ground::ids::SessionHash;
use shared::ground::lang::Lang;
use shared::session::{
    self, Authority, Context, MANDATE_VALUE, PaymentInput, SessionError, Submission,
};
use shared::validation::scalar_text;
use shared::wire::session_api::ParamsError;

/// A form post is small; this is generous.
const BODY_LIMIT: usize = 64 * 1024;

/// Answers one request; every failure is a page.
pub async fn handle<B: Backend>(req: Request, state: &FormPostState<B>) -> Response<Body> {
    serve_form_page(&req, Method::POST, &state.process.forms, |form| {
        submit(&req, state, form)
    })
    .await
}

/// The form's own fields of a post; everything else is not the form's and is dropped.
struct Post {
    session: Option<String>,
    csrf: String,
    lang: Option<String>,
    values: Map<String, Value>,
    /// The amount choice (`amount_preset`): a preset, or `other` for the typed amount.
    preset: Option<String>,
    /// Whether the SEPA mandate box was ticked.
    mandate: bool,
}

fn read_post(req: &Request, form: &Form) -> Result<Post, ParamsError> {
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
        return Err(ParamsError::UnsupportedMediaType("not a form post".into()));
    }
    if body.len() > BODY_LIMIT {
        return Err(ParamsError::TooLarge);
    }
    let mut post = Post {
        session: None,
        csrf: String::new(),
        lang: None,
        values: Map::new(),
        preset: None,
        mandate: false,
    };
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            "fbSessionHash" => post.session = Some(value.into_owned()).filter(|s| !s.is_empty()),
            "csrf" => post.csrf = value.into_owned(),
            "lang" => post.lang = Some(value.into_owned()),
            PRESET_FIELD => post.preset = Some(value.into_owned()),
            MANDATE_VALUE => post.mandate = value == "1",
            field if form.definition.field(field).is_some() => {
                post.values
                    .insert(field.to_owned(), Value::String(value.into_owned()));
            }
            _ => {}
        }
    }
    Ok(post)
}

async fn submit<B: Backend>(
    req: &Request,
    state: &FormPostState<B>,
    form: Arc<Form>,
) -> Result<Page, SessionApiError> {
    let process = &state.process;
    let ctx = Context::new(
        &form,
        shared::ground::time::now(),
        process.session_ttl,
        &process.time_zone,
    );
    let post = read_post(req, ctx.form)?;
    let lang = lang_of(post.lang.as_deref(), ctx.form);
    let hash = match &post.session {
        Some(raw) => Some(SessionHash::parse(raw).map_err(|_| SessionError::NotFound)?),
        None => None,
    };
    if !csrf_matches(&state.csrf_key, ctx.form, hash.as_ref(), &post.csrf) {
        return Ok(expired(lang));
    }
    let mut values = post.values;
    session::choose_amount(&mut values, post.preset.as_deref(), ctx.form);
    session::sign_mandate(&mut values, post.mandate, ctx.form);
    let typed = values.clone();
    let submission = Submission {
        values: PaymentInput::from_map(values),
        unstorable: Vec::new(),
        // The form is public: fixed values stay as they are, whatever the post says.
        authority: Authority::Public,
        visit_session: None,
    };
    let outcome = match &hash {
        Some(hash) => match session::update(&process.sessions, &ctx, hash, &submission).await {
            // Sent twice, or interrupted while processing: finish it (or read how it ended).
            Err(SessionError::Processed | SessionError::Processing) => {
                let processed = process.processor().process(&ctx, hash).await?;
                return thanks(&ctx, lang, &processed);
            }
            other => other?,
        },
        None => session::create(&process.sessions, &ctx, &submission).await?,
    };
    let lacking = ctx.rules.lacking(&outcome.session.values);
    if outcome.current.is_empty() && lacking.is_empty() {
        let processed = process
            .processor()
            .process(&ctx, &outcome.session.hash)
            .await?;
        return thanks(&ctx, lang, &processed);
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
    let filled = Filled {
        session: Some(&outcome.session),
        values,
        errors,
        notice: None,
    };
    Ok(form_page(&state.csrf_key, &ctx, lang, filled))
}

/// A post whose CSRF token does not match: the page was not ours, or is too old.
fn expired(lang: Lang) -> Page {
    let (title, text) = match lang {
        Lang::De => (
            "Formular abgelaufen",
            "Bitte laden Sie das Formular neu und senden Sie es noch einmal.",
        ),
        Lang::En => ("Form expired", "Please reload the form and send it again."),
    };
    Page::message(StatusCode::FORBIDDEN, lang, title, text)
}
