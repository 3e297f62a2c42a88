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
pub mod sending;
pub mod session_api;

use std::convert::Infallible;
use std::future::Future;

use lambda_http::{Body, Request, Response, service_fn};

/// A function's whole life: logs set up, its state built once (a failure ends the cold start,
/// which Lambda reports), then requests served, several at once where Lambda allows it.
/// Functions call it from `#[tokio::main(flavor = "current_thread")]`: an instance serves one
/// request at a time, so worker threads would only add cross-thread wake-ups, about a quarter
/// of a warm request's CPU (BENCHMARKS.md).
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

/// The life of a function invoked by events, not HTTP (an EventBridge schedule's, a stream's
/// batch of records): logs, state once, then each event handled; an error fails the
/// invocation, so Lambda retries it and then hands it to the function's dead-letter queue or
/// its event source mapping's failure destination.
pub async fn run_scheduled<S, E, H, Fut, R, F>(
    state: impl Future<Output = Result<S, E>>,
    handler: H,
) -> Result<(), lambda_http::Error>
where
    S: Send + Sync + 'static,
    E: std::error::Error + Send + Sync + 'static,
    H: Fn(serde_json::Value, &'static S) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<R, F>> + Send,
    R: serde::Serialize,
    F: std::error::Error + Send + Sync + 'static,
{
    crate::telemetry::init();
    let state: &'static S = Box::leak(Box::new(state.await?));
    lambda_http::lambda_runtime::run(service_fn(
        move |event: lambda_http::LambdaEvent<serde_json::Value>| {
            let handler = handler.clone();
            async move {
                handler(event.payload, state).await.map_err(|err| {
                    tracing::error!(error = %crate::ground::storage::chain(&err), "run failed");
                    lambda_http::Error::from(err)
                })
            }
        },
    ))
    .await
}
