//! Load on release builds: `total` requests (createSession, then updateSession with its hash)
//! at `concurrency`, against as many create-session and update-session processes (Lambda instances) behind a
//! loopback Runtime API and DynamoDB Local; in the same run, raw DynamoDB requests of the same
//! shape for comparison.
//! Usage: `load <functions-dir> <demo.json> [total] [concurrency]` (`make bench` runs it).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_bench::raw::raw_client;
use lambda_bench::{
    Demo, RuntimeApi, await_polls, function_env, ms, percentile, session_call, session_hash,
    spawn_function, status_of,
};
use tokio::sync::Mutex;

const UPDATE: &str = "&payment[salutation]=Ms.&payment[last_name]=Mustermann\
    &payment[email]=erika@example.org&payment[payment_method]=paypal&payment[interval]=1";

#[derive(Default)]
struct Timings {
    create: Vec<Duration>,
    update: Vec<Duration>,
    errors: usize,
}

fn ok(answer: &lambda_bench::Answer) -> bool {
    status_of(answer) == 200
        && answer.response["body"]
            .as_str()
            .is_some_and(|b| b.starts_with(r#"{"status":"success""#))
}

/// The two functions under load, each behind its own Runtime API, as Lambda runs them.
struct Apis {
    create: RuntimeApi,
    update: RuntimeApi,
}

async fn run_load(apis: Arc<Apis>, form: String, pairs: usize, concurrency: usize) -> Timings {
    let timings = Arc::new(Mutex::new(Timings::default()));
    let next = Arc::new(AtomicUsize::new(0));
    let workers = (0..concurrency).map(|_| {
        let (apis, form, timings, next) = (
            Arc::clone(&apis),
            form.clone(),
            Arc::clone(&timings),
            Arc::clone(&next),
        );
        tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < pairs {
                let create = session_call(
                    "createSession",
                    &format!("hash={form}&payment[first_name]=Erika&payment[amount]=25"),
                );
                let created = apis.create.invoke(create).await;
                let Some(hash) = created
                    .as_ref()
                    .ok()
                    .filter(|a| ok(a))
                    .and_then(session_hash)
                else {
                    timings.lock().await.errors += 2;
                    continue;
                };
                let update = session_call(
                    "updateSession",
                    &format!("hash={form}&fbSessionHash={hash}{UPDATE}"),
                );
                let updated = apis.update.invoke(update).await;
                let mut t = timings.lock().await;
                if let Ok(created) = &created {
                    t.create.push(created.latency);
                }
                match updated {
                    Ok(answer) if ok(&answer) => t.update.push(answer.latency),
                    _ => t.errors += 1,
                }
            }
        })
    });
    futures::future::join_all(workers).await;
    Arc::try_unwrap(timings)
        .map(Mutex::into_inner)
        .unwrap_or_default()
}

/// The same DynamoDB requests without the function around them, at the same concurrency.
async fn raw_dynamodb(count: usize, concurrency: usize) -> Result<HashMap<&'static str, Duration>> {
    let table = std::env::var("SESSIONS_TABLE").context("SESSIONS_TABLE")?;
    let client = raw_client()?;
    let ids: Vec<String> = (0..count)
        .map(|i| format!("rawbench{i:06}{}", uuid::Uuid::new_v4().simple()))
        .collect();
    let mut results = HashMap::new();
    for operation in ["PutItem", "GetItem", "UpdateItem"] {
        let next = Arc::new(AtomicUsize::new(0));
        let times = Arc::new(Mutex::new(Vec::with_capacity(count)));
        let ids = Arc::new(ids.clone());
        let workers = (0..concurrency).map(|_| {
            let (client, table, next, times, ids) = (
                client.clone(),
                table.clone(),
                Arc::clone(&next),
                Arc::clone(&times),
                Arc::clone(&ids),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else { break };
                    let key = AttributeValue::S(id.clone());
                    let started = Instant::now();
                    let result = match operation {
                        "PutItem" => client
                            .put_item()
                            .table_name(&table)
                            .item("id", key)
                            .item("kind", AttributeValue::S("bench".into()))
                            .item(
                                "values",
                                AttributeValue::M(HashMap::from([(
                                    "first_name".to_owned(),
                                    AttributeValue::S("Erika".into()),
                                )])),
                            )
                            .condition_expression("attribute_not_exists(id)")
                            .send()
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        "GetItem" => client
                            .get_item()
                            .table_name(&table)
                            .key("id", key)
                            .consistent_read(true)
                            .send()
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                        _ => client
                            .update_item()
                            .table_name(&table)
                            .key("id", key)
                            .update_expression("SET #v.#n = :v")
                            .condition_expression("attribute_exists(id)")
                            .expression_attribute_names("#v", "values")
                            .expression_attribute_names("#n", "last_name")
                            .expression_attribute_values(
                                ":v",
                                AttributeValue::S("Mustermann".into()),
                            )
                            .send()
                            .await
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    };
                    if result.is_ok() {
                        times.lock().await.push(started.elapsed());
                    }
                }
            })
        });
        futures::future::join_all(workers).await;
        let mut times = times.lock().await.clone();
        times.sort();
        results.insert(operation, percentile(&times, 0.5));
    }
    Ok(results)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: load <functions-dir> <demo.json> [total] [concurrency]";
    let release = PathBuf::from(args.next().context(usage)?);
    let demo = Demo::read(&PathBuf::from(args.next().context(usage)?))?;
    let total: usize = args.next().map_or(Ok(10_000), |t| t.parse())?;
    let concurrency: usize = args.next().map_or(Ok(32), |c| c.parse())?;

    let apis = Arc::new(Apis {
        create: RuntimeApi::start().await?,
        update: RuntimeApi::start().await?,
    });
    let mut instances = Vec::new();
    for (function, api) in [
        ("create-session", &apis.create),
        ("update-session", &apis.update),
    ] {
        for _ in 0..concurrency {
            instances.push(spawn_function(
                &release.join(function),
                api,
                &function_env(),
            )?);
        }
        await_polls(api, concurrency).await?;
    }
    // Warm every instance's form cache, as a spike finds warm instances after the first second.
    run_load(
        Arc::clone(&apis),
        demo.form_hash.clone(),
        concurrency * 2,
        concurrency,
    )
    .await;

    let started = Instant::now();
    let mut t = run_load(
        Arc::clone(&apis),
        demo.form_hash.clone(),
        total / 2,
        concurrency,
    )
    .await;
    let elapsed = started.elapsed();
    t.create.sort();
    t.update.sort();
    let raw = raw_dynamodb(2_000, concurrency).await?;
    for mut instance in instances {
        instance.kill().await.ok();
    }

    let requests = t.create.len() + t.update.len();
    println!(
        "{requests} requests ({} createSession + {} updateSession) at concurrency {concurrency} in {:.1} s: {:.0} requests/s, {} errors",
        t.create.len(),
        t.update.len(),
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        t.errors
    );
    let mut all: Vec<Duration> = t.create.iter().chain(&t.update).copied().collect();
    all.sort();
    println!("| operation | p50 | p99 |");
    println!("|---|---|---|");
    for (name, times) in [
        ("createSession", &t.create),
        ("updateSession", &t.update),
        ("all", &all),
    ] {
        println!(
            "| {name} | {:.2} ms | {:.2} ms |",
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.99))
        );
    }
    let (put, get, update) = (raw["PutItem"], raw["GetItem"], raw["UpdateItem"]);
    println!(
        "\nraw DynamoDB Local p50 at the same concurrency: PutItem {:.2} ms, GetItem {:.2} ms, UpdateItem {:.2} ms",
        ms(put),
        ms(get),
        ms(update)
    );
    let create_ratio = ms(percentile(&t.create, 0.5)) / ms(put);
    let update_ratio = ms(percentile(&t.update, 0.5)) / (ms(get) + ms(update));
    println!("createSession p50 / PutItem p50 = {create_ratio:.2} (budget 1.3)");
    println!("updateSession p50 / (GetItem + UpdateItem) p50 = {update_ratio:.2} (budget 1.3)");
    Ok(())
}
