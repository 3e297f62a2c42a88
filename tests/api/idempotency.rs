//! `POST /dataSet` with an `Idempotency-Key`: a retry answers the first DataSet, another body
//! under the same key is refused, and a first attempt cut short after reserving its key is
//! finished by the retry, on DynamoDB Local and in memory alike.

use integration_tests::events::Event;
use integration_tests::memory::MemoryStack;
use integration_tests::{dataset_api_state, merchant_with_key};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::Value;
use shared::dataset::DataSetStore;
use shared::ground::ids::DataSetGuid;
use shared::idempotency::{Fingerprint, IdempotencyKey, IdempotencyStore, KEY_LIFETIME};

fn json(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("JSON")
}

fn post(key: &str, idempotency_key: &str, body: &str) -> Event {
    Event::post_dataset()
        .bearer(key)
        .header("idempotency-key", idempotency_key)
        .body(body)
}

const BODY: &str =
    r#"{"vendor":"crm","sensitive_data":[],"jsonElement":{"formResult":{"amount":"10"}}}"#;
const OTHER: &str =
    r#"{"vendor":"crm","sensitive_data":[],"jsonElement":{"formResult":{"amount":"99"}}}"#;

#[tokio::test]
async fn a_retried_post_answers_the_first_dataset_and_another_body_is_refused() {
    let state = dataset_api_state();
    let (_, key) = merchant_with_key(state.auth.keys(), "idem").await;
    let call = |event: Event| integration_tests::gateway::records(event.request(), &state);

    let first = call(post(&key, "order-4711", BODY)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let again = call(post(&key, "order-4711", BODY)).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json(&again), json(&first));

    let reused = call(post(&key, "order-4711", OTHER)).await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&reused)["title"], "Idempotency-Key reused");
    let fresh = call(post(&key, "order-4712", OTHER)).await;
    assert_eq!(fresh.status(), StatusCode::CREATED);
    assert_ne!(json(&fresh)["dataSetGuid"], json(&first)["dataSetGuid"]);

    // Another merchant's key of the same name is its own.
    let (_, stranger) = merchant_with_key(state.auth.keys(), "idem-other").await;
    let theirs = call(post(&stranger, "order-4711", OTHER)).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);

    for bad in ["", "with space", &"k".repeat(256)] {
        let refused = call(post(&key, bad, BODY)).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
}

#[tokio::test]
async fn a_first_attempt_cut_short_after_its_reservation_is_finished_by_the_retry() {
    let stack = MemoryStack::new().await;
    let state = stack.post_record();
    let now = shared::ground::time::now();
    let reserved = DataSetGuid::new_v4();
    let key = IdempotencyKey::parse("cut-short").expect("valid");
    stack
        .wiring
        .backend
        .idempotency
        .reserve(
            &key.scoped(&stack.merchant),
            &Fingerprint::of(BODY.as_bytes()),
            &reserved.to_string(),
            now,
            now.saturating_add(KEY_LIFETIME).expect("in range"),
        )
        .await
        .expect("reserved");
    assert_eq!(
        stack
            .wiring
            .backend
            .datasets
            .get(&stack.merchant, &reserved)
            .await
            .expect("get"),
        None
    );

    let retried = post_dataset::handle(post(&stack.key, "cut-short", BODY).request(), &state).await;
    assert_eq!(retried.status(), StatusCode::CREATED);
    assert_eq!(json(&retried)["dataSetGuid"], reserved.to_string());
    assert!(
        stack
            .wiring
            .backend
            .datasets
            .get(&stack.merchant, &reserved)
            .await
            .expect("get")
            .is_some()
    );
}
