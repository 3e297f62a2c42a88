//! Form configuration (`PUT`/`GET /forms/{formHash}`) through its real handler, against
//! DynamoDB Local.

use integration_tests::TestDynamo;
use integration_tests::events::Event;
use integration_tests::gateway::forms as handle;
use integration_tests::{forms_api_state, merchant_with_key, unique_form_hash};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

fn demo_form() -> Value {
    serde_json::from_str(admin::seed::DEMO_FORM_JSON).expect("demo form is JSON")
}

async fn call(state: &shared::app::FormsState<TestDynamo>, event: Event) -> (StatusCode, Value) {
    let response = handle(event.request(), state).await;
    let json = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    (response.status(), json)
}

fn put(hash: &str, key: &str, body: &Value) -> Event {
    Event::form("PUT", hash)
        .bearer(key)
        .header("content-type", "application/json")
        .body(&body.to_string())
}

#[tokio::test]
async fn a_merchant_creates_reads_and_replaces_its_form() {
    let state = forms_api_state();
    let (merchant, key) = merchant_with_key(state.auth.keys(), "forms").await;
    let hash = unique_form_hash();
    let form = demo_form();
    let (status, created) = call(&state, put(hash.as_str(), &key, &form)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["formHash"], hash.as_str());
    assert_eq!(created["merchantId"], merchant.as_str());
    assert_eq!(created["fields"], form["fields"]);
    assert_eq!(created["minAmount"], "5");

    let (status, read) = call(&state, Event::form("GET", hash.as_str()).bearer(&key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, created);

    // What GET returns can be edited and sent back as is.
    let mut edited = read.clone();
    edited["minAmount"] = json!("10,00");
    edited["active"] = json!(false);
    let (status, replaced) = call(&state, put(hash.as_str(), &key, &edited)).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["minAmount"], "10");
    assert_eq!(replaced["active"], false);
}

#[tokio::test]
async fn another_merchant_neither_sees_nor_takes_a_form() {
    let state = forms_api_state();
    let (_, owner) = merchant_with_key(state.auth.keys(), "owner").await;
    let (_, other) = merchant_with_key(state.auth.keys(), "other").await;
    let hash = unique_form_hash();
    let (status, _) = call(&state, put(hash.as_str(), &owner, &demo_form())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = call(&state, Event::form("GET", hash.as_str()).bearer(&other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let mut takeover = demo_form();
    takeover["name"] = json!("Hijacked");
    let (status, body) = call(&state, put(hash.as_str(), &other, &takeover)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, read) = call(&state, Event::form("GET", hash.as_str()).bearer(&owner)).await;
    assert_eq!(read["name"], "Spendenformular (Demo)");
    let (status, _) = call(&state, Event::form("GET", hash.as_str())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn invalid_forms_are_refused_and_store_nothing() {
    let state = forms_api_state();
    let (_, key) = merchant_with_key(state.auth.keys(), "forms").await;
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "min above max",
            Box::new(|f| f["minAmount"] = json!("20000")),
        ),
        ("zero minimum", Box::new(|f| f["minAmount"] = json!(0))),
        (
            "three decimals",
            Box::new(|f| f["maxAmount"] = json!("10.001")),
        ),
        (
            "unknown interval",
            Box::new(|f| f["intervals"] = json!([0, 2])),
        ),
        (
            "no payment method",
            Box::new(|f| f["paymentMethods"] = json!([])),
        ),
        (
            "unknown payment method",
            Box::new(|f| f["paymentMethods"] = json!(["cash"])),
        ),
        ("bad currency", Box::new(|f| f["currency"] = json!("euro"))),
        ("bad locale", Box::new(|f| f["locale"] = json!("fr"))),
        ("unknown property", Box::new(|f| f["colour"] = json!("red"))),
        (
            "origin with path",
            Box::new(|f| f["allowedOrigins"] = json!(["https://a.org/x"])),
        ),
        (
            "plain http origin",
            Box::new(|f| f["allowedOrigins"] = json!(["http://a.org"])),
        ),
        (
            "no amount field",
            Box::new(|f| {
                let fields = f["fields"].as_array_mut().expect("fields");
                fields.retain(|field| field["name"] != "amount");
            }),
        ),
        (
            "duplicate field",
            Box::new(|f| {
                let first = f["fields"][0].clone();
                f["fields"].as_array_mut().expect("fields").push(first);
            }),
        ),
        (
            "bad field name",
            Box::new(|f| f["fields"][0]["name"] = json!("first name")),
        ),
        (
            "select without options",
            Box::new(|f| {
                f["fields"].as_array_mut().expect("fields").push(json!({
                    "name": "colour", "inputType": "select", "label": {"de": "Farbe"}
                }));
            }),
        ),
        (
            "other merchant in body",
            Box::new(|f| f["merchantId"] = json!("someone-else")),
        ),
        (
            "other hash in body",
            Box::new(|f| f["formHash"] = json!("otherhash1")),
        ),
    ];
    for (case, edit) in edits {
        let hash = unique_form_hash();
        let mut form = demo_form();
        edit(&mut form);
        let (status, body) = call(&state, put(hash.as_str(), &key, &form)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {body}");
        assert!(body["detail"].is_string(), "{case}: {body}");
        let (status, _) = call(&state, Event::form("GET", hash.as_str()).bearer(&key)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{case}: nothing stored");
    }
    let (status, _) = call(&state, put("Not-A-Hash", &key, &demo_form())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let text = Event::form("PUT", unique_form_hash().as_str())
        .bearer(&key)
        .header("content-type", "text/plain")
        .body("{}");
    assert_eq!(
        call(&state, text).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}
