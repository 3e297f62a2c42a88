//! CPU and latency per request that hold on any machine: each endpoint's own CPU time per warm
//! invocation (user + system, summed over the function process's threads from
//! `/proc/<pid>/task/*/schedstat`) beside the CPU the raw SDK calls of the same requests cost
//! in this process; and p50/p99 at concurrency 1 and 4 minus those of the raw requests, in the
//! same run. Release builds behind the loopback Runtime API, DynamoDB Local.
//! Usage: `perf <functions-dir> <demo.json> [invocations] [function]` (`make bench` runs it for
//! every endpoint; name one function to measure only that one).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lambda_bench::raw::{Raw, raw_run};
use lambda_bench::{
    COMPLETE, Demo, RuntimeApi, await_polls, cpu_ns, event, function_env, ms, percentile,
    session_call, session_hash, spawn_function, status_of,
};
use serde_json::{Value, json};
use tokio::sync::Mutex;

struct Case {
    name: &'static str,
    function: &'static str,
    raw: Raw,
}

const CASES: [Case; 6] = [
    Case {
        name: "createSession",
        function: "create-session",
        raw: Raw::Put("SESSIONS_TABLE"),
    },
    Case {
        name: "updateSession",
        function: "update-session",
        raw: Raw::GetUpdate,
    },
    Case {
        name: "processSession",
        function: "process-session",
        raw: Raw::Process,
    },
    Case {
        name: "GET /form/{formHash}",
        function: "get-form-page",
        raw: Raw::None,
    },
    Case {
        name: "POST /dataSet",
        function: "post-dataset",
        raw: Raw::Put("DATASETS_TABLE"),
    },
    Case {
        name: "GET /dataSet/{guid}",
        function: "get-dataset",
        raw: Raw::Get,
    },
];

/// The events of `count` invocations of `case`: sessions made first where each needs its own.
async fn events(case: &Case, demo: &Demo, count: usize, release: &Path) -> Result<Vec<String>> {
    let form = demo.form_hash.as_str();
    let bearer = format!("Bearer {}", demo.api_key);
    let json_auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let one = |event: String| vec![event; count];
    Ok(match case.function {
        "create-session" => one(session_call(
            "createSession",
            &format!("hash={form}&payment[first_name]=Erika&payment[amount]=25"),
        )),
        "update-session" | "process-session" => {
            let hashes = sessions(
                release,
                demo,
                if case.function == "update-session" {
                    1
                } else {
                    count
                },
            )
            .await?;
            (0..count)
                .map(|i| match case.function {
                    "update-session" => session_call(
                        "updateSession",
                        &format!(
                            "hash={form}&fbSessionHash={}&payment[last_name]=Muster",
                            hashes[0]
                        ),
                    ),
                    _ => session_call(
                        "processSession",
                        &format!("hash={form}&fbSessionHash={}", hashes[i]),
                    ),
                })
                .collect()
        }
        "get-form-page" => one(event(
            "GET",
            &format!("/form/{form}"),
            json!({"formHash": form}),
            "",
            &[],
            "",
        )),
        "post-dataset" => one(event(
            "POST",
            "/dataSet",
            Value::Null,
            "",
            &json_auth,
            r#"{"vendor":"bench","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10","first_name":"Erika"}}}"#,
        )),
        _ => {
            let guid = "a863d62e-d53b-4651-9b7b-0123456789ab";
            one(event(
                "GET",
                &format!("/dataSet/{guid}"),
                json!({"guid": guid}),
                "",
                &[("authorization", bearer.as_str())],
                "",
            ))
        }
    })
}

/// `count` complete sessions, made through create-session.
async fn sessions(release: &Path, demo: &Demo, count: usize) -> Result<Vec<String>> {
    let api = RuntimeApi::start().await?;
    let mut children = Vec::new();
    for _ in 0..4 {
        children.push(spawn_function(
            &release.join("create-session"),
            &api,
            &function_env(),
        )?);
    }
    await_polls(&api, 4).await?;
    let api = Arc::new(api);
    let body = format!("hash={}{COMPLETE}", demo.form_hash);
    let made = futures::future::join_all((0..count).map(|_| {
        let (api, body) = (Arc::clone(&api), body.clone());
        async move { api.invoke(session_call("createSession", &body)).await }
    }))
    .await;
    for mut child in children {
        child.kill().await.ok();
    }
    made.into_iter()
        .map(|answer| session_hash(&answer?).context("a session"))
        .collect()
}

/// Invokes `events` at `concurrency` through `instances` processes: latencies, and the
/// processes' CPU per invocation.
async fn run(
    release: &Path,
    function: &str,
    events: Vec<String>,
    concurrency: usize,
) -> Result<(Vec<Duration>, u64, u64)> {
    let api = Arc::new(RuntimeApi::start().await?);
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
    // Warm every instance (caches, connections) before measuring.
    for event in events.iter().take(concurrency * 20) {
        api.invoke(event.clone()).await?;
    }
    let cpu_before: u64 = pids.iter().map(|p| cpu_ns(p)).sum();
    let count = events.len();
    let events = Arc::new(events);
    let next = Arc::new(AtomicUsize::new(concurrency * 20));
    let times = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let failures = Arc::new(AtomicUsize::new(0));
    let workers = (0..concurrency).map(|_| {
        let (api, events, next, times, failures) = (
            Arc::clone(&api),
            Arc::clone(&events),
            Arc::clone(&next),
            Arc::clone(&times),
            Arc::clone(&failures),
        );
        tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(event) = events.get(i) else { break };
                match api.invoke(event.clone()).await {
                    Ok(answer) if status_of(&answer) < 500 => {
                        times.lock().await.push(answer.latency)
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        })
    });
    futures::future::join_all(workers).await;
    let measured = (count - concurrency * 20).max(1) as u64;
    let cpu = (pids.iter().map(|p| cpu_ns(p)).sum::<u64>() - cpu_before) / measured;
    for mut child in children {
        child.kill().await.ok();
    }
    let mut times = times.lock().await.clone();
    times.sort();
    Ok((times, cpu, failures.load(Ordering::Relaxed) as u64))
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
    println!(
        "{count} warm invocations per endpoint and concurrency; CPU per invocation over the c=1 run"
    );
    println!(
        "| endpoint | function CPU | raw SDK CPU | CPU beyond SDK | c=1 p50 / p99 | raw c=1 p50 / p99 | overhead p50 / p99 | c=4 p50 / p99 | raw c=4 p50 / p99 | overhead p50 / p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut failed = 0;
    for case in CASES
        .iter()
        .filter(|case| only.as_deref().is_none_or(|name| name == case.function))
    {
        let mut row = format!("| {} ", case.name);
        for concurrency in [1, 4] {
            let warm = concurrency * 20;
            let batch = events(case, &demo, count + warm, &release).await?;
            let (times, function_cpu, failures) =
                run(&release, case.function, batch, concurrency).await?;
            failed += failures;
            let tag = format!(
                "{}{concurrency}{}",
                case.function,
                uuid::Uuid::new_v4().simple()
            );
            let (raw, raw_cpu) = raw_run(case.raw, count, concurrency, &tag).await?;
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
        bail!("{failed} invocations failed");
    }
    Ok(())
}
