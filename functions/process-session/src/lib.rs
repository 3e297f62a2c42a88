//! `POST /app/processSession`: a complete session is paid through the payment provider and
//! recorded as a DataSet. One DynamoDB transaction marks the session processed and writes the
//! DataSet, so a donation is recorded exactly once, however often or concurrently it is sent.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use shared::app::{Backend, ProcessState};
use shared::edge::response::json_response;
use shared::edge::session_api::{Callers, SessionApiError, SessionCall, serve_session_api};
use shared::session::Context;
use shared::wire::session_api::render;

/// Answers one request; every failure is the seed's `{"status":"error"}` answer.
pub async fn handle<B: Backend>(req: Request, state: &ProcessState<B>) -> Response<Body> {
    serve_session_api(
        &req,
        "/app/processSession",
        &state.forms,
        Callers::Public,
        |call| process(state, call),
    )
    .await
}

async fn process<B: Backend>(
    state: &ProcessState<B>,
    call: SessionCall,
) -> Result<Response<Body>, SessionApiError> {
    let hash = call.session_hash()?;
    let ctx = Context::new(&call.form, call.now, state.session_ttl, &state.time_zone);
    let session = state.processor().process(&ctx, &hash).await?;
    let body = render(
        &session,
        &ctx.rules,
        &Default::default(),
        call.lang,
        ctx.zone,
    )?;
    Ok(json_response(StatusCode::OK, body))
}
