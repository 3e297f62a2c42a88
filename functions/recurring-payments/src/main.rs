//! Lambda entry point: the state is built once per cold start, then every scheduled event is
//! handled.
// The run's future (every shard's first page awaited together, inside the runtime's loop) is
// nested deeper than rustc's default query depth allows when laying it out in release builds.
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::edge::run_scheduled(
        shared::app::production(),
        recurring_payments::handle::<shared::app::Production>,
    )
    .await
}
