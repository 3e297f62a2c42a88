//! Donors' personal data never reaches a log line, even at RUST_LOG=trace. Alone in its own test binary: the
//! subscriber is process-global, so no other test's callsites can hide or add events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use dataset_api::{DynamoState, handle};
use integration_tests::events::Event;
use integration_tests::{
    dataset_api_state, merchant_with_form, merchant_with_key, session_api_state,
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
    let created = session_api::handle(
        Event::session_form("createSession", &donor).request(),
        &sessions,
    )
    .await;
    let created: serde_json::Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let session = created["session"]["hash"].as_str().expect("hash");
    let rejected = format!(
        "hash={form}&fbSessionHash={session}&payment[email]=Mustermann-at-example&payment[iban]=GB82WEST12345698765432"
    );
    session_api::handle(
        Event::session_form("updateSession", &rejected).request(),
        &sessions,
    )
    .await;

    let text = String::from_utf8(logs.0.lock().expect("log buffer").clone()).expect("utf-8 logs");
    assert!(
        text.contains(merchant.as_str()),
        "requests are logged: {text}"
    );
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
