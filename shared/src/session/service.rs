//! The session operations, shared by the Session-API and the hosted donation form so both
//! run exactly the same code: create, update (or read), and process.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::error::SessionError;
use super::model::{Expectation, PaymentSession, SessionStatus, Submission};
use super::plan::plan;
use super::ports::{SessionStore, SessionWrite};
use crate::form::Form;
use crate::ground::ids::SessionHash;
use crate::ground::retry::CONFLICT_ATTEMPTS;
use crate::ground::storage::StoreError;
use crate::metrics::{self, Metric};
use crate::validation::{FieldError, Rules};

/// Values a session may hold in all, and how much data as JSON (values and what validation
/// derived from them): the stored item stays under 32 KB, so the worst write to it costs at most
/// 32 write units, whoever sends it.
pub const SESSION_VALUE_LIMIT: usize = 200;
pub const SESSION_SIZE_LIMIT: usize = 28 * 1024;

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
            rules: Rules::new(
                &form.definition,
                now.to_zoned(zone.clone()).date(),
                form.creditor.is_some(),
            ),
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

/// A new session holding the submitted values (those that pass).
pub async fn create<S: SessionStore>(
    sessions: &S,
    ctx: &Context<'_>,
    submission: &Submission,
) -> Result<Outcome, SessionError> {
    for _ in 0..CONFLICT_ATTEMPTS {
        let hash = SessionHash::generate()?;
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
    Err(SessionError::Contended)
}

/// Applies the submission to the session (one read, one conditional write); with nothing
/// submitted, reads it.
pub async fn update<S: SessionStore>(
    sessions: &S,
    ctx: &Context<'_>,
    hash: &SessionHash,
    submission: &Submission,
) -> Result<Outcome, SessionError> {
    let live = |found| live_session(found, ctx, false);
    let mut session = live(sessions.get(hash).await?)?;
    for _ in 0..CONFLICT_ATTEMPTS {
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
    Err(SessionError::Contended)
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
fn check_size(session: &PaymentSession) -> Result<(), SessionError> {
    if session.values.len() > SESSION_VALUE_LIMIT {
        return Err(SessionError::Full("200 values"));
    }
    let size = |map| serde_json::to_vec(map).map_or(usize::MAX, |v| v.len());
    if size(&session.values).saturating_add(size(&session.meta)) > SESSION_SIZE_LIMIT {
        return Err(SessionError::Full("28 KB of values"));
    }
    Ok(())
}

/// The session if it is this form's and live, else `NotFound`; one being processed or processed
/// is refused (`Processing`, `Processed`) unless the caller is processing itself.
pub fn live_session(
    session: Option<PaymentSession>,
    ctx: &Context<'_>,
    processed_ok: bool,
) -> Result<PaymentSession, SessionError> {
    // A session being processed or processed outlives its expiry: processing must finish.
    let session = session
        .filter(|s| {
            s.form_hash == ctx.form.hash && (s.is_live(ctx.now) || s.status != SessionStatus::Open)
        })
        .ok_or(SessionError::NotFound)?;
    match session.status {
        SessionStatus::Processed if !processed_ok => Err(SessionError::Processed),
        SessionStatus::Processing if !processed_ok => Err(SessionError::Processing),
        _ => Ok(session),
    }
}
