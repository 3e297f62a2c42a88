//! `GET /dataSets` through its real handler, fed API Gateway HTTP API v2 events, against
//! DynamoDB Local, with DataSets written at controlled instants.

use integration_tests::TestDynamo;
use std::sync::OnceLock;

use futures::StreamExt;
use integration_tests::events::Event;
use integration_tests::{list_datasets_state, merchant_with_key};
use jiff::Timestamp;
use lambda_http::http::StatusCode;
use list_datasets::handle;
use serde_json::Value;
type DynamoState = shared::app::ListingState<TestDynamo>;
use shared::dataset::DataSetStore;
use shared::ground::ids::MerchantId;
use shared::wire;

async fn call(state: &DynamoState, key: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = handle(Event::list_datasets(query).bearer(key).request(), state).await;
    let json = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    (response.status(), json)
}

fn ts(utc: &str) -> Timestamp {
    utc.parse().expect("timestamp")
}

/// Writes DataSets created at the given instants; returns their guids in listing order.
async fn write_at(
    state: &DynamoState,
    merchant: &MerchantId,
    instants: &[Timestamp],
) -> Vec<(Timestamp, String)> {
    let body = r#"{"vendor":"listing","sensitive_data":[],"jsonElement":{"formResult":{"amount":"5.00"}}}"#;
    let written: Vec<(Timestamp, String)> = futures::stream::iter(instants.iter().copied())
        .map(|at| async move {
            let ds = wire::datasets::new_dataset(body)
                .expect("valid")
                .into_dataset(merchant.clone(), at);
            state.datasets.insert(&ds).await.expect("insert");
            (at, ds.guid.to_string())
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut written = written;
    written.sort();
    written
}

struct Fixture {
    key: String,
    other_key: String,
    /// The main merchant's DataSets in listing order.
    expected: Vec<(Timestamp, String)>,
}

/// 1,000 DataSets for one merchant and 300 for another, interleaved over three Berlin days
/// around the spring DST change (2024-03-30 to 2024-04-01), with ties and midnight edges.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let state = list_datasets_state();
                let (merchant, key) = merchant_with_key(state.auth.keys(), "listing").await;
                let (other, other_key) =
                    merchant_with_key(state.auth.keys(), "listing-other").await;
                let first = ts("2024-03-29T23:00:00Z"); // 2024-03-30 00:00 in Berlin
                let span_seconds = 3 * 86_400 - 3_600; // three local days, one of 23 hours
                let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
                let mut next = || {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed
                };
                let mut instants: Vec<Timestamp> = (0..992)
                    .map(|_| {
                        let offset = i64::try_from(next() % span_seconds).expect("small");
                        Timestamp::from_second(first.as_second() + offset).expect("in range")
                    })
                    .collect();
                // Ties: several DataSets in the same microsecond, ordered by guid.
                instants.extend([ts("2024-03-31T10:00:00Z"); 4]);
                // Midnight edges in local time, both sides of the DST change.
                instants.extend([
                    ts("2024-03-30T22:59:59Z"), // 2024-03-30 23:59:59 +0100
                    ts("2024-03-30T23:00:00Z"), // 2024-03-31 00:00:00 +0100
                    ts("2024-03-31T21:59:59Z"), // 2024-03-31 23:59:59 +0200
                    ts("2024-03-31T22:00:00Z"), // 2024-04-01 00:00:00 +0200
                ]);
                let expected = write_at(&state, &merchant, &instants).await;
                let other_instants: Vec<Timestamp> = instants.iter().step_by(3).copied().collect();
                write_at(&state, &other, &other_instants).await;
                Fixture {
                    key,
                    other_key,
                    expected,
                }
            })
        })
        .join()
        .expect("fixture written")
    })
}

/// Query parameters of a date range, and the UTC bounds they must mean (from in, until out).
type Range = (
    &'static [(&'static str, &'static str)],
    Option<Timestamp>,
    Option<Timestamp>,
);

/// Every page of a walk by pageNumber, and of a walk by nextToken; returns both.
async fn walks(
    state: &DynamoState,
    key: &str,
    range: &[(&'static str, &'static str)],
    size: &str,
) -> (Vec<String>, Vec<String>) {
    let guids = |json: &Value| -> Vec<String> {
        json["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|d| d["dataSetGuid"].as_str().expect("guid").to_owned())
            .collect()
    };
    let mut by_number = Vec::new();
    for page in 1.. {
        let page_text = page.to_string();
        let mut query = range.to_vec();
        query.extend([("pageSize", size), ("pageNumber", page_text.as_str())]);
        let (status, json) = call(state, key, &query).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["pageNumber"], page);
        let got = guids(&json);
        if got.is_empty() {
            assert!(json["nextToken"].is_null());
            break;
        }
        by_number.extend(got);
    }
    let mut by_token = Vec::new();
    let mut query: Vec<(&str, String)> = range.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    query.push(("pageSize", size.to_owned()));
    for page in 1.. {
        let borrowed: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, json) = call(state, key, &borrowed).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert_eq!(json["pageNumber"], page, "a token's page number follows on");
        by_token.extend(guids(&json));
        match json["nextToken"].as_str() {
            None => break,
            Some(token) => query = vec![("nextToken", token.to_owned())],
        }
    }
    (by_number, by_token)
}

#[tokio::test]
async fn every_page_size_and_range_lists_each_dataset_once_in_order() {
    let f = fixture();
    let state = &list_datasets_state();
    let ranges: [Range; 5] = [
        (&[], None, None),
        (
            &[("startDate", "2024-03-31")],
            Some(ts("2024-03-30T23:00:00Z")),
            None,
        ),
        (
            &[("endDate", "2024-03-30")],
            None,
            Some(ts("2024-03-30T23:00:00Z")),
        ),
        // The 23-hour spring-forward day.
        (
            &[("startDate", "2024-03-31"), ("endDate", "2024-03-31")],
            Some(ts("2024-03-30T23:00:00Z")),
            Some(ts("2024-03-31T22:00:00Z")),
        ),
        (
            &[("startDate", "2024-03-30"), ("endDate", "2024-04-01")],
            Some(ts("2024-03-29T23:00:00Z")),
            Some(ts("2024-04-01T22:00:00Z")),
        ),
    ];
    let checks = ranges
        .iter()
        .flat_map(|range| ["7", "50", "500"].map(move |size| (range, size)));
    futures::stream::iter(checks)
        .for_each_concurrent(4, |((query, from, until), size)| async move {
            let expected: Vec<String> = f
                .expected
                .iter()
                .filter(|(at, _)| {
                    from.is_none_or(|from| *at >= from) && until.is_none_or(|until| *at < until)
                })
                .map(|(_, guid)| guid.clone())
                .collect();
            assert!(!expected.is_empty());
            let (by_number, by_token) = walks(state, &f.key, query, size).await;
            assert_eq!(
                by_number, expected,
                "pageNumber walk, {query:?} size {size}"
            );
            assert_eq!(by_token, expected, "nextToken walk, {query:?} size {size}");
        })
        .await;
}

#[tokio::test]
async fn local_midnight_and_the_other_merchant_stay_on_their_side() {
    let f = fixture();
    let state = &list_datasets_state();
    let (_, march_30) = call(
        state,
        &f.key,
        &[
            ("startDate", "2024-03-30"),
            ("endDate", "2024-03-30"),
            ("pageSize", "500"),
        ],
    )
    .await;
    let (_, march_31) = call(
        state,
        &f.key,
        &[
            ("startDate", "2024-03-31"),
            ("endDate", "2024-03-31"),
            ("pageSize", "500"),
        ],
    )
    .await;
    let created = |json: &Value| -> Vec<String> {
        json["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|d| d["createdTs"].as_str().expect("ts").to_owned())
            .collect()
    };
    let (day30, day31) = (created(&march_30), created(&march_31));
    assert_eq!(
        day30.last().map(String::as_str),
        Some("2024-03-30 23:59:59 +0100")
    );
    assert_eq!(
        day31.first().map(String::as_str),
        Some("2024-03-31 00:00:00 +0100")
    );
    assert!(day31.contains(&"2024-03-31 23:59:59 +0200".to_owned()));
    assert!(!day31.contains(&"2024-04-01 00:00:00 +0200".to_owned()));
    assert_eq!(march_30["startDate"], "2024-03-30");

    let (status, theirs) = call(state, &f.other_key, &[("pageSize", "500")]).await;
    assert_eq!(status, StatusCode::OK);
    let mine: std::collections::HashSet<&str> =
        f.expected.iter().map(|(_, g)| g.as_str()).collect();
    let listed = theirs["list"].as_array().expect("list");
    assert!(!listed.is_empty());
    assert!(
        listed
            .iter()
            .all(|d| !mine.contains(d["dataSetGuid"].as_str().expect("guid")))
    );
}

#[tokio::test]
async fn the_autumn_dst_day_has_25_hours() {
    let state = list_datasets_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "autumn").await;
    write_at(
        &state,
        &merchant,
        &[
            ts("2024-10-26T21:59:59Z"), // 2024-10-26 23:59:59 +0200
            ts("2024-10-26T22:00:00Z"), // 2024-10-27 00:00:00 +0200
            ts("2024-10-27T00:30:00Z"), // 02:30 +0200, first pass of the repeated hour
            ts("2024-10-27T01:30:00Z"), // 02:30 +0100, second pass
            ts("2024-10-27T22:59:59Z"), // 2024-10-27 23:59:59 +0100
            ts("2024-10-27T23:00:00Z"), // 2024-10-28 00:00:00 +0100
        ],
    )
    .await;
    let (status, json) = call(
        &state,
        &key,
        &[("startDate", "2024-10-27"), ("endDate", "2024-10-27")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let created: Vec<&str> = json["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["createdTs"].as_str().expect("ts"))
        .collect();
    assert_eq!(
        created,
        [
            "2024-10-27 00:00:00 +0200",
            "2024-10-27 02:30:00 +0200",
            "2024-10-27 02:30:00 +0100",
            "2024-10-27 23:59:59 +0100"
        ]
    );
    assert!(json["nextToken"].is_null());
}

#[tokio::test]
async fn bad_parameters_and_foreign_or_tampered_tokens_are_400() {
    let f = fixture();
    let state = &list_datasets_state();
    let problem =
        |json: &Value| json["title"] == "Invalid listing request" && json["status"] == 400;
    for query in [
        vec![("pageNumber", "0")],
        vec![("pageNumber", "two")],
        vec![("pageNumber", "201")],
        vec![("pageSize", "501")],
        vec![("pageSize", "0")],
        vec![("pageSize", "-5")],
        vec![("startDate", "2024-13-45")],
        vec![("endDate", "2024-02-30")],
        vec![("startDate", "yesterday")],
        vec![("startDate", "2024-04-02"), ("endDate", "2024-04-01")],
        vec![("nextToken", "not-a-token")],
    ] {
        let (status, json) = call(state, &f.key, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}: {json}");
        assert!(problem(&json), "{json}");
    }
    let (_, first) = call(state, &f.key, &[("pageSize", "10"), ("unknown", "ignored")]).await;
    let token = first["nextToken"].as_str().expect("more pages").to_owned();
    let (status, json) = call(state, &f.other_key, &[("nextToken", &token)]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "another merchant's token: {json}"
    );
    let (status, _) = call(state, &f.key, &[("nextToken", &token), ("pageSize", "11")]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a token for another page size"
    );
    let mut tampered = token.clone().into_bytes();
    tampered[3] = if tampered[3] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let (status, _) = call(state, &f.key, &[("nextToken", &tampered)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a tampered token");
    let (status, _) = call(state, &f.key, &[("nextToken", &token)]).await;
    assert_eq!(status, StatusCode::OK, "the genuine token still works");
}

#[tokio::test]
async fn a_page_of_large_datasets_stays_within_what_lambda_can_answer() {
    let state = &list_datasets_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "listing-large").await;
    // 20 DataSets of ~340 KB (the API's limit is 350 KB) whose quotes Lambda escapes once
    // more: ~9.5 MB in all, so a page of 50 must stop early.
    let values = vec!["ab"; 340 * 1024 / 5].join("\",\"");
    let body = format!(
        r#"{{"vendor":"listing","sensitive_data":[],"jsonElement":{{"values":["{values}"]}}}}"#
    );
    let first = ts("2024-05-01T10:00:00Z");
    let mut expected = Vec::new();
    for i in 0..20 {
        let ds = wire::datasets::new_dataset(&body)
            .expect("valid")
            .into_dataset(merchant.clone(), first + jiff::SignedDuration::from_secs(i));
        state.datasets.insert(&ds).await.expect("insert");
        expected.push(ds.guid.to_string());
    }

    let (mut seen, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut query = vec![("pageSize", "50")];
        if let Some(token) = &token {
            query.push(("nextToken", token));
        }
        let response = handle(Event::list_datasets(&query).bearer(&key).request(), state).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = std::str::from_utf8(response.body().as_ref()).expect("UTF-8");
        // What Lambda sends back: the body as a JSON string inside its response document.
        let carried = serde_json::to_string(body).expect("string").len();
        assert!(
            carried < 6 * 1024 * 1024,
            "page {pages} carries {carried} bytes"
        );
        let json: Value = serde_json::from_str(body).expect("JSON");
        let list = json["list"].as_array().expect("list");
        assert!(!list.is_empty());
        seen.extend(
            list.iter()
                .map(|ds| ds["dataSetGuid"].as_str().expect("guid").to_owned()),
        );
        pages += 1;
        match json["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, expected, "every DataSet once, in order");
    assert!(pages > 1, "the DataSets do not fit one response");
}
