//! The changelog: one entry for every later change to a payment entity (seed table "DataSet
//! and Changes"), with the entity's state before and after, so a CRM syncs changes the way it
//! syncs DataSets.

mod ports;

pub use ports::{ChangelogPage, ChangelogStore};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};

/// Whether the change is done: erasure and merges run in batches until nothing is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangelogStatus {
    Completed,
    InProgress,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangelogEntry {
    pub guid: ChangelogGuid,
    pub merchant_id: MerchantId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub action: String,
    pub entity_type: String,
    pub entity_guid: EntityGuid,
    pub contact_guid: EntityGuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<Value>,
    /// The entity's state before and after: states and amounts, never a donor's person data.
    pub before: Value,
    pub after: Value,
    pub status: ChangelogStatus,
}
