//! Bounded collections through the API on DynamoDB Local (issue 27, point 6): a call that
//! spends its time budget answers 202 and the next call goes on with the same collection; a
//! retry with one `Idempotency-Key` never starts a second collection; a file holds at most
//! 5,000 debits; a file's bytes do not change when the configured time zone does; the list
//! of collections is paged.

use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use integration_tests::donors::{Nonprofit, json_of, text};
use integration_tests::events::Event;
use integration_tests::faults::{Faults, Faulty};
use integration_tests::{
    ENTITIES_TABLE, TestDynamo, built, dynamo_entities, dynamodb_client, gateway, keep_pain008,
    wiring_in,
};
use jiff::ToSpan;
use jiff::civil::Date;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::{Backend, CollectionsState};

fn due_in(days: i64) -> Date {
    let today = shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date();
    shared::sepa::calendar::on_or_after(today.checked_add(days.days()).expect("date"))
}

async fn seed(np: &Nonprofit, count: usize) {
    integration_tests::sepa::seed_due_debits(
        &dynamo_entities(dynamodb_client()),
        &np.merchant,
        count,
        500,
        due_in(3),
    )
    .await;
}

/// `POST /sepa/collections` through `state`, with an `Idempotency-Key` when given: status,
/// `Retry-After`, body.
async fn post<B: Backend>(
    np: &Nonprofit,
    state: &CollectionsState<B>,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut event = Event::http("POST", "/sepa/collections").bearer(&np.key);
    if let Some(key) = key {
        event = event.header("idempotency-key", key);
    }
    if let Some(body) = body {
        event = event
            .header("content-type", "application/json")
            .body(&body.to_string());
    }
    let response = post_sepa_collections::handle(event.request(), state).await;
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, body) = json_of(response).await;
    (status, retry_after, body)
}

/// `POST /sepa/collections` without a key, again while it answers 202 (its time budget ran
/// out, as it may on a busy test machine): the final status and body.
async fn collect_fully(np: &Nonprofit) -> (StatusCode, Value) {
    loop {
        let (status, _, body) = post(np, &np.collections, None, None).await;
        if status != StatusCode::ACCEPTED {
            return (status, body);
        }
    }
}

async fn listed(np: &Nonprofit, query: &str) -> (StatusCode, Value) {
    let event = Event::http("GET", "/sepa/collections")
        .raw_query(query)
        .bearer(&np.key);
    json_of(gateway::collection_list(event.request(), &np.collection_list).await).await
}

fn count(collection: &Value) -> Option<u64> {
    collection["numberOfTransactions"].as_u64()
}

#[tokio::test]
async fn a_call_out_of_time_answers_202_and_the_next_call_goes_on_with_that_collection() {
    let np = Nonprofit::new().await;
    seed(&np, 100).await;
    let mut wiring = wiring_in(dynamodb_client(), ENTITIES_TABLE);
    // No time at all: every call claims one batch (24 debits), then answers.
    wiring.settings.collection_budget = Duration::ZERO;
    let hurried: CollectionsState<TestDynamo> = built(&wiring);

    let (status, retry_after, first) = post(&np, &hurried, None, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{first}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(
        (
            first["status"].as_str(),
            first["complete"].as_bool(),
            count(&first)
        ),
        (Some("building"), Some(false), Some(24))
    );
    let id = text(&first["collectionId"]);
    assert_eq!(
        np.collection_file(&id).await.0,
        StatusCode::CONFLICT,
        "no file yet"
    );

    let mut calls = 1;
    let finished = loop {
        let (status, _, answer) = post(&np, &hurried, None, None).await;
        calls += 1;
        assert_eq!(answer["collectionId"], id.as_str(), "the same collection");
        if status == StatusCode::CREATED {
            break answer;
        }
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    };
    assert_eq!(calls, 5, "24 + 24 + 24 + 24 + 4");
    assert_eq!(
        (
            finished["status"].as_str(),
            finished["complete"].as_bool(),
            count(&finished)
        ),
        (Some("ready"), Some(true), Some(100))
    );
    assert_eq!(finished["moreDue"], false);
    let (_, list) = listed(&np, "").await;
    assert_eq!(list["list"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_never_starts_a_second_collection() {
    let np = Nonprofit::new().await;
    seed(&np, 60).await;
    let (status, _, first) = post(&np, &np.collections, Some("run-1"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(count(&first), Some(60));

    // More debits fall due; the client, unsure whether its call went through, retries.
    seed(&np, 10).await;
    let (status, _, again) = post(&np, &np.collections, Some("run-1"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["collectionId"], first["collectionId"]);
    assert_eq!(count(&again), Some(60), "the first answer, not a new file");
    assert_eq!(
        again["moreDue"], true,
        "the 10 new ones wait for another call"
    );

    let (status, _, other) = post(
        &np,
        &np.collections,
        Some("run-1"),
        Some(json!({"maxPayments": 5})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{other}");
    assert!(text(&other["detail"]).contains("Idempotency-Key"));
    let (_, list) = listed(&np, "").await;
    assert_eq!(
        list["list"].as_array().map(Vec::len),
        Some(1),
        "refused: nothing new"
    );

    let (status, _, bad) = post(&np, &np.collections, Some("has space"), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");

    let (status, _, next) = post(&np, &np.collections, Some("run-2"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(count(&next), Some(10));
    assert_ne!(next["collectionId"], first["collectionId"]);
}

#[tokio::test]
async fn a_keyed_call_that_crashed_is_finished_by_its_retry_not_doubled() {
    let np = Nonprofit::new().await;
    seed(&np, 120).await;
    let faults = Faults {
        claims_left: AtomicUsize::new(2),
        ..Faults::default()
    };
    let mut wiring = Faulty::wiring(&np.wiring, faults);
    wiring.settings.collection_lease = Duration::ZERO;
    let crashing: CollectionsState<Faulty<TestDynamo>> = built(&wiring);
    let (status, _, _) = post(&np, &crashing, Some("nightly-7"), None).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (_, list) = listed(&np, "").await;
    let building = list["list"][0].clone();
    assert_eq!(
        (building["status"].as_str(), count(&building)),
        (Some("building"), Some(48))
    );

    let (status, _, retried) = post(&np, &np.collections, Some("nightly-7"), None).await;
    assert_eq!(status, StatusCode::CREATED, "{retried}");
    assert_eq!(retried["collectionId"], building["collectionId"]);
    assert_eq!(count(&retried), Some(120));
    let (_, list) = listed(&np, "").await;
    assert_eq!(list["list"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_file_holds_at_most_5000_debits_and_the_answer_says_more_are_due() {
    let np = Nonprofit::new().await;
    seed(&np, 5010).await;
    let (status, full) = collect_fully(&np).await;
    assert_eq!(status, StatusCode::CREATED, "{full}");
    assert_eq!(
        (count(&full), full["moreDue"].as_bool()),
        (Some(5000), Some(true))
    );
    let (status, _, xml) = np.collection_file(&text(&full["collectionId"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(xml.matches("<DrctDbtTxInf>").count(), 5000);
    keep_pain008("capped-5000", xml.as_bytes());

    let (status, rest) = collect_fully(&np).await;
    assert_eq!(status, StatusCode::CREATED, "{rest}");
    assert_eq!(
        (count(&rest), rest["moreDue"].as_bool()),
        (Some(10), Some(false))
    );

    let (status, _, refused) = post(
        &np,
        &np.collections,
        None,
        Some(json!({"maxPayments": 5001})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text(&refused["detail"]).contains("5,000"), "{refused}");
}

#[tokio::test]
async fn five_thousand_of_the_longest_debits_a_donor_gives_fit_in_one_answer() {
    let np = Nonprofit::new().await;
    let seeded = integration_tests::sepa::seed_shaped_debits(
        &dynamo_entities(dynamodb_client()),
        &np.merchant,
        5000,
        500,
        due_in(3),
        integration_tests::sepa::Shape::Longest,
    )
    .await;
    let mut seen = std::collections::HashSet::new();
    let mut files = 0;
    loop {
        let (status, made) = collect_fully(&np).await;
        if status == StatusCode::CONFLICT {
            break;
        }
        assert_eq!(status, StatusCode::CREATED, "{made}");
        files += 1;
        let (status, _, xml) = np.collection_file(&text(&made["collectionId"])).await;
        assert_eq!(status, StatusCode::OK);
        let carried = shared::listing::carried_len(&xml);
        assert!(carried <= 5 * 1024 * 1024, "{carried} bytes in one answer");
        let in_file = xml.matches("<EndToEndId>").count() as u64;
        assert_eq!(Some(in_file), count(&made));
        assert_eq!(
            made["moreDue"],
            in_file < 5000 && seen.len() + (in_file as usize) < 5000
        );
        for e2e in xml.split("<EndToEndId>").skip(1) {
            assert!(seen.insert(e2e.split('<').next().unwrap_or_default().to_owned()));
        }
        keep_pain008(&format!("longest-{files}"), xml.as_bytes());
    }
    // Swiss donors with the longest name and address, BIC and an amended mandate: 5,000 fit
    // in one file under 5 MiB (a longer creditor text could not pass it either: a collection
    // stops claiming at that size, see `bank::claims`).
    assert_eq!(
        (files, seen.len()),
        (1, seeded.len()),
        "one file, each debit once"
    );
}

#[tokio::test]
async fn a_files_bytes_stay_the_same_when_the_configured_time_zone_changes() {
    let np = Nonprofit::new().await;
    seed(&np, 3).await;
    let (status, _, made) = post(&np, &np.collections, None, None).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = text(&made["collectionId"]);
    let (_, _, in_berlin) = np.collection_file(&id).await;

    let mut wiring = wiring_in(dynamodb_client(), ENTITIES_TABLE);
    wiring.settings.time_zone = jiff::tz::TimeZone::get("America/New_York").expect("tz");
    let moved: CollectionsState<TestDynamo> = built(&wiring);
    let event = Event::http("GET", &format!("/sepa/collections/{id}"))
        .path_param("id", &id)
        .bearer(&np.key);
    let response = gateway::collections(event.request(), &moved).await;
    assert_eq!(response.status(), StatusCode::OK);
    let in_new_york = String::from_utf8_lossy(response.body().as_ref()).into_owned();
    assert_eq!(in_new_york, in_berlin, "byte-identical");
    keep_pain008(&format!("zone-{id}"), in_berlin.as_bytes());
}

#[tokio::test]
async fn collections_are_listed_newest_first_in_pages_like_the_other_lists() {
    let np = Nonprofit::new().await;
    let mut made = Vec::new();
    for _ in 0..3 {
        seed(&np, 1).await;
        let (status, _, collection) = post(&np, &np.collections, None, None).await;
        assert_eq!(status, StatusCode::CREATED, "{collection}");
        made.push(text(&collection["collectionId"]));
    }
    made.sort();
    made.reverse();

    let (status, first) = listed(&np, "pageSize=2").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let ids = |page: &Value| -> Vec<String> {
        page["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| text(&c["collectionId"]))
            .collect()
    };
    assert_eq!(ids(&first), made[..2].to_vec());
    assert_eq!(
        (first["pageNumber"].as_u64(), first["pageSize"].as_u64()),
        (Some(1), Some(2))
    );
    let token = text(&first["nextToken"]);
    let (status, second) = listed(&np, &format!("nextToken={token}")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(ids(&second), made[2..].to_vec());
    assert!(second.get("nextToken").is_none_or(Value::is_null));

    let (_, by_number) = listed(&np, "pageSize=2&pageNumber=2").await;
    assert_eq!(ids(&by_number), made[2..].to_vec());
    let tomorrow = due_in(1).checked_add(1.day()).expect("date");
    let (_, later) = listed(&np, &format!("startDate={tomorrow}")).await;
    assert_eq!(ids(&later), Vec::<String>::new());

    for bad in [
        "pageSize=0",
        "pageSize=x",
        "nextToken=forged.token",
        "startDate=2026-13-01",
    ] {
        let (status, problem) = listed(&np, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
    }
    let other = Nonprofit::new().await;
    let (status, theirs) = listed(&other, &format!("nextToken={token}")).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "another key's token: {theirs}"
    );
}
