//! `POST /sepa/returns` with the bank's own reports on DynamoDB Local: a camt.054 return in
//! either version returns the payment with its reason; a pain.002 reject and then the camt
//! return of the same debit change it once; entries that name no debit of ours are listed
//! and change nothing; a malformed report is a 400 that changes nothing. Every report sent is
//! kept for the schema check (`keep_bank_report`).

use integration_tests::donors::Nonprofit;
use integration_tests::keep_bank_report;
use lambda_http::http::StatusCode;
use serde_json::Value;
use shared::sepa::reports::ReportFormat;
use shared::sepa::reports::samples::{Sample, camt054, pain002};

use crate::sepa_returns::collected;

const XML: &str = "application/xml";

/// Uploads `xml` (kept as `name`) and expects a 200.
async fn upload(np: &Nonprofit, name: &str, xml: &str) -> Value {
    keep_bank_report(name, xml);
    let (status, answer) = np.upload_report(XML, xml).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn results(answer: &Value) -> Vec<&str> {
    answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["result"].as_str().unwrap_or_default())
        .collect()
}

async fn returns_booked(np: &Nonprofit) -> Vec<Value> {
    np.changelogs()
        .await
        .into_iter()
        .filter(|e| e["action"] == "Return")
        .collect()
}

#[tokio::test]
async fn a_camt_054_return_in_either_version_returns_the_payment_with_its_reason() {
    for (format, name) in [
        (ReportFormat::Camt054V02, "camt054-v02-return"),
        (ReportFormat::Camt054V08, "camt054-v08-return"),
    ] {
        let np = Nonprofit::new().await;
        let (contact, e2e) = collected(&np, "25").await;
        let xml = camt054(format, &[Sample::debit(&e2e, "MD01", "25.00")]);
        let answer = upload(&np, name, &xml).await;
        assert_eq!(answer["format"], format.name());
        assert_eq!(results(&answer), ["returned"], "{answer}");
        assert_eq!(answer["results"][0]["subscriptionHeld"], true);
        assert_eq!(answer["unmatched"], serde_json::json!([]));
        let held = np.contact_ok(&contact).await;
        assert_eq!(held["payments"][0]["state"], "returned");
        assert_eq!(held["payments"][0]["returnReason"], "MD01");
        assert_eq!(held["subscriptions"][0]["state"], "onHold");
        let entries = returns_booked(&np).await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["metaData"]["reasonCode"], "MD01");
        assert_eq!(entries[0]["metaData"]["returnDate"], "2026-12-30");

        let again = upload(&np, &format!("{name}-again"), &xml).await;
        assert_eq!(results(&again), ["alreadyReturned"]);
        assert_eq!(returns_booked(&np).await.len(), 1);
        assert_eq!(np.contact_ok(&contact).await, held);
    }
}

#[tokio::test]
async fn a_reject_and_then_the_return_of_one_debit_change_it_once() {
    let np = Nonprofit::new().await;
    let (contact, e2e) = collected(&np, "10").await;
    let reject = pain002(
        ReportFormat::Pain002V03,
        &[Sample::debit(&e2e, "AM04", "10.00")],
        None,
    );
    let answer = upload(&np, "pain002-v03-reject", &reject).await;
    assert_eq!(results(&answer), ["returned"], "{answer}");
    assert_eq!(answer["results"][0]["subscriptionHeld"], false);
    let rejected = np.contact_ok(&contact).await;
    let payment = rejected["payments"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|p| p["paymentGuid"] == answer["results"][0]["paymentGuid"])
        })
        .expect("the rejected payment");
    assert_eq!(payment["returnReason"], "AM04");

    let later = camt054(
        ReportFormat::Camt054V08,
        &[Sample::debit(&e2e, "MD01", "10.00")],
    );
    let answer = upload(&np, "camt054-v08-after-reject", &later).await;
    assert_eq!(results(&answer), ["alreadyReturned"], "{answer}");
    assert_eq!(np.contact_ok(&contact).await, rejected, "changed once");
    assert_eq!(returns_booked(&np).await.len(), 1);
}

#[tokio::test]
async fn entries_naming_no_debit_of_ours_are_listed_and_change_nothing() {
    let np = Nonprofit::new().await;
    let (contact, e2e) = collected(&np, "30").await;
    let before = np.contact_ok(&contact).await;
    let changes = np.changelogs().await.len();
    let ours = || Sample::debit(&e2e, "AC04", "30.00");
    let camt = camt054(
        ReportFormat::Camt054V08,
        &[
            Sample::debit("NOTPROVIDED", "AC04", "30.00"),
            Sample {
                end_to_end_id: None,
                ..ours()
            },
            Sample {
                credit: true,
                ..ours()
            },
            Sample {
                family: "ICDT",
                ..ours()
            },
            Sample {
                creditor_id: Some("NL08ZZZ123456780000".into()),
                ..ours()
            },
            Sample::debit("ffffffffffffffffffffffffffffffff", "AC04", "1.00"),
        ],
    );
    let answer = upload(&np, "camt054-v08-unmatched", &camt).await;
    assert_eq!(results(&answer), ["unknown"], "{answer}");
    let reasons: Vec<&str> = answer["unmatched"]
        .as_array()
        .expect("unmatched")
        .iter()
        .map(|u| u["reason"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        reasons,
        [
            "notProvided",
            "noEndToEndId",
            "credit",
            "notDirectDebit",
            "otherCreditor"
        ]
    );
    assert_eq!(answer["unmatched"][1]["reference"], "TX-1");
    assert_eq!(answer["unmatched"][1]["amount"], "30.00");
    assert_eq!(answer["unmatched"][2]["endToEndId"], e2e.as_str());

    let batch = pain002(ReportFormat::Pain002V10, &[], Some("MSG-1-7"));
    let answer = upload(&np, "pain002-v10-batch-rejected", &batch).await;
    assert_eq!(answer["results"], serde_json::json!([]));
    assert_eq!(answer["unmatched"][0]["reason"], "batchRejected");
    assert_eq!(answer["unmatched"][0]["reference"], "MSG-1-7");

    assert_eq!(np.contact_ok(&contact).await, before);
    assert_eq!(np.changelogs().await.len(), changes, "nothing changed");
}

#[tokio::test]
async fn a_malformed_report_is_a_400_and_changes_nothing() {
    let np = Nonprofit::new().await;
    let (contact, e2e) = collected(&np, "12").await;
    let before = np.contact_ok(&contact).await;
    let good = camt054(
        ReportFormat::Camt054V02,
        &[Sample::debit(&e2e, "MD01", "12.00")],
    );
    let doctype = good.replacen(
        "<Document",
        "<!DOCTYPE Document [<!ENTITY x \"x\">]><Document",
        1,
    );
    for (bad, says) in [
        (&good[..good.len() - 40], "malformed XML"),
        (doctype.as_str(), "DOCTYPE"),
        (
            &good.replace("camt.054.001.02", "camt.054.001.99"),
            "camt.054.001.99",
        ),
        ("not xml at all", "malformed XML"),
    ] {
        let (status, problem) = np.upload_report("text/xml; charset=utf-8", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["title"], "Invalid bank report");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(says), "{detail}");
    }
    let (status, _) = np.upload_report(XML, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, problem) = np.upload_report("text/plain", &good).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{problem}");
    assert_eq!(np.contact_ok(&contact).await, before);
    assert!(returns_booked(&np).await.is_empty());
}
