//! `POST /app/createSession` (seeds `session-api-*.md`): a new payment session holding the
//! first values (those that pass). Public by design: the form hash is all it takes; a request
//! that also carries the form's merchant API key may fix values.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, SessionApiState};
use shared::edge::response::json_response;
use shared::edge::session_api::{Callers, SessionApiError, SessionCall, serve_session_api};
use shared::ground::ids::SessionHash;
use shared::session::{self, Context, PaymentInput, SessionError, SessionStore, Submission};
use shared::wire::session_api::render;

/// Answers one request; every failure is the seed's `{"status":"error"}` answer.
pub async fn handle<B: Backend>(req: Request, state: &SessionApiState<B>) -> Response<Body> {
    serve_session_api(
        &req,
        "/app/createSession",
        &state.forms,
        Callers::PublicOrMerchant(&state.auth),
        |call| create(state, call),
    )
    .await
}

async fn create<B: Backend>(
    state: &SessionApiState<B>,
    call: SessionCall,
) -> Result<Response<Body>, SessionApiError> {
    let requested = call.params.session_hash.as_deref();
    if let Some(existing) = requested.and_then(|raw| SessionHash::parse(raw).ok())
        && state.sessions.get(&existing).await?.is_some()
    {
        return Err(SessionError::Exists.into());
    }
    let visit_session = call.visit_session(&state.links)?;
    let unstorable = call.params.unstorable;
    let submission = Submission {
        values: call
            .params
            .payment
            .map(PaymentInput::from_map)
            .filter(|input| !input.is_empty() || !unstorable.is_empty())
            .ok_or(SessionError::NoValues)?,
        unstorable,
        authority: call.authority,
        visit_session,
    };
    let ctx = Context::new(&call.form, call.now, state.session_ttl, &state.time_zone);
    let outcome = session::create(&state.sessions, &ctx, &submission).await?;
    let body = render(
        &outcome.session,
        &ctx.rules,
        &outcome.current,
        call.lang,
        ctx.zone,
    )?;
    Ok(json_response(StatusCode::OK, body))
}
