//! The edge: where HTTP meets the domain. One request pipeline every function runs (body
//! limits, decoding, auth, request id, panic guard, the log line) and one mapping from domain
//! errors to HTTP per API family: problem+json for the back office, the seed's codes for the
//! Session-API, pages for the hosted form.

pub mod body;
pub mod hosted_form;
pub mod listing;
pub mod pipeline;
pub mod problem;
pub mod response;
pub mod session_api;

use std::convert::Infallible;
use std::future::Future;

use lambda_http::{Body, Request, Response, service_fn};

/// A function's whole life: logs set up, its state built once (a failure ends the cold start,
/// which Lambda reports), then requests served, several at once where Lambda allows it.
pub async fn run<S, E, H, Fut>(
    state: impl Future<Output = Result<S, E>>,
    handler: H,
) -> Result<(), lambda_http::Error>
where
    S: Send + Sync + 'static,
    E: std::error::Error + Send + Sync + 'static,
    H: Fn(Request, &'static S) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Response<Body>> + Send,
{
    crate::telemetry::init();
    let state: &'static S = Box::leak(Box::new(state.await?));
    lambda_http::run_concurrent(service_fn(move |req| {
        let handler = handler.clone();
        async move { Ok::<_, Infallible>(handler(req, state).await) }
    }))
    .await
}
