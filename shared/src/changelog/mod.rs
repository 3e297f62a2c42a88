//! The changelog: one entry for every later change to a payment entity (seed table "DataSet
//! and Changes"), with the entity's state before and after, so a CRM syncs changes the way it
//! syncs DataSets.

mod ports;

pub use ports::{ChangelogPage, ChangelogStore};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::time::seed_format;
use crate::listing::carried_len;

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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChangelogView<'a> {
    changelog_guid: String,
    merchant_id: &'a str,
    created_ts: String,
    updated_ts: String,
    action: &'a str,
    entity_type: &'a str,
    entity_guid: String,
    contact_guid: String,
    meta_data: Option<&'a Value>,
    before: &'a Value,
    after: &'a Value,
    status: ChangelogStatus,
}

impl ChangelogEntry {
    fn view(&self, zone: &TimeZone) -> ChangelogView<'_> {
        ChangelogView {
            changelog_guid: self.guid.to_string(),
            merchant_id: self.merchant_id.as_str(),
            created_ts: seed_format(self.created_at, zone),
            updated_ts: seed_format(self.updated_at, zone),
            action: &self.action,
            entity_type: &self.entity_type,
            entity_guid: self.entity_guid.to_string(),
            contact_guid: self.contact_guid.to_string(),
            meta_data: self.meta_data.as_ref(),
            before: &self.before,
            after: &self.after,
            status: self.status,
        }
    }

    /// The entry as the API shows it: seed-style names, timestamps in the merchant's zone.
    pub fn to_json(&self, zone: &TimeZone) -> Result<String, serde_json::Error> {
        serde_json::to_string(&self.view(zone))
    }

    /// Its share of a listing response (see `carried_len`); the zone does not change it.
    pub fn listed_bytes(&self) -> u64 {
        serde_json::to_string(&self.view(&TimeZone::UTC))
            .map_or(u64::MAX, |text| carried_len(&text) + 1)
    }
}
