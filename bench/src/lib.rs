//! A Lambda Runtime API on loopback: hands invocations to function processes started as Lambda
//! starts them, and times what Lambda would bill. Every `make bench` binary runs on it.

pub mod events;
pub mod invocations;
pub mod measure;
pub mod meter;
pub mod raw;
pub mod replay;

pub use events::{COMPLETE, Demo, event, session_call, session_hash, status_of};
pub use measure::{cpu_ns, ms, peak_rss, percentile, pool};

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};

/// What a function answered, and when.
#[derive(Debug)]
pub struct Answer {
    /// From handing the event to the function until its response arrived.
    pub latency: Duration,
    /// The API Gateway response the function returned (`statusCode`, `body`, …).
    pub response: Value,
}

struct Invocation {
    event: String,
    reply: oneshot::Sender<Answer>,
}

struct Pending {
    handed_out: Instant,
    reply: oneshot::Sender<Answer>,
}

struct Shared {
    queue: AsyncMutex<mpsc::Receiver<Invocation>>,
    pending: Mutex<HashMap<String, Pending>>,
    /// The first `GET …/invocation/next` of any process: the end of its init.
    polls: Mutex<Vec<Instant>>,
}

/// The emulated Runtime API of one or more function processes.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    queue: mpsc::Sender<Invocation>,
    shared: Arc<Shared>,
}

impl RuntimeApi {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (queue, receiver) = mpsc::channel(1024);
        let shared = Arc::new(Shared {
            queue: AsyncMutex::new(receiver),
            pending: Mutex::new(HashMap::new()),
            polls: Mutex::new(Vec::new()),
        });
        let server = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&server);
                tokio::spawn(async move {
                    let service = service_fn(move |req| serve(Arc::clone(&shared), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            queue,
            shared,
        })
    }

    /// Hands an event to whichever process asks next, and waits for its answer.
    pub async fn invoke(&self, event: String) -> Result<Answer> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Invocation { event, reply })
            .await
            .context("runtime API stopped")?;
        tokio::time::timeout(Duration::from_secs(60), answer)
            .await
            .context("no answer within 60 s")?
            .context("the function dropped the invocation")
    }

    /// How many times processes have asked for their next invocation.
    pub fn polls(&self) -> Vec<Instant> {
        self.shared
            .polls
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default()
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response
}

async fn serve(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if req.method() == Method::GET && path.ends_with("/runtime/invocation/next") {
        if let Ok(mut polls) = shared.polls.lock() {
            polls.push(Instant::now());
        }
        let next = shared.queue.lock().await.recv().await;
        let Some(invocation) = next else {
            return Ok(reply(StatusCode::GONE, ""));
        };
        let id = uuid::Uuid::new_v4().to_string();
        let deadline = jiff::Timestamp::now().as_millisecond() + 30_000;
        if let Ok(mut pending) = shared.pending.lock() {
            pending.insert(
                id.clone(),
                Pending {
                    handed_out: Instant::now(),
                    reply: invocation.reply,
                },
            );
        }
        let mut response = reply(StatusCode::OK, invocation.event);
        let headers = response.headers_mut();
        for (name, value) in [
            ("lambda-runtime-aws-request-id", id.as_str()),
            (
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-central-1:123456789012:function:bench",
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000",
            ),
        ] {
            if let Ok(value) = value.parse() {
                headers.insert(name, value);
            }
        }
        if let Ok(value) = deadline.to_string().parse() {
            headers.insert("lambda-runtime-deadline-ms", value);
        }
        return Ok(response);
    }
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    // /2018-06-01/runtime/invocation/{id}/response or …/error
    if let [.., "invocation", id, outcome] = segments.as_slice() {
        let pending = shared.pending.lock().ok().and_then(|mut p| p.remove(*id));
        if let Some(pending) = pending {
            let response = if *outcome == "response" {
                serde_json::from_slice(&body).unwrap_or(Value::Null)
            } else {
                serde_json::json!({"statusCode": 599, "error": String::from_utf8_lossy(&body)})
            };
            let _ = pending.reply.send(Answer {
                latency: pending.handed_out.elapsed(),
                response,
            });
        }
        return Ok(reply(StatusCode::ACCEPTED, ""));
    }
    Ok(reply(StatusCode::ACCEPTED, ""))
}

/// Starts a function binary as Lambda does: only the runtime's environment, our API address.
pub fn spawn_function(
    binary: &Path,
    api: &RuntimeApi,
    env: &[(String, String)],
) -> Result<tokio::process::Child> {
    spawn_with(binary, api, env, false)
}

fn spawn_piped(
    binary: &Path,
    api: &RuntimeApi,
    env: &[(String, String)],
) -> Result<tokio::process::Child> {
    spawn_with(binary, api, env, true)
}

fn spawn_with(
    binary: &Path,
    api: &RuntimeApi,
    env: &[(String, String)],
    piped: bool,
) -> Result<tokio::process::Child> {
    if !binary.exists() {
        bail!(
            "{} not found: `make bench` builds the functions into .local/bench-functions",
            binary.display()
        );
    }
    let name = binary
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut command = tokio::process::Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("LAMBDA_TASK_ROOT", "/var/task")
        .stdout(if piped {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .stderr(if piped {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        })
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    command
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))
}

/// Starts a function as `spawn_function` does, adding the bytes it logs (stdout and stderr,
/// what Lambda sends to CloudWatch Logs) to `logged`.
pub fn spawn_logged(
    binary: &Path,
    api: &RuntimeApi,
    env: &[(String, String)],
    logged: Arc<std::sync::atomic::AtomicU64>,
) -> Result<tokio::process::Child> {
    let mut env = env.to_vec();
    env.push(("RUST_LOG".to_owned(), "info".to_owned()));
    let mut child = spawn_piped(binary, api, &env)?;
    for stream in [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Send + Unpin>),
    ]
    .into_iter()
    .flatten()
    {
        let logged = Arc::clone(&logged);
        tokio::spawn(async move {
            let mut stream = stream;
            let mut buffer = [0u8; 8192];
            while let Ok(n) = tokio::io::AsyncReadExt::read(&mut stream, &mut buffer).await {
                if n == 0 {
                    break;
                }
                logged.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
            }
        });
    }
    Ok(child)
}

/// The environment the functions read, passed through from `scripts/lib.sh`.
pub fn function_env() -> Vec<(String, String)> {
    [
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "DYNAMODB_ENDPOINT",
        "DATASETS_TABLE",
        "API_KEYS_TABLE",
        "FORMS_TABLE",
        "SESSIONS_TABLE",
        "TIME_ZONE",
        "DATASET_SHARDS",
        "SIGNING_SECRET_FILE",
        "IDEMPOTENCY_TABLE",
        "ENTITIES_TABLE",
        "CHANGELOGS_TABLE",
        "COLLECTIONS_TABLE",
        "SESSION_TTL_HOURS",
        "VISIT_SESSION_TTL_DAYS",
        "RUST_LOG",
    ]
    .into_iter()
    .filter_map(|name| {
        std::env::var(name)
            .ok()
            .map(|value| (name.to_owned(), value))
    })
    .collect()
}

/// Waits until `count` processes have asked for work (their init is done).
pub async fn await_polls(api: &RuntimeApi, count: usize) -> Result<Vec<Instant>> {
    let started = Instant::now();
    loop {
        let polls = api.polls();
        if polls.len() >= count {
            return Ok(polls);
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!(
                "only {} of {count} processes came up within 30 s",
                polls.len()
            );
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
}
