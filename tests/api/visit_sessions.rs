//! The Session Management API through its real handler, against DynamoDB Local, and the link
//! from a visit session into a donation's DataSet.

use aws_sdk_dynamodb::types::AttributeValue;
use integration_tests::TestDynamo;
use integration_tests::events::Event;
use integration_tests::gateway::visits as handle;
use integration_tests::{
    SESSIONS_TABLE, dataset_api_state, dynamodb_client, merchant_with_form, merchant_with_key,
    process_session_state, session_api_state, visit_sessions_state,
};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
type DynamoState = shared::app::VisitsState<TestDynamo>;

async fn call(state: &DynamoState, event: Event) -> (StatusCode, Value) {
    let response = handle(event.request(), state).await;
    let status = response.status();
    let json = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    (status, json)
}

fn new_session(key: &str, body: Option<&Value>) -> Event {
    let event = Event::http("PUT", "/sessions/new").bearer(key);
    match body {
        Some(body) => event
            .header("content-type", "application/json")
            .body(&body.to_string()),
        None => event,
    }
}

fn session_event(method: &str, id: &str, key: &str) -> Event {
    Event::session_path(method, id).bearer(key)
}

fn post(id: &str, key: &str, body: &Value) -> Event {
    session_event("POST", id, key)
        .header("content-type", "application/json")
        .body(&body.to_string())
}

async fn merchant() -> (DynamoState, String) {
    let state = visit_sessions_state();
    let (_, key) = merchant_with_key(state.auth.keys(), "visits").await;
    (state, key)
}

fn unique_id() -> String {
    format!("visit-{}", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn a_new_session_carries_its_ids_and_is_read_back() {
    let (state, key) = merchant().await;
    let (status, empty) = call(&state, new_session(&key, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{empty}");
    let id = empty["sessionId"].as_str().expect("sessionId");
    assert_eq!(id.len(), 32);
    assert_eq!(empty["customerId"], Value::Null);
    for stamp in ["createdTs", "updatedTs", "expiresTs"] {
        assert_eq!(empty[stamp].as_str().map(str::len), Some(25), "{empty}");
    }

    let ids = json!({"customerId": "CRM-4711", "visitId": "v-1", "globalVisitId": "g-1"});
    let (status, created) = call(&state, new_session(&key, Some(&ids))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["customerId"], "CRM-4711");
    let id = created["sessionId"].as_str().expect("sessionId");
    let (status, read) = call(&state, session_event("GET", id, &key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);
}

#[tokio::test]
async fn post_creates_then_merges() {
    let (state, key) = merchant().await;
    let id = unique_id();
    let (status, created) = call(
        &state,
        post(&id, &key, &json!({"customerId": "c-1", "visitId": "v-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["sessionId"], id.as_str());

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, merged) = call(
        &state,
        post(
            &id,
            &key,
            &json!({"visitId": "v-2", "globalVisitId": "g-1"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{merged}");
    assert_eq!(merged["customerId"], "c-1", "absent ids stay");
    assert_eq!(merged["visitId"], "v-2", "given ids replace");
    assert_eq!(merged["globalVisitId"], "g-1");
    assert_eq!(merged["createdTs"], created["createdTs"]);
    assert!(
        merged["expiresTs"].as_str() > created["expiresTs"].as_str(),
        "expiry slides"
    );

    // No body: nothing to associate, the session is kept alive.
    let (status, kept) = call(&state, session_event("POST", &id, &key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["visitId"], "v-2");
}

#[tokio::test]
async fn sessions_belong_to_their_merchant() {
    let (state, owner) = merchant().await;
    let (_, stranger) = merchant_with_key(state.auth.keys(), "stranger").await;
    let id = unique_id();
    call(&state, post(&id, &owner, &json!({"customerId": "owner-1"}))).await;

    let (status, problem) = call(&state, session_event("GET", &id, &stranger)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(problem["title"], "Session not found");
    // The stranger's POST starts the stranger's own session; the owner's stays as it was.
    let (status, own) = call(&state, post(&id, &stranger, &json!({"customerId": "x"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(own["customerId"], "x");
    let (_, owners) = call(&state, session_event("GET", &id, &owner)).await;
    assert_eq!(owners["customerId"], "owner-1");
    let (status, _) = call(&state, Event::session_path("GET", &id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_is_a_400_that_changes_nothing() {
    let (state, key) = merchant().await;
    let id = unique_id();
    call(&state, post(&id, &key, &json!({"customerId": "c-1"}))).await;
    let long = "x".repeat(129);
    let bodies = [
        ("malformed JSON", r#"{"customerId": "#.to_owned()),
        ("unknown field", json!({"customerID": "c-2"}).to_string()),
        ("number", json!({"customerId": 42}).to_string()),
        ("too long", json!({"customerId": long}).to_string()),
        ("control character", json!({"visitId": "a\nb"}).to_string()),
        ("not an object", "[]".to_owned()),
    ];
    for (case, body) in bodies {
        let event = session_event("POST", &id, &key)
            .header("content-type", "application/json")
            .body(&body);
        let (status, problem) = call(&state, event).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {problem}");
        assert!(problem["detail"].is_string(), "{case}");
        let fresh = unique_id();
        let event = session_event("POST", &fresh, &key)
            .header("content-type", "application/json")
            .body(&body);
        assert_eq!(call(&state, event).await.0, StatusCode::BAD_REQUEST);
        let (status, _) = call(&state, session_event("GET", &fresh, &key)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{case}: nothing created");
        let bad_new = Event::http("PUT", "/sessions/new")
            .bearer(&key)
            .header("content-type", "application/json")
            .body(&body);
        assert_eq!(
            call(&state, bad_new).await.0,
            StatusCode::BAD_REQUEST,
            "{case}"
        );
    }
    let (_, unchanged) = call(&state, session_event("GET", &id, &key)).await;
    assert_eq!(unchanged["customerId"], "c-1");
    assert_eq!(unchanged["visitId"], Value::Null);

    for bad_id in ["short", "has space!", "semi;colon", &"a".repeat(129)] {
        let (status, problem) = call(&state, post(bad_id, &key, &json!({}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad_id}: {problem}");
        assert_eq!(problem["title"], "Invalid sessionId");
    }
    let text = session_event("POST", &id, &key)
        .header("content-type", "text/plain")
        .body("customerId=c-9");
    assert_eq!(
        call(&state, text).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn payment_and_visit_sessions_never_cross() {
    let (state, key) = merchant().await;
    let sessions = session_api_state();
    let (_, _, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let event = Event::session_form("createSession", &format!("hash={form}&payment[a]=1"));
    let created = integration_tests::gateway::session_api(event.request(), &sessions).await;
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    let payment_hash = created["session"]["hash"].as_str().expect("hash");
    let (status, _) = call(&state, session_event("GET", payment_hash, &key)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a payment session is no visit session"
    );

    let (_, visit) = call(&state, new_session(&key, None)).await;
    let visit_id = visit["sessionId"].as_str().expect("id");
    let event = Event::session_form(
        "updateSession",
        &format!("hash={form}&fbSessionHash={visit_id}"),
    );
    let response = integration_tests::gateway::session_api(event.request(), &sessions).await;
    assert_eq!(
        response.status(),
        StatusCode::NOT_FOUND,
        "a visit session is no payment session"
    );
}

#[tokio::test]
async fn expired_sessions_are_gone_before_the_ttl_sweep() {
    let state = visit_sessions_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "visits").await;
    let id = unique_id();
    let (status, _) = call(&state, post(&id, &key, &json!({"customerId": "old"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let key_of_item = format!("visit#{merchant}#{id}");
    let past = jiff::Timestamp::now().as_second() - 1;
    dynamodb_client()
        .update_item()
        .table_name(SESSIONS_TABLE)
        .key("id", AttributeValue::S(key_of_item))
        .update_expression("SET expiresAt = :past")
        .expression_attribute_values(":past", AttributeValue::N(past.to_string()))
        .send()
        .await
        .expect("expire it");
    let (status, _) = call(&state, session_event("GET", &id, &key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, fresh) = call(&state, post(&id, &key, &json!({"visitId": "v-new"}))).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "an expired session starts anew"
    );
    assert_eq!(
        fresh["customerId"],
        Value::Null,
        "nothing of the expired one survives"
    );
    assert_eq!(fresh["visitId"], "v-new");
    assert_ne!(fresh["createdTs"], Value::Null);
}

#[tokio::test]
async fn a_donation_records_the_visit_session_it_was_linked_to() {
    let sessions = session_api_state();
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let visits = visit_sessions_state();
    let (_, visit) = call(
        &visits,
        new_session(
            &key,
            Some(&json!({"customerId": "CRM-4711", "visitId": "v-9"})),
        ),
    )
    .await;
    let visit_id = visit["sessionId"].as_str().expect("id");
    let token = visit["linkToken"].as_str().expect("a link token");
    let complete = "&payment[amount]=25&payment[salutation]=Ms.&payment[first_name]=Erika\
        &payment[last_name]=Mustermann&payment[email]=e@example.org&payment[interval]=0\
        &payment[payment_method]=paypal&payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1";
    // Without the token (or the merchant's key), nobody links a payment session to it.
    for forged in [String::new(), "&visitSessionToken=forged".to_owned()] {
        let event = Event::session_form(
            "createSession",
            &format!("hash={form}&visitSessionId={visit_id}{forged}{complete}"),
        );
        let refused = integration_tests::gateway::session_api(event.request(), &sessions).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let refused: Value = serde_json::from_slice(refused.body().as_ref()).expect("JSON");
        assert!(
            refused["error"]
                .as_str()
                .is_some_and(|e| e.starts_with("error 207") && e.contains("visitSessionToken")),
            "{refused}"
        );
    }
    let by_merchant = Event::session_form(
        "createSession",
        &format!("hash={form}&visitSessionId={visit_id}{complete}"),
    )
    .bearer(&key);
    let linked = integration_tests::gateway::session_api(by_merchant.request(), &sessions).await;
    assert_eq!(
        linked.status(),
        StatusCode::OK,
        "the merchant's key links without a token"
    );
    let event = Event::session_form(
        "createSession",
        &format!("hash={form}&visitSessionId={visit_id}&visitSessionToken={token}{complete}"),
    );
    let created = integration_tests::gateway::session_api(event.request(), &sessions).await;
    let created: Value = serde_json::from_slice(created.body().as_ref()).expect("JSON");
    assert_eq!(
        created["session"]["meta_info"]["visit_session_id"],
        visit_id
    );
    let payment_hash = created["session"]["hash"].as_str().expect("hash");
    // The customer id arrives later; processing records what the visit holds then.
    call(
        &visits,
        post(visit_id, &key, &json!({"globalVisitId": "g-3"})),
    )
    .await;

    let event = Event::session_form(
        "processSession",
        &format!("hash={form}&fbSessionHash={payment_hash}"),
    );
    let processed = process_session::handle(event.request(), &process_session_state()).await;
    let processed: Value = serde_json::from_slice(processed.body().as_ref()).expect("JSON");
    let guid = processed["dataSetGuid"].as_str().expect("guid");
    let read = integration_tests::gateway::records(
        Event::get_dataset(guid).bearer(&key).request(),
        &dataset_api_state(),
    )
    .await;
    let dataset: Value = serde_json::from_slice(read.body().as_ref()).expect("JSON");
    assert_eq!(
        dataset["jsonElement"]["visitSession"],
        json!({"sessionId": visit_id, "customerId": "CRM-4711", "visitId": "v-9", "globalVisitId": "g-3"})
    );
    let bad = Event::session_form(
        "createSession",
        &format!("hash={form}&visitSessionId=no!&payment[a]=1"),
    );
    let refused = integration_tests::gateway::session_api(bad.request(), &sessions).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}
