//! The DataSet record API through its real handler, fed API Gateway HTTP API v2 events,
//! against DynamoDB Local.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::events::Event;
use integration_tests::gateway::Records as DynamoState;
use integration_tests::gateway::records as handle;
use integration_tests::{dataset_api_state, dynamodb_client, merchant_with_key};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::dataset::DataSetStore;
use shared::dataset::ShardCount;
use shared::ground::ids::DataSetGuid;
use shared::ground::ids::MerchantId;
use shared::merchant::ApiKey;
use shared::store::dynamo::{BY_CREATED_INDEX, BY_CREATED_PK};

struct Reply {
    status: StatusCode,
    content_type: String,
    json: Value,
}

async fn call(state: &DynamoState, event: &Event) -> Reply {
    let response = handle(event.request(), state).await;
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let json = serde_json::from_slice(response.body().as_ref()).expect("every response is JSON");
    Reply {
        status: response.status(),
        content_type,
        json,
    }
}

fn assert_problem(reply: &Reply, status: StatusCode) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.content_type, "application/problem+json");
    assert_eq!(reply.json["status"], status.as_u16());
    assert!(
        reply.json["title"].is_string() && reply.json["detail"].is_string(),
        "{}",
        reply.json
    );
}

/// How many DataSets a merchant has, read from the listing index (test-only query).
async fn stored_count(merchant: &MerchantId) -> usize {
    let client = dynamodb_client();
    let mut count = 0;
    for shard in 0..ShardCount::DEFAULT.get() {
        let output = client
            .query()
            .table_name("DataSets")
            .index_name(BY_CREATED_INDEX)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", BY_CREATED_PK)
            .expression_attribute_values(":pk", AttributeValue::S(format!("{merchant}#{shard}")))
            .send()
            .await
            .expect("query");
        count += usize::try_from(output.count).expect("non-negative");
    }
    count
}

async fn post_seed_example(state: &DynamoState, key: &str) -> Value {
    let reply = call(state, &Event::post_dataset().bearer(key)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json
}

#[tokio::test]
async fn post_returns_the_whole_dataset_and_get_reads_it_back() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "post").await;
    let created = post_seed_example(&state, &key).await;

    let guid = created["dataSetGuid"].as_str().expect("guid");
    let parsed = uuid::Uuid::parse_str(guid).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);
    assert_eq!(created["merchantId"], merchant.as_str());
    assert_eq!(created["vendor"], "my-vendor-name");
    assert_eq!(created["isThirdParty"], true);
    assert_eq!(created["isTransactional"], false);
    assert_eq!(created["sourceType"], "api");
    assert_eq!(created["sensitive_data"], json!(["middleName", "phone2"]));
    assert_eq!(created["jsonElement"]["formResult"]["name"], "John Doe");
    assert_eq!(
        created["jsonElement"]["formFields"][1]["inputType"],
        "email"
    );
    let ts = created["createdTs"].as_str().expect("createdTs");
    jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", ts).expect("seed timestamp format");
    assert!(
        ts.ends_with("+0100") || ts.ends_with("+0200"),
        "Berlin offset: {ts}"
    );
    assert_eq!(created["updatedTs"], created["createdTs"]);

    let read = call(&state, &Event::get_dataset(guid).bearer(&key)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.content_type, "application/json");
    assert_eq!(read.json, created);
}

#[tokio::test]
async fn the_merchant_comes_from_the_key_never_from_the_body() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "owner").await;
    let body = r#"{"vendor":"v","sensitive_data":[],"jsonElement":{},"merchantId":"someone-else","dataSetGuid":"4e6c4a00-314f-4370-b6c5-000000000000"}"#;
    let reply = call(&state, &Event::post_dataset().bearer(&key).body(body)).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.json["merchantId"], merchant.as_str());
    assert_ne!(
        reply.json["dataSetGuid"],
        "4e6c4a00-314f-4370-b6c5-000000000000"
    );
}

#[tokio::test]
async fn another_merchants_dataset_is_not_found_for_read_and_replace() {
    let state = dataset_api_state();
    let (_, owner_key) = merchant_with_key(state.auth.keys(), "owner").await;
    let (_, other_key) = merchant_with_key(state.auth.keys(), "other").await;
    let created = post_seed_example(&state, &owner_key).await;
    let guid = created["dataSetGuid"].as_str().expect("guid");

    assert_problem(
        &call(&state, &Event::get_dataset(guid).bearer(&other_key)).await,
        StatusCode::NOT_FOUND,
    );
    let unknown = DataSetGuid::new_v4().to_string();
    let unknown_reply = call(&state, &Event::get_dataset(&unknown).bearer(&owner_key)).await;
    assert_problem(&unknown_reply, StatusCode::NOT_FOUND);
    assert_eq!(unknown_reply.json["title"], "DataSet not found");

    let hijack = call(
        &state,
        &Event::put_dataset(guid, r#"{"jsonElement":{"x":1}}"#).bearer(&other_key),
    )
    .await;
    assert_problem(&hijack, StatusCode::NOT_FOUND);
    let after = call(&state, &Event::get_dataset(guid).bearer(&owner_key)).await;
    assert_eq!(after.json, created, "a foreign PUT changed nothing");
}

#[tokio::test]
async fn put_replaces_json_element_and_bumps_updated_ts() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "put").await;
    let created = post_seed_example(&state, &key).await;
    let guid = created["dataSetGuid"].as_str().expect("guid");

    let body = r#"{"jsonElement":{"formResult":{"name":"Jane Roe"},"paymentSessionResult":{"paymentGuidResult":"p-1"}}}"#;
    let replaced = call(&state, &Event::put_dataset(guid, body).bearer(&key)).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.json);
    assert_eq!(
        replaced.json["jsonElement"],
        json!({"formResult":{"name":"Jane Roe"},"paymentSessionResult":{"paymentGuidResult":"p-1"}})
    );
    for unchanged in [
        "dataSetGuid",
        "merchantId",
        "createdTs",
        "vendor",
        "sensitive_data",
        "isThirdParty",
    ] {
        assert_eq!(replaced.json[unchanged], created[unchanged], "{unchanged}");
    }
    let stored = state
        .datasets
        .get(&merchant, &DataSetGuid::parse(guid).expect("guid"))
        .await
        .expect("get")
        .expect("exists");
    assert!(stored.updated_at > stored.created_at);
    assert_eq!(
        call(&state, &Event::get_dataset(guid).bearer(&key))
            .await
            .json,
        replaced.json
    );
}

#[tokio::test]
async fn put_never_creates() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "put").await;
    let guid = DataSetGuid::new_v4().to_string();
    let reply = call(
        &state,
        &Event::put_dataset(&guid, r#"{"jsonElement":{}}"#).bearer(&key),
    )
    .await;
    assert_problem(&reply, StatusCode::NOT_FOUND);
    assert_problem(
        &call(&state, &Event::get_dataset(&guid).bearer(&key)).await,
        StatusCode::NOT_FOUND,
    );
    assert_eq!(stored_count(&merchant).await, 0);
}

#[tokio::test]
async fn missing_unknown_and_revoked_keys_are_refused_with_401() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "auth").await;

    let no_key = call(&state, &Event::post_dataset()).await;
    assert_problem(&no_key, StatusCode::UNAUTHORIZED);
    let unknown = ApiKey::generate().expect("rng");
    assert_problem(
        &call(&state, &Event::post_dataset().bearer(unknown.expose())).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_problem(
        &call(
            &state,
            &Event::post_dataset().header("authorization", &format!("Basic {key}")),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    );

    let via_header = call(&state, &Event::post_dataset().header("x-api-key", &key)).await;
    assert_eq!(via_header.status, StatusCode::CREATED);

    admin::accounts::revoke_key(state.auth.keys(), &ApiKey::from_presented(&key).hash())
        .await
        .expect("revoked");
    // A new instance has no cached key: revocation is immediate there, and at most 60 s later
    // on warm instances.
    let cold = dataset_api_state();
    let revoked = call(&cold, &Event::post_dataset().bearer(&key)).await;
    assert_problem(&revoked, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.json["detail"], "the API key has been revoked");
    assert_eq!(
        stored_count(&merchant).await,
        1,
        "only the accepted request stored anything"
    );
}

#[tokio::test]
async fn bad_post_bodies_get_a_clear_4xx_and_store_nothing() {
    let state = dataset_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "bad").await;
    let post = || Event::post_dataset().bearer(&key);
    let deep = format!(
        r#"{{"vendor":"v","sensitive_data":[],"jsonElement":{}1{}}}"#,
        r#"{"a":"#.repeat(32),
        "}".repeat(32)
    );
    let oversized = format!(
        r#"{{"vendor":"v","sensitive_data":[],"jsonElement":{{"blob":"{}"}}}}"#,
        "x".repeat(350 * 1024)
    );
    let cases: Vec<(&str, Event, StatusCode)> = vec![
        (
            "malformed JSON",
            post().body(r#"{"vendor":"v","#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "not an object",
            post().body("[1,2]"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "invalid UTF-8",
            post().binary_body(b"{\"vendor\":\"\xff\"}"),
            StatusCode::BAD_REQUEST,
        ),
        ("empty body", post().body(""), StatusCode::BAD_REQUEST),
        (
            "jsonElement missing",
            post().body(r#"{"vendor":"v","sensitive_data":[]}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "jsonElement an array",
            post().body(r#"{"vendor":"v","sensitive_data":[],"jsonElement":[]}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "jsonElement a string",
            post().body(r#"{"vendor":"v","sensitive_data":[],"jsonElement":"{}"}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "vendor missing",
            post().body(r#"{"sensitive_data":[],"jsonElement":{}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "sensitive_data not a list",
            post().body(r#"{"vendor":"v","sensitive_data":"iban","jsonElement":{}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "duplicate field",
            post().body(r#"{"vendor":"v","vendor":"w","sensitive_data":[],"jsonElement":{}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "nested deeper than 32",
            post().body(&deep),
            StatusCode::BAD_REQUEST,
        ),
        (
            "over 350 KB",
            post().body(&oversized),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "form-encoded",
            post()
                .header("content-type", "application/x-www-form-urlencoded")
                .body("vendor=v"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "no content type",
            post().without_header("content-type"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (name, event, status) in cases {
        let reply = call(&state, &event).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.json);
        assert_problem(&reply, status);
    }
    assert_eq!(
        stored_count(&merchant).await,
        0,
        "no bad request stored anything"
    );

    // The limits are exact: 32 levels and 350 KB themselves are accepted.
    let at_depth = format!(
        r#"{{"vendor":"v","sensitive_data":[],"jsonElement":{}1{}}}"#,
        r#"{"a":"#.repeat(31),
        "}".repeat(31)
    );
    assert_eq!(
        call(&state, &post().body(&at_depth)).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn bad_put_bodies_and_malformed_guids_change_nothing() {
    let state = dataset_api_state();
    let (_, key) = merchant_with_key(state.auth.keys(), "badput").await;
    let created = post_seed_example(&state, &key).await;
    let guid = created["dataSetGuid"].as_str().expect("guid");
    let cases: Vec<(&str, Event, StatusCode)> = vec![
        (
            "malformed JSON",
            Event::put_dataset(guid, "{"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "jsonElement missing",
            Event::put_dataset(guid, r#"{"formResult":{}}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "jsonElement not an object",
            Event::put_dataset(guid, r#"{"jsonElement":42}"#),
            StatusCode::BAD_REQUEST,
        ),
        (
            "wrong content type",
            Event::put_dataset(guid, r#"{"jsonElement":{}}"#).header("content-type", "text/plain"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "malformed guid",
            Event::put_dataset("not-a-guid", r#"{"jsonElement":{}}"#),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (name, event, status) in cases {
        let reply = call(&state, &event.bearer(&key)).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.json);
        assert_problem(&reply, status);
    }
    assert_problem(
        &call(&state, &Event::get_dataset("12345").bearer(&key)).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(
        call(&state, &Event::get_dataset(guid).bearer(&key))
            .await
            .json,
        created
    );
}
