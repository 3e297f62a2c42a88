//! `POST /app/updateSession` (seed `session-api-updateSession.md`): values added to a session
//! value by value, or, with none sent, the session read. Public by design, like createSession.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, SessionApiState};
use shared::edge::response::json_response;
use shared::edge::session_api::{Callers, SessionApiError, SessionCall, serve_session_api};
use shared::session::{self, Context, PaymentInput, Submission};
use shared::wire::session_api::render;

/// Answers one request; every failure is the seed's `{"status":"error"}` answer.
pub async fn handle<B: Backend>(req: Request, state: &SessionApiState<B>) -> Response<Body> {
    serve_session_api(
        &req,
        "/app/updateSession",
        &state.forms,
        Callers::PublicOrMerchant(&state.auth),
        |call| update(state, call),
    )
    .await
}

async fn update<B: Backend>(
    state: &SessionApiState<B>,
    call: SessionCall,
) -> Result<Response<Body>, SessionApiError> {
    let hash = call.session_hash()?;
    let visit_session = call.visit_session(&state.links)?;
    let submission = Submission {
        values: call
            .params
            .payment
            .map(PaymentInput::from_map)
            .unwrap_or_default(),
        unstorable: call.params.unstorable,
        authority: call.authority,
        visit_session,
    };
    let ctx = Context::new(&call.form, call.now, state.session_ttl, &state.time_zone);
    let outcome = session::update(&state.sessions, &ctx, &hash, &submission).await?;
    let body = render(
        &outcome.session,
        &ctx.rules,
        &outcome.current,
        call.lang,
        ctx.zone,
    )?;
    Ok(json_response(StatusCode::OK, body))
}
