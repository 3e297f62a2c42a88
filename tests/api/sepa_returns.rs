//! `POST /sepa/returns` against DynamoDB Local: a return with MD01 (no mandate) returns the
//! payment and holds the subscription, both in `GET /changelogs`; AM04 (insufficient funds)
//! holds nothing; the same return twice changes nothing; unknown and unsent debits are said so.

use integration_tests::donors::{Nonprofit, Pays, text};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

/// A monthly SEPA donation whose first debit went to the bank: (contact, e2e id). The one
/// place that knows how a debit gets there (the bank report tests use it too).
pub(crate) async fn collected(np: &Nonprofit, amount: &str) -> (String, String) {
    let result = np.donate(amount, 1, Pays::Sepa).await;
    let (status, _) = np.collect_and_send(None).await;
    assert_eq!(status, StatusCode::CREATED);
    let guid =
        shared::ground::ids::EntityGuid::parse(&text(&result["paymentGuidResult"])).expect("guid");
    (
        text(&result["contactGuidResult"]),
        shared::sepa::end_to_end_id(guid),
    )
}

fn bank_return(e2e: &str, code: &str, amount: &str) -> Value {
    json!({"endToEndId": e2e, "reasonCode": code, "returnDate": "2026-12-30", "amount": amount})
}

#[tokio::test]
async fn returns_are_booked_once_and_hold_subscriptions_only_for_mandate_reasons() {
    let np = Nonprofit::new().await;
    let (no_mandate, no_mandate_e2e) = collected(&np, "25").await;
    let (no_funds, no_funds_e2e) = collected(&np, "10").await;
    let pending = np.donate("5", 0, Pays::Sepa).await;
    let pending_e2e = shared::sepa::end_to_end_id(
        shared::ground::ids::EntityGuid::parse(&text(&pending["paymentGuidResult"])).expect("guid"),
    );
    let list = json!([
        bank_return(&no_mandate_e2e, "MD01", "25.00"),
        bank_return(&no_funds_e2e, "am04", "10"),
        bank_return("ffffffffffffffffffffffffffffffff", "AC04", "1"),
        bank_return(&pending_e2e, "AC04", "5"),
    ]);
    let (status, booked) = np.book_returns(&list).await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    let results = booked["results"].as_array().expect("results");
    let outcome = |i: usize| {
        (
            results[i]["result"].as_str(),
            results[i]["subscriptionHeld"].as_bool(),
        )
    };
    assert_eq!(outcome(0), (Some("returned"), Some(true)));
    assert_eq!(outcome(1), (Some("returned"), Some(false)));
    assert_eq!(outcome(2), (Some("unknown"), Some(false)));
    assert_eq!(outcome(3), (Some("notSubmitted"), Some(false)));

    let held = np.contact_ok(&no_mandate).await;
    assert_eq!(
        (
            held["payments"][0]["state"].as_str(),
            held["payments"][0]["returnReason"].as_str()
        ),
        (Some("returned"), Some("MD01"))
    );
    assert_eq!(held["subscriptions"][0]["state"], "onHold");
    let kept = np.contact_ok(&no_funds).await;
    // Its debit is presented again (see `sepa_representation`): the returned one is found by guid.
    let no_funds_payment = kept["payments"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|p| p["paymentGuid"] == results[1]["paymentGuid"])
        })
        .expect("the returned payment");
    assert_eq!(
        (
            no_funds_payment["state"].as_str(),
            no_funds_payment["returnReason"].as_str()
        ),
        (Some("returned"), Some("AM04"))
    );
    assert_eq!(kept["subscriptions"][0]["state"], "active");
    let entries = np.changelogs().await;
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["entityType"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == ("Return", "Payment"))
            .count(),
        2,
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == ("Hold", "Subscription"))
            .count(),
        1,
        "{actions:?}"
    );
    let md01 = entries
        .iter()
        .find(|e| e["metaData"]["reasonCode"] == "MD01")
        .expect("MD01 entry");
    assert_eq!(md01["after"]["state"], "returned");

    let (_, again) = np.book_returns(&list).await;
    assert_eq!(again["results"][0]["result"], "alreadyReturned");
    assert_eq!(
        again["results"][0]["changelogGuid"],
        booked["results"][0]["changelogGuid"]
    );
    assert_eq!(
        np.changelogs().await.len(),
        entries.len(),
        "the same returns change nothing"
    );
    assert_eq!(np.contact_ok(&no_mandate).await, held);

    for bad in [
        json!([]),
        json!([bank_return(&no_funds_e2e, "M!", "1")]),
        json!([bank_return(&no_funds_e2e, "AM04", "-1")]),
    ] {
        let (status, problem) = np.book_returns(&bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    }
}
