//! Lambda entry point: build the state once per cold start, then serve requests (several at
//! once where Lambda allows it, e.g. on managed instances).

use lambda_http::{Error, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let state: &'static _ = Box::leak(Box::new(hosted_form::DynamoState::from_env().await?));
    lambda_http::run_concurrent(service_fn(move |req| async move {
        Ok::<_, std::convert::Infallible>(hosted_form::handle(req, state).await)
    }))
    .await
}
