//! What the harness sends the functions and reads from their answers: API Gateway HTTP API v2
//! events, Session-API calls as PHP sends them, and the demo merchant `scripts/lib.sh` seeds.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::Answer;

/// An API Gateway HTTP API v2 event.
pub fn event(
    method: &str,
    path: &str,
    path_params: Value,
    query: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> String {
    let mut header_map = serde_json::Map::new();
    header_map.insert("host".into(), "bench.execute-api.local".into());
    for (name, value) in headers {
        header_map.insert((*name).into(), (*value).into());
    }
    let parameters: serde_json::Map<String, Value> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
        .collect();
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "queryStringParameters": parameters,
        "headers": header_map,
        "pathParameters": path_params,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "bench.execute-api.local",
            "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "lambda-bench"},
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": format!("{method} {path}"),
            "stage": "$default",
            "time": "23/Nov/2026:00:00:00 +0000",
            "timeEpoch": 1_795_392_000_000u64
        },
        "body": body,
        "isBase64Encoded": false
    })
    .to_string()
}

/// The status code a function put in its API Gateway response.
pub fn status_of(answer: &Answer) -> u64 {
    answer.response["statusCode"].as_u64().unwrap_or(0)
}

/// The demo data `scripts/lib.sh` seeds (`.local/bench-demo.json`).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub api_key: String,
    pub form_hash: String,
}

impl Demo {
    pub fn read(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// Form-encoded Session-API calls, as PHP sends them.
pub fn session_call(operation: &str, body: &str) -> String {
    event(
        "POST",
        &format!("/app/{operation}"),
        Value::Null,
        "",
        &[("content-type", "application/x-www-form-urlencoded")],
        body,
    )
}

/// All the values the demo form requires, valid: a complete session.
pub const COMPLETE: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

/// The session hash in a Session-API answer.
pub fn session_hash(answer: &Answer) -> Option<String> {
    let body: Value = serde_json::from_str(answer.response["body"].as_str()?).ok()?;
    body["session"]["hash"].as_str().map(str::to_owned)
}
