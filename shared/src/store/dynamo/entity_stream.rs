//! The Entities table's stream as the continuation of batch operations reads it (Lambda's
//! DynamoDB event, images as `NEW_IMAGE`): a contact's item carries `batchPending` while an
//! erasure or merge of it is under way, so each of its writes names the contact and the
//! version it was written at.

use serde::Deserialize;
use serde_json::Value;

use crate::ground::ids::{EntityGuid, MerchantId};

/// The contact item's attribute that holds its pending batch operation's changelog guid.
pub const BATCH_PENDING: &str = "batchPending";

/// A contact with a batch operation pending, as the newest of an event's records saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingContact {
    pub merchant: MerchantId,
    pub contact: EntityGuid,
    pub version: u64,
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "Records", default)]
    records: Vec<Value>,
}

/// The contacts an event's records name, each once, at the newest version among them; and
/// how many records named none (another item, or one without a pending batch operation:
/// the filter hands none of those, but a record handed anyway must not fail the batch).
pub fn pending_contacts(event: &Value) -> (Vec<PendingContact>, usize) {
    let records = Event::deserialize(event).map_or_else(|_| Vec::new(), |e| e.records);
    let mut found: Vec<PendingContact> = Vec::new();
    let mut ignored = 0;
    for record in &records {
        let Some(seen) = pending_contact(record) else {
            ignored += 1;
            continue;
        };
        match found
            .iter_mut()
            .find(|c| c.merchant == seen.merchant && c.contact == seen.contact)
        {
            Some(known) => known.version = known.version.max(seen.version),
            None => found.push(seen),
        }
    }
    (found, ignored)
}

fn pending_contact(record: &Value) -> Option<PendingContact> {
    let image = &record["dynamodb"]["NewImage"];
    let text = |name: &str| image[name]["S"].as_str();
    if text("sk") != Some("contact") || text(BATCH_PENDING).is_none() {
        return None;
    }
    Some(PendingContact {
        merchant: MerchantId::parse(text("merchantId")?).ok()?,
        contact: EntityGuid::parse(text("entityGuid")?).ok()?,
        version: image["version"]["N"].as_str()?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(sk: &str, contact: &str, version: u64, pending: bool) -> Value {
        let mut image = json!({
            "pk": {"S": format!("C#m-1#{contact}")}, "sk": {"S": sk},
            "merchantId": {"S": "m-1"}, "entityGuid": {"S": contact},
            "version": {"N": version.to_string()},
        });
        if pending {
            image[BATCH_PENDING] = json!({"S": "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"});
        }
        json!({"eventName": "MODIFY", "dynamodb": {"NewImage": image}})
    }

    #[test]
    fn each_pending_contact_is_named_once_at_its_newest_version() {
        let a = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let b = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        let event = json!({"Records": [
            record("contact", a, 3, true),
            record("contact", b, 1, true),
            record("contact", a, 5, true),
            record("contact", a, 4, true),
            record("pay#x", a, 9, false),
            record("contact", b, 2, false),
            {"eventName": "REMOVE", "dynamodb": {"Keys": {}}},
        ]});
        let (contacts, ignored) = pending_contacts(&event);
        let named: Vec<(String, u64)> = contacts
            .iter()
            .map(|c| (c.contact.to_string(), c.version))
            .collect();
        assert_eq!(named, [(a.to_owned(), 5), (b.to_owned(), 1)]);
        assert_eq!(ignored, 3);
    }

    #[test]
    fn an_event_that_is_no_stream_batch_names_nothing() {
        assert_eq!(pending_contacts(&json!({"time": "x"})), (Vec::new(), 0));
        assert_eq!(pending_contacts(&json!([1, 2])), (Vec::new(), 0));
    }
}
