//! `make test`'s local stack finishes an erasure by itself, as Lambda would: the contact's
//! writes go through DynamoDB Local's stream to `tools/stream-poller`, which invokes
//! `continue-batches` through `cargo lambda watch`'s invoke API. The erasure is started
//! through a `POST /actions` whose time is spent at once (in-process, on the same tables),
//! and from then on only `GET /changelog` is called, on its real path.

use std::time::{Duration, Instant};

use integration_tests::events::Event;
use integration_tests::{TestDynamo, built, dynamodb_client, local_wiring};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::app::ActionsState;

use crate::smoke::{Local, local};

impl Local {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.key("apiKey"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the local API answers");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A processed monthly SEPA donation through the Session-API: its contact.
    async fn donor(&self) -> String {
        let form = self.demo["formHash"]
            .as_str()
            .expect("form hash")
            .to_owned();
        let post = |op: &str, body: String| {
            self.http
                .post(format!("{}/app/{op}", self.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let created: Value = post(
            "createSession",
            format!("hash={form}&payment[amount]=30&payment[interval]=1"),
        )
        .await
        .expect("createSession")
        .json()
        .await
        .expect("JSON");
        let session = created["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned();
        let updated: Value = post(
            "updateSession",
            format!(
                "hash={form}&fbSessionHash={session}&payment[salutation]=Ms.&payment[first_name]=Erika\
                 &payment[last_name]=Mustermann&payment[email]=erika@example.org\
                 &payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
                 &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
                 &payment[is_privacy_accepted]=1"
            ),
        )
        .await
        .expect("updateSession")
        .json()
        .await
        .expect("JSON");
        assert_eq!(updated["session"]["status"], "complete", "{updated}");
        let processed: Value = post(
            "processSession",
            format!("hash={form}&fbSessionHash={session}"),
        )
        .await
        .expect("processSession")
        .json()
        .await
        .expect("JSON");
        processed["paymentSessionResult"]["contactGuidResult"]
            .as_str()
            .expect("a contact")
            .to_owned()
    }
}

#[tokio::test]
async fn an_erasure_cut_off_by_its_time_finishes_through_the_local_stream() {
    let local = local();
    let contact = local.donor().await;
    for i in 0..60 {
        let body = json!({"action": "SignUp", "entityType": "DataSet", "entityGuid": contact,
                          "jsonElement": {"gift": i, "last_name": "Mustermann"}});
        let (status, answer) = local
            .call(reqwest::Method::POST, "/actions", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }

    let mut hurried: ActionsState<TestDynamo> = built(&local_wiring(dynamodb_client()));
    hurried.budget = Duration::ZERO;
    let anonymise = json!({"action": "Anonymise", "entityType": "Contact", "entityGuid": contact});
    let event = Event::http("POST", "/actions")
        .header("content-type", "application/json")
        .bearer(&local.key("apiKey"))
        .body(&anonymise.to_string());
    let response = post_actions::handle(event.request(), &hurried).await;
    assert_eq!(response.status().as_u16(), 202);
    let started: Value = serde_json::from_slice(response.body()).expect("JSON");
    let path = format!(
        "/changelog/{}",
        started["changelogGuid"].as_str().expect("guid")
    );

    let since = Instant::now();
    let entry = loop {
        let (status, entry) = local.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{entry}");
        if entry["status"] == "completed" {
            break entry;
        }
        assert!(since.elapsed() < Duration::from_secs(120), "still {entry}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(entry["after"]["done"], 61);
    let (_, erased) = local
        .call(reqwest::Method::GET, &format!("/contact/{contact}"), None)
        .await;
    assert_eq!(erased["state"], "anonymised");
    assert!(!erased.to_string().contains("Mustermann"), "{erased}");
}
