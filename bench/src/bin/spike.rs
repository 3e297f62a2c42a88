//! A donation spike that checks correctness: `journeys` complete donor journeys (createSession,
//! two updateSessions, processSession) at `concurrency` concurrent donors, on release builds
//! behind the loopback Runtime API and DynamoDB Local; then every DataSet is found again by
//! paging `GET /dataSets`, both by `nextToken` and by `pageNumber`: none missing, none twice.
//! Usage: `spike <functions-dir> <demo.json> [journeys] [concurrency]` (`make bench` runs it).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use lambda_bench::{
    Answer, Demo, RuntimeApi, await_polls, event, function_env, ms, percentile, session_call,
    session_hash, spawn_function, status_of,
};
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Function processes per function: Lambda would scale further; two cores would not.
const INSTANCES: usize = 16;
const STEPS: [&str; 4] = [
    "createSession",
    "updateSession (person)",
    "updateSession (payment)",
    "processSession",
];

struct Apis {
    create: RuntimeApi,
    update: RuntimeApi,
    process: RuntimeApi,
    list: RuntimeApi,
}

#[derive(Default)]
struct Outcome {
    latencies: HashMap<&'static str, Vec<Duration>>,
    datasets: Vec<String>,
    errors: Vec<String>,
}

fn success(answer: &Answer) -> Option<Value> {
    let body: Value = serde_json::from_str(answer.response["body"].as_str()?).ok()?;
    (status_of(answer) == 200 && body["status"] == "success").then_some(body)
}

/// One donor, start to end: the DataSet guid, or what went wrong.
async fn journey(
    apis: &Apis,
    form: &str,
    latencies: &mut Vec<(&'static str, Duration)>,
) -> Result<String> {
    let created = apis
        .create
        .invoke(session_call(
            "createSession",
            &format!("hash={form}&payment[amount]=25&payment[interval]=1"),
        ))
        .await?;
    latencies.push((STEPS[0], created.latency));
    let hash = session_hash(&created).context("createSession answered no session")?;
    for (step, values) in [
        (
            STEPS[1],
            "&payment[salutation]=Ms.&payment[first_name]=Erika&payment[last_name]=Mustermann&payment[email]=erika@example.org",
        ),
        (
            STEPS[2],
            "&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12&payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1",
        ),
    ] {
        let updated = apis
            .update
            .invoke(session_call(
                "updateSession",
                &format!("hash={form}&fbSessionHash={hash}{values}"),
            ))
            .await?;
        latencies.push((step, updated.latency));
        success(&updated).with_context(|| format!("{step}: {}", updated.response))?;
    }
    let processed = apis
        .process
        .invoke(session_call(
            "processSession",
            &format!("hash={form}&fbSessionHash={hash}"),
        ))
        .await?;
    latencies.push((STEPS[3], processed.latency));
    let body =
        success(&processed).with_context(|| format!("processSession: {}", processed.response))?;
    body["dataSetGuid"]
        .as_str()
        .map(str::to_owned)
        .context("no dataSetGuid")
}

async fn run(apis: Arc<Apis>, form: String, journeys: usize, concurrency: usize) -> Outcome {
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let next = Arc::new(AtomicUsize::new(0));
    let donors = (0..concurrency).map(|_| {
        let (apis, form, outcome, next) = (
            Arc::clone(&apis),
            form.clone(),
            Arc::clone(&outcome),
            Arc::clone(&next),
        );
        tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < journeys {
                let mut latencies = Vec::with_capacity(4);
                let result = journey(&apis, &form, &mut latencies).await;
                let mut o = outcome.lock().await;
                for (step, latency) in latencies {
                    o.latencies.entry(step).or_default().push(latency);
                }
                match result {
                    Ok(guid) => o.datasets.push(guid),
                    Err(err) => o.errors.push(format!("{err:#}")),
                }
            }
        })
    });
    futures::future::join_all(donors).await;
    Arc::try_unwrap(outcome)
        .map(Mutex::into_inner)
        .unwrap_or_default()
}

/// Every DataSet guid `GET /dataSets` lists, paging by `nextToken` or by `pageNumber`.
async fn listed(api: &RuntimeApi, key: &str, by_token: bool) -> Result<Vec<String>> {
    let bearer = format!("Bearer {key}");
    let auth = [("authorization", bearer.as_str())];
    let mut guids = Vec::new();
    let mut query = "pageSize=500".to_owned();
    for page in 2.. {
        let answer = api
            .invoke(event("GET", "/dataSets", Value::Null, &query, &auth, ""))
            .await?;
        if status_of(&answer) != 200 {
            bail!("GET /dataSets?{query}: {}", answer.response);
        }
        let body: Value = serde_json::from_str(answer.response["body"].as_str().unwrap_or("{}"))?;
        let list = body["list"].as_array().context("list")?;
        guids.extend(
            list.iter()
                .filter_map(|d| d["dataSetGuid"].as_str().map(str::to_owned)),
        );
        query = match (by_token, body["nextToken"].as_str()) {
            (true, Some(token)) => format!("nextToken={}", urlencode(token)),
            (false, _) if !list.is_empty() && page <= 200 => {
                format!("pageSize=500&pageNumber={page}")
            }
            _ => break,
        };
    }
    Ok(guids)
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn start(
    release: &Path,
    function: &str,
    instances: &mut Vec<tokio::process::Child>,
) -> Result<RuntimeApi> {
    let api = RuntimeApi::start().await?;
    for _ in 0..INSTANCES {
        instances.push(spawn_function(
            &release.join(function),
            &api,
            &function_env(),
        )?);
    }
    await_polls(&api, INSTANCES).await?;
    Ok(api)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: spike <functions-dir> <demo.json> [journeys] [concurrency]";
    let release = PathBuf::from(args.next().context(usage)?);
    let demo = Demo::read(&PathBuf::from(args.next().context(usage)?))?;
    let journeys: usize = args.next().map_or(Ok(5_000), |t| t.parse())?;
    let concurrency: usize = args.next().map_or(Ok(64), |c| c.parse())?;
    let mut instances = Vec::new();
    let apis = Arc::new(Apis {
        create: start(&release, "create-session", &mut instances).await?,
        update: start(&release, "update-session", &mut instances).await?,
        process: start(&release, "process-session", &mut instances).await?,
        list: start(&release, "list-datasets", &mut instances).await?,
    });
    let before: HashSet<String> = listed(&apis.list, &demo.api_key, true)
        .await?
        .into_iter()
        .collect();

    let started = Instant::now();
    let mut outcome = run(
        Arc::clone(&apis),
        demo.form_hash.clone(),
        journeys,
        concurrency,
    )
    .await;
    let elapsed = started.elapsed();
    let requests: usize = outcome.latencies.values().map(Vec::len).sum();
    println!(
        "{journeys} journeys ({requests} requests) at {concurrency} concurrent donors, {INSTANCES} instances per function: \
         {:.1} s, {:.0} journeys/s, {:.0} requests/s, {} errors",
        elapsed.as_secs_f64(),
        journeys as f64 / elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        outcome.errors.len()
    );
    println!("| step | p50 | p99 |\n|---|---|---|");
    for step in STEPS {
        let times = outcome.latencies.entry(step).or_default();
        times.sort();
        println!(
            "| {step} | {:.2} ms | {:.2} ms |",
            ms(percentile(times, 0.5)),
            ms(percentile(times, 0.99))
        );
    }
    for error in outcome.errors.iter().take(5) {
        println!("error: {error}");
    }

    let made: HashSet<&String> = outcome.datasets.iter().collect();
    let mut report = json!({"made": outcome.datasets.len(), "distinct": made.len()});
    let mut ok = outcome.errors.is_empty() && made.len() == journeys;
    for (name, by_token) in [("nextToken", true), ("pageNumber", false)] {
        let all = listed(&apis.list, &demo.api_key, by_token).await?;
        let distinct: HashSet<&String> = all.iter().collect();
        let new: Vec<&String> = all.iter().filter(|g| !before.contains(*g)).collect();
        let missing = made.iter().filter(|g| !distinct.contains(**g)).count();
        let duplicates = all.len() - distinct.len();
        report[name] = json!({"listed": all.len(), "new": new.len(), "missing": missing, "duplicates": duplicates});
        ok &= missing == 0 && duplicates == 0 && new.len() == journeys;
    }
    for mut instance in instances {
        instance.kill().await.ok();
    }
    println!("DataSets after the spike: {report}");
    if !ok {
        bail!("the spike lost, doubled or failed donations: {report}");
    }
    println!("every donation is listed exactly once, by nextToken and by pageNumber");
    Ok(())
}
