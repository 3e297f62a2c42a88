//! How a collection's items look in the Collections table: the header's attributes, and the
//! keys of headers, building markers and debits.

use aws_sdk_dynamodb::types::AttributeValue;
use jiff::Timestamp;
use jiff::civil::Date;
use serde_dynamo::aws_sdk_dynamodb_1::{from_attribute_value, to_attribute_value};
use uuid::Uuid;

use super::expression::number;
use super::{Item, corrupt};
use crate::bank::{Collection, CollectionStatus, Lease};
use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::ground::storage::StoreError;
use crate::sepa::Sequence;

pub(super) const BUILDING: &str = "building";
pub(super) const READY: &str = "ready";

fn status_of(text: &str) -> Option<CollectionStatus> {
    [
        CollectionStatus::Building,
        CollectionStatus::Ready,
        CollectionStatus::Sent,
        CollectionStatus::Voided,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
}

pub(super) fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn headers(merchant: &MerchantId) -> String {
    format!("H#{merchant}")
}

pub(super) fn markers(merchant: &MerchantId) -> String {
    format!("B#{merchant}")
}

pub(super) fn debit_partition(collection: &Collection) -> String {
    debits_of(&collection.merchant_id, &collection.id)
}

pub(super) fn debits_of(merchant: &MerchantId, collection: &str) -> String {
    format!("D#{merchant}#{collection}")
}

/// A debit's place in its file: sequence type, collection date, end-to-end id.
pub(super) fn debit_sort(sequence: Sequence, date: Date, end_to_end_id: &str) -> String {
    format!("{}#{date}#{end_to_end_id}", sequence.code())
}

pub(super) fn header_item(collection: &Collection) -> Result<Item, StoreError> {
    let status = collection.status.as_str();
    Ok(Item::from([
        ("pk".to_owned(), text(headers(&collection.merchant_id))),
        ("sk".to_owned(), text(collection.id.clone())),
        ("status".to_owned(), text(status)),
        ("count".to_owned(), number(collection.count)),
        ("fileBytes".to_owned(), number(collection.file_bytes)),
        ("withdrawn".to_owned(), number(collection.withdrawn)),
        (
            "withdrawnWhenReady".to_owned(),
            number(collection.withdrawn_when_ready),
        ),
        (
            "controlSum".to_owned(),
            number(collection.control_sum.cents()),
        ),
        (
            "leaseOwner".to_owned(),
            text(collection.lease.owner.to_string()),
        ),
        (
            "leaseUntil".to_owned(),
            number(collection.lease.until.as_second()),
        ),
        (
            "createdAt".to_owned(),
            text(collection.created_at.to_string()),
        ),
        (
            "merchantId".to_owned(),
            text(collection.merchant_id.as_str()),
        ),
        (
            "fileCreated".to_owned(),
            text(collection.file_created.to_string()),
        ),
        (
            "creditor".to_owned(),
            to_attribute_value(&collection.creditor).map_err(corrupt("creditor"))?,
        ),
    ]))
}

pub(super) fn from_header(item: Item) -> Result<Collection, StoreError> {
    let field = |name: &str| {
        item.get(name)
            .ok_or_else(|| StoreError::corrupt_without_cause("collection header"))
    };
    let s = |name: &str| -> Result<String, StoreError> {
        field(name)?
            .as_s()
            .cloned()
            .map_err(|_| StoreError::corrupt_without_cause("collection header"))
    };
    let n = |name: &str| -> Result<i64, StoreError> {
        field(name)?
            .as_n()
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::corrupt_without_cause("collection header"))
    };
    Ok(Collection {
        id: s("sk")?,
        merchant_id: MerchantId::parse(&s("merchantId")?).map_err(corrupt("merchant id"))?,
        status: status_of(&s("status")?)
            .ok_or_else(|| StoreError::corrupt_without_cause("collection status"))?,
        created_at: s("createdAt")?.parse().map_err(corrupt("timestamp"))?,
        creditor: from_attribute_value(field("creditor")?.clone()).map_err(corrupt("creditor"))?,
        file_created: s("fileCreated")?
            .parse()
            .map_err(corrupt("file creation time"))?,
        count: u64::try_from(n("count")?).unwrap_or(0),
        control_sum: Amount::from_cents(u64::try_from(n("controlSum")?).unwrap_or(0)),
        file_bytes: n("fileBytes").map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        lease: Lease {
            owner: Uuid::try_parse(&s("leaseOwner")?).map_err(corrupt("lease owner"))?,
            until: Timestamp::from_second(n("leaseUntil")?).map_err(corrupt("lease"))?,
        },
        // Collections built before withdrawals were counted had none.
        withdrawn: n("withdrawn").map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        withdrawn_when_ready: n("withdrawnWhenReady").map_or(0, |n| u64::try_from(n).unwrap_or(0)),
    })
}
