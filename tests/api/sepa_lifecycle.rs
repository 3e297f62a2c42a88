//! A direct debit follows the donor and the bank, through the API on DynamoDB Local. Rules
//! (EPC SDD Core rulebook; issue 27, points 1 and 2):
//! - a donor who cancels (or whose subscription is held) is not debited after: debits the bank
//!   does not have yet are withdrawn, with the reason in the changelog;
//! - a return whose code holds the subscription withdraws its other unsent debits;
//! - an erased donor's subscriptions end, and their unsent debits are withdrawn;
//! - a collection claims a debit only while its subscription and contact allow it;
//! - a built file is `ready` and its debits `claimed`; only a file the merchant marks sent makes
//!   them `submitted`, and only those become `collected` after the return window; a ready file
//!   can be voided (its debits pending again); one with a debit withdrawn after it was built
//!   is never served or sent.

use integration_tests::donors::{Nonprofit, Pays, action, text};
use integration_tests::{daily_run, dynamo_entities, dynamodb_client, keep_pain008};
use integration_tests::{own_entities_table, scheduler_state_in};
use jiff::ToSpan;
use jiff::civil::Date;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::ground::ids::{EntityGuid, MerchantId};
use shared::ledger::{Applied, Change, Entity, EntityStore, EntityWrite, SubscriptionState};

/// A monthly SEPA donation: (contact, subscription, first payment).
async fn monthly(np: &Nonprofit, amount: &str) -> (String, String, String) {
    let result = np.donate(amount, 1, Pays::Sepa).await;
    (
        text(&result["contactGuidResult"]),
        text(&result["subscriptionGuidResult"]),
        text(&result["paymentGuidResult"]),
    )
}

fn payment<'a>(contact: &'a Value, guid: &str) -> &'a Value {
    contact["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .find(|p| p["paymentGuid"] == guid)
        .expect("the payment")
}

fn entries_for<'a>(entries: &'a [Value], guid: &str) -> Vec<&'a Value> {
    entries.iter().filter(|e| e["entityGuid"] == guid).collect()
}

#[tokio::test]
async fn a_donor_who_cancels_or_is_held_at_once_is_not_debited() {
    let np = Nonprofit::new().await;
    let (contact, cancelled, first) = monthly(&np, "25").await;
    let (status, entry) = np.act(&action("Cancel", "Subscription", &cancelled)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let (held_contact, held, held_first) = monthly(&np, "10").await;
    let (status, entry) = np.act(&action("Hold", "Subscription", &held)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");

    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "cancelled");
    let shown = np.contact_ok(&held_contact).await;
    assert_eq!(payment(&shown, &held_first)["state"], "cancelled");
    let entries = np.changelogs().await;
    for (guid, action, reason) in [
        (&first, "Cancel", "subscriptionCancelled"),
        (&held_first, "Hold", "subscriptionHeld"),
    ] {
        let found = entries_for(&entries, guid);
        assert_eq!(found.len(), 1, "{entries:?}");
        assert_eq!(
            (
                found[0]["action"].as_str(),
                found[0]["metaData"]["reason"].as_str(),
                found[0]["after"]["state"].as_str()
            ),
            (Some(action), Some(reason), Some("cancelled"))
        );
    }
    let (status, problem) = np.collect(None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing to collect: {problem}"
    );
    // A restart goes on from the next period: the withdrawn debit stays withdrawn.
    let (status, _) = np.act(&action("Restart", "Subscription", &cancelled)).await;
    assert_eq!(status, StatusCode::CREATED);
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "cancelled");
}

/// Cancels a subscription behind the API's back, without withdrawing its debit, as a cancel
/// racing a collection leaves it when the cancel lands between the collection's read of the
/// pending debits and its claim.
async fn cancel_without_withdrawing(merchant: &MerchantId, contact: &str, sub: &str) {
    let entities = dynamo_entities(dynamodb_client());
    let contact = EntityGuid::parse(contact).expect("guid");
    let donor = entities
        .donor(merchant, &contact)
        .await
        .expect("read")
        .expect("donor");
    let sub = donor
        .subscriptions
        .iter()
        .find(|s| s.guid.to_string() == sub)
        .expect("subscription");
    let mut cancelled = sub.clone();
    cancelled.state = SubscriptionState::Cancelled;
    cancelled.version += 1;
    let change = Change {
        merchant: merchant.clone(),
        conditions: Vec::new(),
        writes: vec![EntityWrite::Replace {
            expected: sub.version,
            entity: Entity::Subscription(cancelled),
        }],
        records: Vec::new(),
    };
    assert_eq!(entities.apply(&change).await.expect("write"), Applied::Done);
}

#[tokio::test]
async fn a_collection_never_claims_a_debit_whose_subscription_was_cancelled() {
    let np = Nonprofit::new().await;
    let (contact, sub, first) = monthly(&np, "25").await;
    cancel_without_withdrawing(&np.merchant, &contact, &sub).await;
    let (status, problem) = np.collect(None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "pending", "never claimed");
}

#[tokio::test]
async fn a_ready_file_is_the_banks_only_once_sent_and_can_be_voided_before() {
    let np = Nonprofit::new().await;
    let (contact, _, first) = monthly(&np, "25").await;
    let (status, ready) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{ready}");
    assert_eq!(ready["status"], "ready");
    let id = text(&ready["collectionId"]);
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "claimed");
    let (status, _, xml) = np.collection_file(&id).await;
    assert_eq!(status, StatusCode::OK);
    keep_pain008(&format!("voided-{id}"), xml.as_bytes());

    let (status, voided) = np.settle(&id, "voided").await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(
        (voided["status"].as_str(), voided["debitsMoved"].as_u64()),
        (Some("voided"), Some(1))
    );
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "pending", "pending again");
    assert!(
        payment(&shown, &first)
            .get("collectionId")
            .is_none_or(Value::is_null)
    );
    assert_eq!(
        np.collection_file(&id).await.0,
        StatusCode::CONFLICT,
        "no file of a voided collection"
    );
    let (status, problem) = np.settle(&id, "submitted").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a voided file is not sent: {problem}"
    );
    let (status, again) = np.settle(&id, "voided").await;
    assert_eq!(
        (status, again["debitsMoved"].as_u64()),
        (StatusCode::OK, Some(0)),
        "repeatable"
    );

    let (status, next) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    let next_id = text(&next["collectionId"]);
    assert_ne!(next_id, id);
    assert_eq!(
        next["numberOfTransactions"], 1,
        "the debit is in the next file"
    );
    let (status, sent) = np.settle(&next_id, "submitted").await;
    assert_eq!(
        (status, sent["status"].as_str()),
        (StatusCode::OK, Some("sent")),
        "{sent}"
    );
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "submitted");
    assert_eq!(payment(&shown, &first)["collectionId"], next_id.as_str());
    let (status, again) = np.settle(&next_id, "submitted").await;
    assert_eq!(
        (status, again["debitsMoved"].as_u64()),
        (StatusCode::OK, Some(0)),
        "repeatable"
    );
    let (status, problem) = np.settle(&next_id, "voided").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a sent file is the bank's: {problem}"
    );
    let (status, _) = np.settle("C20260101000000-FFFFFFFF", "submitted").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let stranger = Nonprofit::new().await;
    assert_eq!(
        stranger.settle(&next_id, "voided").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_debit_withdrawn_from_a_ready_file_keeps_the_file_from_the_bank() {
    let np = Nonprofit::new().await;
    let (contact, sub, first) = monthly(&np, "25").await;
    let (other_contact, _, other) = monthly(&np, "10").await;
    let (status, ready) = np.collect(None).await;
    assert_eq!(
        (status, ready["numberOfTransactions"].as_u64()),
        (StatusCode::CREATED, Some(2))
    );
    let id = text(&ready["collectionId"]);
    let (status, entry) = np.act(&action("Cancel", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(payment(&shown, &first)["state"], "cancelled");
    let entries = np.changelogs().await;
    let withdrawn = entries_for(&entries, &first);
    assert_eq!(withdrawn[0]["metaData"]["collectionId"], id.as_str());

    let (status, _, problem) = np.collection_file(&id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    let (status, problem) = np.settle(&id, "submitted").await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("void")),
        "{problem}"
    );
    let shown = np.contact_ok(&other_contact).await;
    assert_eq!(
        payment(&shown, &other)["state"],
        "claimed",
        "nothing changed"
    );
    let (status, voided) = np.settle(&id, "voided").await;
    assert_eq!(
        (status, voided["debitsMoved"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{voided}"
    );
    let (status, next) = np.collect(None).await;
    assert_eq!(
        (status, next["numberOfTransactions"].as_u64()),
        (StatusCode::CREATED, Some(1))
    );
    let (_, _, xml) = np.collection_file(&text(&next["collectionId"])).await;
    keep_pain008(&format!("after-withdrawal-{id}"), xml.as_bytes());
    assert!(!xml.contains(&shared::sepa::end_to_end_id(
        EntityGuid::parse(&first).expect("guid")
    )));
}

#[tokio::test]
async fn only_debits_of_a_sent_file_become_collected_and_a_holding_return_withdraws_the_rest() {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    let scheduler = scheduler_state_in(&table);
    let (contact, _, first) = monthly(&np, "25").await;
    let (sent_contact, _, sent) = monthly(&np, "10").await;
    let (status, _) = np.collect_and_send(None).await;
    assert_eq!(status, StatusCode::CREATED);
    // Another nonprofit builds its file and never sends it.
    let late = Nonprofit::in_entities_table(&table).await;
    let (late_contact, _, late_first) = monthly(&late, "7").await;
    let (status, _) = late.collect(None).await;
    assert_eq!(status, StatusCode::CREATED);

    // A month on: the next debits are made, and the return window of the first has passed.
    let shown = np.contact_ok(&contact).await;
    let due: Date = text(&payment(&shown, &first)["dueDate"])
        .parse()
        .expect("date");
    let month_on = due.checked_add(1.month()).expect("date");
    assert!(
        month_on
            >= due
                .checked_add(shared::recurring::RETURN_WINDOW_DAYS.days())
                .expect("date")
    );
    let report = daily_run(&scheduler, month_on).await;
    assert!(report.payments >= 3, "{report:?}");
    let shown = np.contact_ok(&sent_contact).await;
    assert_eq!(
        payment(&shown, &sent)["state"],
        "collected",
        "sent, not returned"
    );
    let shown = late.contact_ok(&late_contact).await;
    assert_eq!(
        payment(&shown, &late_first)["state"],
        "claimed",
        "never sent: never collected"
    );

    // The first comes back MD01 (no mandate): held, and its next debit withdrawn.
    let e2e = shared::sepa::end_to_end_id(EntityGuid::parse(&first).expect("guid"));
    let returned = json!([{"endToEndId": e2e, "reasonCode": "MD01", "returnDate": month_on.to_string(), "amount": "25"}]);
    let (status, booked) = np.book_returns(&returned).await;
    assert_eq!(status, StatusCode::OK, "{booked}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["state"], "onHold");
    assert_eq!(payment(&shown, &first)["state"], "returned");
    let next: Vec<&Value> = shown["payments"]
        .as_array()
        .expect("payments")
        .iter()
        .filter(|p| p["paymentGuid"] != first.as_str())
        .collect();
    assert_eq!(next.len(), 1, "{shown}");
    assert_eq!(
        next[0]["state"], "cancelled",
        "the next debit would come back too"
    );
    let entries = np.changelogs().await;
    let withdrawn: Vec<&Value> = entries_for(&entries, &text(&next[0]["paymentGuid"]))
        .into_iter()
        .filter(|e| e["metaData"]["source"] != "scheduler")
        .collect();
    assert_eq!(withdrawn.len(), 1, "{entries:?}");
    assert_eq!(
        withdrawn[0]["metaData"]["reason"],
        "subscriptionHeldByReturn"
    );
}

#[tokio::test]
async fn an_erased_donor_gives_no_more() {
    let np = Nonprofit::new().await;
    let (contact, sub, first) = monthly(&np, "25").await;
    let (status, ready) = np.collect(None).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = text(&ready["collectionId"]);
    let (status, entry) = np.act(&action("Anonymise", "Contact", &contact)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["subscriptionGuid"], sub.as_str());
    assert_eq!(shown["subscriptions"][0]["state"], "cancelled");
    assert_eq!(payment(&shown, &first)["state"], "cancelled");
    // The ready file held the donor's name and IBAN: it is not served any more.
    assert_eq!(np.collection_file(&id).await.0, StatusCode::CONFLICT);
    let (status, problem) = np.collect(None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
}

#[tokio::test]
async fn a_direct_debit_through_the_session_api_needs_the_donors_mandate() {
    let np = Nonprofit::new().await;
    let donor = format!(
        "payment[amount]=25&payment[interval]=1&payment[salutation]=Ms.&payment[first_name]=Erika\
         &payment[last_name]=Mustermann&payment[email]=erika@example.org\
         &payment[payment_method]=sepa_direct_debit&payment[iban]={}\
         &payment[wants_receipt]=no_receipt&payment[is_privacy_accepted]=1",
        integration_tests::donors::IBAN
    );
    let created = np.session("createSession", &donor).await;
    let session = &created["session"];
    assert_eq!(session["status"], "incomplete", "{created}");
    assert_eq!(
        session["errors"]["other_fields"]["sepa_mandate"],
        "Bitte erteilen Sie das SEPA-Lastschriftmandat."
    );
    let hash = text(&session["hash"]);
    let (status, refused) = np.process(&hash).await;
    assert_ne!(
        status,
        StatusCode::OK,
        "not processed without the mandate: {refused}"
    );
    // An old text version is not the mandate the donor sees today.
    let old = np
        .session(
            "updateSession",
            &format!("fbSessionHash={hash}&payment[sepa_mandate]=sepa-core-2019-01"),
        )
        .await;
    assert_eq!(old["session"]["status"], "incomplete", "{old}");
    let granted = np
        .session(
            "updateSession",
            &format!("fbSessionHash={hash}&payment[sepa_mandate]=sepa-core-2026-12"),
        )
        .await;
    assert_eq!(granted["session"]["status"], "complete", "{granted}");
    let (status, processed) = np.process(&hash).await;
    assert_eq!(status, StatusCode::OK, "{processed}");
    let (_, dataset) = np.dataset(&text(&processed["dataSetGuid"])).await;
    assert_eq!(
        dataset["jsonElement"]["formResult"]["sepa_mandate"], "sepa-core-2026-12",
        "what the donor accepted is on record"
    );
}
