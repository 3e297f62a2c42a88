//! API Gateway HTTP API (payload v2) events, from the JSON fixtures in `tests/fixtures`,
//! turned into `lambda_http::Request`s exactly as the Lambda runtime does.

use base64::Engine;
use lambda_http::Request;
use serde_json::{Value, json};

use crate::workspace_root;

pub struct Event(Value);

impl Event {
    pub fn post_dataset() -> Self {
        Self::fixture("http-api-v2-post-dataset.json")
    }

    pub fn get_dataset(guid: &str) -> Self {
        Self::fixture("http-api-v2-get-dataset.json").path_guid(guid)
    }

    /// `GET /dataSets` with exactly these query parameters.
    pub fn list_datasets(query: &[(&str, &str)]) -> Self {
        let mut event = Self::fixture("http-api-v2-list-datasets.json");
        let raw = query
            .iter()
            .map(|(name, value)| format!("{name}={}", urlencode(value)))
            .collect::<Vec<_>>()
            .join("&");
        let params: serde_json::Map<String, Value> = query
            .iter()
            .map(|(name, value)| ((*name).to_owned(), json!(value)))
            .collect();
        event.0["rawQueryString"] = json!(raw);
        event.0["queryStringParameters"] = Value::Object(params);
        event
    }

    pub fn put_dataset(guid: &str, body: &str) -> Self {
        let mut event = Self::get_dataset(guid)
            .body(body)
            .header("content-type", "application/json");
        event.0["requestContext"]["http"]["method"] = json!("PUT");
        event.0["routeKey"] = json!("PUT /dataSet/{guid}");
        event.0["requestContext"]["routeKey"] = json!("PUT /dataSet/{guid}");
        event
    }

    /// Any route: `method` and `path` as API Gateway delivers them, no body, no query.
    pub fn http(method: &str, path: &str) -> Self {
        let mut event =
            Self::fixture("http-api-v2-post-dataset.json").without_header("content-type");
        let route = format!("{method} {path}");
        event.0["rawPath"] = json!(path);
        event.0["requestContext"]["http"]["path"] = json!(path);
        event.0["requestContext"]["http"]["method"] = json!(method);
        event.0["routeKey"] = json!(route);
        event.0["requestContext"]["routeKey"] = json!(route);
        if let Some(fields) = event.0.as_object_mut() {
            fields.remove("body");
        }
        event
    }

    /// `POST /app/createSession` or `/app/updateSession` with a form-encoded body.
    pub fn session_form(operation: &str, body: &str) -> Self {
        Self::http("POST", &format!("/app/{operation}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    /// The same with a JSON body.
    pub fn session_json(operation: &str, body: &Value) -> Self {
        Self::http("POST", &format!("/app/{operation}"))
            .header("content-type", "application/json")
            .body(&body.to_string())
    }

    /// `/forms/{formHash}` with the path parameter set.
    pub fn form(method: &str, hash: &str) -> Self {
        let mut event = Self::http(method, &format!("/forms/{hash}"));
        event.0["routeKey"] = json!(format!("{method} /forms/{{formHash}}"));
        event.0["pathParameters"] = json!({ "formHash": hash });
        event
    }

    /// `/sessions/{sessionId}` with the path parameter set.
    pub fn session_path(method: &str, id: &str) -> Self {
        let mut event = Self::http(method, &format!("/sessions/{id}"));
        event.0["routeKey"] = json!(format!("{method} /sessions/{{sessionId}}"));
        event.0["pathParameters"] = json!({ "sessionId": id });
        event
    }

    /// Sets one path parameter, as API Gateway does for `{name}` in a route.
    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        self.0["pathParameters"][name] = json!(value);
        self
    }

    /// A raw, already encoded query string (`a=1&b[c]=2`).
    pub fn raw_query(mut self, raw: &str) -> Self {
        let params: serde_json::Map<String, Value> = form_pairs(raw)
            .into_iter()
            .map(|(name, value)| (name, json!(value)))
            .collect();
        self.0["rawQueryString"] = json!(raw);
        self.0["queryStringParameters"] = Value::Object(params);
        self
    }

    fn fixture(name: &str) -> Self {
        let path = workspace_root().join("tests/fixtures").join(name);
        let text = std::fs::read_to_string(&path).expect("fixture exists");
        Self(serde_json::from_str(&text).expect("fixture is JSON"))
    }

    /// The seed's example body that the POST fixture carries.
    pub fn fixture_body(&self) -> String {
        self.0["body"].as_str().unwrap_or_default().to_owned()
    }

    pub fn path_guid(mut self, guid: &str) -> Self {
        let path = format!("/dataSet/{guid}");
        self.0["pathParameters"] = json!({ "guid": guid });
        self.0["rawPath"] = json!(path);
        self.0["requestContext"]["http"]["path"] = json!(path);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0["headers"][name] = json!(value);
        self
    }

    pub fn without_header(mut self, name: &str) -> Self {
        if let Some(headers) = self.0["headers"].as_object_mut() {
            headers.remove(name);
        }
        self
    }

    pub fn bearer(self, key: &str) -> Self {
        self.header("authorization", &format!("Bearer {key}"))
    }

    pub fn body(mut self, body: &str) -> Self {
        self.0["body"] = json!(body);
        self.0["isBase64Encoded"] = json!(false);
        self
    }

    /// Bytes that are not UTF-8 arrive base64-encoded from API Gateway.
    pub fn binary_body(mut self, bytes: &[u8]) -> Self {
        self.0["body"] = json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        self.0["isBase64Encoded"] = json!(true);
        self
    }

    pub fn request(&self) -> Request {
        lambda_http::request::from_str(&self.0.to_string()).expect("a valid HTTP API v2 event")
    }
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect()
}
