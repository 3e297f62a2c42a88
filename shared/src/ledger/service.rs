//! `POST /actions` as a service: find the entity, decide on its contact's entities as read,
//! write change and record in one transaction (again, on a conflict, as read anew), and run
//! erasures and merges in batches until nothing is left or the time is up (the stream's
//! continuation does the rest).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use uuid::Uuid;

use super::actions::{ActionKind, ActionRequest};
use super::batches::{Batches, Budget};
use super::charges::{charge_new_payments, refund_payments};
use super::contacts::{archive, start_merge};
use super::context::ActionContext;
use super::decide::decide;
use super::donor::Donor;
use super::erasure::start_erasure;
use super::error::ActionError;
use super::model::ContactState;
use super::ports::{Applied, Change, EntityStore, RecordWrite};
use super::rules::Refusal;
use crate::cards::PaymentProvider;
use crate::changelog::{ChangelogEntry, ChangelogStatus, ChangelogStore};
use crate::dataset::{DataSet, DataSetStore, Retry};
use crate::ground::ids::{ChangelogGuid, DataSetGuid, EntityGuid, MerchantId};
use crate::ground::retry::{CONFLICT_ATTEMPTS, pause_after_conflict};
use crate::ground::storage::StoreError;
use crate::idempotency::{IdempotencyStore, KEY_LIFETIME, Reservation};
use crate::sepa::Creditor;
use crate::visit::VisitStore;

/// What an action answers: the record it wrote (or, repeated, wrote before).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Changelog(ChangelogEntry),
    DataSet(DataSet),
}

impl Answer {
    /// An erasure or merge whose batches are not all done: they go on by themselves.
    pub fn in_progress(&self) -> bool {
        matches!(self, Self::Changelog(entry) if entry.status == ChangelogStatus::InProgress)
    }
}

/// The stores an action needs, and the provider that charges and refunds cards and PayPal.
pub struct Actions<'a, E, D, C, V, I, P> {
    pub entities: &'a E,
    pub datasets: &'a D,
    pub changelogs: &'a C,
    pub visits: &'a V,
    pub idempotency: &'a I,
    pub provider: &'a P,
    /// The merchant's SEPA creditor settings, if it collects direct debits.
    pub creditor: Option<&'a Creditor>,
}

impl<E, D, C, V, I, P> Actions<'_, E, D, C, V, I, P>
where
    E: EntityStore,
    D: DataSetStore,
    C: ChangelogStore,
    V: VisitStore,
    I: IdempotencyStore,
    P: PaymentProvider,
{
    /// Performs an action of the seed's table for `merchant`.
    ///
    /// # Errors
    /// `Refused` when the entities' states forbid it, it names what is not there or the
    /// payment provider declines; `KeyReused` for a retry key of another action; `Store`,
    /// `Contended` and `Provider` otherwise.
    pub async fn perform(
        &self,
        merchant: &MerchantId,
        request: &ActionRequest,
        retry: Option<Retry>,
        now: Timestamp,
        zone: &TimeZone,
        budget: &Budget,
    ) -> Result<Answer, ActionError> {
        let keyed = retry.is_some();
        let record = match retry {
            None => Uuid::new_v4(),
            Some(retry) => self.reserve(merchant, retry, now).await?,
        };
        if let Some(answer) = self.recorded(merchant, record).await?
            && !answer.in_progress()
        {
            return Ok(answer);
        }
        let ctx = ActionContext {
            merchant,
            creditor: self.creditor,
            now,
            zone,
            record,
        };
        let located = self
            .entities
            .locate(merchant, &request.entity_guid)
            .await?
            .ok_or(Refusal::NotFound("Entity not found"))?;
        for attempt in 0..CONFLICT_ATTEMPTS {
            let donor = self.donor(merchant, &located.contact).await?;
            if let Some(pending) = donor.contact.pending.as_ref().map(|p| p.changelog)
                && matches!(request.kind, ActionKind::Anonymise | ActionKind::Merge)
                && matches!(
                    donor.contact.state,
                    ContactState::Anonymising | ContactState::Merged
                )
            {
                // An erasure or merge under way: this call goes on with it.
                return self
                    .batches()
                    .run(merchant, donor.contact.guid, pending, &ctx, budget)
                    .await
                    .map(Answer::Changelog);
            }
            let mut change = self.decide(request, &donor, &ctx).await?;
            charge_new_payments(self.provider, &donor, &mut change).await?;
            refund_payments(self.provider, &donor, &change, record).await?;
            match self.entities.apply(&change).await? {
                Applied::Done => {
                    if let Some(pending) = change.starts_batches() {
                        return self
                            .batches()
                            .run(merchant, donor.contact.guid, pending, &ctx, budget)
                            .await
                            .map(Answer::Changelog);
                    }
                    return answer_of(change).ok_or(ActionError::Contended);
                }
                Applied::Conflict => {
                    // A concurrent call with the same Idempotency-Key may have won with this
                    // very record: its answer is this call's too.
                    if keyed
                        && let Some(answer) = self.recorded(merchant, record).await?
                        && !answer.in_progress()
                    {
                        return Ok(answer);
                    }
                    pause_after_conflict(attempt).await;
                }
            }
        }
        Err(ActionError::Contended)
    }

    async fn reserve(
        &self,
        merchant: &MerchantId,
        retry: Retry,
        now: Timestamp,
    ) -> Result<Uuid, ActionError> {
        let fresh = Uuid::new_v4();
        let expires = now.saturating_add(KEY_LIFETIME).unwrap_or(now);
        let scoped = retry.key.scoped(merchant);
        match self
            .idempotency
            .reserve(
                &scoped,
                &retry.fingerprint,
                &fresh.to_string(),
                now,
                expires,
            )
            .await?
        {
            Reservation::Fresh => Ok(fresh),
            Reservation::Taken {
                fingerprint,
                resource,
            } if fingerprint == retry.fingerprint => Uuid::try_parse(&resource)
                .map_err(|e| StoreError::corrupt("reserved record guid", e).into()),
            Reservation::Taken { .. } => Err(ActionError::KeyReused),
        }
    }

    /// The record written under this guid before, if any.
    async fn recorded(
        &self,
        merchant: &MerchantId,
        record: Uuid,
    ) -> Result<Option<Answer>, StoreError> {
        if let Some(entry) = self
            .changelogs
            .get(merchant, &ChangelogGuid::from_uuid(record))
            .await?
        {
            return Ok(Some(Answer::Changelog(entry)));
        }
        Ok(self
            .datasets
            .get(merchant, &DataSetGuid::from_uuid(record))
            .await?
            .map(Answer::DataSet))
    }

    fn batches(&self) -> Batches<'_, E, D, C, V> {
        Batches {
            entities: self.entities,
            datasets: self.datasets,
            changelogs: self.changelogs,
            visits: self.visits,
        }
    }

    async fn donor(
        &self,
        merchant: &MerchantId,
        contact: &EntityGuid,
    ) -> Result<Donor, ActionError> {
        Ok(self
            .entities
            .donor(merchant, contact)
            .await?
            .ok_or(Refusal::NotFound("Contact not found"))?)
    }

    async fn decide(
        &self,
        request: &ActionRequest,
        donor: &Donor,
        ctx: &ActionContext<'_>,
    ) -> Result<Change, ActionError> {
        Ok(match request.kind {
            ActionKind::Archive => archive(request, donor, ctx)?,
            ActionKind::Anonymise => start_erasure(request, donor, ctx)?,
            ActionKind::Merge => {
                let target = request.fields.target_contact.ok_or_else(|| {
                    Refusal::Invalid("a merge names its 'targetContactGuid'".to_owned())
                })?;
                let target = self
                    .entities
                    .donor(ctx.merchant, &target)
                    .await?
                    .ok_or(Refusal::NotFound("Target contact not found"))?;
                start_merge(request, donor, &target, ctx)?
            }
            _ => decide(request, donor, ctx)?,
        })
    }
}

fn answer_of(change: Change) -> Option<Answer> {
    change.records.into_iter().find_map(|record| match record {
        RecordWrite::NewChangelog(entry) | RecordWrite::UpdateChangelog(entry) => {
            Some(Answer::Changelog(entry))
        }
        RecordWrite::NewDataSet(dataset) => Some(Answer::DataSet(dataset)),
        RecordWrite::Withdrawal { .. } => None,
    })
}
