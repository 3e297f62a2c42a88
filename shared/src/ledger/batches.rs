//! Erasures and merges in batches: each run goes on from where the contact says the last one
//! got, until nothing is left (the changelog entry then says `completed`) or its time is spent
//! (the entry stays `inProgress`). `POST /actions` runs them for as long as its call may; the
//! rest is resumed by the continuation the Entities table's stream hands each progress write to.

use std::time::{Duration, Instant};

use futures::future::try_join_all;
use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::contacts::{finish, merge_moves, progress};
use super::context::ActionContext;
use super::donor::Donor;
use super::erasure::{erased_payments, redacted, redacted_meta_data, visit_session_of};
use super::error::ActionError;
use super::model::ContactState;
use super::ports::{Applied, Change, EntityStore};
use super::rules::Refusal;
use crate::changelog::{ChangelogEntry, ChangelogStatus, ChangelogStore};
use crate::dataset::DataSetStore;
use crate::ground::ids::{ChangelogGuid, DataSetGuid, EntityGuid, MerchantId, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::visit::VisitStore;

/// DataSets erased or moved per batch.
const BATCH: usize = 25;

/// How long a run may go on with batches before it leaves the rest "in progress".
pub struct Budget {
    until: Instant,
    /// Batches written before the time counts.
    at_least: usize,
}

impl Budget {
    /// A call's: it may stop before any batch, when its time is spent.
    pub fn of(time: Duration) -> Self {
        Self {
            until: Instant::now() + time,
            at_least: 0,
        }
    }

    /// A continuation's: it writes at least one batch whatever the time, because that write
    /// is the stream record that the next continuation goes on from.
    pub fn continuing(time: Duration) -> Self {
        Self {
            until: Instant::now() + time,
            at_least: 1,
        }
    }

    pub(super) fn spent(&self, written: usize) -> bool {
        written >= self.at_least && Instant::now() >= self.until
    }
}

/// The stores an erasure's or a merge's batches change.
pub struct Batches<'a, E, D, C, V> {
    pub entities: &'a E,
    pub datasets: &'a D,
    pub changelogs: &'a C,
    pub visits: &'a V,
}

/// What a continuation found on the contact a stream record named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resumed {
    /// No batch operation is pending on it (finished, or the contact is gone).
    Idle,
    /// It was written again since that record: the stream hands the later record on, which
    /// goes on from there (so a stale or redelivered record changes nothing).
    Later,
    /// Batches ran, and left the entry `completed`, or still `inProgress` (then their last
    /// write is the record that goes on).
    Ran(ChangelogStatus),
}

impl<E, D, C, V> Batches<'_, E, D, C, V>
where
    E: EntityStore,
    D: DataSetStore,
    C: ChangelogStore,
    V: VisitStore,
{
    /// Goes on with the batch operation pending on `contact`, if the contact is still at
    /// `version`, the one the stream record that named it was written at.
    ///
    /// # Errors
    /// `Store` when storage fails (the stream hands the record again; what was written stays
    /// written), `Refused` when the contact went missing between two batches.
    pub async fn resume(
        &self,
        merchant: &MerchantId,
        contact: EntityGuid,
        version: u64,
        now: Timestamp,
        zone: &TimeZone,
        budget: &Budget,
    ) -> Result<Resumed, ActionError> {
        let Some(donor) = self.entities.donor(merchant, &contact).await? else {
            return Ok(Resumed::Idle);
        };
        let Some(pending) = donor.contact.pending.as_ref().map(|p| p.changelog) else {
            return Ok(Resumed::Idle);
        };
        if !matches!(
            donor.contact.state,
            ContactState::Anonymising | ContactState::Merged
        ) {
            return Ok(Resumed::Idle);
        }
        if donor.contact.version > version {
            return Ok(Resumed::Later);
        }
        let ctx = ActionContext {
            merchant,
            creditor: None,
            now,
            zone,
            record: pending.uuid(),
        };
        let entry = self.run(merchant, contact, pending, &ctx, budget).await?;
        Ok(Resumed::Ran(entry.status))
    }

    /// An erasure's or a merge's batches, until nothing is left or the budget is spent; the
    /// answer is its changelog entry, `completed` only at the end.
    pub(super) async fn run(
        &self,
        merchant: &MerchantId,
        contact: EntityGuid,
        changelog: ChangelogGuid,
        ctx: &ActionContext<'_>,
        budget: &Budget,
    ) -> Result<ChangelogEntry, ActionError> {
        let mut written = 0;
        loop {
            let donor = self
                .entities
                .donor(merchant, &contact)
                .await?
                .ok_or(Refusal::NotFound("Contact not found"))?;
            let entry = self
                .changelogs
                .get(merchant, &changelog)
                .await?
                .ok_or_else(|| {
                    StoreError::corrupt_without_cause("changelog entry of a batch operation")
                })?;
            let Some(pending) = donor.contact.pending.clone() else {
                return Ok(entry);
            };
            if budget.spent(written) {
                return Ok(entry);
            }
            let change = match (donor.contact.state, donor.contact.merged_into) {
                (ContactState::Merged, Some(target)) => {
                    let erased = self.erased(merchant, target).await?;
                    match merge_moves(&donor, target, erased, &entry, ctx) {
                        Some(moves) => moves,
                        None => {
                            self.relink(merchant, &donor, target, erased, &entry, ctx)
                                .await?
                        }
                    }
                }
                _ => {
                    self.erase(
                        merchant,
                        &donor,
                        pending.after.as_deref(),
                        pending.done,
                        &entry,
                        ctx,
                    )
                    .await?
                }
            };
            let finished = change.finishes_batches();
            if self.entities.apply(&change).await? == Applied::Done {
                written += 1;
                if finished {
                    return change.batch_entry().ok_or(ActionError::Contended);
                }
            }
        }
    }

    /// The next batch of an erasure: DataSets redacted, their visit sessions deleted.
    async fn erase(
        &self,
        merchant: &MerchantId,
        donor: &Donor,
        after: Option<&str>,
        done: u64,
        entry: &ChangelogEntry,
        ctx: &ActionContext<'_>,
    ) -> Result<Change, ActionError> {
        let (payments, withdrawals) = erased_payments(donor, ctx);
        let page = self
            .datasets
            .for_contact(merchant, &donor.contact.guid, after, BATCH)
            .await?;
        if page.items.is_empty() && payments.is_empty() {
            // Last, the CRM's metaData on the donor's other changelog entries.
            let noted: Vec<ChangelogEntry> = self
                .changelogs
                .with_meta_data(merchant, &donor.contact.guid, BATCH)
                .await?
                .into_iter()
                .filter(|noted| noted.guid != entry.guid)
                .collect();
            if noted.is_empty() {
                return Ok(finish(&donor.contact, entry, ctx));
            }
            try_join_all(noted.iter().map(|noted| {
                let erased = noted.meta_data.as_ref().map(redacted_meta_data);
                self.changelogs
                    .erase_meta_data(merchant, &noted.guid, erased)
            }))
            .await?;
            return Ok(progress(
                &donor.contact,
                after.map(str::to_owned),
                done,
                ctx,
                entry,
            ));
        }
        try_join_all(
            page.items
                .iter()
                .map(|(guid, _)| self.erase_one(merchant, guid, ctx)),
        )
        .await?;
        // An empty page with payments still to erase keeps the position it had.
        let position = page
            .items
            .last()
            .map_or_else(|| after.map(str::to_owned), |(_, last)| Some(last.clone()));
        let mut change = progress(
            &donor.contact,
            position,
            done + page.items.len() as u64,
            ctx,
            entry,
        );
        change.writes.extend(payments);
        change.records.extend(withdrawals);
        Ok(change)
    }

    /// One DataSet of an erasure: redacted, and the visit session it came through deleted.
    async fn erase_one(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        ctx: &ActionContext<'_>,
    ) -> Result<(), StoreError> {
        let Some(dataset) = self.datasets.get(merchant, guid).await? else {
            return Ok(());
        };
        if let Some(id) =
            visit_session_of(&dataset.json_element).and_then(|id| VisitSessionId::parse(&id).ok())
        {
            self.visits.delete(merchant, &id).await?;
        }
        let erased = redacted(&dataset.json_element, &dataset.sensitive_data);
        self.datasets
            .replace_json_element(merchant, guid, &erased, ctx.now)
            .await?;
        Ok(())
    }

    /// Whether a merge's target was anonymised (or is being) since the merge began.
    async fn erased(&self, merchant: &MerchantId, target: EntityGuid) -> Result<bool, StoreError> {
        Ok(self
            .entities
            .donor(merchant, &target)
            .await?
            .is_some_and(|t| {
                matches!(
                    t.contact.state,
                    ContactState::Anonymising | ContactState::Anonymised
                )
            }))
    }

    /// The next batch of a merge, once its entities are moved: DataSets linked to the target,
    /// and erased as they arrive when the target was erased meanwhile.
    async fn relink(
        &self,
        merchant: &MerchantId,
        donor: &Donor,
        target: EntityGuid,
        target_erased: bool,
        entry: &ChangelogEntry,
        ctx: &ActionContext<'_>,
    ) -> Result<Change, ActionError> {
        let source = donor.contact.guid;
        let page = self
            .datasets
            .for_contact(merchant, &source, None, BATCH)
            .await?;
        if page.items.is_empty() {
            return Ok(finish(&donor.contact, entry, ctx));
        }
        // Erased before they move: a crash between the two leaves them under the source, and
        // the next call erases (again, to the same result) and moves them.
        if target_erased {
            try_join_all(
                page.items
                    .iter()
                    .map(|(guid, _)| self.erase_one(merchant, guid, ctx)),
            )
            .await?;
        }
        let moves = page.items.iter().map(|(guid, _)| {
            self.datasets
                .move_to_contact(merchant, guid, &source, &target)
        });
        let moved = try_join_all(moves)
            .await?
            .into_iter()
            .filter(|moved| *moved)
            .count() as u64;

        let done = donor.contact.pending.as_ref().map_or(0, |p| p.done) + moved;
        Ok(progress(&donor.contact, None, done, ctx, entry))
    }
}
