//! Donors' personal data never reaches a log line, even at RUST_LOG=trace. Alone in its own test binary: the
//! subscriber is process-global, so no other test's callsites can hide or add events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use integration_tests::events::Event;
use integration_tests::gateway::Records as DynamoState;
use integration_tests::gateway::records as handle;
use integration_tests::{
    dataset_api_state, merchant_with_form, merchant_with_key, process_session_state,
    session_api_state,
};

async fn call(state: &DynamoState, event: &Event) -> serde_json::Value {
    let response = handle(event.request(), state).await;
    serde_json::from_slice(response.body().as_ref()).expect("every response is JSON")
}

#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_never_contain_sensitive_or_form_values() {
    let logs = CapturedLogs::default();
    let writer = logs.clone();
    // The production subscriber, asked for everything.
    let subscriber = shared::telemetry::subscriber("trace", move || writer.clone());
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "logs").await;
    let body = r#"{"vendor":"v","sensitive_data":["iban","email"],"jsonElement":{"formResult":
        {"name":"Erika Mustermann","email":"erika@example.org","iban":"DE89370400440532013000"}}}"#;
    let created = call(&state, &Event::post_dataset().bearer(&key).body(body)).await;
    let guid = created["dataSetGuid"].as_str().expect("guid");
    call(&state, &Event::get_dataset(guid).bearer(&key)).await;
    call(
        &state,
        &Event::put_dataset(guid, r#"{"jsonElement":{"iban":"GB82WEST12345698765432"}}"#)
            .bearer(&key),
    )
    .await;
    call(
        &state,
        &Event::post_dataset()
            .bearer(&key)
            .body(r#"{"vendor":"Erika Mustermann""#),
    )
    .await;

    // A donor filling a session, with one value rejected.
    let sessions = session_api_state();
    let (_, _, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let donor = format!(
        "hash={form}&payment[first_name]=Erika&payment[last_name]=Mustermann\
         &payment[email]=erika@example.org&payment[iban]=DE89370400440532013000"
    );
    let created = integration_tests::gateway::session_api(
        Event::session_form("createSession", &donor).request(),
        &sessions,
    )
    .await;
    let created: serde_json::Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let session = created["session"]["hash"].as_str().expect("hash");
    let rejected = format!(
        "hash={form}&fbSessionHash={session}&payment[email]=Mustermann-at-example&payment[iban]=GB82WEST12345698765432"
    );
    integration_tests::gateway::session_api(
        Event::session_form("updateSession", &rejected).request(),
        &sessions,
    )
    .await;

    // The same donor completes a donation, which is processed into a DataSet.
    let complete = format!(
        "hash={form}&payment[amount]=25&payment[interval]=1&payment[fb_item_id]=9306\
         &payment[salutation]=Ms.&payment[first_name]=Erika&payment[last_name]=Mustermann\
         &payment[email]=erika@example.org&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
         &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
         &payment[is_privacy_accepted]=1"
    );
    let created = integration_tests::gateway::session_api(
        Event::session_form("createSession", &complete).request(),
        &sessions,
    )
    .await;
    let created: serde_json::Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    assert_eq!(created["session"]["status"], "complete", "{created}");
    let session = created["session"]["hash"].as_str().expect("hash");
    let processed = process_session::handle(
        Event::session_form(
            "processSession",
            &format!("hash={form}&fbSessionHash={session}"),
        )
        .request(),
        &process_session_state(),
    )
    .await;
    assert_eq!(processed.status(), 200);

    // A panic on a donor's value: answered with the general error, logged by where it was.
    shared::telemetry::quiet_panics();
    let panicked = shared::edge::pipeline::serve(
        &Event::post_dataset().request(),
        "/panic",
        shared::edge::problem::ApiError::panicked,
        async {
            let iban = "DE89370400440532013000";
            if std::hint::black_box(true) {
                panic!("failed on {iban}");
            }
            (lambda_http::Response::new(lambda_http::Body::Empty), None)
        },
    )
    .await;
    assert_eq!(panicked.status(), 500);

    let text = String::from_utf8(logs.0.lock().expect("log buffer").clone()).expect("utf-8 logs");
    assert!(
        text.lines()
            .any(|line| line.contains("\"level\":\"ERROR\"") && line.contains("tests/logs.rs")),
        "the panic is logged with its location: {text}"
    );
    assert!(
        text.contains(merchant.as_str()),
        "requests are logged: {text}"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect();

    // One line per request, with its ids and whether it was this instance's first.
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["fields"]["message"] == "request")
        .collect();
    assert_eq!(requests.len(), 9, "8 requests and the panicked one: {text}");
    let cold: Vec<bool> = requests
        .iter()
        .map(|line| line["fields"]["cold_start"].as_bool().expect("cold_start"))
        .collect();
    assert!(
        cold[0],
        "the first request of the instance is its cold start"
    );
    assert!(cold[1..].iter().all(|c| !c), "{cold:?}");
    assert_eq!(requests[0]["fields"]["request_id"], "VdNLzhuWliAEJrA=");
    for line in &requests {
        for field in ["route", "status", "latency_us"] {
            assert!(!line["fields"][field].is_null(), "{field} in {line}");
        }
    }

    // Metrics, as bare EMF documents: per form and in total, never about the donor.
    let metric = |name: &str| -> u64 {
        lines
            .iter()
            .filter(|line| !line["_aws"].is_null())
            .filter_map(|line| line[name].as_u64())
            .sum()
    };
    assert_eq!(metric("SessionsCreated"), 2);
    assert_eq!(metric("SessionsCompleted"), 1);
    assert_eq!(metric("ValidationErrors"), 1, "the rejected email");
    assert_eq!(metric("SessionsProcessed"), 1);
    assert_eq!(
        metric("DataSetsCreated"),
        2,
        "one POST /dataSet, one donation"
    );
    let per_form = lines
        .iter()
        .filter(|line| line["FormHash"] == form.as_str())
        .count();
    assert_eq!(per_form, 4, "create, update, create, process: {text}");
    for secret in [
        "Mustermann",
        "Erika",
        "erika@example.org",
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        &key,
    ] {
        let leaks: Vec<&str> = text.lines().filter(|line| line.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "{secret} leaked into the logs: {leaks:#?}"
        );
    }
}
