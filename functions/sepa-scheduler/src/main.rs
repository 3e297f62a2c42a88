//! Lambda entry point: the state is built once per cold start, then every scheduled event is
//! handled.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::edge::run_scheduled(
        shared::app::DynamoSchedulerState::from_env(),
        sepa_scheduler::handle,
    )
    .await
}
