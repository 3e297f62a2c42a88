//! Cold starts of every release binary, as Lambda starts them: the process is started with the
//! runtime's environment against a loopback Runtime API; init is exec → first
//! `GET /runtime/invocation/next`, then one invocation, then peak RSS.
//! Usage: `coldstart <functions-dir> <demo.json> [runs] [function]` (`make bench` runs it for
//! every function; name one to start only that one).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use lambda_bench::invocations::{
    FUNCTIONS, Records, TAKE_A_SESSION, complete_sessions, invocation,
};
use lambda_bench::{
    Demo, RuntimeApi, await_polls, function_env, ms, peak_rss, percentile, spawn_function,
    status_of,
};

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

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let release = PathBuf::from(
        args.next()
            .context("usage: coldstart <functions-dir> <demo.json> [runs] [function]")?,
    );
    let demo = Demo::read(&PathBuf::from(args.next().context("demo.json")?))?;
    let runs: usize = args.next().map_or(Ok(10), |r| r.parse())?;
    let only = args.next();
    let records = Records::make(&release, &demo).await?;
    let mut sessions = complete_sessions(&release, &demo, runs * TAKE_A_SESSION.len())
        .await?
        .into_iter();

    println!(
        "| function | binary | init (exec → first poll) | first invocation | peak RSS | status |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, _) in FUNCTIONS
        .into_iter()
        .filter(|(name, _)| only.as_deref().is_none_or(|only| only == *name))
    {
        let binary = release.join(name);
        let size = std::fs::metadata(&binary)
            .with_context(|| format!("{} (`make bench` builds it)", binary.display()))?
            .len();
        let mut results = Vec::new();
        for _ in 0..runs {
            let session = if TAKE_A_SESSION.contains(&name) {
                sessions.next().unwrap_or_default()
            } else {
                String::new()
            };
            results.push(cold_start(&binary, invocation(name, &demo, &records, &session)).await?);
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
