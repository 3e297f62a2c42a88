//! The sparse indexes of the Entities table: an item carries an index's keys only while it is
//! what that index finds, so each Query reads just those items and nothing is ever scanned.
//! - `byDue`: active subscriptions by next due date (theirs, or an add-on's before it), over
//!   `DUE_SHARDS` partitions, for the scheduler that makes their next payments;
//! - `byPending`: a merchant's pending direct debits by due date, whole items, for the
//!   collection file that claims them;
//! - `bySubmitted`: submitted direct debits by collection date, for the scheduler that marks
//!   them collected once the bank's return window has passed.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;
use crate::ground::ids::{EntityGuid, MerchantId};
use crate::ledger::{Entity, PaymentState, SubscriptionState};
use crate::recurring::SHARDS;

pub const BY_DUE_INDEX: &str = "byDue";
pub const BY_PENDING_INDEX: &str = "byPending";
pub const BY_SUBMITTED_INDEX: &str = "bySubmitted";
pub fn shard_of(guid: EntityGuid) -> u16 {
    u16::try_from(guid.uuid().as_u128() % u128::from(SHARDS)).unwrap_or(0)
}

pub fn pending_partition(merchant: &MerchantId) -> String {
    format!("P#{merchant}")
}

pub fn due_partition(shard: u16) -> String {
    format!("D#{shard}")
}

pub fn submitted_partition(shard: u16) -> String {
    format!("S#{shard}")
}

fn text(value: String) -> AttributeValue {
    AttributeValue::S(value)
}

/// Adds to `item` the keys of the indexes `entity` belongs in now.
pub fn add_index_keys(item: &mut Item, merchant: &MerchantId, entity: &Entity) {
    match entity {
        Entity::Subscription(s) if s.state == SubscriptionState::Active => {
            item.insert("dueKey".into(), text(due_partition(shard_of(s.guid))));
            item.insert("dueSk".into(), text(format!("{}#{}", s.wakes_on(), s.guid)));
        }
        Entity::Payment(p) => match (&p.debit, p.state) {
            (Some(_), PaymentState::Pending) => {
                item.insert("pendingKey".into(), text(pending_partition(merchant)));
                item.insert(
                    "pendingSk".into(),
                    text(format!("{}#{}", p.due_date, p.guid)),
                );
            }
            (Some(debit), PaymentState::Submitted) => {
                let date = debit.collection_date.unwrap_or(p.due_date);
                item.insert(
                    "submittedKey".into(),
                    text(submitted_partition(shard_of(p.guid))),
                );
                item.insert("submittedSk".into(), text(format!("{date}#{}", p.guid)));
            }
            _ => {}
        },
        _ => {}
    }
}
