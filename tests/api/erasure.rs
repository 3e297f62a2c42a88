//! Anonymise and Merge through `POST /actions` on DynamoDB Local, at the sizes the issue names:
//! a contact with 600 DataSets erased (also after a crash half-way, finished by calling
//! again) leaves no trace of the donor in any answer; two contacts of 300 DataSets each merged
//! leave every DataSet under the target.

use std::sync::atomic::AtomicUsize;

use integration_tests::donors::{
    EMAIL, FIRST_NAME, IBAN, LAST_NAME, Nonprofit, action, json_of, text, with,
};
use integration_tests::events::Event;
use integration_tests::faults::{Faults, Faulty};
use integration_tests::streams::donor_with_records;
use integration_tests::{TestDynamo, built};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::ActionsState;

/// Whatever an answer says, none of it is the donor's.
fn assert_no_trace(what: &str, answer: &Value) {
    let text = answer.to_string();
    for personal in [FIRST_NAME, LAST_NAME, EMAIL, IBAN, "0532013", "erika"] {
        assert!(
            !text.contains(personal),
            "{what} still holds {personal}: {text}"
        );
    }
}

#[tokio::test]
async fn anonymising_600_datasets_leaves_no_trace_and_a_crash_is_finished_by_calling_again() {
    let np = Nonprofit::new().await;
    let (contact, visit) = donor_with_records(&np, 600).await;
    let shown = np.contact_ok(&contact).await;
    let records: Vec<String> = shown["dataSetGuids"]
        .as_array()
        .expect("guids")
        .iter()
        .map(text)
        .collect();
    assert_eq!(records.len(), 600);
    assert!(shown.to_string().contains(LAST_NAME));

    // The first call crashes in the middle of its sixth batch.
    let faults = Faults {
        replacements_left: AtomicUsize::new(130),
        ..Faults::default()
    };
    let crashing: ActionsState<Faulty<TestDynamo>> = built(&Faulty::wiring(&np.wiring, faults));
    let anonymise = action("Anonymise", "Contact", &contact);
    let event = Event::http("POST", "/actions")
        .header("content-type", "application/json")
        .bearer(&np.key)
        .body(&anonymise.to_string());
    let (status, _) = json_of(post_actions::handle(event.request(), &crashing).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let halfway = np.contact_ok(&contact).await;
    assert_eq!(halfway["state"], "anonymising");
    assert_eq!(halfway["pending"]["done"], 125, "five whole batches of 25");
    assert_no_trace("the contact, at once", &halfway);
    let entry_guid = text(&halfway["pending"]["changelogGuid"]);
    let (_, entry) = np.changelog(&entry_guid).await;
    assert_eq!(entry["status"], "inProgress");

    // Called again: finished, exactly one entry, completed only now.
    let (status, entry) = np.act(&anonymise).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(
        (entry["changelogGuid"].as_str(), entry["status"].as_str()),
        (Some(entry_guid.as_str()), Some("completed"))
    );
    assert_eq!(entry["after"]["state"], "anonymised");
    assert_eq!(entry["after"]["done"], 600);
    let erased = np.contact_ok(&contact).await;
    assert_eq!(erased["state"], "anonymised");
    assert_eq!(
        erased["paymentMethods"][0]["iban"],
        "DE****************3000"
    );
    assert_no_trace("the contact", &erased);
    for guid in &records {
        let (status, dataset) = np.dataset(guid).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_trace("a DataSet", &dataset);
    }
    let listed = np.datasets().await;
    assert_eq!(listed.len(), 600);
    assert_no_trace("GET /dataSets", &Value::Array(listed));
    let changelog = np.changelogs().await;
    let kinds: Vec<(&str, &str)> = changelog
        .iter()
        .map(|e| {
            (
                e["entityType"].as_str().unwrap_or(""),
                e["action"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(kinds.contains(&("Contact", "Anonymise")), "{kinds:?}");
    // An erased donor gives no more: the monthly donation ends, its unsent debit withdrawn.
    assert!(kinds.contains(&("Subscription", "Cancel")), "{kinds:?}");
    assert_eq!(erased["subscriptions"][0]["state"], "cancelled");
    assert_eq!(erased["payments"][0]["state"], "cancelled");
    assert_no_trace("GET /changelogs", &Value::Array(changelog));
    assert_eq!(
        np.visit(&visit).await.0,
        StatusCode::NOT_FOUND,
        "its visit session is gone"
    );

    // Again: the same entry, nothing more to do; anything else on the contact is refused.
    let (status, again) = np.act(&anonymise).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let (status, _) = np
        .act(&with(
            action("SignUp", "Payment", &contact),
            json!({"amount": "5"}),
        ))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn merging_two_contacts_of_300_datasets_leaves_every_dataset_under_the_target() {
    let np = Nonprofit::new().await;
    let ((source, _), (target, _)) =
        futures::join!(donor_with_records(&np, 300), donor_with_records(&np, 300));
    let guids = |contact: &Value| -> Vec<String> {
        let mut all: Vec<String> = contact["dataSetGuids"]
            .as_array()
            .expect("guids")
            .iter()
            .map(text)
            .collect();
        all.sort();
        all
    };
    let (from, into) = (np.contact_ok(&source).await, np.contact_ok(&target).await);
    let mut expected = [guids(&from), guids(&into)].concat();
    expected.sort();
    assert_eq!(expected.len(), 600);
    let moved_subscription = text(&from["subscriptions"][0]["subscriptionGuid"]);

    let merge = with(
        action("Merge", "Contact", &source),
        json!({"targetContactGuid": target}),
    );
    let (status, entry) = np.act(&merge).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(
        (entry["status"].as_str(), entry["after"]["state"].as_str()),
        (Some("completed"), Some("merged"))
    );
    assert_eq!(entry["after"]["mergedInto"], target.as_str());

    let pointer = np.contact_ok(&source).await;
    assert_eq!(
        (pointer["state"].as_str(), pointer["mergedInto"].as_str()),
        (Some("merged"), Some(target.as_str()))
    );
    assert_eq!(
        (
            pointer["dataSetGuids"].clone(),
            pointer["subscriptions"].clone()
        ),
        (json!([]), json!([]))
    );
    let merged = np.contact_ok(&target).await;
    assert_eq!(guids(&merged), expected);
    assert_eq!(merged["moreDataSets"], false);
    for kind in ["paymentMethods", "subscriptions", "payments"] {
        assert_eq!(
            merged[kind].as_array().map(Vec::len),
            Some(2),
            "{kind}: {merged}"
        );
    }
    // The moved subscription is the target's now.
    let (status, cancelled) = np
        .act(&action("Cancel", "Subscription", &moved_subscription))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cancelled}");
    assert_eq!(cancelled["contactGuid"], target.as_str());
    let (status, _) = np.act(&merge).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a merged contact is merged no more"
    );
}
