//! Erasures and merges in batches: each call goes on from where the contact says the last one
//! got, until nothing is left (the changelog entry then says `completed`) or the call's time
//! is spent (it answers the entry `inProgress`, and the next call goes on).

use futures::future::try_join_all;

use super::contacts::{finish, merge_moves, progress};
use super::context::ActionContext;
use super::donor::Donor;
use super::erasure::{erased_payments, redacted, redacted_meta_data, visit_session_of};
use super::model::ContactState;
use super::ports::{Applied, Change, EntityStore};
use super::service::{ActionError, Actions, Answer, Budget, answer_of};
use crate::cards::PaymentProvider;
use crate::changelog::{ChangelogEntry, ChangelogStore};
use crate::dataset::DataSetStore;
use crate::ground::ids::{ChangelogGuid, DataSetGuid, EntityGuid, MerchantId, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::idempotency::IdempotencyStore;
use crate::visit::VisitStore;

/// DataSets erased or moved per batch.
const BATCH: usize = 25;

impl<E, D, C, V, I, P> Actions<'_, E, D, C, V, I, P>
where
    E: EntityStore,
    D: DataSetStore,
    C: ChangelogStore,
    V: VisitStore,
    I: IdempotencyStore,
    P: PaymentProvider,
{
    /// An erasure's or a merge's batches, until nothing is left or the budget is spent; the
    /// answer is its changelog entry, `completed` only at the end.
    pub(super) async fn batches(
        &self,
        merchant: &MerchantId,
        contact: EntityGuid,
        changelog: ChangelogGuid,
        ctx: &ActionContext<'_>,
        budget: &Budget,
    ) -> Result<Answer, ActionError> {
        loop {
            let donor = self.donor(merchant, &contact).await?;
            let entry = self
                .changelogs
                .get(merchant, &changelog)
                .await?
                .ok_or_else(|| {
                    StoreError::corrupt_without_cause("changelog entry of a batch operation")
                })?;
            let Some(pending) = donor.contact.pending.clone() else {
                return Ok(Answer::Changelog(entry));
            };
            if budget.spent() {
                return Ok(Answer::Changelog(entry));
            }
            let change = match (donor.contact.state, donor.contact.merged_into) {
                (ContactState::Merged, Some(target)) => {
                    let erased = self.erased(merchant, target).await?;
                    match merge_moves(&donor, target, erased, ctx) {
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
            if self.entities.apply(&change).await? == Applied::Done && finished {
                return answer_of(change).ok_or(ActionError::Contended);
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
