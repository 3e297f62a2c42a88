//! Debtors' accounts wherever they enter, on DynamoDB Local: a BIC is checked on a Renewal as
//! in the form, an IBAN outside SEPA is refused, and an account outside the EEA (Switzerland)
//! needs its bank's BIC and the donor's address, which the collected file then carries
//! (`DbtrAgt/FinInstnId/BICFI`, `Dbtr/PstlAdr`). Every file is kept for the XSD check.

use integration_tests::donors::{Nonprofit, Pays, action, text, with};
use integration_tests::keep_pain008;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};

const SWISS_IBAN: &str = "CH9300762011623852957";
const SWISS_BIC: &str = "UBSWCHZH80A";
const TURKISH_IBAN: &str = "TR330006100519786457841326";
const BRAZILIAN_IBAN: &str = "BR1800360305000010009795493C1";

/// The text of element `name` in `xml`, the first one after `after`.
fn element<'a>(xml: &'a str, after: &str, name: &str) -> Option<&'a str> {
    let rest = &xml[xml.find(after)?..];
    let start = rest.find(&format!("<{name}>"))? + name.len() + 2;
    let end = rest.find(&format!("</{name}>"))?;
    rest.get(start..end)
}

/// The file of a new collection of every announced debit, kept for the XSD check.
async fn collected_file(np: &Nonprofit, name: &str) -> String {
    let (status, collection) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{collection}");
    let id = text(&collection["collectionId"]);
    let (status, _, xml) = np.collection_file(&id).await;
    assert_eq!(status, StatusCode::OK);
    keep_pain008(&format!("{name}-{id}"), xml.as_bytes());
    xml
}

#[tokio::test]
async fn a_renewal_takes_only_a_valid_bic_and_an_account_in_sepa() {
    let np = Nonprofit::new().await;
    let donated = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&donated["contactGuidResult"]);
    let method = text(&donated["paymentMethodGuidResult"]);
    let renewal = |fields: Value| with(action("Renewal", "PaymentMethod", &method), fields);
    let before = np.contact_ok(&contact).await;
    for (fields, named) in [
        (json!({"iban": "AT611904300234573201", "bic": "x"}), "'bic'"),
        (
            json!({"iban": "AT611904300234573201", "bic": "GIBAXXWW"}),
            "'bic'",
        ),
        (json!({"iban": TURKISH_IBAN}), "'iban'"),
        (json!({"iban": SWISS_IBAN}), "'bic'"),
        // The contact has no address: a Swiss account cannot be debited for it.
        (json!({"iban": SWISS_IBAN, "bic": SWISS_BIC}), "address"),
    ] {
        let (status, problem) = np.act(&renewal(fields.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{fields}: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(named), "{fields}: {detail}");
    }
    assert_eq!(
        np.contact_ok(&contact).await,
        before,
        "refused renewals changed nothing"
    );

    let good = renewal(json!({"iban": "AT61 1904 3002 3457 3201", "bic": "gibaatwwxxx"}));
    let (status, renewed) = np.act(&good).await;
    assert_eq!(status, StatusCode::CREATED, "{renewed}");
    let payment = with(
        action("SignUp", "Payment", &contact),
        json!({"amount": "12.50"}),
    );
    let (status, signed) = np.act(&payment).await;
    assert_eq!(status, StatusCode::CREATED, "{signed}");
    let xml = collected_file(&np, "renewed-bic").await;
    assert_eq!(xml.matches("<DrctDbtTxInf>").count(), 2, "{xml}");
    assert!(
        xml.contains("<BICFI>GIBAATWWXXX</BICFI>"),
        "the renewed account's debit carries its BIC: {xml}"
    );
}

/// A session on the demo form with everything but the account and the address.
async fn sepa_session(np: &Nonprofit, account: &str) -> (String, Value) {
    let created = np
        .session("createSession", "payment[amount]=30&payment[interval]=0")
        .await;
    let hash = text(&created["session"]["hash"]);
    let updated = np
        .session(
            "updateSession",
            &format!(
                "fbSessionHash={hash}&payment[salutation]=Mr.&payment[first_name]=Ueli\
                 &payment[last_name]=Zürcher&payment[email]=ueli@example.org\
                 &payment[payment_method]=sepa_direct_debit&payment[sepa_mandate]=sepa-core-2026-12&{account}\
                 &payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1"
            ),
        )
        .await;
    (hash, updated)
}

#[tokio::test]
async fn a_swiss_donor_gives_bic_and_address_and_the_file_carries_them() {
    let np = Nonprofit::new().await;
    let (hash, updated) = sepa_session(&np, &format!("payment[iban]={SWISS_IBAN}")).await;
    let session = &updated["session"];
    assert_eq!(session["status"], "incomplete", "{updated}");
    let lacking = session["errors"]["other_fields"]
        .as_object()
        .expect("other_fields");
    let names: Vec<&str> = lacking.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["bic", "city", "country", "post_code", "street"],
        "{lacking:?}"
    );
    assert!(
        lacking["bic"].as_str().is_some_and(|m| m.contains("BIC")),
        "{lacking:?}"
    );
    let (status, _) = np.process(&hash).await;
    assert_ne!(
        status,
        StatusCode::OK,
        "an incomplete session is not processed"
    );

    let completed = np
        .session(
            "updateSession",
            &format!(
                "fbSessionHash={hash}&payment[bic]={SWISS_BIC}\
                 &payment[street]=Bahnhofstrasse+1&payment[post_code]=8001\
                 &payment[city]=Zürich&payment[country]=CH"
            ),
        )
        .await;
    assert_eq!(completed["session"]["status"], "complete", "{completed}");
    let (status, processed) = np.process(&hash).await;
    assert_eq!(status, StatusCode::OK, "{processed}");

    let xml = collected_file(&np, "swiss-debtor").await;
    assert_eq!(
        element(&xml, "<DbtrAgt>", "BICFI"),
        Some(SWISS_BIC),
        "{xml}"
    );
    let debtor = &xml[xml.find("<Dbtr>").expect("Dbtr")..xml.find("</Dbtr>").expect("/Dbtr")];
    for expected in [
        "<Nm>Ueli Zuercher</Nm>",
        "<PstlAdr>",
        "<StrtNm>Bahnhofstrasse 1</StrtNm>",
        "<PstCd>8001</PstCd>",
        "<TwnNm>Zuerich</TwnNm>",
        "<Ctry>CH</Ctry>",
    ] {
        assert!(debtor.contains(expected), "{expected} in {debtor}");
    }
}

#[tokio::test]
async fn an_iban_outside_sepa_is_refused_for_direct_debit() {
    let np = Nonprofit::new().await;
    for iban in [TURKISH_IBAN, BRAZILIAN_IBAN] {
        let (_, updated) = sepa_session(&np, &format!("payment[iban]={iban}")).await;
        let errors = &updated["session"]["errors"];
        let message = errors["current_fields"]["iban"]
            .as_str()
            .unwrap_or_default();
        assert!(message.contains("SEPA"), "{iban}: {errors}");
        assert!(
            updated["session"]["values"].get("iban").is_none(),
            "{iban} not stored: {updated}"
        );
    }
}
