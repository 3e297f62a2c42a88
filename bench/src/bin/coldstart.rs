//! Cold starts of every release binary, as Lambda starts them: the process is started with the
//! runtime's environment against a loopback Runtime API; init is exec → first
//! `GET /runtime/invocation/next`, then one invocation, then peak RSS.
//! Usage: `coldstart <release-dir> <demo.json> [runs]` (`make bench` runs it).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use lambda_bench::{
    COMPLETE, Demo, RuntimeApi, await_polls, event, function_env, ms, peak_rss, percentile,
    session_call, session_hash, spawn_function, status_of,
};
use serde_json::json;

struct Run {
    init: Duration,
    first: Duration,
    rss: u64,
    status: u64,
}

async fn cold_start(binary: &std::path::Path, invocation: String) -> Result<Run> {
    let api = RuntimeApi::start().await?;
    let started = Instant::now();
    let mut child = spawn_function(binary, &api, &function_env())?;
    let polls = await_polls(&api, 1).await?;
    let init = polls[0].duration_since(started);
    let answer = api.invoke(invocation).await?;
    let rss = child.id().and_then(peak_rss).unwrap_or(0);
    child.kill().await.ok();
    Ok(Run {
        init,
        first: answer.latency,
        rss,
        status: status_of(&answer),
    })
}

/// Complete sessions to process, made by a warm session-api process.
async fn complete_sessions(
    release: &std::path::Path,
    demo: &Demo,
    count: usize,
) -> Result<Vec<String>> {
    let api = RuntimeApi::start().await?;
    let mut child = spawn_function(&release.join("session-api"), &api, &function_env())?;
    let mut hashes = Vec::new();
    for _ in 0..count {
        let answer = api
            .invoke(session_call(
                "createSession",
                &format!("hash={}{COMPLETE}", demo.form_hash),
            ))
            .await?;
        hashes.push(session_hash(&answer).context("a session hash")?);
    }
    child.kill().await.ok();
    Ok(hashes)
}

const FUNCTIONS: [&str; 7] = [
    "session-api",
    "process-session",
    "hosted-form",
    "dataset-api",
    "list-datasets",
    "forms-api",
    "visit-sessions",
];

/// A representative first request for each function.
fn invocation(name: &str, demo: &Demo, session: &str) -> String {
    let form = demo.form_hash.as_str();
    let bearer = format!("Bearer {}", demo.api_key);
    let auth = [("authorization", bearer.as_str())];
    match name {
        "session-api" => session_call(
            "createSession",
            &format!("hash={form}&payment[first_name]=Max&payment[amount]=20"),
        ),
        "process-session" => session_call(
            "processSession",
            &format!("hash={form}&fbSessionHash={session}"),
        ),
        "hosted-form" => event(
            "GET",
            &format!("/form/{form}"),
            json!({"formHash": form}),
            "",
            &[],
            "",
        ),
        "dataset-api" => event(
            "POST",
            "/dataSet",
            json!(null),
            "",
            &[
                ("authorization", bearer.as_str()),
                ("content-type", "application/json"),
            ],
            r#"{"vendor":"bench","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10"}}}"#,
        ),
        "list-datasets" => event("GET", "/dataSets", json!(null), "pageSize=50", &auth, ""),
        "forms-api" => event(
            "GET",
            &format!("/forms/{form}"),
            json!({"formHash": form}),
            "",
            &auth,
            "",
        ),
        _ => event("PUT", "/sessions/new", json!(null), "", &auth, ""),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let release = PathBuf::from(
        args.next()
            .context("usage: coldstart <release-dir> <demo.json> [runs]")?,
    );
    let demo = Demo::read(&PathBuf::from(args.next().context("demo.json")?))?;
    let runs: usize = args.next().map_or(Ok(10), |r| r.parse())?;
    let mut to_process = complete_sessions(&release, &demo, runs).await?.into_iter();

    println!(
        "| function | binary | init (exec → first poll) | first invocation | peak RSS | status |"
    );
    println!("|---|---|---|---|---|---|");
    for name in FUNCTIONS {
        let binary = release.join(name);
        let size = std::fs::metadata(&binary)
            .with_context(|| format!("{} (build with cargo build --release)", binary.display()))?
            .len();
        let mut results = Vec::new();
        for _ in 0..runs {
            let session = if name == "process-session" {
                to_process.next().unwrap_or_default()
            } else {
                String::new()
            };
            results.push(cold_start(&binary, invocation(name, &demo, &session)).await?);
        }
        let mut init: Vec<Duration> = results.iter().map(|r| r.init).collect();
        let mut first: Vec<Duration> = results.iter().map(|r| r.first).collect();
        init.sort();
        first.sort();
        let rss = results.iter().map(|r| r.rss).max().unwrap_or(0);
        let statuses: Vec<u64> = results.iter().map(|r| r.status).collect();
        println!(
            "| {name} | {:.2} MB | {:.1} ms | {:.1} ms | {:.1} MB | {:?} |",
            size as f64 / 1e6,
            ms(percentile(&init, 0.5)),
            ms(percentile(&first, 0.5)),
            rss as f64 / 1e6,
            statuses.first().copied().unwrap_or(0),
        );
    }
    println!("\nmedians of {runs} cold starts each; peak RSS is the highest VmHWM seen");
    Ok(())
}
