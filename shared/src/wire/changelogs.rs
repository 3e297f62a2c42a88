//! Changelog entries as the API answers them (seed names, timestamps in the merchant's zone),
//! and their size in a listing answer.

use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::Value;

use crate::changelog::{ChangelogEntry, ChangelogStatus};
use crate::ground::time::seed_format;
use crate::listing::carried_len;

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

fn view<'a>(entry: &'a ChangelogEntry, zone: &TimeZone) -> ChangelogView<'a> {
    ChangelogView {
        changelog_guid: entry.guid.to_string(),
        merchant_id: entry.merchant_id.as_str(),
        created_ts: seed_format(entry.created_at, zone),
        updated_ts: seed_format(entry.updated_at, zone),
        action: &entry.action,
        entity_type: &entry.entity_type,
        entity_guid: entry.entity_guid.to_string(),
        contact_guid: entry.contact_guid.to_string(),
        meta_data: entry.meta_data.as_ref(),
        before: &entry.before,
        after: &entry.after,
        status: entry.status,
    }
}

/// The entry as the API answers it: seed-style names, timestamps in the merchant's zone.
pub fn entry(entry: &ChangelogEntry, zone: &TimeZone) -> Result<String, serde_json::Error> {
    serde_json::to_string(&view(entry, zone))
}

/// Its share of a listing answer (see `carried_len`); the zone does not change it.
pub fn listed_bytes(entry: &ChangelogEntry) -> u64 {
    serde_json::to_string(&view(entry, &TimeZone::UTC))
        .map_or(u64::MAX, |text| carried_len(&text) + 1)
}
