//! Processing, as a state machine on the session: `open` → `processing` (a conditional write
//! that freezes the values and fixes the DataSet's guid), the payment and the DataSet built
//! from the frozen session only, then `processing` → `processed` together with the DataSet in
//! one transaction. A crash at any step leaves a state the next call finishes: the same payment
//! key, the same DataSet, never a second one.

use super::donation;
use super::donor::donor_of;
use super::error::SessionError;
use super::model::{Claim, PaymentSession, Processed, SessionStatus};
use super::ports::{ProcessStore, Processing, SessionStore};
use super::service::{Context, live_session};
use crate::cards::PaymentProvider;
use crate::ground::ids::{DataSetGuid, SessionHash};
use crate::ground::money::MethodKind;
use crate::ground::retry::{CONFLICT_ATTEMPTS, pause_after_conflict};
use crate::metrics::{self, Metric};
use crate::visit::VisitStore;

/// The stores and provider processing needs.
pub struct Processor<'a, S, P, V, Pay> {
    pub sessions: &'a S,
    pub processing: &'a P,
    pub visits: &'a V,
    pub provider: &'a Pay,
}

impl<S: SessionStore, P: ProcessStore, V: VisitStore, Pay: PaymentProvider>
    Processor<'_, S, P, V, Pay>
{
    /// Processes a complete session, or finishes a processing under way; a processed session
    /// answers as it was processed. Only conflicts are retried, a few times, with jitter.
    pub async fn process(
        &self,
        ctx: &Context<'_>,
        hash: &SessionHash,
    ) -> Result<PaymentSession, SessionError> {
        let mut session = self.read(ctx, hash).await?;
        for attempt in 0..CONFLICT_ATTEMPTS {
            let outcome = match session.status {
                // Processed before (or just now, concurrently): the same answer again.
                SessionStatus::Processed => return Ok(session),
                SessionStatus::Open => self.claim(ctx, &session).await?,
                SessionStatus::Processing => self.finish(ctx, &session).await?,
            };
            match outcome {
                Step::Finished(processed) => return Ok(processed),
                Step::Claimed(claimed) => session = claimed,
                Step::Conflict => {
                    pause_after_conflict(attempt).await;
                    session = self.read(ctx, hash).await?;
                }
            }
        }
        Err(SessionError::Contended)
    }

    async fn read(
        &self,
        ctx: &Context<'_>,
        hash: &SessionHash,
    ) -> Result<PaymentSession, SessionError> {
        live_session(self.sessions.get(hash).await?, ctx, true)
    }

    /// `open` → `processing`, if the session is complete and unchanged since it was read.
    async fn claim(
        &self,
        ctx: &Context<'_>,
        session: &PaymentSession,
    ) -> Result<Step, SessionError> {
        if !ctx.rules.lacking(&session.values).is_empty() {
            return Err(SessionError::Incomplete);
        }
        // The order must be payable before anything is frozen.
        donation::order(session, ctx.form)?;
        let claim = Claim {
            data_set_guid: DataSetGuid::new_v4(),
            claimed_at: ctx.now,
        };
        Ok(
            match self.processing.claim(session, &claim, ctx.now).await? {
                Processing::Done => {
                    let mut claimed = session.clone();
                    claimed.status = SessionStatus::Processing;
                    claimed.claim = Some(claim);
                    claimed.version += 1;
                    Step::Claimed(claimed)
                }
                Processing::Conflict => Step::Conflict,
            },
        )
    }

    /// Pays for the frozen session through the provider, if it is a card or PayPal donation
    /// (the session hash is the provider's idempotency key), and commits it with its DataSet.
    async fn finish(
        &self,
        ctx: &Context<'_>,
        session: &PaymentSession,
    ) -> Result<Step, SessionError> {
        let claim = session.claim.as_ref().ok_or(SessionError::Contended)?;
        let order = donation::order(session, ctx.form)?;
        let paid = match order.method {
            MethodKind::SepaDirectDebit => None,
            _ => Some(self.provider.create_payment(&order).await?),
        };
        let donor = donor_of(session, ctx.form, claim, ctx.zone, paid.as_ref())?;
        let processed = Processed {
            data_set_guid: claim.data_set_guid,
            payment_result: donation::payment_result(&donor, claim.claimed_at, ctx.zone),
            processed_at: claim.claimed_at,
        };
        let visit = match &session.visit_session {
            Some(id) => {
                let found = self.visits.get(&ctx.form.merchant_id, id).await?;
                let live_visit = found.filter(|v| v.is_live(ctx.now));
                Some(donation::visit_record(id, live_visit.as_ref()))
            }
            None => None,
        };
        let contact = Some(donor.contact.guid);
        let dataset = donation::donation_dataset(session, ctx.form, &processed, visit, contact)?;
        Ok(
            match self
                .processing
                .commit(session, &processed, &dataset, &donor)
                .await?
            {
                Processing::Done => {
                    metrics::record(
                        Some(&ctx.form.hash),
                        &[(Metric::SessionsProcessed, 1), (Metric::DataSetsCreated, 1)],
                    );
                    let mut done = session.clone();
                    done.status = SessionStatus::Processed;
                    done.processed = Some(processed);
                    done.version += 1;
                    Step::Finished(done)
                }
                Processing::Conflict => Step::Conflict,
            },
        )
    }
}

/// Where one step of processing left the session.
enum Step {
    Claimed(PaymentSession),
    Finished(PaymentSession),
    Conflict,
}
