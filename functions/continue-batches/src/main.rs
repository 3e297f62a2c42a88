//! Lambda entry point: the state is built once per cold start, then every batch of stream
//! records is handled.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::edge::run_scheduled(
        shared::app::production(),
        continue_batches::handle::<shared::app::Production>,
    )
    .await
}
