//! The same contract, run against DynamoDB Local and against the in-memory stores.

use integration_tests::{
    API_KEYS_TABLE, CHANGELOGS_TABLE, DATASETS_TABLE, FORMS_TABLE, SESSIONS_TABLE, contract,
    dynamodb_client, ensure_tables,
};
use shared::dataset::ShardCount;
use shared::store::dynamo::{
    DynamoChangelogs, DynamoDataSets, DynamoEntities, DynamoForms, DynamoMerchants,
    DynamoProcessing, DynamoSessions, DynamoVisits,
};
use shared::store::memory::{
    MemoryDataSets, MemoryEntities, MemoryForms, MemoryMerchants, MemoryProcessing, MemorySessions,
    MemoryVisits,
};

fn dynamo_datasets() -> DynamoDataSets {
    ensure_tables();
    DynamoDataSets::new(dynamodb_client(), DATASETS_TABLE, ShardCount::DEFAULT)
}

fn dynamo_entities() -> DynamoEntities {
    integration_tests::dynamo_entities(dynamodb_client())
}

fn dynamo_changelogs() -> DynamoChangelogs {
    ensure_tables();
    DynamoChangelogs::new(dynamodb_client(), CHANGELOGS_TABLE, ShardCount::DEFAULT)
}

fn dynamo_api_keys() -> DynamoMerchants {
    ensure_tables();
    DynamoMerchants::new(dynamodb_client(), API_KEYS_TABLE)
}

fn dynamo_forms() -> DynamoForms {
    ensure_tables();
    DynamoForms::new(dynamodb_client(), FORMS_TABLE)
}

fn dynamo_sessions() -> DynamoSessions {
    ensure_tables();
    DynamoSessions::new(dynamodb_client(), SESSIONS_TABLE)
}

fn dynamo_visits() -> DynamoVisits {
    ensure_tables();
    DynamoVisits::new(dynamodb_client(), SESSIONS_TABLE)
}

macro_rules! contract_tests {
    ($($case:ident: $memory:expr, $dynamo:expr;)*) => {
        mod memory {
            use super::*;
            $(#[tokio::test] async fn $case() { contract::$case(&$memory).await })*
        }
        mod dynamodb {
            use super::*;
            $(#[tokio::test] async fn $case() { contract::$case(&$dynamo).await })*
        }
    };
}

contract_tests! {
    dataset_round_trips: MemoryDataSets::default(), dynamo_datasets();
    dataset_guid_cannot_be_inserted_twice: MemoryDataSets::default(), dynamo_datasets();
    dataset_is_invisible_to_other_merchants: MemoryDataSets::default(), dynamo_datasets();
    replace_changes_only_json_element_and_updated_at: MemoryDataSets::default(), dynamo_datasets();
    replace_never_creates_nor_crosses_merchants: MemoryDataSets::default(), dynamo_datasets();
    listing_pages_in_created_order_within_bounds: MemoryDataSets::default(), dynamo_datasets();
    listing_pages_stop_before_their_byte_limit: MemoryDataSets::default(), dynamo_datasets();
    merchants_are_registered_once: MemoryMerchants::default(), dynamo_api_keys();
    keys_are_found_by_hash_and_revoked: MemoryMerchants::default(), dynamo_api_keys();
    forms_belong_to_the_merchant_who_wrote_them: MemoryForms::default(), dynamo_forms();
    sessions_round_trip_and_change_value_by_value: MemorySessions::default(), dynamo_sessions();
    session_writes_insist_on_what_was_checked: MemorySessions::default(), dynamo_sessions();
    visit_sessions_are_per_merchant_and_merge: MemoryVisits::default(), dynamo_visits();
}

#[tokio::test]
async fn processing_is_claimed_then_committed_all_or_nothing_in_memory() {
    let store = MemoryProcessing::default();
    contract::processing_is_claimed_then_committed_all_or_nothing(
        &store.sessions,
        &store,
        &store.entities.datasets,
        &store.entities,
    )
    .await;
}

#[tokio::test]
async fn processing_is_claimed_then_committed_all_or_nothing_on_dynamodb() {
    let processing = DynamoProcessing::new(dynamo_sessions(), dynamo_datasets(), dynamo_entities());
    contract::processing_is_claimed_then_committed_all_or_nothing(
        &dynamo_sessions(),
        &processing,
        &dynamo_datasets(),
        &dynamo_entities(),
    )
    .await;
}

#[tokio::test]
async fn entity_changes_are_all_or_nothing_in_memory() {
    let store = MemoryEntities::default();
    integration_tests::entity_contract::entity_changes_are_all_or_nothing(
        &store,
        &store.changelogs,
    )
    .await;
}

#[tokio::test]
async fn entity_changes_are_all_or_nothing_on_dynamodb() {
    integration_tests::entity_contract::entity_changes_are_all_or_nothing(
        &dynamo_entities(),
        &dynamo_changelogs(),
    )
    .await;
}

#[tokio::test]
async fn changelog_lists_in_created_order_within_bounds_in_memory() {
    let store = MemoryEntities::default();
    integration_tests::entity_contract::changelog_lists_in_created_order_within_bounds(
        &store,
        &store.changelogs,
    )
    .await;
}

#[tokio::test]
async fn changelog_lists_in_created_order_within_bounds_on_dynamodb() {
    integration_tests::entity_contract::changelog_lists_in_created_order_within_bounds(
        &dynamo_entities(),
        &dynamo_changelogs(),
    )
    .await;
}

#[tokio::test]
async fn changelog_finds_a_contacts_metadata_until_erased_in_memory() {
    let store = MemoryEntities::default();
    integration_tests::entity_contract::changelog_finds_a_contacts_metadata_until_erased(
        &store,
        &store.changelogs,
    )
    .await;
}

#[tokio::test]
async fn changelog_finds_a_contacts_metadata_until_erased_on_dynamodb() {
    integration_tests::entity_contract::changelog_finds_a_contacts_metadata_until_erased(
        &dynamo_entities(),
        &dynamo_changelogs(),
    )
    .await;
}
