//! A metering proxy in front of DynamoDB Local: it asks every request for its consumed
//! capacity (`ReturnConsumedCapacity=TOTAL`, which the functions never ask for themselves) and
//! adds up DynamoDB's answers, so the functions' real requests are billed as DynamoDB would
//! bill them. DynamoDB Local does not check request signatures, so the body may change.
//! While asked to, it also keeps each request as the function sent it, for `replay`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::replay::DynamoRequest;

const READS: [&str; 5] = [
    "GetItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "TransactGetItems",
];
const WRITES: [&str; 5] = [
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
];

/// Capacity consumed through the proxy, in thousandths of a unit.
#[derive(Default)]
struct Units {
    read: AtomicU64,
    write: AtomicU64,
    requests: AtomicU64,
    recording: AtomicBool,
    recorded: Mutex<Vec<DynamoRequest>>,
}

pub struct Meter {
    pub addr: SocketAddr,
    units: Arc<Units>,
}

impl Meter {
    /// Starts the proxy in front of `upstream` (`http://127.0.0.1:8000`).
    pub async fn start(upstream: String) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let units = Arc::new(Units::default());
        let client = reqwest::Client::new();
        let shared = Arc::clone(&units);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (units, client, upstream) =
                    (Arc::clone(&shared), client.clone(), upstream.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        forward(req, Arc::clone(&units), client.clone(), upstream.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { addr, units })
    }

    /// Read units, write units and DynamoDB requests since the last call.
    pub fn take(&self) -> (f64, f64, u64) {
        let read = self.units.read.swap(0, Ordering::Relaxed) as f64 / 1000.0;
        let write = self.units.write.swap(0, Ordering::Relaxed) as f64 / 1000.0;
        (read, write, self.units.requests.swap(0, Ordering::Relaxed))
    }

    /// The functions' environment, with DynamoDB behind this proxy.
    pub fn function_env(&self) -> Vec<(String, String)> {
        let mut env = crate::function_env();
        env.retain(|(name, _)| name != "DYNAMODB_ENDPOINT");
        env.push((
            "DYNAMODB_ENDPOINT".to_owned(),
            format!("http://{}", self.addr),
        ));
        env
    }

    /// Starts or stops keeping the requests that pass.
    pub fn record(&self, on: bool) {
        self.units.recording.store(on, Ordering::Relaxed);
    }

    /// The requests kept since the last call, in the order they were sent.
    pub fn recorded(&self) -> Vec<DynamoRequest> {
        self.units
            .recorded
            .lock()
            .map(|mut kept| {
                let mut requests = std::mem::take(&mut *kept);
                requests.sort_by_key(|request| request.sent_at);
                requests
            })
            .unwrap_or_default()
    }
}

/// The units of a `ConsumedCapacity` answer (one object, or one per table).
fn capacity_units(answer: &Value) -> f64 {
    match &answer["ConsumedCapacity"] {
        Value::Array(tables) => tables
            .iter()
            .map(|t| t["CapacityUnits"].as_f64().unwrap_or(0.0))
            .sum(),
        table => table["CapacityUnits"].as_f64().unwrap_or(0.0),
    }
}

async fn forward(
    req: Request<Incoming>,
    units: Arc<Units>,
    client: reqwest::Client,
    upstream: String,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let sent_at = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let operation = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split('.').nth(1))
        .unwrap_or_default()
        .to_owned();
    let metered = READS.contains(&operation.as_str()) || WRITES.contains(&operation.as_str());
    let parsed = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(|_| metered);
    // The request as the function sent it, kept (a copy) only while recording.
    let sent = parsed
        .as_ref()
        .filter(|_| units.recording.load(Ordering::Relaxed))
        .cloned();
    let body = match parsed {
        Some(mut json) => {
            json["ReturnConsumedCapacity"] = Value::String("TOTAL".into());
            Bytes::from(json.to_string())
        }
        None => body,
    };
    let mut request = client.post(format!("{upstream}{}", parts.uri.path()));
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.body(body).send().await else {
        let mut failed = Response::new(Full::new(Bytes::new()));
        *failed.status_mut() = StatusCode::BAD_GATEWAY;
        return Ok(failed);
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    if let Some(body) = sent
        && let Ok(mut kept) = units.recorded.lock()
    {
        kept.push(DynamoRequest {
            operation: operation.clone(),
            body,
            succeeded: status.is_success(),
            sent_at,
            answered_at: std::time::Instant::now(),
        });
    }
    if metered {
        units.requests.fetch_add(1, Ordering::Relaxed);
        if let Ok(json) = serde_json::from_slice::<Value>(&bytes) {
            let used = (capacity_units(&json) * 1000.0).round() as u64;
            let counter = if READS.contains(&operation.as_str()) {
                &units.read
            } else {
                &units.write
            };
            counter.fetch_add(used, Ordering::Relaxed);
        }
    }
    let mut response = Response::new(Full::new(bytes));
    *response.status_mut() = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::OK);
    for (name, value) in &headers {
        if name != "content-length" && name != "transfer-encoding" {
            response.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(response)
}
