//! Cold starts of every release binary, as Lambda starts them: the process is started with the
//! runtime's environment against a loopback Runtime API; init is exec → first
//! `GET /runtime/invocation/next`, then one invocation, then peak RSS.
//! Usage: `coldstart <functions-dir> <demo.json> [runs] [function]` (`make bench` runs it for
//! every function; name one to start only that one).

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

/// Complete sessions to process, made by a warm create-session process.
async fn complete_sessions(
    release: &std::path::Path,
    demo: &Demo,
    count: usize,
) -> Result<Vec<String>> {
    let api = RuntimeApi::start().await?;
    let mut child = spawn_function(&release.join("create-session"), &api, &function_env())?;
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

/// Every function, one per endpoint, and the scheduler.
const FUNCTIONS: [&str; 25] = [
    "create-session",
    "update-session",
    "process-session",
    "get-form-page",
    "post-form-page",
    "new-visit-session",
    "get-visit-session",
    "post-visit-session",
    "list-datasets",
    "get-dataset",
    "post-dataset",
    "put-dataset",
    "put-form",
    "get-form",
    "post-actions",
    "get-contact",
    "get-changelog",
    "list-changelogs",
    "put-sepa-creditor",
    "get-sepa-creditor",
    "post-sepa-collections",
    "get-sepa-collection",
    "list-sepa-collections",
    "post-sepa-returns",
    "sepa-scheduler",
];

/// The demo merchant's creditor settings, as `make dev` seeds them.
const CREDITOR: &str = r#"{"name":"Demo Nonprofit e.V.","creditorId":"DE98ZZZ09999999999","iban":"DE02120300000000202051","bic":"BYLADEM1001","prenotificationDays":14}"#;

/// The functions that take a complete session of their own.
const TAKE_A_SESSION: [&str; 2] = ["update-session", "process-session"];

/// A representative first request for each function. Where it names a record that does not
/// exist (a DataSet guid, a visit session), the function still authenticates and reads.
fn invocation(name: &str, demo: &Demo, session: &str) -> String {
    let form = demo.form_hash.as_str();
    let bearer = format!("Bearer {}", demo.api_key);
    let auth = [("authorization", bearer.as_str())];
    let json_auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let guid = "a863d62e-d53b-4651-9b7b-0123456789ab";
    let visit = "bench-visit-session";
    let form_params = json!({"formHash": form});
    match name {
        "create-session" => session_call(
            "createSession",
            &format!("hash={form}&payment[first_name]=Max&payment[amount]=20"),
        ),
        "update-session" => session_call(
            "updateSession",
            &format!("hash={form}&fbSessionHash={session}&payment[last_name]=Muster"),
        ),
        "process-session" => session_call(
            "processSession",
            &format!("hash={form}&fbSessionHash={session}"),
        ),
        "get-form-page" => event("GET", &format!("/form/{form}"), form_params, "", &[], ""),
        "post-form-page" => event(
            "POST",
            &format!("/form/{form}"),
            form_params,
            "",
            &[("content-type", "application/x-www-form-urlencoded")],
            "amount=20",
        ),
        "new-visit-session" => event("PUT", "/sessions/new", json!(null), "", &auth, ""),
        "get-visit-session" => event(
            "GET",
            &format!("/sessions/{visit}"),
            json!({"sessionId": visit}),
            "",
            &auth,
            "",
        ),
        "post-visit-session" => event(
            "POST",
            &format!("/sessions/{visit}"),
            json!({"sessionId": visit}),
            "",
            &json_auth,
            r#"{"customerId":"bench"}"#,
        ),
        "list-datasets" => event("GET", "/dataSets", json!(null), "pageSize=50", &auth, ""),
        "get-dataset" => event(
            "GET",
            &format!("/dataSet/{guid}"),
            json!({"guid": guid}),
            "",
            &auth,
            "",
        ),
        "post-dataset" => event(
            "POST",
            "/dataSet",
            json!(null),
            "",
            &json_auth,
            r#"{"vendor":"bench","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10"}}}"#,
        ),
        "put-dataset" => event(
            "PUT",
            &format!("/dataSet/{guid}"),
            json!({"guid": guid}),
            "",
            &json_auth,
            r#"{"jsonElement":{"formResult":{"amount":"10"}}}"#,
        ),
        "put-form" => event(
            "PUT",
            &format!("/forms/{form}"),
            form_params,
            "",
            &json_auth,
            DEMO_FORM,
        ),
        "post-actions" => event(
            "POST",
            "/actions",
            json!(null),
            "",
            &json_auth,
            &format!(r#"{{"action":"Cancel","entityType":"Subscription","entityGuid":"{guid}"}}"#),
        ),
        "get-contact" => event(
            "GET",
            &format!("/contact/{guid}"),
            json!({"guid": guid}),
            "",
            &auth,
            "",
        ),
        "get-changelog" => event(
            "GET",
            &format!("/changelog/{guid}"),
            json!({"guid": guid}),
            "",
            &auth,
            "",
        ),
        "list-changelogs" => event("GET", "/changelogs", json!(null), "pageSize=50", &auth, ""),
        "put-sepa-creditor" => event(
            "PUT",
            "/sepa/creditor",
            json!(null),
            "",
            &json_auth,
            CREDITOR,
        ),
        "get-sepa-creditor" => event("GET", "/sepa/creditor", json!(null), "", &auth, ""),
        "post-sepa-collections" => event("POST", "/sepa/collections", json!(null), "", &auth, ""),
        "get-sepa-collection" => event(
            "GET",
            "/sepa/collections/C20261201000000-00000000",
            json!({"id": "C20261201000000-00000000"}),
            "",
            &auth,
            "",
        ),
        "list-sepa-collections" => event("GET", "/sepa/collections", json!(null), "", &auth, ""),
        "post-sepa-returns" => event(
            "POST",
            "/sepa/returns",
            json!(null),
            "",
            &json_auth,
            r#"{"returns":[{"endToEndId":"ffffffffffffffffffffffffffffffff","reasonCode":"MD01","returnDate":"2026-12-30","amount":"1"}]}"#,
        ),
        // EventBridge Scheduler's event, not HTTP.
        "sepa-scheduler" => r#"{"time":"2026-12-01T04:00:00Z"}"#.to_owned(),
        _ => event("GET", &format!("/forms/{form}"), form_params, "", &auth, ""),
    }
}

/// The demo form, as `make dev` seeds it: `put-form` rewrites it unchanged.
const DEMO_FORM: &str = include_str!("../../../admin/demo-form.json");

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
    let mut sessions = complete_sessions(&release, &demo, runs * TAKE_A_SESSION.len())
        .await?
        .into_iter();

    println!(
        "| function | binary | init (exec → first poll) | first invocation | peak RSS | status |"
    );
    println!("|---|---|---|---|---|---|");
    for name in FUNCTIONS
        .into_iter()
        .filter(|name| only.as_deref().is_none_or(|only| only == *name))
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
