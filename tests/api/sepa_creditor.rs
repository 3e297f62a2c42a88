//! `PUT`/`GET /sepa/creditor` against DynamoDB Local: settings checked to the letter (creditor
//! identifier by ISO 7064 mod 97-10, IBAN in SEPA, BIC as donors' are, notice days) and stored on the merchant; a
//! merchant's forms offer SEPA direct debit only once they are, and only in euros.

use integration_tests::events::Event;
use integration_tests::{creditor_state, gateway, merchant_with_key, session_api_state};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

async fn call(event: Event) -> (StatusCode, Value) {
    let response = gateway::creditor(event.request(), &creditor_state()).await;
    let status = response.status();
    (
        status,
        serde_json::from_slice(response.body().as_ref()).expect("JSON"),
    )
}

fn put(key: &str, body: &Value) -> Event {
    Event::http("PUT", "/sepa/creditor")
        .header("content-type", "application/json")
        .bearer(key)
        .body(&body.to_string())
}

fn settings() -> Value {
    json!({"name": "Tierschutz Nord e.V.", "creditorId": "de98 zzz 09999999999",
           "iban": "DE02 1203 0000 0000 2020 51", "bic": "byladem1001"})
}

#[tokio::test]
async fn creditor_settings_are_checked_stored_and_read_back() {
    let state = creditor_state();
    let (_, key) = merchant_with_key(state.auth.keys(), "creditor").await;
    let (status, missing) = call(Event::http("GET", "/sepa/creditor").bearer(&key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
    let (status, stored) = call(put(&key, &settings())).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
    assert_eq!(stored["creditorId"], "DE98ZZZ09999999999");
    assert_eq!(stored["iban"], "DE02120300000000202051");
    assert_eq!(stored["bic"], "BYLADEM1001");
    assert_eq!(stored["prenotificationDays"], 14, "the rulebook's default");
    let (status, read) = call(Event::http("GET", "/sepa/creditor").bearer(&key)).await;
    assert_eq!((status, &read), (StatusCode::OK, &stored));
    let (status, again) = call(put(&key, &read)).await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &stored),
        "what GET shows may be sent back"
    );

    let mut refused = Vec::new();
    for (field, value) in [
        ("creditorId", json!("DE97ZZZ09999999999")),
        ("creditorId", json!("DE98")),
        ("iban", json!("DE02120300000000202052")),
        ("bic", json!("BYLA")),
        ("bic", json!("BYLAXXM1001")),
        ("iban", json!("TR330006100519786457841326")),
        ("prenotificationDays", json!(0)),
        ("prenotificationDays", json!(15)),
        ("name", json!("  ")),
        ("surprise", json!(1)),
    ] {
        let mut body = settings();
        body[field] = value;
        let (status, problem) = call(put(&key, &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {problem}");
        refused.push(problem["detail"].as_str().unwrap_or_default().to_owned());
    }
    assert!(refused[0].contains("check digits"), "{refused:?}");
    assert!(refused[4].contains("'bic'"), "{refused:?}");
    assert!(
        refused[5].contains("'iban'") && refused[5].contains("SEPA"),
        "{refused:?}"
    );
    let (_, read) = call(Event::http("GET", "/sepa/creditor").bearer(&key)).await;
    assert_eq!(read, stored, "refused settings changed nothing");
    let (status, _) = call(Event::http("DELETE", "/sepa/creditor").bearer(&key)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn forms_offer_sepa_only_with_creditor_settings_and_only_in_euros() {
    let sessions = session_api_state();
    let (merchant, key) = merchant_with_key(sessions.auth.keys(), "nosepa").await;
    let hash = integration_tests::unique_form_hash();
    let demo = admin::seed::DEMO_FORM_JSON;
    admin::forms::put_form(
        sessions.forms.forms(),
        sessions.auth.keys(),
        demo,
        hash.clone(),
        merchant,
        &[],
    )
    .await
    .expect("form");
    let choose_sepa = |state| {
        let event = Event::session_form(
            "createSession",
            &format!("hash={hash}&payment[amount]=10&payment[payment_method]=sepa_direct_debit"),
        );
        async move {
            let response = gateway::session_api(event.request(), state).await;
            serde_json::from_slice::<Value>(response.body().as_ref()).expect("JSON")
        }
    };
    let without = choose_sepa(&sessions).await;
    assert!(
        without["session"]["errors"]["current_fields"]["payment_method"].is_string(),
        "no creditor settings: SEPA is not offered: {without}"
    );
    let (status, _) = call(put(&key, &settings())).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = session_api_state();
    let with = choose_sepa(&fresh).await;
    assert_eq!(
        with["session"]["values"]["payment_method"], "sepa_direct_debit",
        "{with}"
    );

    let mut dollars: Value = serde_json::from_str(demo).expect("JSON");
    dollars["currency"] = json!("USD");
    let form = Event::form("PUT", integration_tests::unique_form_hash().as_str())
        .bearer(&key)
        .header("content-type", "application/json")
        .body(&dollars.to_string());
    let refused = gateway::forms(form.request(), &integration_tests::forms_api_state()).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let problem: Value = serde_json::from_slice(refused.body().as_ref()).expect("JSON");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("euros only")),
        "{problem}"
    );
}
