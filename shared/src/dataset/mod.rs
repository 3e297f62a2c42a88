//! DataSets (seed `dataset-api.txt`): what a form submission or an integrator recorded, kept
//! as received. The `jsonElement` document is stored as the client's JSON text, byte for byte.

mod ports;
mod record;

pub use ports::{ContactPage, DataSetStore, Page};
pub use record::{RecordError, Recorded, Retry, record};

use jiff::{Timestamp, tz::TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ground::ids::{DataSetGuid, EntityGuid, MerchantId};
use crate::ground::time::seed_format;
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
    fn from_raw(raw: &RawValue) -> Result<Self, DataSetInputError> {
        if raw.get().starts_with('{') {
            Ok(Self(raw.get().to_owned()))
        } else {
            Err(DataSetInputError::Invalid {
                field: "jsonElement",
                reason: "must be a JSON object",
            })
        }
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
const MAX_SHORT_TEXT: usize = 128;
const MAX_SENSITIVE_FIELDS: usize = 200;

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataSetInputError {
    #[error("the JSON body does not match the DataSet schema: {0}")]
    Shape(String),
    #[error("'{0}' is required")]
    Missing(&'static str),
    #[error("'{field}' {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}

#[derive(Deserialize)]
struct PostBody<'a> {
    #[serde(borrow)]
    vendor: Option<&'a RawValue>,
    #[serde(borrow)]
    sensitive_data: Option<&'a RawValue>,
    #[serde(borrow, rename = "jsonElement")]
    json_element: Option<&'a RawValue>,
    #[serde(borrow, rename = "sourceType")]
    source_type: Option<&'a RawValue>,
    #[serde(borrow, rename = "sourceGuid")]
    source_guid: Option<&'a RawValue>,
    #[serde(borrow, rename = "isTransactional")]
    is_transactional: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PutBody<'a> {
    #[serde(borrow, rename = "jsonElement")]
    json_element: Option<&'a RawValue>,
}

impl NewDataSet {
    /// Reads a `POST /dataSet` body. Fields we own (`dataSetGuid`, `merchantId`, timestamps)
    /// are ignored if sent: the merchant comes from the API key only.
    pub fn from_json(body: &str) -> Result<Self, DataSetInputError> {
        let body: PostBody = serde_json::from_str(body).map_err(shape_error)?;
        let vendor =
            short_text(body.vendor, "vendor")?.ok_or(DataSetInputError::Missing("vendor"))?;
        let sensitive_data = body
            .sensitive_data
            .ok_or(DataSetInputError::Missing("sensitive_data"))
            .and_then(sensitive_fields)?;
        let json_element = body
            .json_element
            .ok_or(DataSetInputError::Missing("jsonElement"))
            .and_then(JsonElement::from_raw)?;
        let is_transactional =
            match body.is_transactional {
                None => None,
                Some(raw) => Some(serde_json::from_str::<Option<bool>>(raw.get()).map_err(
                    |_| DataSetInputError::Invalid {
                        field: "isTransactional",
                        reason: "must be true or false",
                    },
                )?),
            }
            .flatten();
        Ok(Self {
            vendor,
            sensitive_data,
            json_element,
            source_type: short_text(body.source_type, "sourceType")?,
            source_guid: short_text(body.source_guid, "sourceGuid")?,
            is_transactional,
        })
    }

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

/// Reads a `PUT /dataSet/{guid}` body: the replacement `jsonElement`.
pub fn replacement_json_element(body: &str) -> Result<JsonElement, DataSetInputError> {
    let body: PutBody = serde_json::from_str(body).map_err(shape_error)?;
    body.json_element
        .ok_or(DataSetInputError::Missing("jsonElement"))
        .and_then(JsonElement::from_raw)
}

fn shape_error(err: serde_json::Error) -> DataSetInputError {
    DataSetInputError::Shape(err.to_string())
}

fn short_text(
    raw: Option<&RawValue>,
    field: &'static str,
) -> Result<Option<String>, DataSetInputError> {
    let Some(raw) = raw else { return Ok(None) };
    let invalid = DataSetInputError::Invalid {
        field,
        reason: "must be a string of 1 to 128 characters without control characters",
    };
    let text: Option<String> = serde_json::from_str(raw.get()).map_err(|_| invalid.clone())?;
    match text {
        None => Ok(None),
        Some(text) if is_short_text(&text) => Ok(Some(text)),
        Some(_) => Err(invalid),
    }
}

fn is_short_text(text: &str) -> bool {
    let chars = text.chars().count();
    (1..=MAX_SHORT_TEXT).contains(&chars) && !text.chars().any(char::is_control)
}

fn sensitive_fields(raw: &RawValue) -> Result<Vec<String>, DataSetInputError> {
    let invalid = DataSetInputError::Invalid {
        field: "sensitive_data",
        reason: "must be an array of at most 200 field names (strings of 1 to 128 characters)",
    };
    let names: Vec<String> = serde_json::from_str(raw.get()).map_err(|_| invalid.clone())?;
    if names.len() > MAX_SENSITIVE_FIELDS || !names.iter().all(|n| is_short_text(n)) {
        return Err(invalid);
    }
    Ok(names)
}

/// The DataSet as the API shows it: seed field names, timestamps in the merchant's zone.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DataSetView<'a> {
    data_set_guid: String,
    merchant_id: &'a str,
    created_ts: String,
    updated_ts: String,
    source_type: &'a str,
    source_guid: Option<&'a str>,
    vendor: Option<&'a str>,
    is_transactional: bool,
    is_third_party: bool,
    #[serde(rename = "sensitive_data")]
    sensitive_data: &'a [String],
    json_element: &'a RawValue,
}

impl DataSet {
    pub fn to_json(&self, zone: &TimeZone) -> Result<String, serde_json::Error> {
        let json_element: &RawValue = serde_json::from_str(self.json_element.as_str())?;
        serde_json::to_string(&self.view(zone, json_element))
    }

    pub fn listed_size(&self) -> ListedSize {
        // Everything but the jsonElement, as the listing writes it, plus the comma between
        // DataSets. Timestamps in UTC have the same length as in any other zone, and `null`
        // stands in for the document.
        let fields = serde_json::to_string(&self.view(&TimeZone::UTC, RawValue::NULL))
            .map_or(u64::MAX, |text| carried_len(&text) + 1);
        ListedSize {
            fields,
            json_element: self.json_element.listed_bytes(),
        }
    }

    fn view<'a>(&'a self, zone: &TimeZone, json_element: &'a RawValue) -> DataSetView<'a> {
        DataSetView {
            data_set_guid: self.guid.to_string(),
            merchant_id: self.merchant_id.as_str(),
            created_ts: seed_format(self.created_at, zone),
            updated_ts: seed_format(self.updated_at, zone),
            source_type: &self.source_type,
            source_guid: self.source_guid.as_deref(),
            vendor: self.vendor.as_deref(),
            is_transactional: self.is_transactional,
            is_third_party: self.is_third_party,
            sensitive_data: &self.sensitive_data,
            json_element,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_BODY: &str = r#"{
        "vendor": "my-vendor-name",
        "sensitive_data": ["middleName", "phone2"],
        "jsonElement": {"formResult": {"name": "John Doe", "amount": 1.50}, "formFields": []}
    }"#;

    #[test]
    fn the_seed_request_is_accepted_and_kept_verbatim() {
        let new = NewDataSet::from_json(SEED_BODY).expect("seed body is valid");
        assert_eq!(new.vendor, "my-vendor-name");
        assert_eq!(new.sensitive_data, ["middleName", "phone2"]);
        // The number keeps its trailing zero: the document is not re-encoded.
        assert!(new.json_element.as_str().contains("1.50"));
    }

    #[test]
    fn posted_datasets_are_third_party_and_owned_by_the_key_merchant() {
        let body = r#"{"vendor":"v","sensitive_data":[],"jsonElement":{},"merchantId":"evil","isThirdParty":false}"#;
        let merchant = MerchantId::parse("good").expect("valid");
        let ds = NewDataSet::from_json(body)
            .expect("valid")
            .into_dataset(merchant.clone(), Timestamp::UNIX_EPOCH);
        assert_eq!(ds.merchant_id, merchant);
        assert!(ds.is_third_party);
        assert_eq!(ds.source_type, API_SOURCE_TYPE);
    }

    #[test]
    fn each_required_field_is_named_when_missing_or_wrong() {
        let cases = [
            (
                r#"{"sensitive_data":[],"jsonElement":{}}"#,
                DataSetInputError::Missing("vendor"),
            ),
            (
                r#"{"vendor":"v","jsonElement":{}}"#,
                DataSetInputError::Missing("sensitive_data"),
            ),
            (
                r#"{"vendor":"v","sensitive_data":[]}"#,
                DataSetInputError::Missing("jsonElement"),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(NewDataSet::from_json(body).err(), Some(expected), "{body}");
        }
        for body in [
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":[1]}"#,
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":"{}"}"#,
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":null}"#,
        ] {
            assert!(
                matches!(
                    NewDataSet::from_json(body),
                    Err(DataSetInputError::Invalid {
                        field: "jsonElement",
                        ..
                    }) | Err(DataSetInputError::Missing("jsonElement"))
                ),
                "{body}"
            );
        }
        assert!(matches!(
            NewDataSet::from_json(r#"{"vendor":5,"sensitive_data":[],"jsonElement":{}}"#),
            Err(DataSetInputError::Invalid {
                field: "vendor",
                ..
            })
        ));
        assert!(matches!(
            NewDataSet::from_json(r#"{"vendor":"v","sensitive_data":"x","jsonElement":{}}"#),
            Err(DataSetInputError::Invalid {
                field: "sensitive_data",
                ..
            })
        ));
    }

    #[test]
    fn shards_stay_in_range() {
        let shards = ShardCount::new(4).expect("in range");
        for _ in 0..100 {
            assert!(shards.shard_of(uuid::Uuid::new_v4()) < 4);
        }
        assert_eq!(ShardCount::new(0), None);
    }

    #[test]
    fn the_view_uses_seed_names_and_zone() {
        let zone = TimeZone::get("Europe/Berlin").expect("bundled");
        let at: Timestamp = "2022-07-12T07:00:14Z".parse().expect("valid");
        let ds = NewDataSet::from_json(SEED_BODY)
            .expect("valid")
            .into_dataset(MerchantId::parse("onlinefundraising").expect("valid"), at);
        let view: serde_json::Value =
            serde_json::from_str(&ds.to_json(&zone).expect("serializable")).expect("json");
        assert_eq!(view["createdTs"], "2022-07-12 09:00:14 +0200");
        assert_eq!(view["merchantId"], "onlinefundraising");
        assert_eq!(view["sensitive_data"][1], "phone2");
        assert_eq!(view["jsonElement"]["formResult"]["name"], "John Doe");
        assert_eq!(view["isThirdParty"], true);
    }
}
