//! DataSets as the DataSet API has them (seed `dataset-api.txt`): the bodies of `POST` and
//! `PUT`, the DataSet an answer shows (seed names, timestamps in the merchant's zone), and its
//! size in a listing answer.

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::dataset::{DataSet, JsonElement, ListedSize, NewDataSet};
use crate::ground::time::seed_format;
use crate::listing::carried_len;

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

/// Reads a `POST /dataSet` body. Fields we own (`dataSetGuid`, `merchantId`, timestamps)
/// are ignored if sent: the merchant comes from the API key only.
pub fn new_dataset(body: &str) -> Result<NewDataSet, DataSetInputError> {
    let body: PostBody = serde_json::from_str(body).map_err(shape_error)?;
    let vendor = short_text(body.vendor, "vendor")?.ok_or(DataSetInputError::Missing("vendor"))?;
    let sensitive_data = body
        .sensitive_data
        .ok_or(DataSetInputError::Missing("sensitive_data"))
        .and_then(sensitive_fields)?;
    let json_element = body
        .json_element
        .ok_or(DataSetInputError::Missing("jsonElement"))
        .and_then(json_element)?;
    let is_transactional = match body.is_transactional {
        None => None,
        Some(raw) => Some(
            serde_json::from_str::<Option<bool>>(raw.get()).map_err(|_| {
                DataSetInputError::Invalid {
                    field: "isTransactional",
                    reason: "must be true or false",
                }
            })?,
        ),
    }
    .flatten();
    Ok(NewDataSet {
        vendor,
        sensitive_data,
        json_element,
        source_type: short_text(body.source_type, "sourceType")?,
        source_guid: short_text(body.source_guid, "sourceGuid")?,
        is_transactional,
    })
}

/// Reads a `PUT /dataSet/{guid}` body: the replacement `jsonElement`.
pub fn replacement(body: &str) -> Result<JsonElement, DataSetInputError> {
    let body: PutBody = serde_json::from_str(body).map_err(shape_error)?;
    body.json_element
        .ok_or(DataSetInputError::Missing("jsonElement"))
        .and_then(json_element)
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

/// The DataSet as the API answers it.
pub fn dataset(ds: &DataSet, zone: &TimeZone) -> Result<String, serde_json::Error> {
    let json_element: &RawValue = serde_json::from_str(ds.json_element.as_str())?;
    serde_json::to_string(&view(ds, zone, json_element))
}

/// Its size in a listing answer (see [`ListedSize`]), kept beside its index entry.
pub fn listed_size(ds: &DataSet) -> ListedSize {
    // Everything but the jsonElement, as the listing writes it, plus the comma between
    // DataSets. Timestamps in UTC have the same length as in any other zone, and `null`
    // stands in for the document.
    let fields = serde_json::to_string(&view(ds, &TimeZone::UTC, RawValue::NULL))
        .map_or(u64::MAX, |text| carried_len(&text) + 1);
    ListedSize {
        fields,
        json_element: ds.json_element.listed_bytes(),
    }
}

fn view<'a>(ds: &'a DataSet, zone: &TimeZone, json_element: &'a RawValue) -> DataSetView<'a> {
    DataSetView {
        data_set_guid: ds.guid.to_string(),
        merchant_id: ds.merchant_id.as_str(),
        created_ts: seed_format(ds.created_at, zone),
        updated_ts: seed_format(ds.updated_at, zone),
        source_type: &ds.source_type,
        source_guid: ds.source_guid.as_deref(),
        vendor: ds.vendor.as_deref(),
        is_transactional: ds.is_transactional,
        is_third_party: ds.is_third_party,
        sensitive_data: &ds.sensitive_data,
        json_element,
    }
}

/// A `jsonElement` as sent: a JSON object, kept as its text.
pub(super) fn json_element(raw: &RawValue) -> Result<JsonElement, DataSetInputError> {
    JsonElement::from_object_text(raw.get()).ok_or(DataSetInputError::Invalid {
        field: "jsonElement",
        reason: "must be a JSON object",
    })
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::dataset::API_SOURCE_TYPE;
    use crate::ground::ids::MerchantId;

    const SEED_BODY: &str = r#"{
        "vendor": "my-vendor-name",
        "sensitive_data": ["middleName", "phone2"],
        "jsonElement": {"formResult": {"name": "John Doe", "amount": 1.50}, "formFields": []}
    }"#;

    #[test]
    fn the_seed_request_is_accepted_and_kept_verbatim() {
        let new = new_dataset(SEED_BODY).expect("seed body is valid");
        assert_eq!(new.vendor, "my-vendor-name");
        assert_eq!(new.sensitive_data, ["middleName", "phone2"]);
        // The number keeps its trailing zero: the document is not re-encoded.
        assert!(new.json_element.as_str().contains("1.50"));
    }

    #[test]
    fn posted_datasets_are_third_party_and_owned_by_the_key_merchant() {
        let body = r#"{"vendor":"v","sensitive_data":[],"jsonElement":{},"merchantId":"evil","isThirdParty":false}"#;
        let merchant = MerchantId::parse("good").expect("valid");
        let ds = new_dataset(body)
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
            assert_eq!(new_dataset(body).err(), Some(expected), "{body}");
        }
        for body in [
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":[1]}"#,
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":"{}"}"#,
            r#"{"vendor":"v","sensitive_data":[],"jsonElement":null}"#,
        ] {
            assert!(
                matches!(
                    new_dataset(body),
                    Err(DataSetInputError::Invalid {
                        field: "jsonElement",
                        ..
                    }) | Err(DataSetInputError::Missing("jsonElement"))
                ),
                "{body}"
            );
        }
        assert!(matches!(
            new_dataset(r#"{"vendor":5,"sensitive_data":[],"jsonElement":{}}"#),
            Err(DataSetInputError::Invalid {
                field: "vendor",
                ..
            })
        ));
        assert!(matches!(
            new_dataset(r#"{"vendor":"v","sensitive_data":"x","jsonElement":{}}"#),
            Err(DataSetInputError::Invalid {
                field: "sensitive_data",
                ..
            })
        ));
    }

    #[test]
    fn the_view_uses_seed_names_and_zone() {
        let zone = TimeZone::get("Europe/Berlin").expect("bundled");
        let at: Timestamp = "2022-07-12T07:00:14Z".parse().expect("valid");
        let ds = new_dataset(SEED_BODY)
            .expect("valid")
            .into_dataset(MerchantId::parse("onlinefundraising").expect("valid"), at);
        let view: serde_json::Value =
            serde_json::from_str(&dataset(&ds, &zone).expect("serializable")).expect("json");
        assert_eq!(view["createdTs"], "2022-07-12 09:00:14 +0200");
        assert_eq!(view["merchantId"], "onlinefundraising");
        assert_eq!(view["sensitive_data"][1], "phone2");
        assert_eq!(view["jsonElement"]["formResult"]["name"], "John Doe");
        assert_eq!(view["isThirdParty"], true);
    }
}
