//! DynamoDB stores: one request per operation, conditional writes for every invariant.

mod api_keys;
mod changelogs;
mod collection_items;
mod collection_listing;
mod collection_sending;
mod collections;
mod datasets;
mod entities;
mod entity_index;
mod entity_items;
mod entity_stream;
mod expression;
mod forms;
mod idempotency;
mod listing;
mod processing;
mod schedule;
mod sessions;
mod visits;

pub use api_keys::DynamoMerchants;
pub use changelogs::DynamoChangelogs;
pub use collections::DynamoCollections;
pub use datasets::{BY_CONTACT_INDEX, DynamoDataSets};
pub use entities::DynamoEntities;
pub use entity_index::{BY_DUE_INDEX, BY_PENDING_INDEX, BY_SUBMITTED_INDEX};
pub use entity_stream::{BATCH_PENDING, PendingContact, pending_contacts};
pub use forms::DynamoForms;
pub use idempotency::DynamoIdempotency;
pub use listing::{BY_CREATED_INDEX, BY_CREATED_PK, BY_CREATED_SK};
pub use processing::DynamoProcessing;
pub use schedule::DynamoSchedule;
pub use sessions::DynamoSessions;
pub use visits::DynamoVisits;

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity};
use jiff::Timestamp;
use serde::Serialize;
use serde_dynamo::aws_sdk_dynamodb_1::to_item;

use crate::ground::storage::{Cause, StoreError};

type Item = HashMap<String, AttributeValue>;

/// DynamoDB's answers that mean "not now" rather than "not so".
const UNAVAILABLE_CODES: [&str; 5] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
];

/// A failed request, with the SDK's error (and DynamoDB's message) as its cause: unavailable
/// when it timed out, could not connect or was throttled; a failure otherwise.
fn backend<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let unavailable = match &err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        other => other
            .code()
            .is_some_and(|code| UNAVAILABLE_CODES.contains(&code)),
    };
    if unavailable {
        StoreError::Unavailable(err.into())
    } else {
        StoreError::backend(err)
    }
}

/// Write errors that can mean "the condition expression did not hold".
trait ConditionFailed {
    fn condition_failed(&self) -> bool;
}

impl ConditionFailed for aws_sdk_dynamodb::operation::put_item::PutItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

impl ConditionFailed for aws_sdk_dynamodb::operation::update_item::UpdateItemError {
    fn condition_failed(&self) -> bool {
        self.is_conditional_check_failed_exception()
    }
}

/// The output of a conditional write, or `None` when its condition did not hold.
fn conditional<T, E, R>(result: Result<T, SdkError<E, R>>) -> Result<Option<T>, StoreError>
where
    E: ConditionFailed + ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(ConditionFailed::condition_failed) =>
        {
            Ok(None)
        }
        Err(err) => Err(backend(err)),
    }
}

/// Maps a decoding failure of `what` to `Corrupt`, keeping the cause.
fn corrupt<E: Into<Cause>>(what: &'static str) -> impl FnOnce(E) -> StoreError {
    move |err| StoreError::corrupt(what, err)
}

fn encode<T: Serialize>(value: &T) -> Result<Item, StoreError> {
    to_item(value).map_err(corrupt("item to write"))
}

fn parse_time(raw: &str) -> Result<Timestamp, StoreError> {
    raw.parse().map_err(corrupt("timestamp"))
}

fn units(capacity: Option<&ConsumedCapacity>) -> f64 {
    capacity
        .and_then(ConsumedCapacity::capacity_units)
        .unwrap_or(0.0)
}
