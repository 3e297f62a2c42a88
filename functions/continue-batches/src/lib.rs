//! The continuation of erasures and merges (DynamoDB stream of the Entities table, not HTTP).
//! `POST /actions` runs an Anonymise's or a Merge's batches for as long as its call may and
//! answers `inProgress`; every batch writes the contact, and while a batch operation is
//! pending the contact's item carries `batchPending`, which the event source mapping's filter
//! lets through. So each write hands the next invocation the contact, which goes on from
//! where the contact says the last batch got, for a bounded time, writing at least one
//! batch: its own last write is the next record, until the last batch drops `batchPending`.
//! A stale or redelivered record (the contact was written since) does nothing; a failed
//! invocation is retried by the mapping, and what its batches wrote stays written.

use futures::future::join_all;
use serde::Serialize;
use serde_json::Value;

use shared::app::{Backend, ContinueBatchesState};
use shared::changelog::ChangelogStatus;
use shared::ledger::{ActionError, Budget, Resumed};
use shared::store::dynamo::pending_contacts;

/// What one invocation did, per contact its records named.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Finished by this invocation.
    pub completed: usize,
    /// Gone on with; their last write hands them on.
    pub continued: usize,
    /// Written since their record: a later record hands them on.
    pub later: usize,
    /// Nothing pending any more.
    pub idle: usize,
    /// Records of no contact with a batch operation pending.
    pub ignored: usize,
}

/// Goes on with every contact the event's records name, all at once, within one budget.
///
/// # Errors
/// The first failure, after every contact had its turn: the invocation fails, so the event
/// source mapping retries the records (and at last hands them to its failure destination).
pub async fn handle<B: Backend>(
    event: Value,
    state: &ContinueBatchesState<B>,
) -> Result<Report, ActionError> {
    let (contacts, ignored) = pending_contacts(&event);
    let budget = Budget::continuing(state.budget);
    let batches = state.batches();
    let now = shared::ground::time::now();
    let results = join_all(contacts.iter().map(|c| {
        batches.resume(
            &c.merchant,
            c.contact,
            c.version,
            now,
            &state.time_zone,
            &budget,
        )
    }))
    .await;
    let mut report = Report {
        ignored,
        ..Report::default()
    };
    let mut failure = None;
    for result in results {
        match result {
            Ok(Resumed::Ran(ChangelogStatus::Completed)) => report.completed += 1,
            Ok(Resumed::Ran(_)) => report.continued += 1,
            Ok(Resumed::Later) => report.later += 1,
            Ok(Resumed::Idle) => report.idle += 1,
            Err(err) => {
                failure.get_or_insert(err);
            }
        }
    }
    tracing::info!(
        completed = report.completed,
        continued = report.continued,
        later = report.later,
        idle = report.idle,
        ignored = report.ignored,
        failed = failure.is_some(),
        "batches continued"
    );
    failure.map_or(Ok(report), Err)
}
