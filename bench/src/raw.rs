//! The raw DynamoDB requests measured beside the functions: the requests a function made,
//! replayed with the same SDK, the same settings and, like the functions, a single-threaded
//! runtime, without the function around them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::replay::{DynamoRequest, replay, rounds};
use crate::{cpu_ns, pool};
use anyhow::{Context, Result};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};

/// A client for the raw DynamoDB requests measured beside the functions: the functions' own
/// SDK settings (HTTPS client, timeouts, retries) against DynamoDB Local.
pub fn raw_client() -> Result<Client> {
    std::env::var(shared::app::config::DYNAMODB_ENDPOINT).context("DYNAMODB_ENDPOINT")?;
    Ok(Client::from_conf(
        shared::app::config::dynamodb_config(shared::app::config::https_client())
            .region(Region::new("eu-central-1"))
            .credentials_provider(Credentials::new("local", "local", None, None, "bench"))
            .build(),
    ))
}

/// The DynamoDB requests of one invocation of a function, in order.
pub type Invocation = Vec<DynamoRequest>;

/// Replays one recorded invocation's requests round by round, concurrently within a round, as
/// the function made them.
async fn replay_invocation(client: &Client, invocation: &Invocation) -> Result<()> {
    for round in rounds(invocation) {
        futures::future::try_join_all(round.iter().map(|request| replay(client, request))).await?;
    }
    Ok(())
}

/// Latencies of `count` replays of the recorded `invocations` (taken in turn) at `concurrency`,
/// this process's CPU per replay, and how many replays failed. They run on a single-threaded
/// runtime of their own, as the functions do, so the CPU beside a function's is what its SDK
/// calls cost without the function around them.
pub async fn raw_run(
    invocations: Arc<Vec<Invocation>>,
    count: usize,
    concurrency: usize,
) -> Result<(Vec<Duration>, u64, u64)> {
    if invocations.iter().all(Vec::is_empty) {
        return Ok((vec![Duration::ZERO; count], 0, 0));
    }
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(raw_requests(invocations, count, concurrency))
    })
    .await?
}

async fn raw_requests(
    invocations: Arc<Vec<Invocation>>,
    count: usize,
    concurrency: usize,
) -> Result<(Vec<Duration>, u64, u64)> {
    let client = raw_client()?;
    // One replay first, so the connection exists before measuring, as in a warm function.
    replay_invocation(&client, &invocations[0]).await?;
    let cpu_before = cpu_ns("self");
    let (times, failures) = pool(count, concurrency, async |i| {
        let started = Instant::now();
        replay_invocation(&client, &invocations[i % invocations.len()]).await?;
        Ok(started.elapsed())
    })
    .await;
    let cpu = (cpu_ns("self") - cpu_before) / count as u64;
    Ok((times, cpu, failures))
}
