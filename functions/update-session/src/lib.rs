//! `POST /app/updateSession` (seed `session-api-updateSession.md`): values added to a session
//! value by value, or, with none sent, the session read. Public by design, like createSession.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use shared::app::SessionApiState;
use shared::edge::response::json_response;
use shared::edge::session_api::{Callers, SessionApiError, SessionCall, render, serve_session_api};
use shared::form::FormStore;
use shared::merchant::MerchantStore;
use shared::session::{self, Context, PaymentInput, SessionStore, Submission};

/// Answers one request; every failure is the seed's `{"status":"error"}` answer.
pub async fn handle<S: SessionStore, F: FormStore, K: MerchantStore>(
    req: Request,
    state: &SessionApiState<S, F, K>,
) -> Response<Body> {
    serve_session_api(
        &req,
        "/app/updateSession",
        &state.forms,
        Callers::PublicOrMerchant(&state.auth),
        |call| update(state, call),
    )
    .await
}

async fn update<S: SessionStore, F, K>(
    state: &SessionApiState<S, F, K>,
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
