//! The daily scheduler through its handler on DynamoDB Local, with a clock the test sets: a
//! monthly SEPA donation processed today yields its FRST now and one RCUR every month after,
//! across a year of daily runs (some twice at once), none missing, none doubled; an upgrade
//! applies from the next period; a lapsed mandate holds the subscription; a card renewal is
//! charged through the payment provider, and without one (as Lambda is wired today) a card
//! subscription is held, never booked.

use std::collections::BTreeMap;

use futures::future::join_all;
use integration_tests::donors::{Nonprofit, Pays, action, text, with};
use integration_tests::{
    TestDynamo, built, own_entities_table, scheduler_state_in, without_provider,
};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use lambda_http::http::StatusCode;
use serde_json::{Value, json};
use shared::app::{Backend, Dynamo, RecurringPaymentsState};
use shared::cards::NoProvider;

type State = RecurringPaymentsState<TestDynamo>;

/// A nonprofit with an Entities table of its own, and its scheduler: other tests share the
/// other tables, and the scheduler (as in production) reads every merchant's subscriptions.
async fn nonprofit() -> (Nonprofit, State) {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    (np, scheduler_state_in(&table))
}

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("tz")
}

/// The scheduler's run of `day`, at 05:00 in Berlin.
async fn run<B: Backend>(
    state: &RecurringPaymentsState<B>,
    day: Date,
) -> shared::recurring::Report {
    integration_tests::daily_run(state, day).await
}

fn payments(contact: &Value) -> Vec<Value> {
    let mut all = contact["payments"].as_array().expect("payments").clone();
    all.sort_by_key(|p| text(&p["dueDate"]));
    all
}

#[tokio::test]
async fn a_year_of_daily_runs_makes_every_month_one_debit() {
    let (np, state) = nonprofit().await;
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let subscription = text(&result["subscriptionGuidResult"]);
    let today = shared::ground::time::now().to_zoned(berlin()).date();
    let mut upgraded_on = None;
    for day in 0..=365 {
        let date = today.checked_add(day.days()).expect("date");
        if day % 7 == 0 {
            // Twice at once: still one payment per period.
            join_all([run(&state, date), run(&state, date)]).await;
        } else {
            run(&state, date).await;
        }
        if day == 120 {
            let upgrade = with(
                action("Upgrade", "Subscription", &subscription),
                json!({"amount": "40"}),
            );
            assert_eq!(np.act(&upgrade).await.0, StatusCode::CREATED);
            upgraded_on = Some(date);
        }
    }
    let shown = np.contact_ok(&contact).await;
    let all = payments(&shown);
    let mut by_month: BTreeMap<String, usize> = BTreeMap::new();
    for payment in &all {
        *by_month
            .entry(text(&payment["dueDate"])[..7].to_owned())
            .or_default() += 1;
    }
    assert!(
        by_month.values().all(|n| *n == 1),
        "one debit a month: {by_month:?}"
    );
    let months: Vec<&String> = by_month.keys().collect();
    assert!(months.len() >= 12, "a year of months: {months:?}");
    for pair in months.windows(2) {
        let next = Date::strptime("%Y-%m-%d", format!("{}-01", pair[0]))
            .expect("month")
            .checked_add(1.month())
            .expect("date")
            .strftime("%Y-%m")
            .to_string();
        assert_eq!(&next, pair[1], "no month missing: {months:?}");
    }
    assert_eq!(all[0]["sequenceType"], "FRST");
    assert!(
        all[1..].iter().all(|p| p["sequenceType"] == "RCUR"),
        "{all:?}"
    );
    let upgraded_on = upgraded_on.expect("upgraded").to_string();
    for payment in &all {
        let created_after_upgrade = text(&payment["createdTs"])[..10] > *upgraded_on;
        let expected = if created_after_upgrade { "40" } else { "25" };
        assert_eq!(payment["amount"], expected, "{payment}");
    }
}

#[tokio::test]
async fn a_mandate_unused_for_36_months_holds_its_subscription() {
    let (np, state) = nonprofit().await;
    let result = np.donate("10", 12, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let subscription = text(&result["subscriptionGuidResult"]);
    // Held for four years, then restarted: the mandate lapsed meanwhile.
    let hold = action("Hold", "Subscription", &subscription);
    assert_eq!(np.act(&hold).await.0, StatusCode::CREATED);
    let today = shared::ground::time::now().to_zoned(berlin()).date();
    let later = today.checked_add(4.years()).expect("date");
    let report = run(&state, later).await;
    assert_eq!(report.payments, 0, "a held subscription gets no payment");
    assert_eq!(
        np.act(&action("Restart", "Subscription", &subscription))
            .await
            .0,
        StatusCode::CREATED
    );
    let report = run(&state, later).await;
    assert_eq!((report.payments, report.held), (0, 1), "{report:?}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["state"], "onHold");
    assert_eq!(payments(&shown).len(), 1, "only the first debit");
    let entries = np.changelogs().await;
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "Hold" && e["metaData"]["reason"] == "mandateLapsed"),
        "{entries:?}"
    );
}

#[tokio::test]
async fn submitted_debits_count_as_collected_once_the_return_window_has_passed() {
    let (np, state) = nonprofit().await;
    let result = np.donate("30", 0, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let (status, _) = np.collect_and_send(None).await;
    assert_eq!(status, StatusCode::CREATED);
    let shown = np.contact_ok(&contact).await;
    let due: Date = text(&shown["payments"][0]["dueDate"])
        .parse()
        .expect("date");
    let window = shared::recurring::RETURN_WINDOW_DAYS;
    let report = run(&state, due.checked_add((window - 1).days()).expect("date")).await;
    assert_eq!(report.collected, 0, "still within the return window");
    assert_eq!(
        np.contact_ok(&contact).await["payments"][0]["state"],
        "submitted"
    );
    let report = run(&state, due.checked_add(window.days()).expect("date")).await;
    assert_eq!(report.collected, 1);
    assert_eq!(
        np.contact_ok(&contact).await["payments"][0]["state"],
        "collected"
    );
    let again = run(&state, due.checked_add(window.days()).expect("date")).await;
    assert_eq!(again.collected, 0, "once");
}

#[tokio::test]
async fn a_card_renewal_is_charged_through_the_provider_and_booked_once() {
    let (np, state) = nonprofit().await;
    let result = np.donate("15", 1, Pays::Card).await;
    let contact = text(&result["contactGuidResult"]);
    let today = shared::ground::time::now().to_zoned(berlin()).date();
    let next_month = today.checked_add(1.month()).expect("date");
    let report = run(&state, next_month).await;
    assert_eq!((report.payments, report.skipped), (1, 0), "{report:?}");
    assert_eq!(run(&state, next_month).await.payments, 0, "once per period");
    let shown = np.contact_ok(&contact).await;
    let all = payments(&shown);
    assert_eq!(all.len(), 2);
    assert!(
        all.iter().all(|p| p["state"] == "collected"),
        "the provider took both: {all:?}"
    );
}

#[tokio::test]
async fn without_a_payment_provider_a_card_subscription_is_held_not_booked() {
    let (np, _) = nonprofit().await;
    // Made while a provider took cards (the tests' double), as sandbox-era records were.
    let result = np.donate("15", 1, Pays::Card).await;
    let contact = text(&result["contactGuidResult"]);
    // The daily run as Lambda wires it today: no payment provider.
    let unprovided: RecurringPaymentsState<Dynamo<NoProvider>> =
        built(&without_provider(&np.wiring));
    let today = shared::ground::time::now().to_zoned(berlin()).date();
    let next_month = today.checked_add(1.month()).expect("date");
    let report = run(&unprovided, next_month).await;
    assert_eq!((report.payments, report.held), (0, 1), "{report:?}");
    let again = run(&unprovided, next_month.checked_add(1.day()).expect("date")).await;
    assert_eq!((again.payments, again.held), (0, 0), "held once: {again:?}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["state"], "onHold");
    assert_eq!(
        payments(&shown).len(),
        1,
        "nothing booked that nobody charged"
    );
    let entries = np.changelogs().await;
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "Hold" && e["metaData"]["reason"] == "noPaymentProvider"),
        "{entries:?}"
    );
}
