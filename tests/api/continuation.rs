//! Erasures and merges finish by themselves: `POST /actions` cut off by its time answers the
//! entry `inProgress`, and with no further call, only the Entities table's stream handing
//! the contact's writes to `continue-batches` (Lambda's mapping played by the poller, the
//! handler in-process), the entry becomes `completed` and the work is all done, once: a
//! redelivered record changes nothing, a crash mid-batch is retried and finished, and a batch
//! that keeps failing lands in the failure destination, after which calling again goes on. The
//! template's filter, as the poller reads it, lets only contacts with a batch pending through.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use integration_tests::donors::{
    EMAIL, FIRST_NAME, IBAN, LAST_NAME, Nonprofit, action, text, with,
};
use integration_tests::faults::{Faults, Faulty};
use integration_tests::streams::{
    act_out_of_time, continuation_state, donor_with_records, follow_contacts, handler,
    until_completed,
};
use integration_tests::{TestDynamo, built};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::ContinueBatchesState;
use stream_poller::FunctionError;

const WITHIN: Duration = Duration::from_secs(180);

fn assert_no_trace(what: &str, answer: &Value) {
    let text = answer.to_string();
    for personal in [FIRST_NAME, LAST_NAME, EMAIL, IBAN, "0532013"] {
        assert!(
            !text.contains(personal),
            "{what} still holds {personal}: {text}"
        );
    }
}

/// The kinds of every entry of the changelog: (entity type, action).
async fn entry_kinds(np: &Nonprofit) -> Vec<(String, String)> {
    let mut kinds: Vec<(String, String)> = np
        .changelogs()
        .await
        .iter()
        .map(|e| (text(&e["entityType"]), text(&e["action"])))
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn an_anonymise_answered_in_progress_finishes_by_itself_and_a_redelivery_changes_nothing() {
    let np = Nonprofit::new().await;
    let (contact, visit) = donor_with_records(&np, 600).await;
    // Each invocation writes one batch (its budget is spent at once), so the stream hands
    // the work on from invocation to invocation.
    let handed: Arc<Mutex<Vec<Value>>> = Arc::default();
    let continuation = handler(continuation_state(&np, Duration::ZERO));
    let seen = handed.clone();
    let running = follow_contacts(&np.merchant, move |event: Value| {
        seen.lock().expect("events").push(event.clone());
        continuation(event)
    })
    .await;

    let (status, started) = act_out_of_time(&np, &action("Anonymise", "Contact", &contact)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["status"], "inProgress");
    let guid = text(&started["changelogGuid"]);

    let entry = until_completed(&np, &guid, WITHIN).await;
    assert_eq!(entry["after"]["state"], "anonymised");
    assert_eq!(entry["after"]["done"], 600, "each DataSet counted once");
    assert!(running.failures().is_empty(), "{:?}", running.failures());
    let invocations = handed.lock().expect("events").len();
    assert!(invocations >= 24, "600 DataSets, 25 a batch: {invocations}");

    let erased = np.contact_ok(&contact).await;
    assert_eq!(erased["state"], "anonymised");
    assert_no_trace("the contact", &erased);
    let guids = erased["dataSetGuids"].as_array().expect("guids").clone();
    assert_eq!(guids.len(), 600);
    for guid in &guids {
        let (status, dataset) = np.dataset(&text(guid)).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_trace("a DataSet", &dataset);
    }
    assert_eq!(np.visit(&visit).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        entry_kinds(&np).await,
        [
            ("Contact".to_owned(), "Anonymise".to_owned()),
            ("Subscription".to_owned(), "Cancel".to_owned())
        ]
    );
    running.stop().await;

    // Every record handed on, handed again (as a retried or duplicated batch would be):
    // the work is done, and nothing anyone sees changes.
    let before = (np.contact_ok(&contact).await, np.changelog(&guid).await.1);
    let state: ContinueBatchesState<TestDynamo> = built(&np.wiring);
    let events = handed.lock().expect("events").clone();
    for event in events {
        let report = continue_batches::handle(event, &state)
            .await
            .expect("handled");
        assert_eq!((report.completed, report.continued), (0, 0), "{report:?}");
    }
    let after = (np.contact_ok(&contact).await, np.changelog(&guid).await.1);
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_merge_answered_in_progress_finishes_by_itself() {
    let np = Nonprofit::new().await;
    let ((source, _), (target, _)) =
        futures::join!(donor_with_records(&np, 300), donor_with_records(&np, 30));
    let running = follow_contacts(
        &np.merchant,
        handler(continuation_state(&np, Duration::ZERO)),
    )
    .await;
    let merge = with(
        action("Merge", "Contact", &source),
        json!({"targetContactGuid": target}),
    );
    let (status, started) = act_out_of_time(&np, &merge).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["status"], "inProgress");

    let entry = until_completed(&np, &text(&started["changelogGuid"]), WITHIN).await;
    assert_eq!(
        (
            entry["after"]["state"].as_str(),
            entry["after"]["mergedInto"].as_str()
        ),
        (Some("merged"), Some(target.as_str()))
    );
    assert_eq!(entry["after"]["done"], 300, "each DataSet moved once");
    assert!(running.failures().is_empty(), "{:?}", running.failures());
    running.stop().await;

    let pointer = np.contact_ok(&source).await;
    assert_eq!(
        (pointer["dataSetGuids"].clone(), pointer["payments"].clone()),
        (json!([]), json!([]))
    );
    let merged = np.contact_ok(&target).await;
    assert_eq!(merged["dataSetGuids"].as_array().map(Vec::len), Some(330));
    for kind in ["paymentMethods", "subscriptions", "payments"] {
        assert_eq!(
            merged[kind].as_array().map(Vec::len),
            Some(2),
            "{kind}: {merged}"
        );
    }
}

#[tokio::test]
async fn a_continuation_that_crashes_mid_batch_is_retried_and_finishes_once() {
    let np = Nonprofit::new().await;
    let (contact, _) = donor_with_records(&np, 100).await;
    // The second invocation crashes after ten of its batch's 25 DataSets; every other one
    // works.
    let faults = Faults {
        replacements_left: AtomicUsize::new(10),
        ..Faults::default()
    };
    let mut crashing: ContinueBatchesState<Faulty<TestDynamo>> =
        built(&Faulty::wiring(&np.wiring, faults));
    crashing.budget = Duration::ZERO;
    let crashing = Arc::new(crashing);
    let working = handler(continuation_state(&np, Duration::ZERO));
    let invocations = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let (counted, failures) = (invocations.clone(), failed.clone());
    let running = follow_contacts(&np.merchant, move |event: Value| {
        let crash = counted.fetch_add(1, Ordering::SeqCst) == 1;
        let (crashing, working, failures) =
            (crashing.clone(), working(event.clone()), failures.clone());
        async move {
            if !crash {
                return working.await;
            }
            let result = continue_batches::handle(event, &*crashing).await;
            if result.is_err() {
                failures.fetch_add(1, Ordering::SeqCst);
            }
            result.map(|_| ()).map_err(FunctionError::from)
        }
    })
    .await;

    let (status, started) = act_out_of_time(&np, &action("Anonymise", "Contact", &contact)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let entry = until_completed(&np, &text(&started["changelogGuid"]), WITHIN).await;
    assert_eq!(failed.load(Ordering::SeqCst), 1, "the crash happened");
    assert!(running.failures().is_empty(), "retried, not given up");
    running.stop().await;
    assert_eq!(entry["after"]["done"], 100, "not one DataSet counted twice");
    let erased = np.contact_ok(&contact).await;
    for guid in erased["dataSetGuids"].as_array().expect("guids") {
        assert_no_trace("a DataSet", &np.dataset(&text(guid)).await.1);
    }
    assert_eq!(
        entry_kinds(&np).await,
        [
            ("Contact".to_owned(), "Anonymise".to_owned()),
            ("Subscription".to_owned(), "Cancel".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_batch_that_keeps_failing_goes_to_the_failure_destination_and_calling_again_goes_on() {
    let np = Nonprofit::new().await;
    let (contact, _) = donor_with_records(&np, 30).await;
    let invocations = Arc::new(AtomicUsize::new(0));
    let counted = invocations.clone();
    let running = follow_contacts(&np.merchant, move |_event: Value| {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Err::<(), FunctionError>("the function is broken".into()) }
    })
    .await;
    let anonymise = action("Anonymise", "Contact", &contact);
    let (status, started) = act_out_of_time(&np, &anonymise).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");

    let mut waited = Duration::ZERO;
    while running.failures().is_empty() {
        assert!(waited < WITHIN, "nothing reached the failure destination");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    let failure = running.failures().remove(0);
    running.stop().await;
    // The first try and the template's five retries; where the batch was, not what it held.
    assert_eq!(invocations.load(Ordering::SeqCst), 6);
    assert_eq!(
        failure["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(failure["DDBStreamBatchInfo"]["batchSize"], 1);
    assert!(!failure.to_string().contains(&contact), "{failure}");
    let (_, entry) = np.changelog(&text(&started["changelogGuid"])).await;
    assert_eq!(entry["status"], "inProgress");

    let (status, entry) = np.act(&anonymise).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(
        (entry["status"].as_str(), entry["after"]["done"].as_u64()),
        (Some("completed"), Some(30))
    );
}

#[test]
fn the_templates_filter_hands_on_only_contacts_with_a_batch_operation_pending() {
    let merchant = integration_tests::unique_merchant("filter");
    let mapping = integration_tests::streams::continuation_mapping(&merchant);
    assert_eq!(mapping.table, "Entities");
    assert_eq!(
        (
            mapping.batch_size,
            mapping.maximum_retry_attempts,
            mapping.bisect_on_error
        ),
        (10, 5, true)
    );
    let record = |event: &str, sk: &str, pending: bool| {
        let mut image = json!({"pk": {"S": format!("C#{merchant}#c")}, "sk": {"S": sk}});
        if pending {
            image["batchPending"] = json!({"S": "0f8fad5b-d9cb-469f-a165-70867728950e"});
        }
        json!({"eventName": event, "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image}})
    };
    assert!(mapping.filter.passes(&record("MODIFY", "contact", true)));
    assert!(mapping.filter.passes(&record("INSERT", "contact", true)));
    assert!(!mapping.filter.passes(&record("MODIFY", "contact", false)));
    assert!(!mapping.filter.passes(&record("MODIFY", "pay#x", true)));
    assert!(
        !mapping
            .filter
            .passes(&json!({"eventName": "REMOVE", "dynamodb": {"Keys": {}}}))
    );
}
