//! CPU and latency per request that hold on any machine, for every function: its own CPU time
//! per warm invocation (user + system, summed over the process's threads from
//! `/proc/<pid>/task/*/schedstat`) beside the CPU the same DynamoDB requests cost when this
//! process replays them with the SDK; and p50/p99 at concurrency 1 and 4 minus those of the
//! replays, in the same run. The requests replayed are the function's own, recorded through
//! the metering proxy on warm invocations. Release builds behind the loopback Runtime API,
//! DynamoDB Local.
//! Usage: `perf <functions-dir> <demo.json> [invocations] [function]` (`make bench` runs it for
//! every function; name one to measure only that one).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lambda_bench::invocations::{FUNCTIONS, Records, complete_sessions, invocation};
use lambda_bench::meter::Meter;
use lambda_bench::raw::{Invocation, raw_run};
use lambda_bench::replay::rounds;
use lambda_bench::{
    Demo, RuntimeApi, await_polls, cpu_ns, function_env, ms, percentile, pool, spawn_function,
    status_of,
};

/// Warm-up invocations per process before anything is measured or recorded.
const WARM: usize = 20;
/// Warm invocations whose DynamoDB requests are recorded and replayed in turn.
const RECORDED: usize = 20;

/// `count` invocations of `function`: a complete session of its own for each processSession,
/// one session updated again and again by updateSession.
async fn events(
    function: &str,
    demo: &Demo,
    records: &Records,
    release: &Path,
    count: usize,
) -> Result<Vec<String>> {
    let sessions = match function {
        "process-session" => complete_sessions(release, demo, count).await?,
        "update-session" => vec![complete_sessions(release, demo, 1).await?.remove(0); count],
        _ => vec![String::new(); count],
    };
    Ok(sessions
        .iter()
        .map(|session| invocation(function, demo, records, session))
        .collect())
}

/// The DynamoDB requests of `RECORDED` warm invocations, made through the metering proxy.
async fn record(
    release: &Path,
    function: &str,
    events: &[String],
    meter: &Meter,
) -> Result<Vec<Invocation>> {
    let api = RuntimeApi::start().await?;
    let mut child = spawn_function(&release.join(function), &api, &meter.function_env())?;
    let (warm, recorded) = events.split_at(WARM);
    for event in warm {
        api.invoke(event.clone()).await?;
    }
    meter.record(true);
    let mut invocations = Vec::new();
    for event in recorded {
        api.invoke(event.clone()).await?;
        invocations.push(meter.recorded());
    }
    meter.record(false);
    child.kill().await.ok();
    Ok(invocations)
}

/// Invokes `events` at `concurrency` through as many processes, after `WARM` invocations per
/// process: latencies, the processes' CPU per measured invocation, and failures.
async fn run(
    release: &Path,
    function: &str,
    events: Vec<String>,
    concurrency: usize,
) -> Result<(Vec<Duration>, u64, u64)> {
    let api = RuntimeApi::start().await?;
    let mut children = Vec::new();
    for _ in 0..concurrency {
        children.push(spawn_function(
            &release.join(function),
            &api,
            &function_env(),
        )?);
    }
    await_polls(&api, concurrency).await?;
    let pids: Vec<String> = children
        .iter()
        .filter_map(|c| c.id())
        .map(|p| p.to_string())
        .collect();
    let (warm, measured) = events.split_at(concurrency * WARM);
    for event in warm {
        api.invoke(event.clone()).await?;
    }
    let cpu_before: u64 = pids.iter().map(|p| cpu_ns(p)).sum();
    let (times, failures) = pool(measured.len(), concurrency, async |i| {
        let answer = api.invoke(measured[i].clone()).await?;
        match status_of(&answer) {
            500.. => bail!("{}", answer.response),
            _ => Ok(answer.latency),
        }
    })
    .await;
    let cpu =
        (pids.iter().map(|p| cpu_ns(p)).sum::<u64>() - cpu_before) / measured.len().max(1) as u64;
    for mut child in children {
        child.kill().await.ok();
    }
    Ok((times, cpu, failures))
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: perf <functions-dir> <demo.json> [invocations] [function]";
    let release = PathBuf::from(args.next().context(usage)?);
    let demo = Demo::read(&PathBuf::from(args.next().context(usage)?))?;
    let count: usize = args.next().map_or(Ok(5_000), |c| c.parse())?;
    let only = args.next();
    let meter =
        Meter::start(std::env::var("DYNAMODB_ENDPOINT").context("DYNAMODB_ENDPOINT")?).await?;
    let records = Records::make(&release, &demo).await?;
    println!(
        "{count} warm invocations per function at c=1 (CPU per invocation over them), {} at c=4; \
         raw: the function's own DynamoDB requests ({RECORDED} warm invocations recorded), replayed in turn",
        count / 5
    );
    println!(
        "| endpoint | function | DynamoDB requests in rounds | function CPU | raw SDK CPU | CPU beyond SDK | c=1 p50 / p99 | raw c=1 p50 / p99 | overhead p50 / p99 | c=4 p50 / p99 | raw c=4 p50 / p99 | overhead p50 / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut failed = 0;
    for (function, endpoint) in FUNCTIONS
        .into_iter()
        .filter(|(function, _)| only.as_deref().is_none_or(|name| name == *function))
    {
        let probe = events(function, &demo, &records, &release, WARM + RECORDED).await?;
        let recorded = Arc::new(record(&release, function, &probe, &meter).await?);
        let per_invocation = |count: fn(&Invocation) -> usize| {
            recorded.iter().map(count).sum::<usize>() as f64 / RECORDED as f64
        };
        let (requests, rounds) = (
            per_invocation(Vec::len),
            per_invocation(|i| rounds(i).len()),
        );
        let mut row = format!("| {endpoint} | {function} | {requests:.1} in {rounds:.1} ");
        // Latency at c=4 needs fewer samples than CPU per invocation.
        for (concurrency, count) in [(1, count), (4, count / 5)] {
            let batch = events(
                function,
                &demo,
                &records,
                &release,
                count + concurrency * WARM,
            )
            .await?;
            let (times, function_cpu, failures) =
                run(&release, function, batch, concurrency).await?;
            let (raw, raw_cpu, raw_failures) =
                raw_run(Arc::clone(&recorded), count, concurrency).await?;
            failed += failures + raw_failures;
            if concurrency == 1 {
                row += &format!(
                    "| {:.0} µs | {:.0} µs | {:.0} µs ",
                    us(function_cpu),
                    us(raw_cpu),
                    us(function_cpu.saturating_sub(raw_cpu))
                );
            }
            let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
            let (r50, r99) = (percentile(&raw, 0.5), percentile(&raw, 0.99));
            row += &format!(
                "| {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms ",
                ms(p50),
                ms(p99),
                ms(r50),
                ms(r99),
                ms(p50) - ms(r50),
                ms(p99) - ms(r99)
            );
        }
        println!("{row}|");
    }
    if failed > 0 {
        bail!("{failed} invocations or replays failed");
    }
    Ok(())
}
