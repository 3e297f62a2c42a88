//! What `POST /actions` refuses, and how it holds under concurrency and retries, against
//! DynamoDB Local: every forbidden transition is a 409 that changes nothing; malformed or
//! unknown actions are 400 or 404; ten concurrent Cancel/Restart calls leave one changelog
//! entry per effective change; an Idempotency-Key makes a retry answer the first record; a card
//! payment is refunded only through a payment provider.

use futures::future::join_all;
use integration_tests::donors::{Nonprofit, Pays, action, json_of, text, with};
use integration_tests::events::Event;
use integration_tests::{built, without_provider};
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::{ActionsState, Dynamo};
use shared::cards::NoProvider;

#[tokio::test]
async fn every_forbidden_transition_is_a_conflict_that_changes_nothing() {
    let np = Nonprofit::new().await;
    let sepa = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&sepa["contactGuidResult"]);
    let sub = text(&sepa["subscriptionGuidResult"]);
    let method = text(&sepa["paymentMethodGuidResult"]);
    let renewal = |iban: &str| {
        with(
            action("Renewal", "PaymentMethod", &method),
            json!({"iban": iban}),
        )
    };
    let (status, _) = np.act(&renewal("AT611904300234573201")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = np.act(&action("Cancel", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    let other = np.donate("10", 0, Pays::Card).await;
    let archived = text(&other["contactGuidResult"]);
    let (status, _) = np.act(&action("Archive", "Contact", &archived)).await;
    assert_eq!(status, StatusCode::CREATED);

    let before = (
        np.contact_ok(&contact).await,
        np.contact_ok(&archived).await,
        np.changelogs().await.len(),
    );
    let conflict = StatusCode::CONFLICT;
    for (forbidden, expected) in [
        (action("Cancel", "Subscription", &sub), conflict),
        (action("Hold", "Subscription", &sub), conflict),
        (
            with(
                action("Upgrade", "Subscription", &sub),
                json!({"amount": "50"}),
            ),
            conflict,
        ),
        (
            with(action("Upgrade", "AddOn", &sub), json!({"amount": "5"})),
            conflict,
        ),
        (
            action("Refund", "Payment", &text(&sepa["paymentGuidResult"])),
            conflict,
        ),
        (renewal("DE89370400440532013000"), conflict),
        (
            with(
                action("Merge", "Contact", &contact),
                json!({"targetContactGuid": archived}),
            ),
            conflict,
        ),
        (
            action("Refund", "Payment", &text(&other["paymentGuidResult"])),
            conflict,
        ),
        (
            action("Anonymise", "Contact", &uuid::Uuid::new_v4().to_string()),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, problem) = np.act(&forbidden).await;
        assert_eq!(status, expected, "{forbidden}: {problem}");
        assert_eq!(problem["status"], status.as_u16());
    }
    assert_eq!(
        np.contact_ok(&contact).await,
        before.0,
        "the refusals changed nothing"
    );
    let (status, problem) = np.act(&action("Restart", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
    let (status, problem) = np.act(&action("Restart", "Subscription", &sub)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an active subscription is not restarted: {problem}"
    );
    let after = (
        np.contact_ok(&contact).await,
        np.contact_ok(&archived).await,
        np.changelogs().await.len(),
    );
    assert_eq!(after.1, before.1, "the archived contact is unchanged");
    assert_eq!(after.2, before.2 + 1, "only the restart was recorded");
}

#[tokio::test]
async fn malformed_unknown_and_foreign_actions_are_refused() {
    let np = Nonprofit::new().await;
    let stranger = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let sub = text(&result["subscriptionGuidResult"]);
    let contact = text(&result["contactGuidResult"]);
    let cases: Vec<(Value, StatusCode)> = vec![
        (
            json!({"action": "Explode", "entityType": "Subscription", "entityGuid": sub}),
            StatusCode::BAD_REQUEST,
        ),
        (
            action("Refund", "Contact", &contact),
            StatusCode::BAD_REQUEST,
        ),
        (
            action("Cancel", "Subscription", "not-a-guid"),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(
                action("Cancel", "Subscription", &sub),
                json!({"surprise": 1}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            action("SignUp", "Payment", &contact),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(
                action(
                    "Renewal",
                    "PaymentMethod",
                    &text(&result["paymentMethodGuidResult"]),
                ),
                json!({"iban": "DE00123"}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(
                action("Merge", "Contact", &contact),
                json!({"targetContactGuid": contact}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            with(
                action("Upgrade", "Subscription", &sub),
                json!({"amount": "-3"}),
            ),
            StatusCode::BAD_REQUEST,
        ),
        (
            action("Cancel", "Subscription", &uuid::Uuid::new_v4().to_string()),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (body, expected) in cases {
        let (status, problem) = np.act(&body).await;
        assert_eq!(status, expected, "{body}: {problem}");
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{problem}"
        );
    }
    let (status, _) = stranger.act(&action("Cancel", "Subscription", &sub)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another merchant's subscription does not exist"
    );
    assert_eq!(stranger.contact(&contact).await.0, StatusCode::NOT_FOUND);
    let subscription = np.contact_ok(&contact).await["subscriptions"][0].clone();
    assert_eq!(subscription["state"], "active");
    assert!(np.changelogs().await.is_empty());
}

#[tokio::test]
async fn ten_concurrent_cancels_and_restarts_leave_one_entry_per_effective_change() {
    let np = Nonprofit::new().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let (contact, sub) = (
        text(&result["contactGuidResult"]),
        text(&result["subscriptionGuidResult"]),
    );
    let calls = (0..10).map(|i| {
        let body = action(
            if i % 2 == 0 { "Cancel" } else { "Restart" },
            "Subscription",
            &sub,
        );
        let np = &np;
        async move { np.act(&body).await }
    });
    let answers = join_all(calls).await;
    let effective = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::CREATED)
        .count();
    for (status, answer) in &answers {
        assert!(
            matches!(*status, StatusCode::CREATED | StatusCode::CONFLICT),
            "{status}: {answer}"
        );
    }
    assert!(effective >= 1, "the first cancel always applies");
    let (mut entries, withdrawn): (Vec<Value>, Vec<Value>) = np
        .changelogs()
        .await
        .into_iter()
        .partition(|e| e["entityType"] == "Subscription");
    assert_eq!(entries.len(), effective, "one entry per effective change");
    // The first cancel withdrew the unsent first debit; a restart does not bring it back.
    assert_eq!(withdrawn.len(), 1, "{withdrawn:?}");
    assert_eq!(withdrawn[0]["metaData"]["reason"], "subscriptionCancelled");
    // The entries chain: each starts where the one before ended, alternating.
    entries.sort_by_key(|e| e["createdTs"].as_str().map(str::to_owned));
    let mut state = "active".to_owned();
    let mut chain: Vec<(String, String)> = entries
        .iter()
        .map(|e| (text(&e["before"]["state"]), text(&e["after"]["state"])))
        .collect();
    while !chain.is_empty() {
        let next = chain
            .iter()
            .position(|(from, _)| *from == state)
            .expect("an unbroken chain");
        state = chain.remove(next).1;
    }
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["state"], state.as_str());
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retried_action_answer_its_first_record() {
    let np = Nonprofit::new().await;
    let result = np.donate("30", 0, Pays::Card).await;
    let payment = text(&result["paymentGuidResult"]);
    let refund = with(
        action("Refund", "Payment", &payment),
        json!({"amount": "10"}),
    );
    let key = [("idempotency-key", "refund-2026-12-01-0001")];
    let (first_status, first) = np.act_with(&refund, &key).await;
    let (again_status, again) = np.act_with(&refund, &key).await;
    assert_eq!(
        (first_status, again_status),
        (StatusCode::CREATED, StatusCode::CREATED)
    );
    assert_eq!(first, again, "the retry answers the first entry");
    let shown = np.contact_ok(&text(&result["contactGuidResult"])).await;
    assert_eq!(
        shown["payments"][0]["refundedAmount"], "10",
        "refunded once"
    );
    let other = with(
        action("Refund", "Payment", &payment),
        json!({"amount": "5"}),
    );
    let (status, problem) = np.act_with(&other, &key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let sign_up = with(
        action("SignUp", "Payment", &text(&result["contactGuidResult"])),
        json!({"amount": "7"}),
    );
    let key = [("idempotency-key", "signup-2026-12-01-0001")];
    let (_, first) = np.act_with(&sign_up, &key).await;
    let (_, again) = np.act_with(&sign_up, &key).await;
    assert_eq!(first["dataSetGuid"], again["dataSetGuid"]);
    assert_eq!(
        np.contact_ok(&text(&result["contactGuidResult"])).await["payments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(np.changelogs().await.len(), 1);
}

#[tokio::test]
async fn a_card_payment_is_refunded_only_through_a_payment_provider() {
    let np = Nonprofit::new().await;
    let result = np.donate("30", 0, Pays::Card).await;
    let (contact, payment) = (
        text(&result["contactGuidResult"]),
        text(&result["paymentGuidResult"]),
    );
    let refund = with(
        action("Refund", "Payment", &payment),
        json!({"amount": "10"}),
    );
    let before = np.contact_ok(&contact).await;
    // As Lambda is wired today: no provider could send the money back.
    let unprovided: ActionsState<Dynamo<NoProvider>> = built(&without_provider(&np.wiring));
    let event = Event::http("POST", "/actions")
        .header("content-type", "application/json")
        .bearer(&np.key)
        .body(&refund.to_string());
    let (status, problem) = json_of(post_actions::handle(event.request(), &unprovided).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        text(&problem["detail"]).contains("no payment provider takes credit_card"),
        "{problem}"
    );
    assert_eq!(np.contact_ok(&contact).await, before, "nothing refunded");
    assert_eq!(np.changelogs().await.len(), 0, "nothing recorded");
    // Through a provider (the tests' double) the same refund goes through.
    let (status, entry) = np.act(&refund).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["after"]["refundedAmount"], "10");
}
