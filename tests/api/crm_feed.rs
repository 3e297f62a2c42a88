//! What a CRM that syncs this API sees, through the API on DynamoDB Local:
//! - `agreementGuidResult` names the agreement, the subscription, and an Upgrade takes it;
//! - a SignUp of a DataSet keeps the seed's `jsonElement` shape;
//! - an IBAN is masked in every answer, a Renewal's DataSet included;
//! - a 400 names the field that is wrong;
//! - two requests at once with one `Idempotency-Key` both get the first answer, and one change;
//! - every payment the scheduler makes is a changelog entry (`SignUp` of a `Payment`).

use futures::future::join;
use integration_tests::donors::{IBAN, Nonprofit, Pays, action, text, with};
use integration_tests::{daily_run, own_entities_table, scheduler_state_in};
use jiff::ToSpan;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_agreement_guid_is_the_subscription_an_upgrade_names() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let agreement = text(&result["agreementGuidResult"]);
    assert_eq!(agreement, text(&result["subscriptionGuidResult"]));
    let upgrade = with(
        action("Upgrade", "Subscription", &agreement),
        json!({"amount": "30"}),
    );
    let (status, entry) = np.act(&upgrade).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let shown = np.contact_ok(&text(&result["contactGuidResult"])).await;
    assert_eq!(shown["subscriptions"][0]["amount"], "30", "{shown}");
}

#[tokio::test]
async fn a_bad_guid_is_reported_under_its_own_field_and_changes_nothing() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 0, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let before = np.contact_ok(&contact).await;
    for (body, field) in [
        (
            with(
                action("SignUp", "Payment", &contact),
                json!({"amount": "5", "paymentMethodGuid": "not-a-guid"}),
            ),
            "paymentMethodGuid",
        ),
        (
            with(
                action("Merge", "Contact", &contact),
                json!({"targetContactGuid": "not-a-guid"}),
            ),
            "targetContactGuid",
        ),
        (action("Cancel", "Subscription", "not-a-guid"), "entityGuid"),
    ] {
        let (status, problem) = np.act(&body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        let detail = text(&problem["detail"]);
        assert!(detail.starts_with(&format!("{field}: ")), "{detail}");
    }
    assert_eq!(np.contact_ok(&contact).await, before, "nothing changed");
    assert!(np.changelogs().await.is_empty());
}

#[tokio::test]
async fn a_renewal_dataset_shows_the_new_iban_only_masked() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let method = text(&result["paymentMethodGuidResult"]);
    let new_iban = "DE02120300000000202051";
    let renewal = with(
        action("Renewal", "PaymentMethod", &method),
        json!({"iban": new_iban}),
    );
    let (status, answered) = np.act(&renewal).await;
    assert_eq!(status, StatusCode::CREATED, "{answered}");
    let guid = text(&answered["dataSetGuid"]);
    let (status, stored) = np.dataset(&guid).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    let listed: Vec<Value> = np
        .datasets()
        .await
        .into_iter()
        .filter(|d| d["dataSetGuid"] == guid.as_str())
        .collect();
    assert_eq!(listed.len(), 1);
    for shown in [&answered, &stored, &listed[0]] {
        let iban = text(&shown["jsonElement"]["formResult"]["iban"]);
        assert_eq!(iban, "DE****************2051", "{shown}");
        assert!(!shown.to_string().contains(new_iban), "{shown}");
        assert!(!shown.to_string().contains(IBAN), "{shown}");
    }
}

#[tokio::test]
async fn a_dataset_sign_up_keeps_the_seeds_shape() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 0, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let element = json!({
        "formResult": {"amount": "50", "email": "erika@example.org"},
        "formFields": [{"inputType": "text", "label": "Betrag", "name": "amount", "value": "50"}],
    });
    let body = with(
        action("SignUp", "DataSet", &contact),
        json!({"jsonElement": element}),
    );
    let (status, dataset) = np.act(&body).await;
    assert_eq!(status, StatusCode::CREATED, "{dataset}");
    let shown = &dataset["jsonElement"];
    assert_eq!(shown["formResult"], element["formResult"], "{shown}");
    assert_eq!(shown["formFields"], element["formFields"], "{shown}");
    assert_eq!(
        shown["paymentSessionResult"]["contactGuidResult"],
        contact.as_str()
    );
    assert_eq!(dataset["sensitive_data"], json!(["email"]));
}

#[tokio::test]
async fn two_requests_at_once_with_one_key_both_get_the_first_answer() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 0, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    for round in 0..3 {
        let key = format!("sign-up-at-once-{round}");
        let headers = [("idempotency-key", key.as_str())];
        let body = with(
            action("SignUp", "Payment", &contact),
            json!({"amount": "7"}),
        );
        let ((first_status, first), (second_status, second)) =
            join(np.act_with(&body, &headers), np.act_with(&body, &headers)).await;
        assert_eq!(
            (first_status, second_status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{first} {second}"
        );
        assert_eq!(first, second, "one answer");
    }
    let shown = np.contact_ok(&contact).await;
    let sevens = shown["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter(|p| p["amount"] == "7")
        .count();
    assert_eq!(sevens, 3, "one payment per key: {shown}");
}

#[tokio::test]
async fn every_payment_the_scheduler_makes_is_in_the_changelog_feed() {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    let scheduler = scheduler_state_in(&table);
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let subscription = text(&result["subscriptionGuidResult"]);
    let today = shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date();
    for day in 0..70 {
        daily_run(&scheduler, today.checked_add(day.days()).expect("date")).await;
    }
    // Run twice: the feed still has each payment once.
    daily_run(&scheduler, today.checked_add(69.days()).expect("date")).await;
    let shown = np.contact_ok(&contact).await;
    let made: Vec<&Value> = shown["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter(|p| p["paymentGuid"] != result["paymentGuidResult"])
        .collect();
    assert!(made.len() >= 2, "two months of debits: {shown}");
    let feed: Vec<Value> = np
        .changelogs()
        .await
        .into_iter()
        .filter(|e| e["metaData"]["source"] == "scheduler")
        .collect();
    assert_eq!(feed.len(), made.len(), "{feed:?}");
    for payment in made {
        let entry = feed
            .iter()
            .find(|e| e["entityGuid"] == payment["paymentGuid"])
            .unwrap_or_else(|| panic!("an entry for {payment}"));
        assert_eq!(
            (entry["action"].as_str(), entry["entityType"].as_str()),
            (Some("SignUp"), Some("Payment"))
        );
        assert_eq!(entry["contactGuid"], contact.as_str());
        assert_eq!(entry["metaData"]["subscriptionGuid"], subscription.as_str());
        assert_eq!(entry["after"]["amount"], payment["amount"]);
        assert_eq!(entry["after"]["dueDate"], payment["dueDate"]);
        assert!(entry["before"].is_null(), "{entry}");
    }
}
