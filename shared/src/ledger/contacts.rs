//! What happens to a contact as a whole: archiving (read-only from then on), erasure (the
//! donor's data gone everywhere, in batches) and merging (everything moved into another
//! contact, in batches, the source left as a pointer). The batch steps are decided here; the
//! service runs them until nothing is left.

use serde_json::json;

use super::actions::ActionRequest;
use super::context::ActionContext;
use super::donor::Donor;
use super::erasure::erased_entity;
use super::model::{
    Contact, ContactState, Entity, PaymentMethod, Pending, Subscription, SubscriptionState,
};
use super::ports::{Change, EntityWrite, RecordWrite};
use super::records::{changelog, derived_guid, entry_of, state_of};
use super::rules::{ACTIVE, Refusal, conflict, contact_change, invalid, refused, state_name};
use super::withdrawals::{WithdrawalReason, unsent, withdraw};
use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::ground::ids::{ChangelogGuid, EntityGuid};

/// Entities moved per transaction in a merge: each is a put, a delete and a directory entry,
/// and a debit withdrawn on the way two more (its item in the file, the file's header), beside
/// the source contact, its entry and the target's check: at most 98 of DynamoDB's 100.
const MOVES_PER_CHANGE: usize = 19;

/// Active → archived: read-only from now on.
pub fn archive(
    request: &ActionRequest,
    donor: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let before = &donor.contact;
    if before.state != ContactState::Active {
        return Err(refused(before, "archived"));
    }
    let after = Contact {
        state: ContactState::Archived,
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    let entry = changelog(
        request,
        &Entity::Contact(before.clone()),
        &Entity::Contact(after.clone()),
        ctx,
    );
    let mut change = contact_change(before, after, RecordWrite::NewChangelog(entry), ctx);
    // Read-only means no more money moves: its subscriptions are held (and so leave the
    // scheduler's daily reading), its debits the bank does not have yet withdrawn.
    for sub in donor
        .subscriptions
        .iter()
        .filter(|s| s.state == SubscriptionState::Active)
    {
        let held = Subscription {
            state: SubscriptionState::OnHold,
            updated_at: ctx.now,
            version: sub.version + 1,
            ..sub.clone()
        };
        let (before, after) = (
            Entity::Subscription(sub.clone()),
            Entity::Subscription(held),
        );
        let guid = derived_guid(ctx.record, &format!("hold {}", sub.guid));
        change.records.push(RecordWrite::NewChangelog(entry_of(
            "Hold",
            (&before, &after),
            ctx.merchant,
            ChangelogGuid::from_uuid(guid.uuid()),
            ctx.now,
            Some(json!({"reason": WithdrawalReason::ContactArchived.code()})),
        )));
        change.writes.push(EntityWrite::Replace {
            expected: sub.version,
            entity: after,
        });
    }
    for payment in donor.payments.iter().filter(|p| unsent(p)) {
        let (write, mut records) = withdraw(
            payment,
            WithdrawalReason::ContactArchived,
            "Archive",
            ctx.record,
            ctx.merchant,
            ctx.now,
        );
        change.writes.push(write);
        change.records.append(&mut records);
    }
    Ok(change)
}

/// How far a batch operation got: the contact keeps it, so the next call goes on from there.
pub fn progress(
    contact: &Contact,
    after: Option<String>,
    done: u64,
    ctx: &ActionContext<'_>,
    entry: &ChangelogEntry,
) -> Change {
    let pending = contact
        .pending
        .clone()
        .map(|p| Pending { after, done, ..p });
    let updated = Contact {
        pending,
        updated_at: ctx.now,
        version: contact.version + 1,
        ..contact.clone()
    };
    let mut entry = entry.clone();
    entry.updated_at = ctx.now;
    entry.after["done"] = json!(done);
    contact_change(contact, updated, RecordWrite::UpdateChangelog(entry), ctx)
}

/// The end of an erasure or a merge: the entry says `completed` only now.
pub fn finish(contact: &Contact, entry: &ChangelogEntry, ctx: &ActionContext<'_>) -> Change {
    let state = match contact.state {
        ContactState::Anonymising => ContactState::Anonymised,
        other => other,
    };
    let done = contact.pending.as_ref().map_or(0, |p| p.done);
    let after = Contact {
        state,
        pending: None,
        updated_at: ctx.now,
        version: contact.version + 1,
        ..contact.clone()
    };
    let mut entry = entry.clone();
    entry.updated_at = ctx.now;
    entry.status = ChangelogStatus::Completed;
    entry.after = state_of(&Entity::Contact(after.clone()));
    entry.after["done"] = json!(done);
    contact_change(contact, after, RecordWrite::UpdateChangelog(entry), ctx)
}

/// The start of a merge into `target`: the source becomes a pointer at once; its entities and
/// DataSets follow in batches.
pub fn start_merge(
    request: &ActionRequest,
    source: &Donor,
    target: &Donor,
    ctx: &ActionContext<'_>,
) -> Result<Change, Refusal> {
    let before = &source.contact;
    if before.guid == target.contact.guid {
        return Err(invalid("a contact cannot be merged into itself"));
    }
    if before.state != ContactState::Active {
        return Err(refused(before, "merged"));
    }
    if target.contact.state != ContactState::Active {
        return Err(conflict(format!(
            "the target contact is {}: nothing can be merged into it",
            state_name(target.contact.state)
        )));
    }
    let after = Contact {
        state: ContactState::Merged,
        merged_into: Some(target.contact.guid),
        // A pointer, not a second copy of the donor: the person is the target's now, and an
        // erasure of the target leaves nothing behind here.
        person: Box::default(),
        pending: Some(Pending {
            changelog: ChangelogGuid::from_uuid(ctx.record),
            after: None,
            done: 0,
        }),
        updated_at: ctx.now,
        version: before.version + 1,
        ..before.clone()
    };
    let mut entry = changelog(
        request,
        &Entity::Contact(before.clone()),
        &Entity::Contact(after.clone()),
        ctx,
    );
    entry.status = ChangelogStatus::InProgress;
    let mut change = contact_change(before, after, RecordWrite::NewChangelog(entry), ctx);
    change.conditions.push((target.contact.guid, ACTIVE));
    Ok(change)
}

/// Where a merge's target may be for its entities to move there: active, or erased while the
/// merge ran (they then move erased: see [`erased_entity`]).
const TARGET_ACTIVE: &[ContactState] = &[ContactState::Active];
const TARGET_ERASED: &[ContactState] = &[ContactState::Anonymising, ContactState::Anonymised];

/// The next entities of a merged contact moved into its target; `None` when none are left.
/// `target_erased`: the target was anonymised after the merge began, so nothing of the donor
/// may arrive there: the entities move erased, and the merge still finishes. The source
/// contact is written with them, as every batch writes it: that write is what the stream
/// hands the continuation.
pub fn merge_moves(
    source: &Donor,
    target: EntityGuid,
    target_erased: bool,
    entry: &ChangelogEntry,
    ctx: &ActionContext<'_>,
) -> Option<Change> {
    let mut records = Vec::new();
    let moves: Vec<EntityWrite> = source
        .entities()
        .into_iter()
        .filter(|e| !matches!(e, Entity::Contact(_)))
        .take(MOVES_PER_CHANGE)
        .map(|entity| {
            let (from, expected) = (entity.contact(), entity.version());
            let entity = if target_erased {
                let (erased, withdrawal) = erased_entity(entity);
                records.extend(withdrawal);
                erased
            } else {
                entity
            };
            EntityWrite::Move {
                entity: rehome(entity, target),
                from,
                expected,
            }
        })
        .collect();
    let target_state = if target_erased {
        TARGET_ERASED
    } else {
        TARGET_ACTIVE
    };
    if moves.is_empty() {
        return None;
    }
    let done = source.contact.pending.as_ref().map_or(0, |p| p.done);
    let mut change = progress(&source.contact, None, done, ctx, entry);
    change.conditions.push((target, target_state));
    change.writes.extend(moves);
    change.records.extend(records);
    Some(change)
}

fn rehome(entity: Entity, contact: EntityGuid) -> Entity {
    match entity {
        Entity::PaymentMethod(e) => Entity::PaymentMethod(PaymentMethod { contact, ..e }),
        Entity::Subscription(mut e) => {
            e.contact = contact;
            Entity::Subscription(e)
        }
        Entity::Payment(mut e) => {
            e.contact = contact;
            Entity::Payment(e)
        }
        Entity::AddOn(mut e) => {
            e.contact = contact;
            Entity::AddOn(e)
        }
        contact_itself => contact_itself,
    }
}
