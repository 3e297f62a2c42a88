//! Cost per 1,000 donations, computed: `donations` complete donor journeys through the release
//! functions (the Session-API journey: createSession, two updateSessions, processSession; and
//! the hosted form's: GET, then POST that processes), with DynamoDB capacity metered by a proxy
//! that asks every request for `ReturnConsumedCapacity`, Lambda durations as measured here and
//! billed per started millisecond at 128 MB, API Gateway requests, and the bytes the functions
//! log. Priced at the eu-central-1 list prices below.
//! Usage: `cost <functions-dir> <demo.json> [donations]` (`make bench` runs it).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use lambda_bench::invocations::HOSTED_DONATION;
use lambda_bench::meter::Meter;
use lambda_bench::{
    Answer, Demo, RuntimeApi, await_polls, event, session_call, session_hash, spawn_logged,
    status_of,
};
use serde_json::{Value, json};

/// eu-central-1 list prices in USD, as recorded on 2026-12-01 (this sandbox cannot reach the
/// pricing pages: check them before relying on the total).
mod price {
    /// DynamoDB on-demand, per million write / read request units.
    pub const WRITE_UNITS: f64 = 0.7625;
    pub const READ_UNITS: f64 = 0.1525;
    /// Lambda on arm64 (Graviton), per GB-second, and per million requests.
    pub const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
    pub const LAMBDA_REQUESTS: f64 = 0.20;
    /// API Gateway HTTP API, per million requests (the first 300 million a month).
    pub const HTTP_API_REQUESTS: f64 = 1.20;
    /// CloudWatch Logs ingestion, per GB.
    pub const LOG_GB: f64 = 0.63;
}
/// The memory the functions would run with: they peak below 9 MB.
const MEMORY_GB: f64 = 128.0 / 1024.0;
/// Lambda's own START, END and REPORT lines per invocation (estimated; not ours to shorten).
const PLATFORM_LOG_BYTES: u64 = 250;

#[derive(Default)]
struct Bill {
    invocations: u64,
    billed_ms: u64,
}

impl Bill {
    fn add(&mut self, answer: &Answer) {
        self.invocations += 1;
        self.billed_ms += (answer.latency.as_secs_f64() * 1000.0).ceil() as u64;
    }
}

struct Function {
    api: RuntimeApi,
}

async fn start(
    release: &Path,
    name: &str,
    env: &[(String, String)],
    logged: &Arc<AtomicU64>,
    children: &mut Vec<tokio::process::Child>,
) -> Result<Function> {
    let api = RuntimeApi::start().await?;
    for _ in 0..2 {
        children.push(spawn_logged(
            &release.join(name),
            &api,
            env,
            Arc::clone(logged),
        )?);
    }
    await_polls(&api, 2).await?;
    Ok(Function { api })
}

fn ok(answer: &Answer) -> Result<Value> {
    let body: Value = serde_json::from_str(answer.response["body"].as_str().unwrap_or("{}"))
        .unwrap_or(Value::Null);
    if status_of(answer) != 200 || body["status"] != "success" {
        bail!("{}", answer.response);
    }
    Ok(body)
}

const PERSON: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika&payment[last_name]=Mustermann&payment[email]=erika@example.org";
const SEPA: &str = "&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12&payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1";

/// The Session-API journey of one monthly SEPA donation.
async fn api_journey(f: &[Function; 3], form: &str, bill: &mut Bill) -> Result<()> {
    let created = f[0]
        .api
        .invoke(session_call(
            "createSession",
            &format!("hash={form}&payment[amount]=25&payment[interval]=1"),
        ))
        .await?;
    bill.add(&created);
    let hash = session_hash(&created).context("no session")?;
    for values in [PERSON, SEPA] {
        let updated = f[1]
            .api
            .invoke(session_call(
                "updateSession",
                &format!("hash={form}&fbSessionHash={hash}{values}"),
            ))
            .await?;
        bill.add(&updated);
        ok(&updated)?;
    }
    let processed = f[2]
        .api
        .invoke(session_call(
            "processSession",
            &format!("hash={form}&fbSessionHash={hash}"),
        ))
        .await?;
    bill.add(&processed);
    ok(&processed).map(|_| ())
}

/// The hosted form's journey: the page, then one post with everything (mandate signed).
async fn hosted_journey(f: &[Function; 2], form: &str, bill: &mut Bill) -> Result<()> {
    let params = json!({"formHash": form});
    let page = f[0]
        .api
        .invoke(event(
            "GET",
            &format!("/form/{form}"),
            params.clone(),
            "",
            &[],
            "",
        ))
        .await?;
    bill.add(&page);
    let html = page.response["body"].as_str().unwrap_or_default();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("a CSRF token in the page")?;
    let body = format!("csrf={csrf}{HOSTED_DONATION}");
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let thanks = f[1]
        .api
        .invoke(event(
            "POST",
            &format!("/form/{form}"),
            params,
            "",
            &headers,
            &body,
        ))
        .await?;
    bill.add(&thanks);
    let answered = thanks.response["body"].as_str().unwrap_or_default();
    if status_of(&thanks) != 200 || !answered.contains("id=\"reference\"") {
        bail!(
            "the hosted form did not thank: {}",
            &answered[..answered.len().min(300)]
        );
    }
    Ok(())
}

struct Costs {
    lines: Vec<(&'static str, String, f64)>,
}

fn priced(n: f64, reads: f64, writes: f64, requests: u64, bill: &Bill, logged: u64) -> Costs {
    let per = 1000.0 / n;
    let gb_seconds = bill.billed_ms as f64 / 1000.0 * MEMORY_GB * per;
    let invocations = bill.invocations as f64 * per;
    let log_bytes = (logged + PLATFORM_LOG_BYTES * bill.invocations) as f64 * per;
    Costs {
        lines: vec![
            (
                "DynamoDB writes",
                format!(
                    "{:.0} write units ({:.1} per donation)",
                    writes * per,
                    writes / n
                ),
                writes * per * price::WRITE_UNITS / 1e6,
            ),
            (
                "DynamoDB reads",
                format!(
                    "{:.0} read units ({} requests in all)",
                    reads * per,
                    requests as f64 * per
                ),
                reads * per * price::READ_UNITS / 1e6,
            ),
            (
                "Lambda duration",
                format!(
                    "{gb_seconds:.2} GB-s ({:.1} ms billed per invocation)",
                    bill.billed_ms as f64 / bill.invocations.max(1) as f64
                ),
                gb_seconds * price::LAMBDA_GB_SECOND,
            ),
            (
                "Lambda requests",
                format!("{invocations:.0}"),
                invocations * price::LAMBDA_REQUESTS / 1e6,
            ),
            (
                "API Gateway",
                format!("{invocations:.0} requests"),
                invocations * price::HTTP_API_REQUESTS / 1e6,
            ),
            (
                "CloudWatch Logs",
                format!("{:.2} MB", log_bytes / 1e6),
                log_bytes / 1e9 * price::LOG_GB,
            ),
        ],
    }
}

/// Runs `journeys` on a fresh bill, then prices the capacity metered and the bytes logged
/// since the last measurement (after a pause for the last log lines to arrive).
async fn priced_run(
    donations: usize,
    meter: &Meter,
    logged: &AtomicU64,
    journeys: impl AsyncFnOnce(&mut Bill) -> Result<()>,
) -> Result<Costs> {
    let mut bill = Bill::default();
    journeys(&mut bill).await?;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (reads, writes, requests) = meter.take();
    Ok(priced(
        donations as f64,
        reads,
        writes,
        requests,
        &bill,
        logged.swap(0, Ordering::Relaxed),
    ))
}

fn print(title: &str, costs: &Costs) {
    println!("\n{title}, per 1,000 donations:\n| item | quantity | USD |\n|---|---|---|");
    for (item, quantity, usd) in &costs.lines {
        println!("| {item} | {quantity} | {usd:.5} |");
    }
    let total: f64 = costs.lines.iter().map(|l| l.2).sum();
    println!("| **total** | | **{total:.4}** |");
    let (top, _, usd) = costs
        .lines
        .iter()
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .expect("lines");
    println!("{top} dominates: {:.0} % of the total", usd / total * 100.0);
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: cost <functions-dir> <demo.json> [donations]";
    let release = PathBuf::from(args.next().context(usage)?);
    let demo = Demo::read(&PathBuf::from(args.next().context(usage)?))?;
    let donations: usize = args.next().map_or(Ok(1000), |d| d.parse())?;
    let meter =
        Meter::start(std::env::var("DYNAMODB_ENDPOINT").context("DYNAMODB_ENDPOINT")?).await?;
    let mut env = meter.function_env();
    env.retain(|(name, _)| name != "RUST_LOG");
    let logged = Arc::new(AtomicU64::new(0));
    let mut children = Vec::new();
    let form = demo.form_hash.as_str();

    let api = [
        start(&release, "create-session", &env, &logged, &mut children).await?,
        start(&release, "update-session", &env, &logged, &mut children).await?,
        start(&release, "process-session", &env, &logged, &mut children).await?,
    ];
    let hosted = [
        start(&release, "get-form-page", &env, &logged, &mut children).await?,
        start(&release, "post-form-page", &env, &logged, &mut children).await?,
    ];
    // Warm instances (cold starts are priced by the cold-start table, not here).
    for _ in 0..10 {
        api_journey(&api, form, &mut Bill::default()).await?;
        hosted_journey(&hosted, form, &mut Bill::default()).await?;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    meter.take();
    logged.swap(0, Ordering::Relaxed);

    let api_costs = priced_run(donations, &meter, &logged, async |bill| {
        for _ in 0..donations {
            api_journey(&api, form, bill).await?;
        }
        Ok(())
    })
    .await?;
    let hosted_costs = priced_run(donations, &meter, &logged, async |bill| {
        for _ in 0..donations {
            hosted_journey(&hosted, form, bill).await?;
        }
        Ok(())
    })
    .await?;
    for mut child in children {
        child.kill().await.ok();
    }
    println!(
        "{donations} monthly SEPA donations each way; prices: eu-central-1 list prices recorded 2026-12-01"
    );
    print(
        "Session-API journey (create, 2 updates, process: 4 requests)",
        &api_costs,
    );
    print(
        "Hosted form journey (GET the form, POST it: 2 requests)",
        &hosted_costs,
    );
    Ok(())
}
