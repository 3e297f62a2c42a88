//! The store contract: behaviour every `DataSetStore` and `ApiKeyStore` must have. Run
//! against DynamoDB Local and the in-memory stores by `tests/store_contract.rs`.

use jiff::{Timestamp, ToSpan};

use shared::auth::{ApiKey, ApiKeyRecord};
use shared::dataset::{DataSet, DataSetGuid, NewDataSet};
use shared::merchant::Merchant;
use shared::store::{ApiKeyStore, DataSetStore, StoreError};

use crate::unique_merchant;

fn sample(merchant: &shared::merchant::MerchantId, at: Timestamp) -> DataSet {
    let body = r#"{"vendor":"contract","sensitive_data":["iban"],
        "jsonElement":{"formResult":{"iban":"DE89370400440532013000","amount":"12.50"}},
        "sourceGuid":"101","isTransactional":true}"#;
    NewDataSet::from_json(body)
        .expect("valid body")
        .into_dataset(merchant.clone(), at)
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + seconds).expect("in range")
}

pub async fn dataset_round_trips<S: DataSetStore>(store: &S) {
    let merchant = unique_merchant("contract");
    let ds = sample(&merchant, shared::time::now());
    store.insert(&ds).await.expect("insert");
    assert_eq!(store.get(&merchant, &ds.guid).await.expect("get"), Some(ds));
}

pub async fn dataset_guid_cannot_be_inserted_twice<S: DataSetStore>(store: &S) {
    let merchant = unique_merchant("contract");
    let ds = sample(&merchant, at(0));
    store.insert(&ds).await.expect("first insert");
    let again = store.insert(&ds).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists)), "{again:?}");
}

pub async fn dataset_is_invisible_to_other_merchants<S: DataSetStore>(store: &S) {
    let (owner, other) = (unique_merchant("owner"), unique_merchant("other"));
    let ds = sample(&owner, at(0));
    store.insert(&ds).await.expect("insert");
    assert_eq!(store.get(&other, &ds.guid).await.expect("get"), None);
    assert_eq!(
        store
            .get(&owner, &DataSetGuid::new_v4())
            .await
            .expect("get"),
        None
    );
}

pub async fn replace_changes_only_json_element_and_updated_at<S: DataSetStore>(store: &S) {
    let merchant = unique_merchant("contract");
    let ds = sample(&merchant, at(0));
    store.insert(&ds).await.expect("insert");
    let replacement = shared::dataset::replacement_json_element(
        r#"{"jsonElement":{"formResult":{"amount":"99"}}}"#,
    )
    .expect("valid");
    let later = at(0) + 90.seconds();
    let updated = store
        .replace_json_element(&merchant, &ds.guid, &replacement, later)
        .await
        .expect("replace")
        .expect("exists");
    let expected = DataSet {
        json_element: replacement,
        updated_at: later,
        ..ds.clone()
    };
    assert_eq!(updated, expected);
    assert_eq!(
        store.get(&merchant, &ds.guid).await.expect("get"),
        Some(expected)
    );
}

pub async fn replace_never_creates_nor_crosses_merchants<S: DataSetStore>(store: &S) {
    let (owner, other) = (unique_merchant("owner"), unique_merchant("other"));
    let replacement =
        shared::dataset::replacement_json_element(r#"{"jsonElement":{}}"#).expect("valid");
    let missing = DataSetGuid::new_v4();
    assert_eq!(
        store
            .replace_json_element(&owner, &missing, &replacement, at(1))
            .await
            .expect("replace"),
        None
    );
    assert_eq!(store.get(&owner, &missing).await.expect("get"), None);

    let ds = sample(&owner, at(0));
    store.insert(&ds).await.expect("insert");
    assert_eq!(
        store
            .replace_json_element(&other, &ds.guid, &replacement, at(1))
            .await
            .expect("replace"),
        None
    );
    assert_eq!(store.get(&owner, &ds.guid).await.expect("get"), Some(ds));
}

pub async fn merchants_are_registered_once<S: ApiKeyStore>(store: &S) {
    let merchant = Merchant {
        id: unique_merchant("contract"),
        name: "Contract e.V.".to_owned(),
        created_at: shared::time::now(),
    };
    store.put_merchant(&merchant).await.expect("put");
    assert_eq!(
        store.get_merchant(&merchant.id).await.expect("get"),
        Some(merchant.clone())
    );
    let again = store.put_merchant(&merchant).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists)), "{again:?}");
    assert_eq!(
        store
            .get_merchant(&unique_merchant("none"))
            .await
            .expect("get"),
        None
    );
}

pub async fn keys_are_found_by_hash_and_revoked<S: ApiKeyStore>(store: &S) {
    let key = ApiKey::generate().expect("rng");
    let record = ApiKeyRecord {
        key_hash: key.hash(),
        merchant_id: unique_merchant("contract"),
        created_at: shared::time::now(),
        revoked: false,
    };
    store.put_key(&record).await.expect("put");
    assert_eq!(
        store.get_key(&key.hash()).await.expect("get"),
        Some(record.clone())
    );
    assert!(store.revoke_key(&key.hash()).await.expect("revoke"));
    let revoked = store
        .get_key(&key.hash())
        .await
        .expect("get")
        .expect("still there");
    assert!(revoked.revoked);

    let unknown = ApiKey::generate().expect("rng").hash();
    assert_eq!(store.get_key(&unknown).await.expect("get"), None);
    assert!(!store.revoke_key(&unknown).await.expect("revoke"));
}
