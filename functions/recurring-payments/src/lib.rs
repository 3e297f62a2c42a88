//! The daily run of recurring payments (EventBridge, not HTTP): each active subscription's next
//! payment once it falls due (a direct debit within its pre-notification days, `RCUR`; a card or
//! PayPal renewal charged through the payment provider), lapsed mandates' subscriptions put on
//! hold, and submitted debits past the bank's return window marked collected. The run's date is
//! the event's `time` in the deployment's time zone, so a retried event does the same day's
//! work; tests set it to walk through a year.

use jiff::Timestamp;
use serde_json::Value;

use shared::app::{Backend, RecurringPaymentsState};
use shared::ground::storage::StoreError;
use shared::recurring::{Report, Scheduler};

/// Runs the day of the event (or of now, for an event without a time).
///
/// # Errors
/// When storage fails: Lambda retries the event; what was done stays done.
pub async fn handle<B: Backend>(
    event: Value,
    state: &RecurringPaymentsState<B>,
) -> Result<Report, StoreError> {
    let now = event["time"]
        .as_str()
        .and_then(|time| time.parse::<Timestamp>().ok())
        .unwrap_or_else(shared::ground::time::now);
    let today = now.to_zoned(state.time_zone.clone()).date();
    let scheduler = Scheduler {
        entities: &state.entities,
        schedule: &state.schedule,
        merchants: &state.merchants,
        provider: &state.provider,
    };
    let report = scheduler.run(today, now).await?;
    tracing::info!(
        day = %today,
        payments = report.payments,
        held = report.held,
        collected = report.collected,
        skipped = report.skipped,
        "recurring payments run"
    );
    Ok(report)
}
