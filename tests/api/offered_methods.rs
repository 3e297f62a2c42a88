//! What a nonprofit gets with no payment provider, through the real stack (`cargo lambda
//! watch`, the functions wired as in Lambda): only SEPA direct debit, which its own bank
//! collects, is offered. A card or PayPal is a `current_fields` error on the Session-API, is
//! not shown by the hosted form and is refused by `PUT /forms`; a form stored earlier with
//! them keeps working for SEPA.

use reqwest::StatusCode;
use serde_json::{Value, json};

use integration_tests::{dynamodb_client, local_wiring, unique_form_hash};
use shared::app::Backend;
use shared::cards::PaymentProvider;
use shared::ground::ids::MerchantId;
use shared::outbound::sandbox::SandboxProvider;

struct Stack {
    base: String,
    demo: Value,
    http: reqwest::Client,
}

fn stack() -> Stack {
    let base = std::env::var("SMOKE_API_URL").expect("SMOKE_API_URL is set by `make test`");
    let demo_file = std::env::var("SMOKE_DEMO_FILE").expect("SMOKE_DEMO_FILE is set");
    let demo = serde_json::from_str(&std::fs::read_to_string(demo_file).expect("demo file"))
        .expect("demo JSON");
    Stack {
        base,
        demo,
        http: reqwest::Client::new(),
    }
}

impl Stack {
    fn demo(&self, name: &str) -> String {
        self.demo[name]
            .as_str()
            .expect("in the demo file")
            .to_owned()
    }

    async fn create_session(&self, form: &str, method: &str) -> Value {
        self.http
            .post(format!("{}/app/createSession", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "hash={form}&payment[amount]=20&payment[payment_method]={method}"
            ))
            .send()
            .await
            .expect("createSession")
            .json()
            .await
            .expect("JSON")
    }

    async fn form_page(&self, form: &str) -> String {
        let page = self
            .http
            .get(format!("{}/form/{form}", self.base))
            .send()
            .await
            .expect("GET /form");
        assert_eq!(page.status(), StatusCode::OK);
        page.text().await.expect("HTML")
    }

    /// SEPA is offered, cards and PayPal are not, on the Session-API and the hosted form.
    async fn assert_sepa_only(&self, form: &str) {
        let sepa = self.create_session(form, "sepa_direct_debit").await;
        assert_eq!(sepa["status"], "success", "{sepa}");
        assert_eq!(
            sepa["session"]["values"]["payment_method"], "sepa_direct_debit",
            "{sepa}"
        );
        for method in ["credit_card", "paypal"] {
            let refused = self.create_session(form, method).await;
            assert_eq!(
                refused["session"]["errors"]["current_fields"]["payment_method"],
                "Diese Auswahl ist bei diesem Formular nicht möglich",
                "{method}: {refused}"
            );
            assert!(
                refused["session"]["values"]["payment_method"].is_null(),
                "{method} is not stored: {refused}"
            );
        }
        let page = self.form_page(form).await;
        assert!(page.contains(r#"value="sepa_direct_debit""#), "{page}");
        for method in ["credit_card", "paypal"] {
            assert!(!page.contains(&format!(r#"value="{method}""#)), "{method}");
        }
    }
}

fn demo_form_offering(methods: &[&str]) -> Value {
    let mut form = integration_tests::demo_form_with_cards();
    form["paymentMethods"] = json!(methods);
    form
}

#[tokio::test]
async fn the_demo_form_offers_sepa_only() {
    let stack = stack();
    stack.assert_sepa_only(&stack.demo("formHash")).await;
}

#[tokio::test]
async fn put_forms_refuses_a_method_nobody_collects_and_stores_nothing() {
    let stack = stack();
    let key = stack.demo("apiKey");
    for method in ["credit_card", "paypal"] {
        let hash = unique_form_hash();
        let url = format!("{}/forms/{hash}", stack.base);
        let refused = stack
            .http
            .put(&url)
            .bearer_auth(&key)
            .json(&demo_form_offering(&["sepa_direct_debit", method]))
            .send()
            .await
            .expect("PUT /forms");
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let problem: Value = refused.json().await.expect("problem+json");
        assert_eq!(problem["title"], "Invalid form");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.contains(&format!("'{method}'")) && detail.contains("no payment provider"),
            "{detail}"
        );
        let read = stack
            .http
            .get(&url)
            .bearer_auth(&key)
            .send()
            .await
            .expect("GET /forms");
        assert_eq!(read.status(), StatusCode::NOT_FOUND, "nothing was stored");
    }
    let hash = unique_form_hash();
    let accepted = stack
        .http
        .put(format!("{}/forms/{hash}", stack.base))
        .bearer_auth(&key)
        .json(&demo_form_offering(&["sepa_direct_debit"]))
        .send()
        .await
        .expect("PUT /forms");
    assert_eq!(accepted.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_form_stored_earlier_with_cards_keeps_working_for_sepa() {
    let stack = stack();
    let merchant = MerchantId::parse(&stack.demo("merchantId")).expect("demo merchant");
    let backend = local_wiring(dynamodb_client()).backend;
    let hash = unique_form_hash();
    // Stored as a form was before methods had to be collected (cards "collected" by a sandbox).
    admin::forms::put_form(
        &backend.forms().expect("forms"),
        &backend.merchants().expect("merchants"),
        &integration_tests::demo_form_with_cards().to_string(),
        hash.clone(),
        merchant,
        SandboxProvider.methods(),
    )
    .await
    .expect("an earlier form");
    stack.assert_sepa_only(hash.as_str()).await;
}
