//! Processing: a complete session is paid and recorded as a DataSet in one transaction, so a
//! donation is recorded exactly once however often or concurrently it is sent.

use std::time::Duration;

use super::donation;
use super::error::SessionError;
use super::model::{PaymentSession, Processed, SessionStatus};
use super::ports::{ProcessStore, Processing, SessionStore};
use super::service::{ATTEMPTS, Context, live_session};
use crate::ground::ids::{DataSetGuid, SessionHash};
use crate::metrics::{self, Metric};
use crate::payment::PaymentProvider;
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
    /// Pays a complete session and records its DataSet in one transaction; a processed
    /// session answers as it was processed, so a donation is recorded exactly once.
    pub async fn process(
        &self,
        ctx: &Context<'_>,
        hash: &SessionHash,
    ) -> Result<PaymentSession, SessionError> {
        let live = |found| live_session(found, ctx, true);
        let mut session = live(self.sessions.get(hash).await?)?;
        for attempt in 0..ATTEMPTS {
            if session.status == SessionStatus::Processed {
                // Processed before (or just now, concurrently): the same answer again.
                return Ok(session);
            }
            if !ctx.rules.lacking(&session.values).is_empty() {
                return Err(SessionError::Incomplete);
            }
            let processed = self.pay(ctx, &session).await?;
            let visit = match &session.visit_session {
                Some(id) => {
                    let found = self.visits.get(&ctx.form.merchant_id, id).await?;
                    let live_visit = found.filter(|v| v.is_live(ctx.now));
                    Some(donation::visit_record(id, live_visit.as_ref()))
                }
                None => None,
            };
            let dataset = donation::donation_dataset(&session, ctx.form, &processed, visit)?;
            match self
                .processing
                .process(&session, &processed, &dataset)
                .await?
            {
                Processing::Done => {
                    metrics::record(
                        Some(&ctx.form.hash),
                        &[(Metric::SessionsProcessed, 1), (Metric::DataSetsCreated, 1)],
                    );
                    session.status = SessionStatus::Processed;
                    session.processed = Some(processed);
                    session.version += 1;
                    return Ok(session);
                }
                Processing::Conflict => {
                    // Spread concurrent retries a little before reading again.
                    tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt + 1))).await;
                    session = live(self.sessions.get(hash).await?)?;
                }
            }
        }
        Err(SessionError::Contended)
    }

    /// Asks the provider for the payment; the session hash is its idempotency key.
    async fn pay(
        &self,
        ctx: &Context<'_>,
        session: &PaymentSession,
    ) -> Result<Processed, SessionError> {
        let order = donation::order(session, ctx.form)?;
        let outcome = self.provider.execute(&order).await?;
        Ok(Processed {
            data_set_guid: DataSetGuid::new_v4(),
            payment_result: donation::payment_result(&outcome, ctx.now, ctx.zone),
            processed_at: ctx.now,
        })
    }
}
