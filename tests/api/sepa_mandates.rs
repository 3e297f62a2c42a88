//! Mandates as the EPC SDD Core rulebook has them, through the API on DynamoDB Local:
//! - a one-off mandate (OOFF) carries one debit and is never drawn on for a series, a
//!   recurrent mandate never for a one-off: a sign-up that needs the other kind gets a mandate
//!   of its own (a new payment method of the same account, signed with the sign-up);
//! - when the creditor identifier changes, the next debit of an existing mandate tells the bank
//!   (`AmdmntInd` with `OrgnlCdtrSchmeId`), once.

use integration_tests::donors::{Nonprofit, Pays, action, text, with};
use integration_tests::events::Event;
use integration_tests::{
    creditor_state, daily_run, gateway, keep_pain008, own_entities_table, scheduler_state_in,
};
use jiff::ToSpan;
use jiff::civil::Date;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

fn method<'a>(contact: &'a Value, guid: &str) -> &'a Value {
    contact["paymentMethods"]
        .as_array()
        .expect("methods")
        .iter()
        .find(|m| m["paymentMethodGuid"] == guid)
        .expect("the payment method")
}

fn payment<'a>(contact: &'a Value, guid: &str) -> &'a Value {
    contact["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .find(|p| p["paymentGuid"] == guid)
        .expect("the payment")
}

fn mandate_of(method: &Value) -> String {
    text(&method["mandateReference"])
}

async fn sign_up(np: &Nonprofit, entity: &str, contact: &str, fields: Value) -> Value {
    let (status, dataset) = np
        .act(&with(action("SignUp", entity, contact), fields))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{dataset}");
    dataset["jsonElement"]["paymentSessionResult"].clone()
}

#[tokio::test]
async fn a_one_off_mandate_is_never_drawn_on_for_a_series_nor_twice() {
    let np = Nonprofit::new().await;
    let once = np.donate("20", 0, Pays::Sepa).await;
    let contact = text(&once["contactGuidResult"]);
    let one_off_method = text(&once["paymentMethodGuidResult"]);
    let shown = np.contact_ok(&contact).await;
    let one_off_mandate = mandate_of(method(&shown, &one_off_method));
    assert_eq!(method(&shown, &one_off_method)["mandateKind"], "oneOff");

    let series = sign_up(
        &np,
        "Subscription",
        &contact,
        json!({"amount": "10", "interval": 1}),
    )
    .await;
    let series_method = text(&series["paymentMethodGuidResult"]);
    assert_ne!(
        series_method, one_off_method,
        "a series needs a recurrent mandate of its own"
    );
    let shown = np.contact_ok(&contact).await;
    let recurrent = method(&shown, &series_method);
    assert_eq!(recurrent["mandateKind"], "recurrent");
    assert_ne!(mandate_of(recurrent), one_off_mandate);
    assert_eq!(
        recurrent["iban"],
        method(&shown, &one_off_method)["iban"],
        "the same account"
    );
    let first = payment(&shown, &text(&series["paymentGuidResult"]));
    assert_eq!(first["sequenceType"], "FRST", "{first}");
    assert_eq!(first["paymentMethodGuid"], series_method.as_str());

    // A second one-off on the used one-off mandate: a one-off mandate of its own again.
    let again = sign_up(
        &np,
        "Payment",
        &contact,
        json!({"amount": "5", "paymentMethodGuid": one_off_method}),
    )
    .await;
    let again_method = text(&again["paymentMethodGuidResult"]);
    assert_ne!(
        again_method, one_off_method,
        "a one-off mandate carries one debit"
    );
    let shown = np.contact_ok(&contact).await;
    assert_eq!(method(&shown, &again_method)["mandateKind"], "oneOff");
    assert_eq!(
        payment(&shown, &text(&again["paymentGuidResult"]))["sequenceType"],
        "OOFF"
    );
}

#[tokio::test]
async fn a_recurrent_mandate_never_carries_a_one_off() {
    let np = Nonprofit::new().await;
    let monthly = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&monthly["contactGuidResult"]);
    let recurrent = text(&monthly["paymentMethodGuidResult"]);
    let both = sign_up(
        &np,
        "SubscriptionWithOneOff",
        &contact,
        json!({"amount": "15", "interval": 3, "oneOffAmount": "50"}),
    )
    .await;
    assert_eq!(
        text(&both["paymentMethodGuidResult"]),
        recurrent,
        "the series stays on it"
    );
    let one_off_method = text(&both["oneOffPaymentMethodGuidResult"]);
    assert_ne!(one_off_method, recurrent);
    let shown = np.contact_ok(&contact).await;
    assert_eq!(method(&shown, &one_off_method)["mandateKind"], "oneOff");
    let one_off = payment(&shown, &text(&both["oneOffPaymentGuidResult"]));
    assert_eq!(
        (
            one_off["sequenceType"].as_str(),
            one_off["paymentMethodGuid"].as_str()
        ),
        (Some("OOFF"), Some(one_off_method.as_str()))
    );
    let single = sign_up(&np, "Payment", &contact, json!({"amount": "5"})).await;
    assert_ne!(text(&single["paymentMethodGuidResult"]), recurrent);
    // Every debit in one file, which stays valid against the XSD.
    let (status, collection) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{collection}");
    let (_, _, xml) = np.collection_file(&text(&collection["collectionId"])).await;
    keep_pain008(
        &format!("mandates-{}", text(&collection["collectionId"])),
        xml.as_bytes(),
    );
    assert_eq!(collection["numberOfTransactions"], 4, "{collection}");
    assert!(xml.contains("<SeqTp>OOFF</SeqTp>"), "{xml}");
}

#[tokio::test]
async fn a_changed_creditor_identifier_amends_each_mandates_next_debit_once() {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    let scheduler = scheduler_state_in(&table);
    let monthly = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&monthly["contactGuidResult"]);
    let (status, _) = np.collect_and_send(None).await;
    assert_eq!(status, StatusCode::CREATED);
    let shown = np.contact_ok(&contact).await;
    let due: Date = text(&payment(&shown, &text(&monthly["paymentGuidResult"]))["dueDate"])
        .parse()
        .expect("date");

    let new_id = "DE79ZZZ01234567890";
    let event = Event::http("PUT", "/sepa/creditor")
        .header("content-type", "application/json")
        .bearer(&np.key)
        .body(
            &json!({"name": "Demo Nonprofit e.V.", "creditorId": new_id,
                    "iban": "DE02120300000000202051", "bic": "BYLADEM1001"})
            .to_string(),
        );
    let response = gateway::creditor(event.request(), &creditor_state()).await;
    assert_eq!(response.status(), StatusCode::OK);

    let mut files = Vec::new();
    for month in 1..=2 {
        let day = due.checked_add(month.months()).expect("date");
        daily_run(&scheduler, day.checked_sub(14.days()).expect("date")).await;
        let until = json!({"collectionDate": day.checked_add(7.days()).expect("date").to_string()});
        let (status, collection) = np.collect_and_send(Some(&until)).await;
        assert_eq!(status, StatusCode::CREATED, "month {month}: {collection}");
        let (_, _, xml) = np.collection_file(&text(&collection["collectionId"])).await;
        keep_pain008(
            &format!("amended-{month}-{}", text(&collection["collectionId"])),
            xml.as_bytes(),
        );
        files.push(xml);
    }
    assert!(
        files[0].contains(&format!("<Id>{new_id}</Id>")),
        "the new creditor id"
    );
    assert!(
        files[0].contains("<AmdmntInd>true</AmdmntInd>"),
        "{}",
        files[0]
    );
    let compact: String = files[0].split_whitespace().collect();
    assert!(
        compact.contains("<OrgnlCdtrSchmeId><Id><PrvtId><Othr><Id>DE98ZZZ09999999999</Id>"),
        "the original creditor id: {}",
        files[0]
    );
    assert!(!files[1].contains("AmdmntInd"), "only once: {}", files[1]);
}
