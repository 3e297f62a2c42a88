//! Donors' personal data never reaches a log line, even at RUST_LOG=trace. Alone in its own test binary: the
//! subscriber is process-global, so no other test's callsites can hide or add events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use dataset_api::{DynamoState, handle};
use integration_tests::events::Event;
use integration_tests::{dataset_api_state, merchant_with_key};

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

    let text = String::from_utf8(logs.0.lock().expect("log buffer").clone()).expect("utf-8 logs");
    assert!(
        text.contains(merchant.as_str()),
        "requests are logged: {text}"
    );
    for secret in [
        "Mustermann",
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
