//! SEPA collections through the API on DynamoDB Local: a monthly donation's first debit in a
//! pain.008.001.08 file (validated against the official XSD by `make test`), the same bytes on
//! every GET; 8 concurrent collections over 5,000 due payments put each in exactly one file; a
//! collection interrupted half-way is finished, not duplicated, by the next call.

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use futures::future::join_all;
use integration_tests::donors::{Nonprofit, Pays, json_of, text};
use integration_tests::events::Event;
use integration_tests::faults::{Faults, Faulty};
use integration_tests::{TestDynamo, built};
use integration_tests::{dynamo_entities, dynamodb_client, gateway, keep_pain008};
use jiff::ToSpan;
use jiff::civil::Date;
use lambda_http::http::StatusCode;
use serde_json::json;
use shared::app::CollectionsState;

fn today() -> Date {
    shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date()
}

/// The end-to-end ids in a file, each as often as it occurs.
fn end_to_end_ids(xml: &str) -> Vec<String> {
    xml.split("<EndToEndId>")
        .skip(1)
        .filter_map(|rest| rest.split("</EndToEndId>").next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_monthly_sepa_donation_is_collected_in_a_pain008_file() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let shown = np.contact_ok(&contact).await;
    let payment = &shown["payments"][0];
    let due = shared::sepa::due_date(today(), 14);
    assert_eq!(payment["state"], "pending");
    assert_eq!(payment["sequenceType"], "FRST");
    assert_eq!(
        payment["dueDate"],
        due.to_string(),
        "14 days' notice, on a TARGET2 day"
    );
    let mandate = text(&shown["paymentMethods"][0]["mandateReference"]);
    assert!(
        mandate.starts_with("DON") && mandate.len() == 35,
        "{mandate}"
    );
    assert_eq!(
        shown["subscriptions"][0]["nextDueDate"],
        due.checked_add(1.month()).expect("date").to_string(),
        "the series keeps the first debit's day"
    );

    let (status, collection) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{collection}");
    assert_eq!(
        (
            collection["numberOfTransactions"].as_u64(),
            collection["controlSum"].as_str()
        ),
        (Some(1), Some("25.00"))
    );
    let id = text(&collection["collectionId"]);
    let (status, kind, xml) = np.collection_file(&id).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/xml"));
    keep_pain008(&format!("monthly-{id}"), xml.as_bytes());
    let e2e = shared::sepa::end_to_end_id(
        shared::ground::ids::EntityGuid::parse(&text(&payment["paymentGuid"])).expect("guid"),
    );
    for expected in [
        "<SeqTp>FRST</SeqTp>".to_owned(),
        format!("<EndToEndId>{e2e}</EndToEndId>"),
        "<InstdAmt Ccy=\"EUR\">25.00</InstdAmt>".to_owned(),
        format!("<MndtId>{mandate}</MndtId>"),
        "<Id>DE98ZZZ09999999999</Id>".to_owned(),
        format!("<ReqdColltnDt>{due}</ReqdColltnDt>"),
        "<Nm>Erika Mustermann</Nm>".to_owned(),
    ] {
        assert!(xml.contains(&expected), "{expected} in {xml}");
    }
    assert_eq!(
        np.collection_file(&id).await.2,
        xml,
        "byte-identical on every GET"
    );
    let shown = np.contact_ok(&contact).await;
    assert_eq!(
        shown["payments"][0]["state"], "claimed",
        "in a file, not yet the bank's"
    );
    assert_eq!(shown["payments"][0]["collectionId"], id.as_str());
    let (status, sent) = np.settle(&id, "submitted").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        (sent["status"].as_str(), sent["debitsMoved"].as_u64()),
        (Some("sent"), Some(1))
    );
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["payments"][0]["state"], "submitted");
    assert_eq!(
        np.collection_file(&id).await.2,
        xml,
        "a sent file is served as it was"
    );
    let (status, problem) = np.collect(None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing left to collect: {problem}"
    );
    let list = Event::http("GET", "/sepa/collections").bearer(&np.key);
    let (_, listed) =
        json_of(gateway::collection_list(list.request(), &np.collection_list).await).await;
    assert_eq!(listed["list"][0]["collectionId"], id.as_str());
    let stranger = Nonprofit::new().await;
    assert_eq!(stranger.collection_file(&id).await.0, StatusCode::NOT_FOUND);
    let (status, _) = np.collect(Some(&json!({"maxPayments": 0}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn eight_concurrent_collections_put_each_of_5000_payments_in_exactly_one_file() {
    let np = Nonprofit::new().await;
    let due = shared::sepa::calendar::on_or_after(today().checked_add(3.days()).expect("date"));
    let seeded = integration_tests::sepa::seed_due_debits(
        &dynamo_entities(dynamodb_client()),
        &np.merchant,
        5000,
        1000,
        due,
    )
    .await;
    // Each caller goes on until nothing is due: a call whose time budget ran out (202) left
    // its collection building, for whichever call comes next.
    let callers = join_all((0..8).map(|_| async {
        let mut made = Vec::new();
        loop {
            let (status, collection) = np.collect(None).await;
            match status {
                StatusCode::CREATED => made.push(text(&collection["collectionId"])),
                StatusCode::ACCEPTED => {}
                StatusCode::CONFLICT => return made,
                other => panic!("{other}: {collection}"),
            }
        }
    }))
    .await;
    let files: Vec<String> = callers.into_iter().flatten().collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for id in &files {
        let (status, _, xml) = np.collection_file(id).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            xml.contains("<Nm>Juergen Weiss-Oeztuerk</Nm>"),
            "names in the SEPA set"
        );
        keep_pain008(&format!("concurrent-{id}"), xml.as_bytes());
        for e2e in end_to_end_ids(&xml) {
            *seen.entry(e2e).or_default() += 1;
        }
    }
    let expected: Vec<String> = seeded
        .iter()
        .map(|g| shared::sepa::end_to_end_id(*g))
        .collect();
    assert_eq!(
        seen.len(),
        5000,
        "every payment is in a file ({} files)",
        files.len()
    );
    assert!(seen.values().all(|n| *n == 1), "and in exactly one");
    assert!(expected.iter().all(|e2e| seen.contains_key(e2e)));
}

#[tokio::test]
async fn a_collection_interrupted_half_way_is_finished_by_the_next_call() {
    let np = Nonprofit::new().await;
    let due = shared::sepa::calendar::on_or_after(today().checked_add(2.days()).expect("date"));
    integration_tests::sepa::seed_due_debits(
        &dynamo_entities(dynamodb_client()),
        &np.merchant,
        300,
        500,
        due,
    )
    .await;
    let faults = Faults {
        claims_left: AtomicUsize::new(3),
        ..Faults::default()
    };
    let mut wiring = Faulty::wiring(&np.wiring, faults);
    // Its lease runs out at once, as a crashed call's would after a minute.
    wiring.settings.collection_lease = Duration::ZERO;
    let crashing: CollectionsState<Faulty<TestDynamo>> = built(&wiring);
    let event = Event::http("POST", "/sepa/collections").bearer(&np.key);
    let (status, _) =
        json_of(post_sepa_collections::handle(event.request(), &crashing).await).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let list = Event::http("GET", "/sepa/collections").bearer(&np.key);
    let (_, listed) =
        json_of(gateway::collection_list(list.request(), &np.collection_list).await).await;
    let building = listed["list"][0].clone();
    assert_eq!(
        (
            building["status"].as_str(),
            building["numberOfTransactions"].as_u64()
        ),
        (Some("building"), Some(72))
    );
    let id = text(&building["collectionId"]);
    assert_eq!(
        np.collection_file(&id).await.0,
        StatusCode::CONFLICT,
        "not ready: no file yet"
    );

    let (status, finished) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{finished}");
    assert_eq!(
        finished["collectionId"],
        id.as_str(),
        "the same collection, finished"
    );
    assert_eq!(
        (
            finished["numberOfTransactions"].as_u64(),
            finished["controlSum"].as_str()
        ),
        (Some(300), Some("1500.00"))
    );
    let (_, _, xml) = np.collection_file(&id).await;
    let ids = end_to_end_ids(&xml);
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (300, 300));
    keep_pain008(&format!("resumed-{id}"), xml.as_bytes());
    let (_, listed) = json_of(
        gateway::collection_list(
            Event::http("GET", "/sepa/collections")
                .bearer(&np.key)
                .request(),
            &np.collection_list,
        )
        .await,
    )
    .await;
    assert_eq!(
        listed["list"].as_array().map(Vec::len),
        Some(1),
        "never a second collection"
    );
}
