//! SEPA at its largest, on DynamoDB Local: a collection of 5,000 due debits made (calls, time,
//! consumed capacity, file size), its file fetched and marked sent, and a camt.054.001.08 with
//! 1,000 returns of its debits booked (time, consumed capacity). Capacity is what DynamoDB
//! reports (`ReturnConsumedCapacity`), summed by operation; a transaction's units include its
//! reads and writes.
//! Run with `make bench`, or `cargo bench -p integration-tests --bench sepa` while DynamoDB
//! Local listens on 127.0.0.1:8000.

use std::collections::BTreeMap;
use std::time::Instant;

use integration_tests::capacity::{Capacity, metered_dynamodb_client};
use integration_tests::donors::{Nonprofit, text};
use integration_tests::{ENTITIES_TABLE, dynamo_entities, dynamodb_client, ensure_tables};
use jiff::ToSpan;
use lambda_http::http::StatusCode;
use shared::sepa::reports::ReportFormat;
use shared::sepa::reports::samples::{Sample, camt054};

const DEBITS: usize = 5000;
const RETURNS: usize = 1000;

fn main() {
    ensure_tables();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

/// What was consumed since the last report, by operation, and in all.
fn units(capacity: &Capacity) -> (String, f64) {
    let mut by_operation: BTreeMap<String, f64> = BTreeMap::new();
    for (operation, units) in capacity.take() {
        *by_operation.entry(operation).or_default() += units;
    }
    let total = by_operation.values().sum();
    let listed = by_operation
        .iter()
        .map(|(operation, units)| format!("{operation} {units:.1}"))
        .collect::<Vec<_>>()
        .join(", ");
    (listed, total)
}

async fn run() {
    let (client, capacity) = metered_dynamodb_client();
    let np = Nonprofit::on(client, ENTITIES_TABLE).await;
    let today = shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date();
    let due = shared::sepa::calendar::on_or_after(today.checked_add(3.days()).expect("date"));
    let seeding = Instant::now();
    integration_tests::sepa::seed_due_debits(
        &dynamo_entities(dynamodb_client()),
        &np.merchant,
        DEBITS,
        500,
        due,
    )
    .await;
    println!(
        "seeded {DEBITS} due debits in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    capacity.take();
    let started = Instant::now();
    let mut calls = 0;
    let collection = loop {
        calls += 1;
        let (status, answer) = np.collect(None).await;
        match status {
            StatusCode::CREATED => break answer,
            StatusCode::ACCEPTED => {}
            other => panic!("{other}: {answer}"),
        }
    };
    let made = started.elapsed();
    let (by_operation, total) = units(&capacity);
    assert_eq!(
        collection["numberOfTransactions"].as_u64(),
        Some(DEBITS as u64)
    );
    println!(
        "POST /sepa/collections, {DEBITS} debits: {calls} call(s), {:.2} s, {total:.1} capacity \
         units ({:.2} per debit: {by_operation})",
        made.as_secs_f64(),
        total / DEBITS as f64
    );

    let id = text(&collection["collectionId"]);
    let started = Instant::now();
    let (status, _, xml) = np.collection_file(&id).await;
    assert_eq!(status, StatusCode::OK);
    let (by_operation, total) = units(&capacity);
    println!(
        "GET /sepa/collections/{{id}}: {} bytes, {:.0} ms, {total:.1} capacity units ({by_operation})",
        xml.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );

    let started = Instant::now();
    let mut calls = 0;
    loop {
        calls += 1;
        let (status, answer) = np.settle(&id, "submitted").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        if answer["complete"] == true {
            break;
        }
    }
    let (by_operation, total) = units(&capacity);
    println!(
        "POST /sepa/collections/{{id}}/submitted: {calls} call(s), {:.2} s, {total:.1} capacity \
         units ({by_operation})",
        started.elapsed().as_secs_f64()
    );

    let returned: Vec<Sample> = xml
        .split("<EndToEndId>")
        .skip(1)
        .take(RETURNS)
        .map(|rest| Sample::debit(rest.split('<').next().unwrap_or_default(), "AM04", "5.00"))
        .collect();
    let report = camt054(ReportFormat::Camt054V08, &returned);
    let started = Instant::now();
    let (status, booked) = np.upload_report("application/xml", &report).await;
    let elapsed = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{booked}");
    let results = booked["results"].as_array().expect("results");
    assert_eq!(
        results.iter().filter(|r| r["result"] == "returned").count(),
        RETURNS,
        "every return booked"
    );
    let (by_operation, total) = units(&capacity);
    println!(
        "POST /sepa/returns, a camt.054.001.08 of {RETURNS} returns ({} bytes): {:.2} s, \
         {total:.1} capacity units ({:.2} per return: {by_operation})",
        report.len(),
        elapsed.as_secs_f64(),
        total / RETURNS as f64
    );
}
