//! Every row of the seed's "DataSet and Changes" table through `POST /actions`, against
//! DynamoDB Local: each performed on entities a processed donation made, its record checked
//! (a changelog entry or a DataSet, as the table says) and the entity's new state read back.

use integration_tests::donors::{Nonprofit, Pays, action, text, with};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

/// The entity `guid` of a kind (`subscriptions`, `payments`, …) in a contact answer.
fn find<'a>(contact: &'a Value, kind: &str, guid_field: &str, guid: &str) -> &'a Value {
    contact[kind]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e[guid_field] == guid)
        .unwrap_or_else(|| panic!("{kind} {guid} in {contact}"))
}

/// A changelog answer: 201, the entry as `GET /changelog/{guid}` shows it too.
async fn changelog_of(np: &Nonprofit, (status, entry): (StatusCode, Value), action: &str) -> Value {
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["action"], action);
    assert_eq!(entry["status"], "completed");
    let (status, read) = np.changelog(&text(&entry["changelogGuid"])).await;
    assert_eq!((status, &read), (StatusCode::OK, &entry));
    entry
}

/// A DataSet answer: 201, the DataSet readable and listed by `GET /dataSets`.
async fn dataset_of(np: &Nonprofit, (status, dataset): (StatusCode, Value)) -> Value {
    assert_eq!(status, StatusCode::CREATED, "{dataset}");
    let guid = text(&dataset["dataSetGuid"]);
    let (status, read) = np.dataset(&guid).await;
    assert_eq!((status, &read), (StatusCode::OK, &dataset));
    assert!(
        np.datasets()
            .await
            .iter()
            .any(|d| d["dataSetGuid"] == guid.as_str())
    );
    dataset
}

#[tokio::test]
async fn a_processed_donation_stores_its_entities_and_the_contact_shows_them() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = np.contact_ok(&text(&result["contactGuidResult"])).await;
    assert_eq!(contact["state"], "active");
    assert_eq!(contact["person"]["last_name"], "Mustermann");
    assert_eq!(contact["dataSetGuids"], json!([result["dataSetGuid"]]));
    let method = find(
        &contact,
        "paymentMethods",
        "paymentMethodGuid",
        &text(&result["paymentMethodGuidResult"]),
    );
    assert_eq!(method["type"], "sepa_direct_debit");
    assert_eq!(
        method["iban"], "DE****************3000",
        "an IBAN is shown masked"
    );
    assert!(!contact.to_string().contains("0532013"), "{contact}");
    let sub = find(
        &contact,
        "subscriptions",
        "subscriptionGuid",
        &text(&result["subscriptionGuidResult"]),
    );
    assert_eq!(
        (
            sub["state"].as_str(),
            sub["amount"].as_str(),
            sub["interval"].as_u64()
        ),
        (Some("active"), Some("25"), Some(1))
    );
    let payment = find(
        &contact,
        "payments",
        "paymentGuid",
        &text(&result["paymentGuidResult"]),
    );
    assert_eq!(
        payment["state"], "pending",
        "a direct debit waits for the bank"
    );
    let card = np.donate("10", 0, Pays::Card).await;
    let contact = np.contact_ok(&text(&card["contactGuidResult"])).await;
    assert_eq!(contact["subscriptions"], json!([]));
    assert_eq!(contact["payments"][0]["state"], "collected");
    let (status, _) = np.contact(&uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn subscription_upgrade_cancel_hold_and_restart_are_changelog_entries() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let (contact, sub) = (
        text(&result["contactGuidResult"]),
        text(&result["subscriptionGuidResult"]),
    );
    let upgrade = with(
        action("Upgrade", "Subscription", &sub),
        json!({"amount": "40", "interval": 3, "metaData": {"by": "crm"}}),
    );
    let entry = changelog_of(&np, np.act(&upgrade).await, "Upgrade").await;
    assert_eq!(
        (entry["entityType"].as_str(), entry["entityGuid"].as_str()),
        (Some("Subscription"), Some(sub.as_str()))
    );
    assert_eq!(entry["contactGuid"], contact.as_str());
    assert_eq!(entry["metaData"], json!({"by": "crm"}));
    assert_eq!(
        (
            entry["before"]["amount"].as_str(),
            entry["after"]["amount"].as_str()
        ),
        (Some("25"), Some("40"))
    );
    assert_eq!(entry["after"]["interval"], 3);
    let state = |c: &Value| find(c, "subscriptions", "subscriptionGuid", &sub)["state"].clone();
    assert_eq!(
        find(
            &np.contact_ok(&contact).await,
            "subscriptions",
            "subscriptionGuid",
            &sub
        )["amount"],
        "40"
    );
    for (name, after) in [
        ("Hold", "onHold"),
        ("Restart", "active"),
        ("Cancel", "cancelled"),
        ("Restart", "active"),
    ] {
        let entry =
            changelog_of(&np, np.act(&action(name, "Subscription", &sub)).await, name).await;
        assert_eq!(entry["after"]["state"], after, "{name}");
        assert_eq!(state(&np.contact_ok(&contact).await), after, "{name}");
    }
    let entries = np.changelogs().await;
    let of_subscription = entries
        .iter()
        .filter(|e| e["entityType"] == "Subscription")
        .count();
    assert_eq!(of_subscription, 5, "one entry per change");
    // The first Hold withdrew the unsent first debit: its one entry, and no more.
    assert_eq!(entries.len(), 6, "{entries:?}");
}

#[tokio::test]
async fn refunds_are_changelog_entries_and_never_exceed_what_was_collected() {
    let np = Nonprofit::new().await;
    let result = np.donate("30", 0, Pays::Card).await;
    let (contact, payment) = (
        text(&result["contactGuidResult"]),
        text(&result["paymentGuidResult"]),
    );
    let refund = |amount: &str| {
        with(
            action("Refund", "Payment", &payment),
            json!({"amount": amount}),
        )
    };
    let entry = changelog_of(&np, np.act(&refund("10")).await, "Refund").await;
    assert_eq!(
        (
            entry["after"]["state"].as_str(),
            entry["after"]["refundedAmount"].as_str()
        ),
        (Some("collected"), Some("10"))
    );
    let (status, problem) = np.act(&refund("20.01")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(text(&problem["detail"]).contains("20"), "{problem}");
    let entry = changelog_of(
        &np,
        np.act(&action("Refund", "Payment", &payment)).await,
        "Refund",
    )
    .await;
    assert_eq!(
        (
            entry["after"]["state"].as_str(),
            entry["after"]["refundedAmount"].as_str()
        ),
        (Some("refunded"), Some("30"))
    );
    let shown = np.contact_ok(&contact).await;
    let shown = find(&shown, "payments", "paymentGuid", &payment);
    assert_eq!(
        (shown["state"].as_str(), shown["refundedAmount"].as_str()),
        (Some("refunded"), Some("30"))
    );
    let (status, _) = np.act(&refund("1")).await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing is left to refund");
    let pending = np.donate("5", 0, Pays::Sepa).await;
    let (status, problem) = np
        .act(&action(
            "Refund",
            "Payment",
            &text(&pending["paymentGuidResult"]),
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a pending payment is not refunded: {problem}"
    );
    assert_eq!(np.changelogs().await.len(), 2);
}

#[tokio::test]
async fn sign_ups_add_on_and_renewal_are_datasets_of_the_contact() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let (contact, sub, method) = (
        text(&result["contactGuidResult"]),
        text(&result["subscriptionGuidResult"]),
        text(&result["paymentMethodGuidResult"]),
    );
    let add_on = with(
        action("Upgrade", "AddOn", &sub),
        json!({"amount": "5", "name": "Patenschaft"}),
    );
    let dataset = dataset_of(&np, np.act(&add_on).await).await;
    let created = &dataset["jsonElement"]["paymentSessionResult"];
    let shown = np.contact_ok(&contact).await;
    let shown_add_on = find(
        &shown,
        "addOns",
        "addOnGuid",
        &text(&created["addOnGuidResult"]),
    );
    assert_eq!(
        (
            shown_add_on["amount"].as_str(),
            shown_add_on["subscriptionGuid"].as_str()
        ),
        (Some("5"), Some(sub.as_str()))
    );

    let payment = with(
        action("SignUp", "Payment", &contact),
        json!({"amount": "12.50"}),
    );
    let dataset = dataset_of(&np, np.act(&payment).await).await;
    let guid = text(&dataset["jsonElement"]["paymentSessionResult"]["paymentGuidResult"]);
    let shown = np.contact_ok(&contact).await;
    assert_eq!(
        find(&shown, "payments", "paymentGuid", &guid)["amount"],
        "12.50"
    );

    let subscription = with(
        action("SignUp", "Subscription", &contact),
        json!({"amount": "8", "interval": 12}),
    );
    let dataset = dataset_of(&np, np.act(&subscription).await).await;
    let guid = text(&dataset["jsonElement"]["paymentSessionResult"]["subscriptionGuidResult"]);
    let shown = np.contact_ok(&contact).await;
    assert_eq!(
        find(&shown, "subscriptions", "subscriptionGuid", &guid)["interval"],
        12
    );

    let with_one_off = with(
        action("SignUp", "SubscriptionWithOneOff", &contact),
        json!({"amount": "10", "interval": 1, "oneOffAmount": "50"}),
    );
    let dataset = dataset_of(&np, np.act(&with_one_off).await).await;
    let created = &dataset["jsonElement"]["paymentSessionResult"];
    let shown = np.contact_ok(&contact).await;
    find(
        &shown,
        "subscriptions",
        "subscriptionGuid",
        &text(&created["subscriptionGuidResult"]),
    );
    assert_eq!(
        find(
            &shown,
            "payments",
            "paymentGuid",
            &text(&created["oneOffPaymentGuidResult"])
        )["amount"],
        "50"
    );

    let record = with(
        action("SignUp", "DataSet", &contact),
        json!({"jsonElement": {"formResult": {"campaign": "winter", "first_name": "Erika"},
                               "formFields": [{"name": "campaign"}]}}),
    );
    let dataset = dataset_of(&np, np.act(&record).await).await;
    // The seed's shape, as sent: formResult is not nested in another formResult.
    let element = &dataset["jsonElement"];
    assert_eq!(element["formResult"]["campaign"], "winter", "{element}");
    assert!(
        element["formResult"].get("formResult").is_none(),
        "{element}"
    );
    assert_eq!(element["formFields"][0]["name"], "campaign");
    assert_eq!(dataset["sensitive_data"], json!(["first_name"]));

    let renewal = with(
        action("Renewal", "PaymentMethod", &method),
        json!({"iban": "AT61 1904 3002 3457 3201"}),
    );
    let dataset = dataset_of(&np, np.act(&renewal).await).await;
    let renewed = text(&dataset["jsonElement"]["paymentSessionResult"]["paymentMethodGuidResult"]);
    let shown = np.contact_ok(&contact).await;
    let old = find(&shown, "paymentMethods", "paymentMethodGuid", &method);
    assert_eq!(
        (old["state"].as_str(), old["replacedBy"].as_str()),
        (Some("replaced"), Some(renewed.as_str()))
    );
    assert_eq!(
        find(&shown, "paymentMethods", "paymentMethodGuid", &renewed)["iban"],
        "AT**************3201"
    );
    assert!(
        shown["subscriptions"]
            .as_array()
            .expect("subs")
            .iter()
            .all(|s| s["paymentMethodGuid"] == renewed.as_str()),
        "{shown}"
    );
    assert_eq!(
        shown["dataSetGuids"].as_array().map(Vec::len),
        Some(7),
        "the donation and six actions"
    );
    assert_eq!(
        np.changelogs().await.len(),
        0,
        "DataSet rows write no changelog entry"
    );
}

#[tokio::test]
async fn archive_makes_a_contact_read_only() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Card).await;
    let contact = text(&result["contactGuidResult"]);
    let entry = changelog_of(
        &np,
        np.act(&action("Archive", "Contact", &contact)).await,
        "Archive",
    )
    .await;
    assert_eq!(
        (
            entry["before"]["state"].as_str(),
            entry["after"]["state"].as_str()
        ),
        (Some("active"), Some("archived"))
    );
    let before = np.contact_ok(&contact).await;
    assert_eq!(before["state"], "archived");
    for refused in [
        action(
            "Cancel",
            "Subscription",
            &text(&result["subscriptionGuidResult"]),
        ),
        action("Refund", "Payment", &text(&result["paymentGuidResult"])),
        with(
            action("SignUp", "Payment", &contact),
            json!({"amount": "5"}),
        ),
        action("Archive", "Contact", &contact),
    ] {
        let (status, problem) = np.act(&refused).await;
        assert_eq!(status, StatusCode::CONFLICT, "{refused}: {problem}");
        assert_eq!(problem["title"], "Action not allowed in this state");
    }
    assert_eq!(
        np.contact_ok(&contact).await,
        before,
        "refusals changed nothing"
    );
    let actions: Vec<String> = np
        .changelogs()
        .await
        .iter()
        .map(|e| text(&e["action"]))
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert!(
        actions.contains(&"Archive".to_owned()) && actions.contains(&"Hold".to_owned()),
        "the archive, and its subscription held: {actions:?}"
    );
}
