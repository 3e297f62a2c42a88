//! What the worst request of each endpoint costs in DynamoDB capacity units, measured on
//! DynamoDB Local with `ReturnConsumedCapacity` and held to the bounds the limits promise
//! (`make test` prints the table; BENCHMARKS.md records it). Anyone can call the Session-API
//! with a public form hash, so its worst requests must stay cheap: sessions are capped at
//! 28 KB of values, so no request of it, however hostile, costs more than the bounds below.

use integration_tests::capacity::{Capacity, metered_dynamodb_client};
use integration_tests::events::Event;
use integration_tests::{
    dataset_api_state_with, entity_api_state_with, forms_api_state_with, list_datasets_state_with,
    merchant_with_form, process_session_state_with, session_api_state_with,
    visit_sessions_state_with,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{Value, json};

const COMPLETE: &str = "&payment[salutation]=Ms.&payment[first_name]=Erika\
    &payment[last_name]=Mustermann&payment[email]=erika@example.org&payment[amount]=25\
    &payment[interval]=1&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12\
    &payment[iban]=DE89370400440532013000&payment[wants_receipt]=no_receipt\
    &payment[is_privacy_accepted]=1";

fn json(response: &Response<Body>) -> Value {
    serde_json::from_slice(response.body().as_ref()).expect("JSON")
}

/// Free values up to the session's 28 KB, as a hostile client would fill it.
fn filler(count: usize, size: usize) -> String {
    let value = "x".repeat(size);
    (0..count)
        .map(|i| format!("&payment[f{i:03}]={value}"))
        .collect()
}

struct Row {
    endpoint: &'static str,
    case: &'static str,
    units: f64,
    bound: f64,
}

fn measure(
    rows: &mut Vec<Row>,
    capacity: &Capacity,
    endpoint: &'static str,
    case: &'static str,
    bound: f64,
) {
    let units = capacity.total();
    rows.push(Row {
        endpoint,
        case,
        units,
        bound,
    });
}

#[tokio::test]
async fn the_worst_request_of_each_endpoint_costs_a_bounded_capacity() {
    let (client, capacity) = metered_dynamodb_client();
    let sessions = session_api_state_with(client.clone());
    let processing = process_session_state_with(client.clone());
    let (_, key, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let mut rows = Vec::new();

    // The Session-API, public: a session filled to its cap, then a one-value update to it.
    let create = |body: String| {
        let event = Event::session_form("createSession", &format!("hash={form}{body}"));
        integration_tests::gateway::session_api(event.request(), &sessions)
    };
    // Warm the form and merchant caches first, as a spike finds them.
    create(COMPLETE.to_owned()).await;
    capacity.take();
    let created = create(format!("{COMPLETE}{}", filler(185, 135))).await;
    let created = json(&created);
    assert_eq!(created["session"]["status"], "complete", "{created}");
    let hash = created["session"]["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    measure(
        &mut rows,
        &capacity,
        "POST /app/createSession",
        "session filled to 28 KB",
        32.0,
    );
    let over = json(&create(format!("{COMPLETE}{}", filler(185, 170))).await);
    assert!(
        over["error"]
            .as_str()
            .is_some_and(|e| e.contains("at most 28 KB")),
        "{over}"
    );
    measure(
        &mut rows,
        &capacity,
        "POST /app/createSession",
        "over the cap: refused",
        0.0,
    );
    let update = Event::session_form(
        "updateSession",
        &format!("hash={form}&fbSessionHash={hash}&payment[note]=1"),
    );
    integration_tests::gateway::session_api(update.request(), &sessions).await;
    measure(
        &mut rows,
        &capacity,
        "POST /app/updateSession",
        "one value into a full session",
        40.0,
    );

    // Processing that session: read, claim, commit with its DataSet (a transaction costs
    // twice its writes).
    let process = Event::session_form(
        "processSession",
        &format!("hash={form}&fbSessionHash={hash}"),
    );
    let warm = Event::session_form("processSession", &format!("hash={form}"));
    process_session::handle(warm.request(), &processing).await;
    capacity.take();
    let processed = process_session::handle(process.request(), &processing).await;
    assert_eq!(processed.status(), StatusCode::OK);
    measure(
        &mut rows,
        &capacity,
        "POST /app/processSession",
        "a full session",
        160.0,
    );
    let guid = json(&processed)["dataSetGuid"]
        .as_str()
        .expect("guid")
        .to_owned();

    // The back office (a merchant key): a DataSet of the largest body, read, replaced, listed.
    let records = dataset_api_state_with(client.clone());
    let large = json!({"vendor": "crm", "sensitive_data": [], "jsonElement": {
        "formResult": {"notes": "n".repeat(345 * 1024)}}})
    .to_string();
    let posted = integration_tests::gateway::records(
        Event::post_dataset().bearer(&key).body(&large).request(),
        &records,
    )
    .await;
    assert_eq!(posted.status(), StatusCode::CREATED);
    let large_guid = json(&posted)["dataSetGuid"]
        .as_str()
        .expect("guid")
        .to_owned();
    measure(
        &mut rows,
        &capacity,
        "POST /dataSet",
        "a 345 KB jsonElement",
        360.0,
    );
    integration_tests::gateway::records(
        Event::get_dataset(&large_guid).bearer(&key).request(),
        &records,
    )
    .await;
    measure(
        &mut rows,
        &capacity,
        "GET /dataSet/{guid}",
        "the 345 KB DataSet",
        90.0,
    );
    let replacement =
        json!({"jsonElement": {"formResult": {"notes": "m".repeat(345 * 1024)}}}).to_string();
    integration_tests::gateway::records(
        Event::put_dataset(&large_guid, &replacement)
            .bearer(&key)
            .request(),
        &records,
    )
    .await;
    measure(
        &mut rows,
        &capacity,
        "PUT /dataSet/{guid}",
        "345 KB over 345 KB",
        360.0,
    );
    integration_tests::gateway::records(Event::get_dataset(&guid).bearer(&key).request(), &records)
        .await;
    capacity.take();
    for _ in 0..14 {
        integration_tests::gateway::records(
            Event::post_dataset().bearer(&key).body(&large).request(),
            &records,
        )
        .await;
    }
    capacity.take();
    let listing = list_datasets_state_with(client.clone());
    let page = list_datasets::handle(
        Event::list_datasets(&[("pageSize", "500")])
            .bearer(&key)
            .request(),
        &listing,
    )
    .await;
    assert_eq!(page.status(), StatusCode::OK);
    measure(
        &mut rows,
        &capacity,
        "GET /dataSets",
        "a page cut at 5 MB of large DataSets",
        640.0,
    );

    // Forms and visit sessions.
    let forms = forms_api_state_with(client.clone());
    let read = integration_tests::gateway::forms(
        Event::form("GET", form.as_str()).bearer(&key).request(),
        &forms,
    )
    .await;
    measure(
        &mut rows,
        &capacity,
        "GET /forms/{formHash}",
        "the demo form (cold key)",
        2.0,
    );
    let put = Event::form("PUT", form.as_str())
        .bearer(&key)
        .header("content-type", "application/json")
        .body(std::str::from_utf8(read.body().as_ref()).expect("UTF-8"));
    integration_tests::gateway::forms(put.request(), &forms).await;
    measure(
        &mut rows,
        &capacity,
        "PUT /forms/{formHash}",
        "the demo form",
        5.0,
    );
    let visits = visit_sessions_state_with(client.clone());
    let started = integration_tests::gateway::visits(
        Event::http("PUT", "/sessions/new").bearer(&key).request(),
        &visits,
    )
    .await;
    measure(
        &mut rows,
        &capacity,
        "PUT /sessions/new",
        "with a cold key",
        3.0,
    );
    let id = json(&started)["sessionId"].as_str().expect("id").to_owned();
    integration_tests::gateway::visits(
        Event::session_path("GET", &id).bearer(&key).request(),
        &visits,
    )
    .await;
    measure(&mut rows, &capacity, "GET /sessions/{sessionId}", "", 2.0);
    integration_tests::gateway::visits(
        Event::session_path("POST", &id)
            .bearer(&key)
            .header("content-type", "application/json")
            .body(r#"{"customerId":"c","visitId":"v","globalVisitId":"g"}"#)
            .request(),
        &visits,
    )
    .await;
    measure(
        &mut rows,
        &capacity,
        "POST /sessions/{sessionId}",
        "three ids",
        3.0,
    );

    // The payment entities (a merchant key): an action with its changelog entry, a DataSet
    // sign-up of the largest body an action takes, the contact, the changelog.
    let entities = entity_api_state_with(client);
    let result = json(&processed)["paymentSessionResult"].clone();
    let act = |body: Value| {
        let event = Event::http("POST", "/actions")
            .header("content-type", "application/json")
            .bearer(&key)
            .body(&body.to_string());
        integration_tests::gateway::entities(event.request(), &entities)
    };
    capacity.take();
    let cancelled = act(json!({"action": "Cancel", "entityType": "Subscription",
        "entityGuid": result["subscriptionGuidResult"]}))
    .await;
    assert_eq!(cancelled.status(), StatusCode::CREATED);
    measure(
        &mut rows,
        &capacity,
        "POST /actions",
        "Cancel: entity and changelog entry",
        // The subscription and its entry, its first debit withdrawn with an entry whose
        // `metaData` (the reason) also lands in the `byContactMeta` index an erasure reads.
        24.0,
    );
    let signed_up = act(json!({"action": "SignUp", "entityType": "DataSet",
        "entityGuid": result["contactGuidResult"],
        "jsonElement": {"notes": "n".repeat(63 * 1024)}}))
    .await;
    assert_eq!(signed_up.status(), StatusCode::CREATED);
    measure(
        &mut rows,
        &capacity,
        "POST /actions",
        "SignUp of a 63 KB DataSet",
        140.0,
    );
    let contact = result["contactGuidResult"].as_str().expect("guid");
    let shown = integration_tests::gateway::entities(
        Event::http("GET", &format!("/contact/{contact}"))
            .path_param("guid", contact)
            .bearer(&key)
            .request(),
        &entities,
    )
    .await;
    assert_eq!(shown.status(), StatusCode::OK);
    measure(
        &mut rows,
        &capacity,
        "GET /contact/{guid}",
        "a donor with two DataSets",
        5.0,
    );
    let entries = integration_tests::gateway::entities(
        Event::http("GET", "/changelogs").bearer(&key).request(),
        &entities,
    )
    .await;
    assert_eq!(entries.status(), StatusCode::OK);
    measure(
        &mut rows,
        &capacity,
        "GET /changelogs",
        "a page of one entry",
        8.0,
    );

    println!("| endpoint | worst case | capacity units | bound |");
    println!("|---|---|---|---|");
    for row in &rows {
        println!(
            "| `{}` | {} | {:.1} | {:.0} |",
            row.endpoint, row.case, row.units, row.bound
        );
    }
    for row in &rows {
        assert!(
            row.units <= row.bound,
            "{} ({}): {} units, over its bound of {}",
            row.endpoint,
            row.case,
            row.units,
            row.bound
        );
    }
}

/// The donation `make bench` prices per 1,000 (its cost step, BENCHMARKS.md): one monthly SEPA
/// donation through the Session-API on warm caches, createSession, two updateSessions and
/// processSession. Held to the units it costs today, split as DynamoDB bills them, so a change
/// that makes every donation dearer fails here, not on a nonprofit's bill.
#[tokio::test]
async fn a_donation_costs_the_capacity_the_cost_benchmark_prices() {
    let (client, capacity) = metered_dynamodb_client();
    let sessions = session_api_state_with(client.clone());
    let processing = process_session_state_with(client.clone());
    let (_, _, form) =
        merchant_with_form(sessions.forms.forms(), sessions.auth.keys(), |_| {}).await;
    let session_call = |operation: &str, body: String| {
        Event::session_form(operation, &format!("hash={form}{body}")).request()
    };
    // A first donation fills the form and merchant caches of both functions, as on warm
    // instances.
    let donate = async |amount: &str| {
        let created = integration_tests::gateway::session_api(
            session_call(
                "createSession",
                format!("&payment[amount]={amount}&payment[interval]=1"),
            ),
            &sessions,
        )
        .await;
        let hash = json(&created)["session"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned();
        for values in [
            "&payment[salutation]=Ms.&payment[first_name]=Erika&payment[last_name]=Mustermann\
             &payment[email]=erika@example.org",
            "&payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12&payment[iban]=DE89370400440532013000\
             &payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1",
        ] {
            let updated = integration_tests::gateway::session_api(
                session_call("updateSession", format!("&fbSessionHash={hash}{values}")),
                &sessions,
            )
            .await;
            assert_eq!(updated.status(), StatusCode::OK);
        }
        let processed = process_session::handle(
            session_call("processSession", format!("&fbSessionHash={hash}")),
            &processing,
        )
        .await;
        assert_eq!(json(&processed)["status"], "success", "{processed:?}");
    };
    donate("10").await;
    capacity.take();
    donate("25").await;
    let (mut reads, mut writes) = (0.0, 0.0);
    for (operation, units) in capacity.take() {
        match operation.as_str() {
            "GetItem" | "BatchGetItem" | "Query" | "Scan" => reads += units,
            _ => writes += units,
        }
    }
    println!("a donation through the Session-API: {writes} write units, {reads} read units");
    assert_eq!(
        (writes, reads),
        (24.0, 3.0),
        "a donation's (write, read) units changed: update BENCHMARKS.md's cost figures"
    );
}
