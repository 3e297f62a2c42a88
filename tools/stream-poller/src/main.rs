//! `stream-poller`: plays a function's DynamoDB event source mapping against DynamoDB Local
//! (`DYNAMODB_ENDPOINT`), handing each batch to the function through `cargo lambda watch`'s
//! invoke API, as `make dev` and `make test` run it beside the local API.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::Value;
use tokio::signal::unix::{SignalKind, signal};

use stream_poller::{FunctionError, Mapping, Poller, StreamsApi};

#[derive(Parser)]
#[command(about = "Hand a DynamoDB Local stream's records to a function, as Lambda's mapping does")]
struct Cli {
    /// The function's binary, whose DynamoDB event in the template is played.
    #[arg(long)]
    function: String,
    /// Where `cargo lambda watch` serves the invoke API.
    #[arg(long)]
    invoke_url: String,
    #[arg(long, default_value = "infra/template.yaml")]
    template: PathBuf,
    /// A filter pattern every record must match too, besides the template's.
    #[arg(long = "also")]
    also: Vec<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    tracing_subscriber::fmt().with_ansi(false).init();
    let cli = Cli::parse();
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .context("DYNAMODB_ENDPOINT: this poller plays Lambda for DynamoDB Local only")?;
    let yaml = std::fs::read_to_string(&cli.template)
        .with_context(|| format!("reading {}", cli.template.display()))?;
    let mut mapping = Mapping::from_template(&yaml, &cli.function)?;
    for pattern in &cli.also {
        mapping.filter = mapping.filter.and(pattern)?;
    }
    let invoke = Invoke {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(300))
            .build()?,
        url: format!(
            "{}/2015-03-31/functions/{}/invocations",
            cli.invoke_url.trim_end_matches('/'),
            cli.function
        ),
    };
    let table = mapping.table.clone();
    let running = Poller::new(StreamsApi::new(endpoint), mapping, move |event| {
        let invoke = invoke.clone();
        async move { invoke.call(event).await }
    })
    .start()
    .await?;
    tracing::info!(function = %cli.function, table = %table, "polling the stream");
    // Until make dev's Ctrl-C or the end of make test; the batch being handed on finishes.
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    running.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// The function's invoke API, as `cargo lambda watch` serves it (Lambda's `Invoke`).
#[derive(Clone)]
struct Invoke {
    http: reqwest::Client,
    url: String,
}

impl Invoke {
    async fn call(&self, event: Value) -> Result<(), FunctionError> {
        let response = self.http.post(&self.url).json(&event).send().await?;
        let status = response.status();
        let failed = response.headers().contains_key("x-amz-function-error");
        let body = response.text().await.unwrap_or_default();
        if !status.is_success() || failed {
            return Err(format!("invocation answered {status}: {body}").into());
        }
        Ok(())
    }
}
