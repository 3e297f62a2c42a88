//! DESIGN §7: one DynamoDB request per create, read and update (updateSession: one read and
//! one write); a listing page reads O(page size). Counted by an SDK interceptor on DynamoDB Local: exact counts, not timings.

use futures::StreamExt;
use integration_tests::events::Event;
use integration_tests::{
    counting_dynamodb_client, dataset_api_state_with, list_datasets_state_with, merchant_with_form,
    merchant_with_key, process_session_state_with, session_api_state_with,
    visit_sessions_state_with,
};
use lambda_http::http::StatusCode;
use serde_json::Value;
use shared::dataset::DataSetStore;
use shared::dataset::ShardCount;
use shared::wire;

fn count(requests: &[String], operation: &str) -> usize {
    requests.iter().filter(|r| r.as_str() == operation).count()
}

#[tokio::test]
async fn the_record_api_sends_one_request_per_operation_and_none_for_refused_input() {
    let (client, requests) = counting_dynamodb_client();
    let state = dataset_api_state_with(client);
    let (_, key) = merchant_with_key(state.auth.keys(), "counts").await;
    requests.take();

    let created =
        integration_tests::gateway::records(Event::post_dataset().bearer(&key).request(), &state)
            .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        requests.take(),
        ["GetItem", "PutItem"],
        "cold: the key, then the write"
    );
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let guid = created["dataSetGuid"].as_str().expect("guid");

    // Warm: the key is cached, so each operation is exactly one request. (GET and PUT are
    // another function, with its own cache: its first request looks the key up.)
    integration_tests::gateway::records(Event::post_dataset().bearer(&key).request(), &state).await;
    assert_eq!(requests.take(), ["PutItem"]);
    integration_tests::gateway::records(Event::get_dataset(guid).bearer(&key).request(), &state)
        .await;
    assert_eq!(
        requests.take(),
        ["GetItem", "GetItem"],
        "cold: the key, then the read"
    );
    integration_tests::gateway::records(Event::get_dataset(guid).bearer(&key).request(), &state)
        .await;
    assert_eq!(requests.take(), ["GetItem"]);
    let put = Event::put_dataset(guid, r#"{"jsonElement":{"a":1}}"#).bearer(&key);
    assert_eq!(
        integration_tests::gateway::records(put.request(), &state)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(requests.take(), ["UpdateItem"]);

    for refused in [
        Event::post_dataset().bearer(&key).body("{"),
        Event::put_dataset("nope", r#"{"jsonElement":{}}"#).bearer(&key),
        Event::put_dataset(guid, r#"{"jsonElement":[]}"#).bearer(&key),
    ] {
        let response = integration_tests::gateway::records(refused.request(), &state).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(
        requests.take(),
        Vec::<String>::new(),
        "refused input costs no request"
    );
}

#[tokio::test]
async fn a_listing_page_costs_one_query_per_shard_and_one_batch_read_per_100_items() {
    let (client, requests) = counting_dynamodb_client();
    let state = list_datasets_state_with(client);
    let (merchant, key) = merchant_with_key(state.auth.keys(), "counts").await;
    let body = r#"{"vendor":"counts","sensitive_data":[],"jsonElement":{}}"#;
    futures::stream::iter(0..600)
        .for_each_concurrent(16, |i| {
            let (state, merchant) = (&state, &merchant);
            async move {
                let at = jiff::Timestamp::from_second(1_700_000_000 + i).expect("in range");
                let ds = wire::datasets::new_dataset(body)
                    .expect("valid")
                    .into_dataset(merchant.clone(), at);
                state.datasets.insert(&ds).await.expect("insert");
            }
        })
        .await;
    let list = |query: Vec<(&'static str, String)>| {
        let state = &state;
        let key = key.clone();
        async move {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response =
                list_datasets::handle(Event::list_datasets(&query).bearer(&key).request(), state)
                    .await;
            assert_eq!(response.status(), StatusCode::OK);
            serde_json::from_slice::<Value>(response.body().as_ref()).expect("JSON")
        }
    };
    list(vec![]).await;
    requests.take();

    let shards = usize::from(ShardCount::DEFAULT.get());
    for (size, batches) in [(50, 1), (250, 3)] {
        let page = list(vec![("pageSize", size.to_string())]).await;
        let sent = requests.take();
        assert_eq!(count(&sent, "Query"), shards, "page 1 of {size}: {sent:?}");
        assert_eq!(
            count(&sent, "BatchGetItem"),
            batches,
            "page 1 of {size}: {sent:?}"
        );
        assert_eq!(sent.len(), shards + batches);

        let token = page["nextToken"].as_str().expect("more pages").to_owned();
        list(vec![("nextToken", token)]).await;
        let sent = requests.take();
        assert_eq!(
            count(&sent, "Query"),
            shards,
            "nextToken page of {size}: {sent:?}"
        );
        assert_eq!(count(&sent, "BatchGetItem"), batches);
    }

    // A deep page number skips on index keys: more queries, still one batch read per page.
    list(vec![
        ("pageSize", "50".to_owned()),
        ("pageNumber", "5".to_owned()),
    ])
    .await;
    let sent = requests.take();
    assert!(count(&sent, "Query") <= 2 * shards, "{sent:?}");
    assert_eq!(count(&sent, "BatchGetItem"), 1);
}

#[tokio::test]
async fn the_session_api_reads_once_and_writes_once() {
    let (client, requests) = counting_dynamodb_client();
    let state = session_api_state_with(client);
    let (_, _, hash) = merchant_with_form(state.forms.forms(), state.auth.keys(), |_| {}).await;
    requests.take();
    let send = |body: String| {
        let state = &state;
        async move {
            let event = Event::session_form(
                if body.contains("fbSessionHash") {
                    "updateSession"
                } else {
                    "createSession"
                },
                &body,
            );
            let response = integration_tests::gateway::session_api(event.request(), state).await;
            assert_eq!(response.status(), StatusCode::OK);
            let json: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
            json["session"]["hash"].as_str().expect("hash").to_owned()
        }
    };

    let session = send(format!("hash={hash}&payment[first_name]=Max")).await;
    assert_eq!(
        requests.take(),
        ["GetItem", "GetItem", "PutItem"],
        "cold: the form and its merchant, then the write"
    );
    send(format!("hash={hash}&payment[first_name]=Erika")).await;
    assert_eq!(
        requests.take(),
        ["PutItem"],
        "warm createSession: one write"
    );

    let update = |payment: &str| format!("hash={hash}&fbSessionHash={session}{payment}");
    let ten_fields = "&payment[last_name]=Muster&payment[email]=max@example.org\
        &payment[amount]=20&payment[interval]=1&payment[payment_method]=paypal\
        &payment[salutation]=Mr.&payment[wants_receipt]=no_receipt\
        &payment[is_privacy_accepted]=1&payment[fb_item_id]=9305&payment[country]=DE";
    send(update(ten_fields)).await;
    assert_eq!(
        requests.take(),
        ["GetItem", "UpdateItem"],
        "updateSession with ten fields: one read, one write"
    );
    send(update("")).await;
    assert_eq!(requests.take(), ["GetItem"], "reading a session");
    send(update("&payment[email]=invalid")).await;
    assert_eq!(
        requests.take(),
        ["GetItem"],
        "only rejected values: nothing to write"
    );
    let refused = Event::session_form("updateSession", &update("&payment[bad-name]=x"));
    let response = integration_tests::gateway::session_api(refused.request(), &state).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        requests.take(),
        Vec::<String>::new(),
        "refused input costs nothing"
    );
}

#[tokio::test]
async fn processing_is_one_read_one_claim_and_one_transaction() {
    let (client, requests) = counting_dynamodb_client();
    let sessions = session_api_state_with(client.clone());
    let processing = process_session_state_with(client);
    let (_, _, hash) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let complete = "&payment[amount]=25&payment[interval]=0&payment[salutation]=Ms.\
        &payment[first_name]=Erika&payment[last_name]=Mustermann&payment[email]=e@example.org\
        &payment[payment_method]=paypal&payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1";
    let created = integration_tests::gateway::session_api(
        Event::session_form("createSession", &format!("hash={hash}{complete}")).request(),
        &sessions,
    )
    .await;
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let session = created["session"]["hash"].as_str().expect("hash");
    let process = || {
        Event::session_form(
            "processSession",
            &format!("hash={hash}&fbSessionHash={session}"),
        )
        .request()
    };
    // Warm the processing instance's form cache with a refused request (no session hash).
    let warm = Event::session_form("processSession", &format!("hash={hash}"));
    process_session::handle(warm.request(), &processing).await;
    requests.take();

    let processed = process_session::handle(process(), &processing).await;
    assert_eq!(processed.status(), StatusCode::OK);
    assert_eq!(
        requests.take(),
        ["GetItem", "UpdateItem", "TransactWriteItems"],
        "read, claim (the values frozen), commit (session and DataSet together)"
    );
    let again = process_session::handle(process(), &processing).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(requests.take(), ["GetItem"], "answering again is one read");
}

#[tokio::test]
async fn visit_sessions_cost_one_request_each() {
    let (client, requests) = counting_dynamodb_client();
    let state = visit_sessions_state_with(client);
    let (_, key) = merchant_with_key(state.auth.keys(), "counts").await;
    requests.take();
    let created = integration_tests::gateway::visits(
        Event::http("PUT", "/sessions/new").bearer(&key).request(),
        &state,
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        requests.take(),
        ["GetItem", "PutItem"],
        "cold: the key, then the write"
    );
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let id = created["sessionId"].as_str().expect("id");
    let get = integration_tests::gateway::visits(
        Event::session_path("GET", id).bearer(&key).request(),
        &state,
    );
    assert_eq!(get.await.status(), StatusCode::OK);
    assert_eq!(requests.take(), ["GetItem"]);
    let post = Event::session_path("POST", id)
        .bearer(&key)
        .header("content-type", "application/json")
        .body(r#"{"customerId":"c-1"}"#);
    assert_eq!(
        integration_tests::gateway::visits(post.request(), &state)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(requests.take(), ["UpdateItem"], "an upsert is one write");
}
