//! Each function's handler called directly on the in-memory adapters: no DynamoDB, so every
//! endpoint's own behaviour is checked in milliseconds. The DynamoDB Local suites check the
//! same handlers against the real store.

use integration_tests::events::Event;
use integration_tests::memory::MemoryStack;
use lambda_http::http::StatusCode;
use lambda_http::http::header::{ALLOW, CACHE_CONTROL};
use lambda_http::{Body, Response};
use serde_json::{Value, json};

const COMPLETE: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

fn json(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("a JSON body")
}

fn text(response: &Response<Body>) -> String {
    String::from_utf8(response.body().to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn the_session_api_creates_updates_and_processes_a_donation() {
    let stack = MemoryStack::new().await;
    let (api, process) = (stack.session_api(), stack.process());
    let form = &stack.form_hash;
    let created = create_session::handle(
        Event::session_form(
            "createSession",
            &format!("hash={form}&payment[first_name]=Erika&payment[amount]=25"),
        )
        .request(),
        &api,
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    let created = json(&created);
    assert_eq!(created["session"]["status"], "incomplete");
    let hash = created["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();

    let updated = update_session::handle(
        Event::session_form(
            "updateSession",
            &format!("hash={form}&fbSessionHash={hash}{COMPLETE}"),
        )
        .request(),
        &api,
    )
    .await;
    assert_eq!(json(&updated)["session"]["status"], "complete");

    let processed = process_session::handle(
        Event::session_form(
            "processSession",
            &format!("hash={form}&fbSessionHash={hash}"),
        )
        .request(),
        &process,
    )
    .await;
    let processed = json(&processed);
    assert_eq!(processed["session"]["status"], "processed");
    let guid = processed["dataSetGuid"].as_str().expect("a DataSet");

    let read = get_dataset::handle(
        Event::get_dataset(guid).bearer(&stack.key).request(),
        &stack.records(),
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(
        json(&read)["jsonElement"]["formResult"]["last_name"],
        "Mustermann"
    );
}

#[tokio::test]
async fn session_api_failures_carry_the_seed_codes() {
    let stack = MemoryStack::new().await;
    let api = stack.session_api();
    let unknown = update_session::handle(
        Event::session_form(
            "updateSession",
            &format!(
                "hash={}&fbSessionHash=nosuchsession0000000000",
                stack.form_hash
            ),
        )
        .request(),
        &api,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(&unknown)["error"], "error 203: session not found");
    let get =
        create_session::handle(Event::http("GET", "/app/createSession").request(), &api).await;
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(get.headers()[ALLOW], "POST, OPTIONS");
    let incomplete = process_session::handle(
        Event::session_form("processSession", &format!("hash={}", stack.form_hash)).request(),
        &stack.process(),
    )
    .await;
    assert_eq!(json(&incomplete)["error"], "error 203: session not found");
}

#[tokio::test]
async fn the_hosted_form_shows_the_form_and_thanks_the_donor() {
    let stack = MemoryStack::new().await;
    let form = stack.form_hash.as_str();
    let page = get_form_page::handle(
        Event::http("GET", &format!("/form/{form}"))
            .path_param("formHash", form)
            .request(),
        &stack.form_page(),
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = text(&page);
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token in the page");
    let body = format!(
        "csrf={csrf}&salutation=Ms.&first_name=Erika&last_name=Mustermann\
         &email=erika%40example.org&amount=25&interval=1&payment_method=sepa_direct_debit\
         &iban=DE89370400440532013000&wants_receipt=no_receipt&is_privacy_accepted=1\
         &sepa_mandate=1"
    );
    let thanks = post_form_page::handle(
        Event::http("POST", &format!("/form/{form}"))
            .path_param("formHash", form)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(&body)
            .request(),
        &stack.form_post(),
    )
    .await;
    assert_eq!(thanks.status(), StatusCode::OK);
    assert!(text(&thanks).contains("Vielen Dank"), "{}", text(&thanks));
    let listed = list_datasets::handle(
        Event::list_datasets(&[]).bearer(&stack.key).request(),
        &stack.listing(),
    )
    .await;
    assert_eq!(json(&listed)["list"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn dataset_records_are_posted_read_replaced_and_listed() {
    let stack = MemoryStack::new().await;
    let records = stack.records();
    let posted = post_dataset::handle(
        Event::post_dataset().bearer(&stack.key).request(),
        &stack.post_record(),
    )
    .await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    assert_eq!(posted.headers()[CACHE_CONTROL], "no-store");
    let guid = json(&posted)["dataSetGuid"]
        .as_str()
        .expect("guid")
        .to_owned();
    let replaced = put_dataset::handle(
        Event::put_dataset(&guid, r#"{"jsonElement":{"formResult":{"amount":"99"}}}"#)
            .bearer(&stack.key)
            .request(),
        &records,
    )
    .await;
    assert_eq!(replaced.status(), StatusCode::OK);
    let read = get_dataset::handle(
        Event::get_dataset(&guid).bearer(&stack.key).request(),
        &records,
    )
    .await;
    assert_eq!(
        json(&read)["jsonElement"],
        json!({"formResult": {"amount": "99"}})
    );
    let listed = list_datasets::handle(
        Event::list_datasets(&[("pageSize", "10")])
            .bearer(&stack.key)
            .request(),
        &stack.listing(),
    )
    .await;
    assert_eq!(json(&listed)["list"][0]["dataSetGuid"], guid.as_str());
}

#[tokio::test]
async fn every_back_office_function_needs_a_key_and_names_its_methods() {
    let stack = MemoryStack::new().await;
    let guid = "a863d62e-d53b-4651-9b7b-0123456789ab";
    let form = stack.form_hash.as_str();
    let records = stack.records();
    let unauthenticated = get_dataset::handle(Event::get_dataset(guid).request(), &records).await;
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let delete = get_dataset::handle(
        Event::http("DELETE", &format!("/dataSet/{guid}"))
            .path_param("guid", guid)
            .bearer(&stack.key)
            .request(),
        &records,
    )
    .await;
    assert_eq!(delete.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(delete.headers()[ALLOW], "GET, PUT");
    let form_delete = get_form::handle(
        Event::form("DELETE", form).bearer(&stack.key).request(),
        &stack.forms_config(),
    )
    .await;
    assert_eq!(form_delete.headers()[ALLOW], "GET, PUT");
    let visit_delete = get_visit_session::handle(
        Event::session_path("DELETE", "visit-abcdefgh")
            .bearer(&stack.key)
            .request(),
        &stack.visits_state(),
    )
    .await;
    assert_eq!(visit_delete.headers()[ALLOW], "GET, POST");
}

#[tokio::test]
async fn forms_are_configured_and_read_back() {
    let stack = MemoryStack::new().await;
    let state = stack.forms_config();
    let form = stack.form_hash.as_str();
    let read = get_form::handle(
        Event::form("GET", form).bearer(&stack.key).request(),
        &state,
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    let mut definition = json(&read);
    definition["name"] = json!("Renamed");
    let replaced = put_form::handle(
        Event::form("PUT", form)
            .bearer(&stack.key)
            .header("content-type", "application/json")
            .body(&definition.to_string())
            .request(),
        &state,
    )
    .await;
    assert_eq!(replaced.status(), StatusCode::OK);
    assert_eq!(json(&replaced)["name"], "Renamed");
    let created = put_form::handle(
        Event::form("PUT", "memoryform2027")
            .bearer(&stack.key)
            .header("content-type", "application/json")
            .body(&definition.to_string().replace(form, "memoryform2027"))
            .request(),
        &state,
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn visit_sessions_are_started_read_and_associated() {
    let stack = MemoryStack::new().await;
    let state = stack.visits_state();
    let started = new_visit_session::handle(
        Event::http("PUT", "/sessions/new")
            .bearer(&stack.key)
            .request(),
        &state,
    )
    .await;
    assert_eq!(started.status(), StatusCode::CREATED);
    let id = json(&started)["sessionId"].as_str().expect("id").to_owned();
    let associated = post_visit_session::handle(
        Event::session_path("POST", &id)
            .bearer(&stack.key)
            .header("content-type", "application/json")
            .body(r#"{"customerId":"c-1"}"#)
            .request(),
        &state,
    )
    .await;
    assert_eq!(associated.status(), StatusCode::OK);
    let read = get_visit_session::handle(
        Event::session_path("GET", &id).bearer(&stack.key).request(),
        &state,
    )
    .await;
    assert_eq!(json(&read)["customerId"], "c-1");
}
