//! Processing as a state machine: a failure injected at each step of a card and of a direct
//! debit donation (claim, the card's payment, commit, and a commit whose answer is lost) is
//! finished by the next call with the same payment key and exactly one DataSet; on DynamoDB
//! Local, 20 concurrent process and update calls on one session leave exactly one DataSet,
//! holding exactly the values of the updates that won.

use std::sync::Mutex;

use integration_tests::events::Event;
use integration_tests::memory::MemoryStack;
use integration_tests::{merchant_with_form, process_session_state, session_api_state};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::Value;

use integration_tests::built;
use integration_tests::faults::{Faults, Faulty, ProcessingFault};
use integration_tests::memory::MemoryBackend;
use shared::app::ProcessState;

const COMPLETE: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

/// The same donation by card: processing asks the payment provider, the session's hash as key.
const COMPLETE_BY_CARD: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=credit_card&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

/// Where a failure is injected, once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Claim,
    Payment,
    Commit,
    /// The commit is written, but its answer never arrives.
    CommitAnswerLost,
}

impl Fault {
    /// The failure the faulty backend injects for it.
    fn faults(self) -> Faults {
        let processing = match self {
            Fault::Claim => Some(ProcessingFault::Claim),
            Fault::Payment => None,
            Fault::Commit => Some(ProcessingFault::Commit),
            Fault::CommitAnswerLost => Some(ProcessingFault::CommitAnswerLost),
        };
        Faults {
            processing: Mutex::new(processing),
            payment_fails: Mutex::new(self == Fault::Payment),
            ..Faults::default()
        }
    }
}

fn json(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("JSON")
}

#[tokio::test]
async fn a_failure_at_any_step_is_finished_by_the_next_call_exactly_once() {
    let card = [
        Fault::Claim,
        Fault::Payment,
        Fault::Commit,
        Fault::CommitAnswerLost,
    ]
    .map(|fault| (fault, COMPLETE_BY_CARD));
    // A direct debit asks no provider: every other step fails alike.
    let sepa =
        [Fault::Claim, Fault::Commit, Fault::CommitAnswerLost].map(|fault| (fault, COMPLETE));
    for (fault, complete) in card.into_iter().chain(sepa) {
        let by_card = complete == COMPLETE_BY_CARD;
        let stack = MemoryStack::new().await;
        let wiring = Faulty::wiring(&stack.wiring, fault.faults());
        let state: ProcessState<Faulty<MemoryBackend>> = built(&wiring);
        let form = &stack.form_hash;
        let created = create_session::handle(
            Event::session_form("createSession", &format!("hash={form}{complete}")).request(),
            &stack.session_api(),
        )
        .await;
        let hash = json(&created)["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned();
        let process = || {
            Event::session_form(
                "processSession",
                &format!("hash={form}&fbSessionHash={hash}"),
            )
            .request()
        };

        let failed = process_session::handle(process(), &state).await;
        assert_eq!(
            failed.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{fault:?}"
        );
        assert_eq!(
            json(&failed)["error"],
            "error 101: general error",
            "{fault:?}"
        );

        let finished = process_session::handle(process(), &state).await;
        assert_eq!(
            finished.status(),
            StatusCode::OK,
            "{fault:?}: {}",
            json(&finished)
        );
        let guid = json(&finished)["dataSetGuid"].clone();
        let again = process_session::handle(process(), &state).await;
        assert_eq!(json(&again)["dataSetGuid"], guid, "{fault:?}");

        let listed = list_datasets::handle(
            Event::list_datasets(&[]).bearer(&stack.key).request(),
            &stack.listing(),
        )
        .await;
        let list = json(&listed)["list"].as_array().expect("list").clone();
        assert_eq!(list.len(), 1, "{fault:?}: exactly one DataSet");
        assert_eq!(list[0]["dataSetGuid"], guid, "{fault:?}");
        let keys = wiring
            .backend
            .faults
            .payment_keys
            .lock()
            .expect("keys")
            .clone();
        assert_eq!(
            !keys.is_empty(),
            by_card,
            "{fault:?}: the provider is asked for a card payment only"
        );
        assert!(
            keys.iter().all(|key| *key == hash),
            "{fault:?}: one idempotency key, the session's: {keys:?}"
        );
    }
}

#[tokio::test]
async fn twenty_concurrent_process_and_update_calls_leave_one_dataset_of_the_frozen_values() {
    let sessions = session_api_state();
    let processing = process_session_state();
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let created = create_session::handle(
        Event::session_form("createSession", &format!("hash={form}{COMPLETE}")).request(),
        &sessions,
    )
    .await;
    let hash = json(&created)["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let calls = (0..20).map(|i| {
        let (sessions, processing, form, hash) = (&sessions, &processing, &form, &hash);
        async move {
            if i % 2 == 0 {
                let event = Event::session_form(
                    "processSession",
                    &format!("hash={form}&fbSessionHash={hash}"),
                );
                (
                    i,
                    process_session::handle(event.request(), processing).await,
                )
            } else {
                let event = Event::session_form(
                    "updateSession",
                    &format!("hash={form}&fbSessionHash={hash}&payment[note_{i}]=x"),
                );
                (i, update_session::handle(event.request(), sessions).await)
            }
        }
    });
    let answers = futures::future::join_all(calls).await;

    let mut guids = Vec::new();
    let mut applied = Vec::new();
    for (i, response) in &answers {
        let body = json(response);
        if i % 2 == 0 {
            assert_eq!(response.status(), StatusCode::OK, "process {i}: {body}");
            guids.push(body["dataSetGuid"].clone());
        } else if response.status() == StatusCode::OK {
            applied.push(format!("note_{i}"));
        } else {
            assert!(
                [
                    "error 209: session is being processed",
                    "error 202: session processed"
                ]
                .contains(&body["error"].as_str().unwrap_or_default()),
                "update {i}: {body}"
            );
        }
    }
    assert!(guids.windows(2).all(|pair| pair[0] == pair[1]), "{guids:?}");

    let listed = list_datasets::handle(
        Event::list_datasets(&[("pageSize", "50")])
            .bearer(&key)
            .request(),
        &integration_tests::list_datasets_state(),
    )
    .await;
    let list = json(&listed)["list"].as_array().expect("list").clone();
    assert_eq!(list.len(), 1, "exactly one DataSet");
    assert_eq!(list[0]["dataSetGuid"], guids[0]);
    let result = &list[0]["jsonElement"]["formResult"];
    for i in (1..20).step_by(2) {
        let note = format!("note_{i}");
        assert_eq!(
            !result[&note].is_null(),
            applied.contains(&note),
            "{note}: in the DataSet exactly when its update won: {result}"
        );
    }
}
