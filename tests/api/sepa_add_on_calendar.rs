//! Add-ons with an interval of their own, through `POST /actions`, the scheduler's handler,
//! `GET /contact`, `GET /changelogs` and `POST /sepa/collections` on DynamoDB Local, with the
//! clock the test sets:
//! - a yearly add-on on a monthly subscription is a debit of its own once a year (RCUR, on the
//!   subscription's mandate), across more than a year of daily runs (some twice at once),
//!   while an add-on of the subscription's interval is summed into each monthly debit;
//! - a held subscription's add-ons are not charged; restarted, they are.

use futures::future::join_all;
use integration_tests::donors::{Nonprofit, Pays, action, text, with};
use integration_tests::scheduler_state_in;
use integration_tests::{TestDynamo, daily_run, keep_pain008, own_entities_table};
use jiff::ToSpan;
use jiff::civil::Date;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::RecurringPaymentsState;

type State = RecurringPaymentsState<TestDynamo>;

async fn nonprofit() -> (Nonprofit, State) {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    (np, scheduler_state_in(&table))
}

fn today() -> Date {
    shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date()
}

/// A monthly SEPA donation of 25 with an add-on of `amount` every `interval` months: (contact,
/// subscription, add-on).
async fn with_add_on(np: &Nonprofit, amount: &str, interval: u8) -> (String, String, String) {
    let result = np.donate("25", 1, Pays::Sepa).await;
    let sub = text(&result["subscriptionGuidResult"]);
    let add_on = add(np, &sub, amount, interval).await;
    (text(&result["contactGuidResult"]), sub, add_on)
}

/// Upgrade of an AddOn: its guid.
async fn add(np: &Nonprofit, sub: &str, amount: &str, interval: u8) -> String {
    let body = with(
        action("Upgrade", "AddOn", sub),
        json!({"amount": amount, "interval": interval, "name": "Patenschaft"}),
    );
    let (status, dataset) = np.act(&body).await;
    assert_eq!(status, StatusCode::CREATED, "{dataset}");
    text(&dataset["jsonElement"]["paymentSessionResult"]["addOnGuidResult"])
}

/// The scheduler's changelog entries of `add_on`'s payments: (period, payment guid), sorted.
async fn add_on_periods(np: &Nonprofit, add_on: &str) -> Vec<(String, String)> {
    let mut periods: Vec<(String, String)> = np
        .changelogs()
        .await
        .iter()
        .filter(|e| e["metaData"]["source"] == "scheduler" && e["metaData"]["addOnGuid"] == add_on)
        .map(|e| (text(&e["metaData"]["period"]), text(&e["entityGuid"])))
        .collect();
    periods.sort();
    periods
}

fn payments(contact: &Value) -> Vec<Value> {
    let mut all = contact["payments"].as_array().expect("payments").clone();
    all.sort_by_key(|p| text(&p["dueDate"]));
    all
}

fn shown_add_on<'a>(contact: &'a Value, guid: &str) -> &'a Value {
    contact["addOns"]
        .as_array()
        .and_then(|all| all.iter().find(|a| a["addOnGuid"] == guid))
        .expect("the add-on")
}

#[tokio::test]
async fn a_yearly_add_on_is_charged_once_a_year_and_a_monthly_one_every_month() {
    let (np, state) = nonprofit().await;
    let (contact, sub, yearly) = with_add_on(&np, "10", 12).await;
    add(&np, &sub, "5", 1).await;
    let shown = np.contact_ok(&contact).await;
    let next_period = text(&shown["subscriptions"][0]["nextDueDate"]);
    assert_eq!(
        shown_add_on(&shown, &yearly)["nextDueDate"],
        next_period.as_str(),
        "first due with the subscription's next period: {shown}"
    );
    let start = today();
    let first = Date::strptime("%Y-%m-%d", &next_period).expect("date");
    let last_day = first.checked_add(1.year()).expect("date");
    let mut day = start;
    let mut runs = 0;
    while day <= last_day {
        if runs % 9 == 0 {
            // Twice at once: still one payment per period.
            join_all([daily_run(&state, day), daily_run(&state, day)]).await;
        } else {
            daily_run(&state, day).await;
        }
        runs += 1;
        day = day.tomorrow().expect("date");
    }
    let second = first.checked_add(1.year()).expect("date");
    let periods = add_on_periods(&np, &yearly).await;
    assert_eq!(
        periods.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        [first.to_string(), second.to_string()],
        "once a year, over {runs} daily runs"
    );
    let shown = np.contact_ok(&contact).await;
    let all = payments(&shown);
    let add_on_debits: Vec<&Value> = all.iter().filter(|p| p["amount"] == "10").collect();
    assert_eq!(add_on_debits.len(), 2, "{all:?}");
    for (debit, (period, guid)) in add_on_debits.iter().zip(&periods) {
        assert_eq!(debit["paymentGuid"], guid.as_str());
        assert_eq!(debit["sequenceType"], "RCUR");
        assert_eq!(debit["subscriptionGuid"], sub.as_str());
        assert_eq!(
            debit["paymentMethodGuid"], shown["subscriptions"][0]["paymentMethodGuid"],
            "on the subscription's mandate"
        );
        assert!(text(&debit["dueDate"]) >= *period, "{debit}");
    }
    // The monthly series: its first debit of 25 at sign-up, then 25 + 5 every month.
    let monthly: Vec<&Value> = all.iter().filter(|p| p["amount"] != "10").collect();
    assert_eq!(monthly[0]["amount"], "25");
    assert!(
        monthly[1..].iter().all(|p| p["amount"] == "30"),
        "{monthly:?}"
    );
    assert_eq!(
        monthly.len(),
        14,
        "the FRST and 13 monthly periods: {monthly:?}"
    );
    let third = second.checked_add(1.year()).expect("date").to_string();
    assert_eq!(shown_add_on(&shown, &yearly)["nextDueDate"], third.as_str());

    // The bank gets each add-on debit as a debit of its own, a valid pain.008.
    let until = last_day.checked_add(1.month()).expect("date").to_string();
    let (status, collection) = np.collect(Some(&json!({"collectionDate": until}))).await;
    assert_eq!(status, StatusCode::CREATED, "{collection}");
    let id = text(&collection["collectionId"]);
    let (_, _, xml) = np.collection_file(&id).await;
    keep_pain008(&format!("add-on-yearly-{id}"), xml.as_bytes());
    for (_, guid) in &periods {
        let e2e = shared::sepa::end_to_end_id(
            shared::ground::ids::EntityGuid::parse(guid).expect("guid"),
        );
        assert!(
            xml.contains(&format!("<EndToEndId>{e2e}</EndToEndId>")),
            "{xml}"
        );
    }
    assert_eq!(
        xml.matches(r#"<InstdAmt Ccy="EUR">10.00</InstdAmt>"#)
            .count(),
        2
    );
}

#[tokio::test]
async fn a_held_subscriptions_add_ons_are_not_charged_until_it_is_restarted() {
    let (np, state) = nonprofit().await;
    let (contact, sub, quarterly) = with_add_on(&np, "7", 3).await;
    let (status, _) = np.act(&action("Hold", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    let due = Date::strptime(
        "%Y-%m-%d",
        text(&shown_add_on(&np.contact_ok(&contact).await, &quarterly)["nextDueDate"]),
    )
    .expect("date");
    let mut day = today();
    while day <= due {
        assert_eq!(daily_run(&state, day).await.payments, 0, "held: {day}");
        day = day.tomorrow().expect("date");
    }
    assert!(add_on_periods(&np, &quarterly).await.is_empty());
    let (status, _) = np.act(&action("Restart", "Subscription", &sub)).await;
    assert_eq!(status, StatusCode::CREATED);
    // Restarted today, its add-on goes on from its own date, which has not passed yet.
    let shown = np.contact_ok(&contact).await;
    assert_eq!(
        shown_add_on(&shown, &quarterly)["nextDueDate"],
        due.to_string().as_str()
    );
    let notice = due.checked_sub(14.days()).expect("date");
    let report = daily_run(&state, notice).await;
    assert_eq!(
        report.payments, 2,
        "the add-on's debit and the period's: {report:?}"
    );
    let periods = add_on_periods(&np, &quarterly).await;
    assert_eq!(periods.len(), 1, "{periods:?}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(
        shown_add_on(&shown, &quarterly)["nextDueDate"],
        due.checked_add(3.months())
            .expect("date")
            .to_string()
            .as_str()
    );
}
