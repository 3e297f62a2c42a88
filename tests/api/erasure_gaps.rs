//! Erasure without gaps, through `POST /actions` on DynamoDB Local:
//! - a merged-away source contact is a pointer that keeps none of the donor's data;
//! - a merge whose target is anonymised while it runs still finishes, and what it moves after
//!   (payment methods, debits, DataSets) arrives erased;
//! - a CRM's `metaData` on the donor's changelog entries is erased with the donor.

use integration_tests::donors::{
    EMAIL, FIRST_NAME, IBAN, LAST_NAME, Nonprofit, Pays, action, text, with,
};
use integration_tests::streams::act_out_of_time;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

fn assert_no_trace(what: &str, answer: &Value) {
    let text = answer.to_string();
    for personal in [FIRST_NAME, LAST_NAME, EMAIL, IBAN, "0532013"] {
        assert!(
            !text.contains(personal),
            "{what} still holds {personal}: {text}"
        );
    }
}

/// A donor with a monthly SEPA donation and `records` more DataSets carrying their data.
async fn donor(np: &Nonprofit, records: usize) -> String {
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    for i in 0..records {
        let body = with(
            action("SignUp", "DataSet", &contact),
            json!({"jsonElement": {"formResult": {
                "gift": i, "first_name": FIRST_NAME, "last_name": LAST_NAME, "email": EMAIL,
                "iban": IBAN,
            }}}),
        );
        assert_eq!(np.act(&body).await.0, StatusCode::CREATED);
    }
    contact
}

#[tokio::test]
async fn a_merged_away_contact_keeps_nothing_of_the_donor() {
    let np = Nonprofit::new().await;
    let (source, target) = (donor(&np, 0).await, donor(&np, 0).await);
    let merge = with(
        action("Merge", "Contact", &source),
        json!({"targetContactGuid": target}),
    );
    let (status, entry) = np.act(&merge).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let pointer = np.contact_ok(&source).await;
    assert_eq!(pointer["state"], "merged");
    assert_eq!(pointer["person"], json!({}), "{pointer}");
    assert_no_trace("the merged-away contact", &pointer);
}

#[tokio::test]
async fn a_merge_whose_target_is_erased_while_it_runs_finishes_and_brings_nothing_personal() {
    let np = Nonprofit::new().await;
    let (source, target) = (donor(&np, 30).await, donor(&np, 2).await);
    let merge = with(
        action("Merge", "Contact", &source),
        json!({"targetContactGuid": target}),
    );
    let (status, started) = act_out_of_time(&np, &merge).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["status"], "inProgress");
    let waiting = np.contact_ok(&source).await;
    assert_eq!(
        waiting["payments"].as_array().map(Vec::len),
        Some(1),
        "nothing moved yet: {waiting}"
    );

    // The target is erased before the merge goes on.
    let (status, erased) = np.act(&action("Anonymise", "Contact", &target)).await;
    assert_eq!(status, StatusCode::CREATED, "{erased}");
    assert_eq!(erased["status"], "completed");

    let (status, entry) = np.act(&merge).await;
    assert_eq!(status, StatusCode::CREATED, "the merge finishes: {entry}");
    assert_eq!(
        (entry["status"].as_str(), entry["changelogGuid"].as_str()),
        (Some("completed"), started["changelogGuid"].as_str())
    );
    let merged = np.contact_ok(&target).await;
    assert_eq!(merged["state"], "anonymised");
    assert_eq!(
        merged["payments"].as_array().map(Vec::len),
        Some(2),
        "{merged}"
    );
    assert_no_trace("the erased target, with what moved in", &merged);
    assert!(
        merged["subscriptions"]
            .as_array()
            .expect("subscriptions")
            .iter()
            .all(|s| s["state"] == "cancelled"),
        "an erased donor gives no more: {merged}"
    );
    assert!(
        merged["payments"]
            .as_array()
            .expect("payments")
            .iter()
            .all(|p| p["state"] == "cancelled"),
        "no unsent debit of an erased donor stays: {merged}"
    );
    assert_no_trace("the source", &np.contact_ok(&source).await);
    let guids = merged["dataSetGuids"].as_array().expect("guids").clone();
    assert_eq!(
        guids.len(),
        1 + 2 + 1 + 30,
        "every DataSet under the target"
    );
    for guid in &guids {
        let (status, dataset) = np.dataset(&text(guid)).await;
        assert_eq!(status, StatusCode::OK);
        assert_no_trace("a DataSet relinked after the erasure", &dataset);
    }
}

#[tokio::test]
async fn a_crms_metadata_on_the_donors_changelog_is_erased_with_them() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let hold = with(
        action(
            "Hold",
            "Subscription",
            &text(&result["subscriptionGuidResult"]),
        ),
        json!({"metaData": {"reason": "paused", "email": EMAIL, "caller": {"name": LAST_NAME}}}),
    );
    let (status, entry) = np.act(&hold).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert!(entry.to_string().contains(EMAIL), "kept as sent: {entry}");
    let held_entry = text(&entry["changelogGuid"]);

    let (status, _) = np.act(&action("Anonymise", "Contact", &contact)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, entry) = np.changelog(&held_entry).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        entry["metaData"]["reason"], "paused",
        "what is not personal stays"
    );
    assert_no_trace("the changelog entry", &entry);
    assert_no_trace("GET /changelogs", &Value::Array(np.changelogs().await));
}
