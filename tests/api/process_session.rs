//! `POST /app/processSession` through the real handlers, against DynamoDB Local: create →
//! update until complete → process → the DataSet is readable and listed, exactly once.

use integration_tests::TestDynamo;
use integration_tests::events::Event;
use integration_tests::{
    dataset_api_state, list_datasets_state, merchant_with_form, merchant_with_key,
    process_session_state, session_api_state,
};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::ground::ids::FormHash;

struct Donation {
    form: FormHash,
    key: String,
    sessions: shared::app::SessionApiState<TestDynamo>,
    processing: shared::app::ProcessState<TestDynamo>,
}

async fn donation() -> Donation {
    let sessions = session_api_state();
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    Donation {
        form,
        key,
        sessions,
        processing: process_session_state(),
    }
}

async fn json_of(response: lambda_http::Response<lambda_http::Body>) -> (StatusCode, Value) {
    let status = response.status();
    (
        status,
        serde_json::from_slice(response.body().as_ref()).expect("JSON"),
    )
}

impl Donation {
    async fn session(&self, operation: &str, body: &str) -> (StatusCode, Value) {
        let event = Event::session_form(operation, &format!("hash={}&{body}", self.form));
        json_of(integration_tests::gateway::session_api(event.request(), &self.sessions).await)
            .await
    }

    /// A session built in two steps, as a multi-step form would.
    async fn complete_session(&self, interval: &str) -> String {
        let (_, created) = self
            .session(
                "createSession",
                &format!(
                    "payment[amount]=25&payment[interval]={interval}&payment[fb_item_id]=9306\
                     &payment[crm_id]=4711"
                ),
            )
            .await;
        let hash = created["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned();
        let (_, updated) = self
            .session(
                "updateSession",
                &format!(
                    "fbSessionHash={hash}&payment[salutation]=Ms.&payment[first_name]=Erika\
                     &payment[last_name]=Mustermann&payment[email]=erika@example.org\
                     &payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
                     &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
                     &payment[is_privacy_accepted]=1"
                ),
            )
            .await;
        assert_eq!(updated["session"]["status"], "complete", "{updated}");
        hash
    }

    async fn process(&self, session: &str) -> (StatusCode, Value) {
        let event = Event::session_form(
            "processSession",
            &format!("hash={}&fbSessionHash={session}", self.form),
        );
        json_of(process_session::handle(event.request(), &self.processing).await).await
    }

    async fn dataset(&self, guid: &str, key: &str) -> (StatusCode, Value) {
        let event = Event::get_dataset(guid).bearer(key);
        json_of(integration_tests::gateway::records(event.request(), &dataset_api_state()).await)
            .await
    }

    async fn listed(&self) -> Vec<Value> {
        let event = Event::list_datasets(&[("pageSize", "500")]).bearer(&self.key);
        let (status, page) =
            json_of(list_datasets::handle(event.request(), &list_datasets_state()).await).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["list"].as_array().expect("list").clone()
    }
}

fn is_uuid(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok())
}

#[tokio::test]
async fn a_one_off_donation_becomes_a_dataset_of_the_forms_merchant() {
    let d = donation().await;
    let session = d.complete_session("0").await;
    let (status, processed) = d.process(&session).await;
    assert_eq!(status, StatusCode::OK, "{processed}");
    assert_eq!(processed["status"], "success");
    assert_eq!(processed["session"]["status"], "processed");
    let guid = processed["dataSetGuid"].as_str().expect("guid").to_owned();
    let result = &processed["paymentSessionResult"];
    for field in [
        "contactGuidResult",
        "paymentMethodGuidResult",
        "paymentGuidResult",
    ] {
        assert!(is_uuid(&result[field]), "{field}: {result}");
    }
    for recurring_only in ["agreementGuidResult", "subscriptionGuidResult"] {
        assert!(
            result[recurring_only].is_null(),
            "{recurring_only}: {result}"
        );
    }
    assert_eq!(result["postProcessingErrorTs"], "");
    assert_eq!(result["postProcessingErrorDescription"], "");
    assert_eq!(result["postProcessedTs"].as_str().map(str::len), Some(25));

    let (status, dataset) = d.dataset(&guid, &d.key).await;
    assert_eq!(status, StatusCode::OK, "{dataset}");
    assert_eq!(dataset["sourceType"], "form");
    assert_eq!(dataset["sourceGuid"], d.form.as_str());
    assert_eq!(dataset["isTransactional"], true);
    assert_eq!(dataset["isThirdParty"], false);
    let element = &dataset["jsonElement"];
    assert_eq!(element["formResult"], processed["session"]["values"]);
    assert_eq!(element["formResult"]["crm_id"], "4711");
    assert_eq!(&element["paymentSessionResult"], result);
    let sensitive: Vec<&str> = dataset["sensitive_data"]
        .as_array()
        .expect("sensitive_data")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for personal in ["iban", "email", "first_name", "last_name", "salutation"] {
        assert!(sensitive.contains(&personal), "{personal} in {sensitive:?}");
    }
    assert!(!sensitive.contains(&"amount"));
    let fields = element["formFields"].as_array().expect("formFields");
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{name} in formFields"))
    };
    assert_eq!(
        field("email"),
        &json!({"inputType": "email", "label": "E-Mail", "name": "email",
                "value": "erika@example.org"})
    );
    assert_eq!(
        field("salutation")["options"][0],
        json!({"value": "Ms.", "label": "Frau"})
    );
    assert_eq!(field("fb_item_id")["options"][1]["label"], "Nothilfe");
    assert_eq!(field("street")["value"], Value::Null);

    let listed = d.listed().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["dataSetGuid"], guid.as_str());
    let (_, stranger) = merchant_with_key(d.sessions.auth.keys(), "stranger").await;
    assert_eq!(d.dataset(&guid, &stranger).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_monthly_donation_also_records_agreement_and_subscription() {
    let d = donation().await;
    let session = d.complete_session("1").await;
    let (status, processed) = d.process(&session).await;
    assert_eq!(status, StatusCode::OK, "{processed}");
    let result = &processed["paymentSessionResult"];
    for field in [
        "agreementGuidResult",
        "subscriptionGuidResult",
        "paymentGuidResult",
    ] {
        assert!(is_uuid(&result[field]), "{field}: {result}");
    }
}

#[tokio::test]
async fn an_incomplete_session_is_refused_without_personal_data_and_writes_nothing() {
    let d = donation().await;
    let (_, created) = d
        .session(
            "createSession",
            "payment[first_name]=Erika&payment[email]=erika@example.org&payment[amount]=5",
        )
        .await;
    let session = created["session"]["hash"].as_str().expect("hash");
    let (status, refused) = d.process(session).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused,
        json!({"status": "error", "error": "error 206: session incomplete"})
    );
    assert!(d.listed().await.is_empty());
    // Still open: it can be completed and processed afterwards.
    let (_, read) = d
        .session("updateSession", &format!("fbSessionHash={session}"))
        .await;
    assert_eq!(read["session"]["status"], "incomplete");
}

#[tokio::test]
async fn processing_twice_answers_the_same_and_the_session_is_closed() {
    let d = donation().await;
    let session = d.complete_session("0").await;
    let (_, first) = d.process(&session).await;
    let (status, second) = d.process(&session).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second["dataSetGuid"], first["dataSetGuid"]);
    assert_eq!(
        second["paymentSessionResult"],
        first["paymentSessionResult"]
    );
    assert_eq!(d.listed().await.len(), 1);
    for body in [
        format!("fbSessionHash={session}"),
        format!("fbSessionHash={session}&payment[amount]=50"),
    ] {
        let (status, answer) = d.session("updateSession", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            answer,
            json!({"status": "error", "error": "error 202: session processed"})
        );
    }
}

#[tokio::test]
async fn ten_concurrent_process_calls_create_exactly_one_dataset() {
    let d = donation().await;
    let session = d.complete_session("12").await;
    let calls = (0..10).map(|_| d.process(&session));
    let answers = futures::future::join_all(calls).await;
    let guid = answers[0].1["dataSetGuid"].clone();
    assert!(is_uuid(&guid), "{}", answers[0].1);
    for (status, answer) in &answers {
        assert_eq!(*status, StatusCode::OK, "{answer}");
        assert_eq!(answer["dataSetGuid"], guid);
    }
    let listed = d.listed().await;
    assert_eq!(listed.len(), 1, "exactly one DataSet");
    assert_eq!(listed[0]["dataSetGuid"], guid);
}

#[tokio::test]
async fn missing_expired_and_foreign_sessions_get_the_seeds_codes() {
    let d = donation().await;
    let session = d.complete_session("0").await;
    let other = donation().await;
    let (status, answer) = other.process(&session).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"], "error 203: session not found");
    let (status, answer) = d.process("nosuchsession0000000000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["error"], "error 203: session not found");
    let event = Event::session_form("processSession", &format!("fbSessionHash={session}"));
    let (status, answer) =
        json_of(process_session::handle(event.request(), &d.processing).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"], "error 105: no hash");
    assert!(d.listed().await.is_empty());
    assert!(other.listed().await.is_empty());
}
