//! The calendar of a series, through the scheduler's handler and `GET /contact` on DynamoDB
//! Local, with the clock the test sets:
//! - a monthly series keeps its day: Jan 31 → Feb 28 → Mar 31 → Apr 30;
//! - after the scheduler missed days it makes every period that is due, one a run, never two
//!   debits of one subscription on one day;
//! - an archived contact's subscriptions are held (so they leave the daily run's index of due
//!   subscriptions) and its unsent debits are withdrawn: nothing more is collected.

use std::collections::BTreeSet;

use integration_tests::donors::{Nonprofit, Pays, action, text};
use integration_tests::{TestDynamo, scheduler_state_in};
use integration_tests::{daily_run, dynamo_entities_in, dynamodb_client, own_entities_table};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use lambda_http::http::StatusCode;
use serde_json::Value;
use shared::app::RecurringPaymentsState;

struct Calendar {
    np: Nonprofit,
    scheduler: RecurringPaymentsState<TestDynamo>,
    table: String,
}

async fn calendar() -> Calendar {
    let table = own_entities_table().await;
    Calendar {
        np: Nonprofit::in_entities_table(&table).await,
        scheduler: scheduler_state_in(&table),
        table,
    }
}

impl Calendar {
    /// A monthly subscription whose next period is `next_due`, on `day` of the month.
    async fn monthly(&self, next_due: Date, day: i8) -> (String, String) {
        let (contact, sub) = integration_tests::sepa::seed_monthly_subscription(
            &dynamo_entities_in(dynamodb_client(), &self.table),
            &self.np.merchant,
            next_due,
            day,
        )
        .await;
        (contact.to_string(), sub.to_string())
    }

    /// The scheduler's entries of new payments: (period, payment guid).
    async fn periods(&self) -> Vec<(String, String)> {
        let mut periods: Vec<(String, String)> = self
            .np
            .changelogs()
            .await
            .iter()
            .filter(|e| e["metaData"]["source"] == "scheduler")
            .map(|e| (text(&e["metaData"]["period"]), text(&e["entityGuid"])))
            .collect();
        periods.sort();
        periods
    }
}

fn payments(contact: &Value) -> Vec<Value> {
    contact["payments"].as_array().expect("payments").clone()
}

#[tokio::test]
async fn a_monthly_series_keeps_its_day_through_short_months() {
    let c = calendar().await;
    let (contact, _) = c.monthly(date(2027, 1, 31), 31).await;
    let mut day = date(2027, 1, 10);
    while day <= date(2027, 4, 30) {
        daily_run(&c.scheduler, day).await;
        day = day.tomorrow().expect("date");
    }
    let periods: Vec<String> = c.periods().await.into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        periods,
        ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    );
    let shown = c.np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["nextDueDate"], "2027-05-31");
    let mut due: Vec<String> = payments(&shown)
        .iter()
        .map(|p| text(&p["dueDate"]))
        .collect();
    due.sort();
    // Each on the first TARGET2 business day on or after its period (Jan 31 and Feb 28, 2027
    // are Sundays).
    assert_eq!(
        due,
        ["2027-02-01", "2027-03-01", "2027-03-31", "2027-04-30"]
    );
}

#[tokio::test]
async fn after_missed_days_every_due_period_is_made_one_a_run_never_two_on_a_day() {
    let c = calendar().await;
    let (contact, _) = c.monthly(date(2027, 1, 15), 15).await;
    // The scheduler was down from before Jan 1 until Apr 12: periods Jan 15 to Apr 15 are due
    // (Apr 15 within the 14 days' notice, May 15 not).
    let first_run = date(2027, 4, 12);
    let mut made = Vec::new();
    for day in 0..6 {
        let report = daily_run(
            &c.scheduler,
            first_run.checked_add(day.days()).expect("date"),
        )
        .await;
        made.push(report.payments);
    }
    assert_eq!(
        made,
        [1, 1, 1, 1, 0, 0],
        "one period a run, until none is due"
    );
    let shown = c.np.contact_ok(&contact).await;
    let all = payments(&shown);
    assert_eq!(all.len(), 4, "{shown}");
    let days: BTreeSet<String> = all.iter().map(|p| text(&p["dueDate"])).collect();
    assert_eq!(days.len(), 4, "never two debits on one day: {days:?}");
    let notice = first_run.checked_add(14.days()).expect("date").to_string();
    assert!(
        days.iter().all(|d| *d >= notice),
        "each announced 14 days ahead: {days:?}"
    );
    let periods: Vec<String> = c.periods().await.into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        periods,
        ["2027-01-15", "2027-02-15", "2027-03-15", "2027-04-15"],
        "the feed says which period each debit pays"
    );
    assert_eq!(shown["subscriptions"][0]["nextDueDate"], "2027-05-15");
}

#[tokio::test]
async fn an_archived_contact_is_no_longer_debited_nor_read_every_day() {
    let table = own_entities_table().await;
    let np = Nonprofit::in_entities_table(&table).await;
    let scheduler = scheduler_state_in(&table);
    let result = np.donate("25", 1, Pays::Sepa).await;
    let contact = text(&result["contactGuidResult"]);
    let (status, entry) = np.act(&action("Archive", "Contact", &contact)).await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["subscriptions"][0]["state"], "onHold", "{shown}");
    assert_eq!(
        shown["payments"][0]["state"], "cancelled",
        "its first debit, not yet in a file, withdrawn"
    );
    let entries = np.changelogs().await;
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "Hold" && e["metaData"]["reason"] == "contactArchived"),
        "{entries:?}"
    );
    let today = shared::ground::time::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("tz"))
        .date();
    let report = daily_run(&scheduler, today.checked_add(3.months()).expect("date")).await;
    assert_eq!(report.payments, 0, "{report:?}");
    let shown = np.contact_ok(&contact).await;
    assert_eq!(shown["payments"].as_array().map(Vec::len), Some(1));
    let (status, problem) = np.collect(None).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing to collect: {problem}"
    );
}
