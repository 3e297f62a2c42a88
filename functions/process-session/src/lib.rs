//! `POST /app/processSession`: a complete session is paid through the payment provider and
//! recorded as a DataSet. One DynamoDB transaction marks the session processed and writes the
//! DataSet, so a donation is recorded exactly once, however often or concurrently it is sent.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use shared::app::ProcessState;
use shared::cards::PaymentProvider;
use shared::edge::response::json_response;
use shared::edge::session_api::{Callers, SessionApiError, SessionCall, render, serve_session_api};
use shared::form::FormStore;
use shared::merchant::MerchantStore;
use shared::session::{Context, ProcessStore, SessionStore};
use shared::visit::VisitStore;

/// Answers one request; every failure is the seed's `{"status":"error"}` answer.
pub async fn handle<S, P, V, F, K, Pay>(
    req: Request,
    state: &ProcessState<S, P, V, F, K, Pay>,
) -> Response<Body>
where
    S: SessionStore,
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: MerchantStore,
    Pay: PaymentProvider,
{
    serve_session_api(
        &req,
        "/app/processSession",
        &state.forms,
        Callers::Public,
        |call| process(state, call),
    )
    .await
}

async fn process<S, P, V, F, K, Pay>(
    state: &ProcessState<S, P, V, F, K, Pay>,
    call: SessionCall,
) -> Result<Response<Body>, SessionApiError>
where
    S: SessionStore,
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: MerchantStore,
    Pay: PaymentProvider,
{
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
