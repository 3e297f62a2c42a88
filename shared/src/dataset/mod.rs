//! DataSets (seed `dataset-api.txt`): what a form submission or an integrator recorded, kept
//! as received. The `jsonElement` document is stored as the client's JSON text, byte for byte.

mod ports;
mod record;

pub use ports::{ContactPage, DataSetStore, Page};
pub use record::{RecordError, Recorded, Retry, record};

use jiff::Timestamp;

use crate::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use crate::listing::carried_len;

/// How many index partitions a merchant's DataSets are spread over (template parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardCount(u16);

impl ShardCount {
    pub const DEFAULT: Self = Self(4);
    pub const MAX: u16 = 64;

    pub fn new(count: u16) -> Option<Self> {
        (1..=Self::MAX).contains(&count).then_some(Self(count))
    }

    pub fn get(self) -> u16 {
        self.0
    }

    /// Which index partition a DataSet is listed in. Derived from the random bits of its
    /// guid, so one merchant's writes spread evenly.
    pub fn shard_of(self, guid: uuid::Uuid) -> u16 {
        let spread = guid.as_u128() % u128::from(self.0);
        u16::try_from(spread).unwrap_or(0)
    }
}

/// A JSON object kept as its exact text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonElement(String);

impl JsonElement {
    /// Valid JSON text, kept if it is an object.
    pub fn from_object_text(text: &str) -> Option<Self> {
        text.starts_with('{').then(|| Self(text.to_owned()))
    }

    /// Text read back from storage; it was validated when it was written.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its share of a listing response as Lambda returns it (see [`carried_len`]).
    pub fn listed_bytes(&self) -> u64 {
        carried_len(&self.0)
    }
}

/// A DataSet's size in a listing response, in two parts because a `PUT` replaces only the
/// `jsonElement`: the store keeps both beside its index so a page can be cut by size before
/// any DataSet is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListedSize {
    pub fields: u64,
    pub json_element: u64,
}

impl ListedSize {
    pub fn total(self) -> u64 {
        self.fields.saturating_add(self.json_element)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    pub guid: DataSetGuid,
    pub merchant_id: MerchantId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub source_type: String,
    pub source_guid: Option<String>,
    pub vendor: Option<String>,
    pub is_transactional: bool,
    pub is_third_party: bool,
    pub sensitive_data: Vec<String>,
    pub json_element: JsonElement,
    /// The contact whose donation or action this records (indexed, never shown): a contact's
    /// DataSets are one query, for erasure and merges.
    pub contact: Option<EntityGuid>,
}

/// What a client may say about a DataSet; everything else is ours to set.
#[derive(Debug)]
pub struct NewDataSet {
    pub vendor: String,
    pub sensitive_data: Vec<String>,
    pub json_element: JsonElement,
    pub source_type: Option<String>,
    pub source_guid: Option<String>,
    pub is_transactional: Option<bool>,
}

/// Source type of DataSets posted through the DataSet API rather than by a form.
pub const API_SOURCE_TYPE: &str = "api";
impl NewDataSet {
    pub fn into_dataset(self, merchant_id: MerchantId, now: Timestamp) -> DataSet {
        DataSet {
            guid: DataSetGuid::new_v4(),
            merchant_id,
            created_at: now,
            updated_at: now,
            source_type: self
                .source_type
                .unwrap_or_else(|| API_SOURCE_TYPE.to_owned()),
            source_guid: self.source_guid,
            vendor: Some(self.vendor),
            is_transactional: self.is_transactional.unwrap_or(false),
            // Posted through the API by an integrator, not produced by our own form.
            is_third_party: true,
            sensitive_data: self.sensitive_data,
            json_element: self.json_element,
            contact: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_stay_in_range() {
        let shards = ShardCount::new(4).expect("in range");
        for _ in 0..100 {
            assert!(shards.shard_of(uuid::Uuid::new_v4()) < 4);
        }
        assert_eq!(ShardCount::new(0), None);
    }
}
