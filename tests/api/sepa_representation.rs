//! A temporary return presented again, through `POST /sepa/returns`, `GET /contact`,
//! `GET /changelogs`, `PUT /sepa/creditor` and `POST /sepa/collections` on DynamoDB Local:
//! - a series' debit returned with AM04 (or MS03) is presented again once, a new pending `RCUR`
//!   of the same amount on the same mandate, due 7 days after the return on a business day,
//!   with a changelog entry; the next file carries it as `RCUR` on that date;
//! - the same return booked twice presents it once; the debit presented again, returned
//!   again, is not presented a third time;
//! - never a one-off (OOFF) debit, never after a holding code (AC04), never with
//!   `representationDays` 0, never once the subscription is cancelled or the contact archived;
//!   a Cancel after it withdraws the debit presented again.

use integration_tests::donors::{Nonprofit, Pays, action, text};
use integration_tests::events::Event;
use integration_tests::{creditor_state, gateway, keep_pain008};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::ground::ids::EntityGuid;

use crate::sepa_returns::collected;

fn today() -> Date {
    shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date()
}

fn bank_return(e2e: &str, code: &str, amount: &str) -> Value {
    json!({"endToEndId": e2e, "reasonCode": code, "returnDate": today().to_string(),
           "amount": amount})
}

fn e2e_of(guid: &str) -> String {
    shared::sepa::end_to_end_id(EntityGuid::parse(guid).expect("guid"))
}

/// Books one return: its result.
async fn book(np: &Nonprofit, e2e: &str, code: &str, amount: &str) -> Value {
    let (status, booked) = np
        .book_returns(&json!([bank_return(e2e, code, amount)]))
        .await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    booked["results"][0].clone()
}

fn payments(contact: &Value) -> Vec<Value> {
    contact["payments"].as_array().expect("payments").clone()
}

fn payment<'a>(contact: &'a Value, guid: &str) -> &'a Value {
    contact["payments"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["paymentGuid"] == guid))
        .expect("the payment")
}

async fn representations(np: &Nonprofit) -> Vec<Value> {
    np.changelogs()
        .await
        .into_iter()
        .filter(|e| e["metaData"]["source"] == "representation")
        .collect()
}

/// `PUT /sepa/creditor` of the demo settings with `fields` added.
async fn put_creditor(np: &Nonprofit, fields: Value) -> (StatusCode, Value) {
    let mut body: Value =
        serde_json::from_str(admin::seed::DEMO_CREDITOR_JSON).expect("demo creditor");
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let event = Event::http("PUT", "/sepa/creditor")
        .header("content-type", "application/json")
        .bearer(&np.key)
        .body(&body.to_string());
    integration_tests::donors::json_of(gateway::creditor(event.request(), &creditor_state()).await)
        .await
}

/// The `PmtInf` block of a pain.008 file that holds `e2e`.
fn batch_of<'a>(xml: &'a str, e2e: &str) -> &'a str {
    xml.split("<PmtInf>")
        .find(|block| block.contains(&format!("<EndToEndId>{e2e}</EndToEndId>")))
        .expect("the debit in the file")
}

#[tokio::test]
async fn a_debit_returned_for_want_of_funds_is_presented_again_once_seven_days_later() {
    let np = Nonprofit::new().await;
    let (contact, e2e) = collected(&np, "25").await;
    let first = np.contact_ok(&contact).await;
    let returned = text(&first["payments"][0]["paymentGuid"]);
    let booked = book(&np, &e2e, "AM04", "25.00").await;
    assert_eq!(booked["result"], "returned", "{booked}");
    let again = text(&booked["representationGuid"]);

    let shown = np.contact_ok(&contact).await;
    assert_eq!(payments(&shown).len(), 2, "{shown}");
    assert_eq!(payment(&shown, &returned)["state"], "returned");
    let presented = payment(&shown, &again);
    let due = shared::sepa::calendar::on_or_after(today().checked_add(7.days()).expect("date"));
    assert!(!matches!(
        due.weekday(),
        Weekday::Saturday | Weekday::Sunday
    ));
    for (field, expected) in [
        ("state", json!("pending")),
        ("sequenceType", json!("RCUR")),
        ("amount", json!("25")),
        ("dueDate", json!(due.to_string())),
        ("representationOf", json!(returned)),
        (
            "paymentMethodGuid",
            first["payments"][0]["paymentMethodGuid"].clone(),
        ),
        (
            "subscriptionGuid",
            first["subscriptions"][0]["subscriptionGuid"].clone(),
        ),
    ] {
        assert_eq!(presented[field], expected, "{field}: {presented}");
    }
    assert_eq!(shown["subscriptions"][0]["state"], "active");
    let entries = representations(&np).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(
        (
            entry["action"].as_str(),
            entry["entityType"].as_str(),
            entry["entityGuid"].as_str(),
            entry["metaData"]["returnedPaymentGuid"].as_str(),
            entry["metaData"]["reasonCode"].as_str(),
        ),
        (
            Some("SignUp"),
            Some("Payment"),
            Some(again.as_str()),
            Some(returned.as_str()),
            Some("AM04")
        )
    );

    // Booked twice: nothing more.
    let changelog = np.changelogs().await.len();
    let twice = book(&np, &e2e, "AM04", "25.00").await;
    assert_eq!(twice["result"], "alreadyReturned");
    assert!(twice.get("representationGuid").is_none(), "{twice}");
    assert_eq!(np.contact_ok(&contact).await, shown);
    assert_eq!(np.changelogs().await.len(), changelog);

    // The next file carries it, RCUR on its day, valid for the XSD.
    let (status, collection) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{collection}");
    let id = text(&collection["collectionId"]);
    let (_, _, xml) = np.collection_file(&id).await;
    keep_pain008(&format!("representation-{id}"), xml.as_bytes());
    let batch = batch_of(&xml, &e2e_of(&again));
    assert!(batch.contains("<SeqTp>RCUR</SeqTp>"), "{batch}");
    assert!(
        batch.contains(&format!("<ReqdColltnDt>{due}</ReqdColltnDt>")),
        "{batch}"
    );
    assert!(batch.contains(r#"<InstdAmt Ccy="EUR">25.00</InstdAmt>"#));

    // Sent, and returned again: not presented a third time.
    let (status, _) = np.settle(&id, "submitted").await;
    assert_eq!(status, StatusCode::OK);
    let third = book(&np, &e2e_of(&again), "AM04", "25.00").await;
    assert_eq!(third["result"], "returned", "{third}");
    assert!(third.get("representationGuid").is_none(), "{third}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payments(&shown).len(), 2, "{shown}");
    assert_eq!(payment(&shown, &again)["state"], "returned");
    assert_eq!(representations(&np).await.len(), 1);
}

#[tokio::test]
async fn only_a_series_debit_with_a_passing_reason_is_presented_again() {
    let np = Nonprofit::new().await;
    // A one-off mandate is used once: its OOFF debit is never presented again.
    let once = np.donate("5", 0, Pays::Sepa).await;
    let (status, _) = np.collect_and_send(None).await;
    assert_eq!(status, StatusCode::CREATED);
    let ooff = book(&np, &e2e_of(&text(&once["paymentGuidResult"])), "AM04", "5").await;
    assert_eq!(ooff["result"], "returned", "{ooff}");
    assert!(ooff.get("representationGuid").is_none(), "{ooff}");
    let shown = np.contact_ok(&text(&once["contactGuidResult"])).await;
    assert_eq!(shown["payments"][0]["sequenceType"], "OOFF");
    assert_eq!(payments(&shown).len(), 1);

    // A closed account (AC04) holds the subscription; nothing is presented again.
    let (closed, closed_e2e) = collected(&np, "12").await;
    let held = book(&np, &closed_e2e, "AC04", "12").await;
    assert_eq!(
        (
            held["subscriptionHeld"].as_bool(),
            held.get("representationGuid")
        ),
        (Some(true), None),
        "{held}"
    );
    assert_eq!(payments(&np.contact_ok(&closed).await).len(), 1);

    // MS03 (reason not given) passes, as AM04 does.
    let (_, unknown_e2e) = collected(&np, "8").await;
    let ms03 = book(&np, &unknown_e2e, "MS03", "8").await;
    assert!(ms03["representationGuid"].is_string(), "{ms03}");

    // representationDays 0: never.
    let (status, stored) = put_creditor(&np, json!({"representationDays": 0})).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["representationDays"], 0);
    let (never, never_e2e) = collected(&np, "9").await;
    let off = book(&np, &never_e2e, "AM04", "9").await;
    assert_eq!(off["result"], "returned");
    assert!(off.get("representationGuid").is_none(), "{off}");
    assert_eq!(payments(&np.contact_ok(&never).await).len(), 1);
    assert_eq!(representations(&np).await.len(), 1, "only MS03's");
}

#[tokio::test]
async fn a_cancelled_or_archived_donor_is_not_debited_again() {
    let np = Nonprofit::new().await;
    // Cancelled after the debit went to the bank: its return is presented no more.
    let (cancelled, cancelled_e2e) = collected(&np, "15").await;
    let sub = text(&np.contact_ok(&cancelled).await["subscriptions"][0]["subscriptionGuid"]);
    let (status, _) = np.act(&action("Cancel", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    let late = book(&np, &cancelled_e2e, "AM04", "15").await;
    assert_eq!(late["result"], "returned");
    assert!(late.get("representationGuid").is_none(), "{late}");
    assert_eq!(payments(&np.contact_ok(&cancelled).await).len(), 1);

    // Archived (its subscriptions held): likewise.
    let (archived, archived_e2e) = collected(&np, "16").await;
    let (status, _) = np.act(&action("Archive", "Contact", &archived)).await;
    assert_eq!(status, StatusCode::CREATED);
    let gone = book(&np, &archived_e2e, "AM04", "16").await;
    assert_eq!(
        gone["result"], "returned",
        "a return is booked all the same"
    );
    assert!(gone.get("representationGuid").is_none(), "{gone}");
    assert_eq!(payments(&np.contact_ok(&archived).await).len(), 1);

    // Presented again, then cancelled: the debit presented again is withdrawn with the rest.
    let (kept, kept_e2e) = collected(&np, "17").await;
    let again = text(&book(&np, &kept_e2e, "AM04", "17").await["representationGuid"]);
    let sub = text(&np.contact_ok(&kept).await["subscriptions"][0]["subscriptionGuid"]);
    let (status, _) = np.act(&action("Cancel", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        payment(&np.contact_ok(&kept).await, &again)["state"],
        "cancelled"
    );
}

#[tokio::test]
async fn representation_days_are_a_creditor_setting_of_0_to_30() {
    let np = Nonprofit::new().await;
    let (status, stored) = put_creditor(&np, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["representationDays"], 7, "the default");
    let (status, stored) = put_creditor(&np, json!({"representationDays": 30})).await;
    assert_eq!(
        (status, &stored["representationDays"]),
        (StatusCode::OK, &json!(30))
    );
    for bad in [json!(31), json!(-1), json!(1000)] {
        let (status, problem) = put_creditor(&np, json!({"representationDays": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
        let detail = text(&problem["detail"]);
        assert!(
            detail.contains("'representationDays' must be 0"),
            "{bad}: {detail}"
        );
    }
    let (status, problem) = put_creditor(&np, json!({"representationDays": "7"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, stored) = get_creditor(&np).await;
    assert_eq!(
        (status, &stored["representationDays"]),
        (StatusCode::OK, &json!(30))
    );
}

async fn get_creditor(np: &Nonprofit) -> (StatusCode, Value) {
    let event = Event::http("GET", "/sepa/creditor").bearer(&np.key);
    integration_tests::donors::json_of(gateway::creditor(event.request(), &creditor_state()).await)
        .await
}
