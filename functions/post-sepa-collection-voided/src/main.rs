//! Lambda entry point: the state is built once per cold start, then every request is served.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::edge::run(
        shared::app::production(),
        post_sepa_collection_voided::handle::<shared::app::Production>,
    )
    .await
}
