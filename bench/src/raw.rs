//! The raw DynamoDB requests measured beside the functions: the same SDK, the same settings
//! and, like the functions, a single-threaded runtime, without the function around them.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{Credentials, Region};
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use tokio::sync::Mutex;

use crate::cpu_ns;

/// A client for the raw DynamoDB requests measured beside the functions: the functions' own
/// SDK settings (HTTPS client, timeouts, retries) against DynamoDB Local.
pub fn raw_client() -> Result<Client> {
    std::env::var(shared::config::DYNAMODB_ENDPOINT).context("DYNAMODB_ENDPOINT")?;
    Ok(Client::from_conf(
        shared::config::dynamodb_config()
            .region(Region::new("eu-central-1"))
            .credentials_provider(Credentials::new("local", "local", None, None, "bench"))
            .build(),
    ))
}

/// The raw DynamoDB requests an endpoint makes, issued by this process with the SDK.
#[derive(Clone, Copy)]
pub enum Raw {
    /// createSession, POST /dataSet: one PutItem.
    Put(&'static str),
    /// updateSession: a consistent GetItem, then an UpdateItem.
    GetUpdate,
    /// processSession: GetItem, the claim's UpdateItem, the commit's 10-item transaction.
    Process,
    /// GET /dataSet/{guid}: a consistent GetItem.
    Get,
    /// Answered from caches: no DynamoDB request.
    None,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// One raw request set of `raw`, keyed by `i`.
async fn raw_once(client: &Client, raw: Raw, i: usize, tag: &str) -> Result<()> {
    let sessions = std::env::var("SESSIONS_TABLE")?;
    let key = format!("raw{tag}{i:07}");
    let values = AttributeValue::M(HashMap::from([
        ("first_name".to_owned(), s("Erika")),
        ("amount".to_owned(), s("25")),
        ("interval".to_owned(), s("1")),
    ]));
    match raw {
        Raw::None => {}
        Raw::Put(table) => {
            let table = std::env::var(table)?;
            let key_name = if table == sessions {
                "id"
            } else {
                "dataSetGuid"
            };
            client
                .put_item()
                .table_name(table)
                .item(key_name, s(&key))
                .item("values", values)
                .item("jsonElement", s(&"x".repeat(600)))
                .condition_expression(format!("attribute_not_exists({key_name})"))
                .send()
                .await?;
        }
        Raw::Get => {
            let table = std::env::var("DATASETS_TABLE")?;
            client
                .get_item()
                .table_name(table)
                .key("dataSetGuid", s(&key))
                .consistent_read(true)
                .send()
                .await?;
        }
        Raw::GetUpdate | Raw::Process => {
            client
                .get_item()
                .table_name(&sessions)
                .key("id", s(&key))
                .consistent_read(true)
                .send()
                .await?;
            client
                .update_item()
                .table_name(&sessions)
                .key("id", s(&key))
                .update_expression("SET #v = :v, #n = :n")
                .expression_attribute_names("#v", "values")
                .expression_attribute_names("#n", "version")
                .expression_attribute_values(":v", values.clone())
                .expression_attribute_values(":n", AttributeValue::N("1".into()))
                .send()
                .await?;
            if matches!(raw, Raw::Process) {
                let items = (0..10)
                    .map(|n| {
                        let put = Put::builder()
                            .table_name(&sessions)
                            .item("id", s(&format!("{key}-{n}")))
                            .item("values", values.clone())
                            .condition_expression("attribute_not_exists(id)")
                            .build()?;
                        Ok(TransactWriteItem::builder().put(put).build())
                    })
                    .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()?;
                client
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await?;
            }
        }
    }
    Ok(())
}

/// Latencies of `count` raw request sets at `concurrency`, and this process's CPU per set.
/// They run on a single-threaded runtime of their own, as the functions do, so the CPU beside
/// a function's is what the same SDK calls cost without the function around them.
pub async fn raw_run(
    raw: Raw,
    count: usize,
    concurrency: usize,
    tag: &str,
) -> Result<(Vec<Duration>, u64)> {
    if matches!(raw, Raw::None) {
        return Ok((vec![Duration::ZERO; count], 0));
    }
    let tag = tag.to_owned();
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(raw_requests(raw, count, concurrency, tag))
    })
    .await?
}

async fn raw_requests(
    raw: Raw,
    count: usize,
    concurrency: usize,
    tag: String,
) -> Result<(Vec<Duration>, u64)> {
    let client = raw_client()?;
    // One request first, so the connection exists before measuring, as in a warm function.
    raw_once(&client, raw, count, &tag).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let times = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let cpu_before = cpu_ns("self");
    let workers = (0..concurrency).map(|_| {
        let (client, next, times, tag) = (
            client.clone(),
            Arc::clone(&next),
            Arc::clone(&times),
            tag.clone(),
        );
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let started = Instant::now();
                if raw_once(&client, raw, i, &tag).await.is_ok() {
                    times.lock().await.push(started.elapsed());
                }
            }
        })
    });
    futures::future::join_all(workers).await;
    let cpu = (cpu_ns("self") - cpu_before) / count as u64;
    let mut times = times.lock().await.clone();
    times.sort();
    Ok((times, cpu))
}
