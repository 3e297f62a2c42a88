//! The session operations, shared by the Session-API and the hosted donation form so both
//! run exactly the same code: create, update (or read), and process.

use std::collections::BTreeMap;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::processing::{self, Processed};
use super::{Expectation, PaymentSession, SessionHash, SessionStatus, Submission, edge, plan};
use crate::dataset::DataSetGuid;
use crate::form::Form;
use crate::http::SessionApiError;
use crate::metrics::{self, Metric};
use crate::payment::PaymentProvider;
use crate::store::{ProcessStore, Processing, SessionStore, SessionWrite, StoreError, VisitStore};
use crate::validation::{FieldError, Rules};

/// Values a session may hold in all, and roughly how much data: DynamoDB items stop at 400 KB.
const SESSION_VALUE_LIMIT: usize = 200;
const SESSION_SIZE_LIMIT: usize = 300 * 1024;
/// Tries when a concurrent request changed what a write insists on.
const ATTEMPTS: u32 = 5;

/// One request against one form, at one instant.
pub struct Context<'a> {
    pub form: &'a Form,
    pub rules: Rules<'a>,
    pub now: Timestamp,
    pub ttl: SignedDuration,
    pub zone: &'a TimeZone,
}

impl<'a> Context<'a> {
    pub fn new(form: &'a Form, now: Timestamp, ttl: SignedDuration, zone: &'a TimeZone) -> Self {
        Self {
            form,
            rules: Rules::new(&form.definition, now.to_zoned(zone.clone()).date()),
            now,
            ttl,
            zone,
        }
    }
}

/// A session after a request, with the errors on that request's own values.
pub struct Outcome {
    pub session: PaymentSession,
    pub current: BTreeMap<String, FieldError>,
}

fn general(err: impl std::fmt::Display) -> SessionApiError {
    SessionApiError::General(err.to_string())
}

/// A new session holding the submitted values (those that pass).
pub async fn create<S: SessionStore>(
    sessions: &S,
    ctx: &Context<'_>,
    submission: &Submission,
) -> Result<Outcome, SessionApiError> {
    for _ in 0..ATTEMPTS {
        let hash = SessionHash::generate().map_err(general)?;
        let mut session = PaymentSession::open(hash, ctx.form, ctx.now, ctx.ttl);
        let plan = plan(&ctx.rules, ctx.form, &session, submission, ctx.now, ctx.ttl);
        session.apply(&plan.changes);
        check_size(&session)?;
        match sessions.create(&session).await {
            Ok(()) => {
                let complete = ctx.rules.lacking(&session.values).is_empty();
                record(ctx, &plan.current, true, complete);
                return Ok(Outcome {
                    session,
                    current: plan.current,
                });
            }
            // 165 random bits collided: draw again.
            Err(StoreError::AlreadyExists) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(general("no free session hash"))
}

/// Applies the submission to the session (one read, one conditional write); with nothing
/// submitted, reads it.
pub async fn update<S: SessionStore>(
    sessions: &S,
    ctx: &Context<'_>,
    hash: &SessionHash,
    submission: &Submission,
) -> Result<Outcome, SessionApiError> {
    let live = |found| edge::live_session(found, ctx.form, ctx.now, false);
    let mut session = live(sessions.get(hash).await?)?;
    for _ in 0..ATTEMPTS {
        let plan = plan(&ctx.rules, ctx.form, &session, submission, ctx.now, ctx.ttl);
        if !plan.changes.changes_values() {
            record(ctx, &plan.current, false, false);
            return Ok(Outcome {
                session,
                current: plan.current,
            });
        }
        let mut after = session.clone();
        after.apply(&plan.changes);
        check_size(&after)?;
        let expect = Expectation {
            form_hash: ctx.form.hash.clone(),
            fixed_rev: session.fixed_rev,
            now: ctx.now,
        };
        match sessions.update(hash, &expect, &plan.changes).await? {
            SessionWrite::Updated(updated) => {
                let completed = !ctx.rules.lacking(&session.values).is_empty()
                    && ctx.rules.lacking(&updated.values).is_empty();
                record(ctx, &plan.current, false, completed);
                return Ok(Outcome {
                    session: updated,
                    current: plan.current,
                });
            }
            // Processed, expired or its fixed set changed meanwhile: judge again on what the
            // failed write returned.
            SessionWrite::Conflict(current) => session = live(current)?,
        }
    }
    Err(general("the session kept changing during the update"))
}

/// The form's metrics of one create or update.
fn record(
    ctx: &Context<'_>,
    refused: &BTreeMap<String, FieldError>,
    created: bool,
    completed: bool,
) {
    metrics::record(
        Some(&ctx.form.hash),
        &[
            (Metric::SessionsCreated, u64::from(created)),
            (Metric::SessionsCompleted, u64::from(completed)),
            (Metric::ValidationErrors, refused.len() as u64),
        ],
    );
}

/// Refuses a session that would outgrow a DynamoDB item.
fn check_size(session: &PaymentSession) -> Result<(), SessionApiError> {
    if session.values.len() > SESSION_VALUE_LIMIT {
        return Err(SessionApiError::SessionFull("200 values"));
    }
    let size = serde_json::to_vec(&session.values).map_or(usize::MAX, |v| v.len());
    if size > SESSION_SIZE_LIMIT {
        return Err(SessionApiError::SessionFull("300 KB of values"));
    }
    Ok(())
}

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
    ) -> Result<PaymentSession, SessionApiError> {
        let live = |found| edge::live_session(found, ctx.form, ctx.now, true);
        let mut session = live(self.sessions.get(hash).await?)?;
        for attempt in 0..ATTEMPTS {
            if session.status == SessionStatus::Processed {
                // Processed before (or just now, concurrently): the same answer again.
                return Ok(session);
            }
            if !ctx.rules.lacking(&session.values).is_empty() {
                return Err(SessionApiError::Incomplete);
            }
            let processed = self.pay(ctx, &session).await?;
            let visit = match &session.visit_session {
                Some(id) => {
                    let found = self.visits.get(&ctx.form.merchant_id, id).await?;
                    let live_visit = found.filter(|v| v.is_live(ctx.now));
                    Some(processing::visit_record(id, live_visit.as_ref()))
                }
                None => None,
            };
            let dataset = processing::donation_dataset(&session, ctx.form, &processed, visit)
                .map_err(general)?;
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
        Err(general("the session kept changing during processing"))
    }

    /// Asks the provider for the payment; the session hash is its idempotency key.
    async fn pay(
        &self,
        ctx: &Context<'_>,
        session: &PaymentSession,
    ) -> Result<Processed, SessionApiError> {
        let order = processing::order(session, ctx.form).map_err(general)?;
        let outcome = self.provider.execute(&order).await.map_err(general)?;
        Ok(Processed {
            data_set_guid: DataSetGuid::new_v4(),
            payment_result: processing::payment_result(&outcome, ctx.now, ctx.zone),
            processed_at: ctx.now,
        })
    }
}
