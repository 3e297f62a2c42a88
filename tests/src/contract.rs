//! The store contract: behaviour every store (DataSets, API keys, forms, sessions) must have. Run
//! against DynamoDB Local and the in-memory stores by `tests/store_contract.rs`.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp, ToSpan};
use serde_json::json;

use shared::dataset::{DataSet, DataSetStore};
use shared::form::{Form, FormStore, FormWrite};
use shared::ground::ids::{DataSetGuid, MerchantId, SessionHash, VisitSessionId};
use shared::ground::money::Amount;
use shared::ground::storage::StoreError;
use shared::ledger::{Contact, ContactState, Donor, EntityStore, Person, derived_guid};
use shared::listing::{PageLimit, Position, Start, TimeBounds};
use shared::merchant::{ApiKey, ApiKeyRecord, Merchant, MerchantStore};
use shared::session::{
    Claim, Expectation, PaymentSession, ProcessStore, Processed, Processing, SessionChanges,
    SessionStatus, SessionStore, SessionWrite,
};
use shared::visit::{VisitIds, VisitSession, VisitStore};
use shared::wire;

use crate::unique_merchant;

fn sample(merchant: &shared::ground::ids::MerchantId, at: Timestamp) -> DataSet {
    let body = r#"{"vendor":"contract","sensitive_data":["iban"],
        "jsonElement":{"formResult":{"iban":"DE89370400440532013000","amount":"12.50"}},
        "sourceGuid":"101","isTransactional":true}"#;
    wire::datasets::new_dataset(body)
        .expect("valid body")
        .into_dataset(merchant.clone(), at)
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + seconds).expect("in range")
}

pub async fn dataset_round_trips<S: DataSetStore>(store: &S) {
    let merchant = unique_merchant("contract");
    let ds = sample(&merchant, shared::ground::time::now());
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
    let replacement =
        wire::datasets::replacement(r#"{"jsonElement":{"formResult":{"amount":"99"}}}"#)
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
    let replacement = wire::datasets::replacement(r#"{"jsonElement":{}}"#).expect("valid");
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

pub async fn merchants_are_registered_once<S: MerchantStore>(store: &S) {
    let merchant = Merchant {
        id: unique_merchant("contract"),
        name: "Contract e.V.".to_owned(),
        created_at: shared::ground::time::now(),
        forms_enabled: false,
        creditor: None,
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

pub async fn keys_are_found_by_hash_and_revoked<S: MerchantStore>(store: &S) {
    let key = ApiKey::generate().expect("rng");
    let record = ApiKeyRecord {
        key_hash: key.hash(),
        merchant_id: unique_merchant("contract"),
        created_at: shared::ground::time::now(),
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

fn position(ds: &DataSet) -> Position {
    Position {
        created_at: ds.created_at,
        guid: ds.guid.uuid(),
    }
}

/// Pages through everything with `start` chosen by `next`, collecting positions.
async fn walk<S: DataSetStore>(
    store: &S,
    merchant: &shared::ground::ids::MerchantId,
    bounds: TimeBounds,
    page_size: usize,
    by_position: bool,
) -> Vec<Position> {
    let (mut seen, mut start) = (Vec::new(), Start::Skip(0));
    for page_number in 1u64.. {
        let page = store
            .list(merchant, bounds, start, PageLimit::items(page_size))
            .await
            .expect("list");
        assert!(page.items.len() <= page_size);
        seen.extend(page.items.iter().map(position));
        if !page.more {
            break;
        }
        assert_eq!(page.items.len(), page_size, "only the last page is short");
        start = match (by_position, seen.last()) {
            (true, Some(last)) => Start::After(*last),
            _ => Start::Skip(page_number * page_size as u64),
        };
    }
    seen
}

pub async fn listing_pages_in_created_order_within_bounds<S: DataSetStore>(store: &S) {
    let (merchant, other) = (unique_merchant("list"), unique_merchant("other"));
    let mut expected = Vec::new();
    for i in 0..40 {
        // Every fifth DataSet shares its second with the previous one: ties go by guid.
        let ds = sample(&merchant, at(i - i % 5 / 4));
        store.insert(&ds).await.expect("insert");
        expected.push(position(&ds));
        store.insert(&sample(&other, at(i))).await.expect("insert");
    }
    expected.sort();
    for page_size in [1, 7, 40, 100] {
        assert_eq!(
            walk(store, &merchant, TimeBounds::default(), page_size, false).await,
            expected
        );
        assert_eq!(
            walk(store, &merchant, TimeBounds::default(), page_size, true).await,
            expected
        );
    }
    let bounds = TimeBounds {
        from: Some(at(10)),
        until: Some(at(20)),
    };
    let inside: Vec<Position> = expected
        .iter()
        .copied()
        .filter(|p| bounds.contains(p.created_at))
        .collect();
    assert_eq!(
        inside.first().map(|p| p.created_at),
        Some(at(10)),
        "from is inclusive"
    );
    assert!(
        inside.iter().all(|p| p.created_at < at(20)),
        "until is exclusive"
    );
    assert_eq!(walk(store, &merchant, bounds, 3, false).await, inside);
    assert_eq!(walk(store, &merchant, bounds, 3, true).await, inside);
    let empty = store
        .list(
            &unique_merchant("nobody"),
            TimeBounds::default(),
            Start::Skip(0),
            PageLimit::items(10),
        )
        .await
        .expect("list");
    assert!(empty.items.is_empty() && !empty.more);
}

/// A DataSet whose document is `len` bytes of quotes and text: escaped once more in Lambda's
/// response, so its listed size is well above its stored size.
fn sized(merchant: &shared::ground::ids::MerchantId, at: Timestamp, len: usize) -> DataSet {
    let note = "\\\"x".repeat(len / 3);
    let body =
        format!(r#"{{"vendor":"contract","sensitive_data":[],"jsonElement":{{"note":"{note}"}}}}"#);
    wire::datasets::new_dataset(&body)
        .expect("valid body")
        .into_dataset(merchant.clone(), at)
}

pub async fn listing_pages_stop_before_their_byte_limit<S: DataSetStore>(store: &S) {
    let merchant = unique_merchant("sized");
    let mut datasets = Vec::new();
    for i in 0..8 {
        let ds = sized(&merchant, at(i), 300 * (1 + i as usize % 3));
        store.insert(&ds).await.expect("insert");
        datasets.push(ds);
    }
    let size = |ds: &DataSet| wire::datasets::listed_size(ds).total();
    assert!(
        size(&datasets[0]) > 2 * 300,
        "escapes count: {}",
        size(&datasets[0])
    );
    // Room for exactly the first three.
    let limit = PageLimit {
        items: 100,
        bytes: datasets[..3].iter().map(size).sum::<u64>() + size(&datasets[3]) - 1,
    };
    let first = store
        .list(&merchant, TimeBounds::default(), Start::Skip(0), limit)
        .await
        .expect("list");
    assert_eq!(first.items, datasets[..3]);
    assert!(first.more);

    // The same walk by position sees every DataSet once, each page within the limit.
    let (mut seen, mut start) = (Vec::new(), Start::Skip(0));
    loop {
        let page = store
            .list(&merchant, TimeBounds::default(), start, limit)
            .await
            .expect("list");
        assert!(!page.items.is_empty());
        assert!(page.items.iter().map(size).sum::<u64>() <= limit.bytes);
        seen.extend(page.items.iter().map(position));
        let Some(last) = page.items.last().filter(|_| page.more) else {
            break;
        };
        start = Start::After(position(last));
    }
    assert_eq!(seen, datasets.iter().map(position).collect::<Vec<_>>());

    // A replaced document counts with its new size: the first DataSet alone now fills a page,
    // and a page is never empty for it.
    let huge = sized(&merchant, at(0), 3 * 3000);
    store
        .replace_json_element(&merchant, &datasets[0].guid, &huge.json_element, at(1))
        .await
        .expect("replace")
        .expect("exists");
    let first = store
        .list(&merchant, TimeBounds::default(), Start::Skip(0), limit)
        .await
        .expect("list");
    assert_eq!(first.items.len(), 1);
    assert_eq!(first.items[0].json_element, huge.json_element);
    assert!(first.more);
}

fn sample_form(merchant: &shared::ground::ids::MerchantId) -> Form {
    let hash = crate::unique_form_hash();
    Form {
        definition: wire::forms::definition(admin::seed::DEMO_FORM_JSON, &hash, merchant)
            .expect("demo form"),
        hash,
        merchant_id: merchant.clone(),
        updated_at: shared::ground::time::now(),
        creditor: None,
    }
}

pub async fn forms_belong_to_the_merchant_who_wrote_them<S: FormStore>(store: &S) {
    let owner = unique_merchant("contract");
    let mut form = sample_form(&owner);
    assert_eq!(store.put(&form).await.expect("put"), FormWrite::Created);
    assert_eq!(
        store.get(&form.hash).await.expect("get"),
        Some(form.clone())
    );
    form.definition.active = false;
    form.definition.min_amount = Amount::from_cents(1000);
    assert_eq!(store.put(&form).await.expect("put"), FormWrite::Replaced);
    assert_eq!(
        store.get(&form.hash).await.expect("get"),
        Some(form.clone())
    );
    let mut takeover = form.clone();
    takeover.merchant_id = unique_merchant("other");
    takeover.definition.name = "Hijacked".into();
    assert_eq!(store.put(&takeover).await.expect("put"), FormWrite::Taken);
    assert_eq!(store.get(&form.hash).await.expect("get"), Some(form));
    let unknown = crate::unique_form_hash();
    assert_eq!(store.get(&unknown).await.expect("get"), None);
}

fn sample_session(form: &Form, now: Timestamp) -> PaymentSession {
    let mut session = PaymentSession::open(
        SessionHash::generate().expect("random"),
        form,
        now,
        SignedDuration::from_hours(48),
    );
    session.values = json!({
        "first_name": "Erika",
        "iban": "DE89370400440532013000",
        "crm_id": 4711,
        "price": 12.5,
        "opt_in": true,
        "basket": [{"sku": "X", "qty": "2"}],
        "nothing": null
    })
    .as_object()
    .cloned()
    .expect("map");
    session.meta = json!({"iban": {"country": "DE", "bank_code": "37040044"}})
        .as_object()
        .cloned()
        .expect("map");
    session.fixed = BTreeSet::from(["first_name".to_owned()]);
    session
}

fn changes(now: Timestamp) -> SessionChanges {
    SessionChanges {
        set_values: vec![
            ("last_name".into(), json!("Mustermann")),
            ("basket".into(), json!([{"sku": "Y"}])),
        ],
        remove_values: vec!["iban".into()],
        set_meta: vec![],
        remove_meta: vec!["iban".into()],
        fixed: Some(BTreeSet::from(["first_name".into(), "last_name".into()])),
        visit_session: Some(VisitSessionId::parse("visit-contract-1").expect("id")),
        updated_at: now,
        expires_at: shared::ground::time::expiry(now, SignedDuration::from_hours(48)),
    }
}

pub async fn sessions_round_trip_and_change_value_by_value<S: SessionStore>(store: &S) {
    let form = sample_form(&unique_merchant("contract"));
    let created_at = shared::ground::time::now();
    let session = sample_session(&form, created_at);
    store.create(&session).await.expect("create");
    assert_eq!(
        store.get(&session.hash).await.expect("get"),
        Some(session.clone())
    );
    let again = store.create(&session).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists)), "{again:?}");

    let now = created_at + SignedDuration::from_secs(5);
    let expect = Expectation {
        form_hash: form.hash.clone(),
        fixed_rev: session.fixed_rev,
        now,
    };
    let mut expected = session.clone();
    expected.apply(&changes(now));
    match store.update(&session.hash, &expect, &changes(now)).await {
        Ok(SessionWrite::Updated(updated)) => assert_eq!(updated, expected),
        other => panic!("expected an update, got {other:?}"),
    }
    assert_eq!(store.get(&session.hash).await.expect("get"), Some(expected));
}

pub async fn session_writes_insist_on_what_was_checked<S: SessionStore>(store: &S) {
    let form = sample_form(&unique_merchant("contract"));
    let now = shared::ground::time::now();
    let session = sample_session(&form, now);
    store.create(&session).await.expect("create");
    let expect = Expectation {
        form_hash: form.hash.clone(),
        fixed_rev: session.fixed_rev,
        now,
    };
    let refused = [
        (
            "stale fixed set",
            Expectation {
                fixed_rev: 7,
                ..expect.clone()
            },
        ),
        (
            "other form",
            Expectation {
                form_hash: crate::unique_form_hash(),
                ..expect.clone()
            },
        ),
        (
            "expired",
            Expectation {
                now: session.expires_at,
                ..expect.clone()
            },
        ),
    ];
    for (case, expectation) in refused {
        match store
            .update(&session.hash, &expectation, &changes(now))
            .await
        {
            Ok(SessionWrite::Conflict(Some(current))) => assert_eq!(current, session, "{case}"),
            other => panic!("{case}: expected a conflict, got {other:?}"),
        }
    }
    let missing = SessionHash::generate().expect("random");
    assert!(matches!(
        store.update(&missing, &expect, &changes(now)).await,
        Ok(SessionWrite::Conflict(None))
    ));
    let mut processed = sample_session(&form, now);
    processed.status = SessionStatus::Processed;
    store.create(&processed).await.expect("create");
    let expect = Expectation {
        fixed_rev: processed.fixed_rev,
        ..expect
    };
    match store.update(&processed.hash, &expect, &changes(now)).await {
        Ok(SessionWrite::Conflict(Some(current))) => assert_eq!(current, processed),
        other => panic!("processed: expected a conflict, got {other:?}"),
    }
    assert_eq!(store.get(&session.hash).await.expect("get"), Some(session));
}

/// The donor a processing under `guid` creates: a contact, its guid derived from the claim.
fn donor_for(merchant: &MerchantId, guid: DataSetGuid, at: Timestamp) -> Donor {
    Donor {
        contact: Contact {
            guid: derived_guid(guid.uuid(), "contact"),
            merchant_id: merchant.clone(),
            state: ContactState::Active,
            person: Box::new(Person {
                first_name: Some("Erika".into()),
                ..Person::default()
            }),
            merged_into: None,
            pending: None,
            created_at: at,
            updated_at: at,
            version: 0,
        },
        payment_methods: Vec::new(),
        subscriptions: Vec::new(),
        payments: Vec::new(),
        add_ons: Vec::new(),
    }
}

fn processed_for(
    session: &PaymentSession,
    guid: DataSetGuid,
    at: Timestamp,
) -> (Processed, DataSet, Donor) {
    let form = sample_form(&session.merchant_id);
    let processed = Processed {
        data_set_guid: guid,
        payment_result: json!({"paymentGuidResult": "a863d62e-d53b-4651-9b7b-000000000001"})
            .as_object()
            .cloned()
            .expect("map"),
        processed_at: at,
    };
    let donor = donor_for(&session.merchant_id, guid, at);
    let dataset = shared::session::donation_dataset(
        session,
        &form,
        &processed,
        None,
        Some(donor.contact.guid),
    )
    .expect("dataset");
    (processed, dataset, donor)
}

/// Processing claims the session (`open` → `processing`, only as it was read) and then commits
/// the processed session, the DataSet and the donor's entities together, or none of them: a
/// session that changed since it was read, a commit under another claim, or a second commit
/// leave everything as it was.
pub async fn processing_is_claimed_then_committed_all_or_nothing<
    S: SessionStore,
    P: ProcessStore,
    D: DataSetStore,
    E: EntityStore,
>(
    sessions: &S,
    store: &P,
    datasets: &D,
    entities: &E,
) {
    let form = sample_form(&unique_merchant("contract"));
    let now = shared::ground::time::now();
    let session = sample_session(&form, now);
    sessions.create(&session).await.expect("create");
    let claim = Claim {
        data_set_guid: DataSetGuid::new_v4(),
        claimed_at: now,
    };

    // Changed between read and claim: nothing is claimed.
    let expect = Expectation {
        form_hash: form.hash.clone(),
        fixed_rev: session.fixed_rev,
        now,
    };
    assert!(matches!(
        sessions.update(&session.hash, &expect, &changes(now)).await,
        Ok(SessionWrite::Updated(_))
    ));
    assert_eq!(
        store.claim(&session, &claim, now).await.expect("claim"),
        Processing::Conflict
    );
    let current = sessions
        .get(&session.hash)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(
        (current.status, current.claim.clone()),
        (SessionStatus::Open, None)
    );

    // Read fresh: claimed, and its values are frozen.
    assert_eq!(
        store.claim(&current, &claim, now).await.expect("claim"),
        Processing::Done
    );
    let claimed = sessions
        .get(&session.hash)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(claimed.status, SessionStatus::Processing);
    assert_eq!(claimed.claim, Some(claim.clone()));
    assert_eq!(claimed.values, current.values);
    assert!(matches!(
        sessions.update(&session.hash, &expect, &changes(now)).await,
        Ok(SessionWrite::Conflict(Some(_)))
    ));

    // A commit under another claim writes nothing.
    let (stray, stray_dataset, stray_donor) = processed_for(&claimed, DataSetGuid::new_v4(), now);
    assert_eq!(
        store
            .commit(&claimed, &stray, &stray_dataset, &stray_donor)
            .await
            .expect("commit"),
        Processing::Conflict
    );
    assert_eq!(
        datasets
            .get(&form.merchant_id, &stray_dataset.guid)
            .await
            .expect("get"),
        None
    );
    let stray_contact = stray_donor.contact.guid;
    assert_eq!(
        entities
            .donor(&form.merchant_id, &stray_contact)
            .await
            .expect("donor"),
        None
    );

    // The claim's commit: both writes, and the donor's values leave the session.
    let (processed, dataset, donor) = processed_for(&claimed, claim.data_set_guid, now);
    assert_eq!(
        store
            .commit(&claimed, &processed, &dataset, &donor)
            .await
            .expect("commit"),
        Processing::Done
    );
    let done = sessions
        .get(&session.hash)
        .await
        .expect("get")
        .expect("session");
    assert_eq!(done.status, SessionStatus::Processed);
    assert_eq!(done.processed, Some(processed.clone()));
    assert_eq!(done.version, claimed.version + 1);
    assert!(done.values.is_empty() && done.meta.is_empty(), "{done:?}");
    assert_eq!(
        datasets
            .get(&form.merchant_id, &dataset.guid)
            .await
            .expect("get"),
        Some(dataset.clone())
    );
    let contact = donor.contact.guid;
    assert_eq!(
        entities
            .donor(&form.merchant_id, &contact)
            .await
            .expect("donor"),
        Some(donor.clone())
    );

    // Again: refused, still exactly one DataSet.
    assert_eq!(
        store
            .commit(&claimed, &processed, &dataset, &donor)
            .await
            .expect("commit"),
        Processing::Conflict
    );
}

pub async fn visit_sessions_are_per_merchant_and_merge<S: VisitStore>(store: &S) {
    let (owner, stranger) = (unique_merchant("contract"), unique_merchant("contract"));
    let now = shared::ground::time::now();
    let ttl = SignedDuration::from_hours(24);
    let id = VisitSessionId::generate().expect("random");
    let ids = VisitIds {
        customer_id: Some("c-1".into()),
        ..VisitIds::default()
    };
    let session = VisitSession::new(id.clone(), owner.clone(), ids, now, ttl);
    store.create(&session).await.expect("create");
    let again = store.create(&session).await;
    assert!(matches!(again, Err(StoreError::AlreadyExists)), "{again:?}");
    assert_eq!(
        store.get(&owner, &id).await.expect("get"),
        Some(session.clone())
    );
    assert_eq!(store.get(&stranger, &id).await.expect("get"), None);

    let later = now + SignedDuration::from_secs(60);
    let more = VisitIds {
        visit_id: Some("v-1".into()),
        ..VisitIds::default()
    };
    let (merged, created) = store
        .associate(&owner, &id, &more, later, ttl)
        .await
        .expect("associate");
    assert!(!created);
    assert_eq!(merged.ids.customer_id.as_deref(), Some("c-1"));
    assert_eq!(merged.ids.visit_id.as_deref(), Some("v-1"));
    assert_eq!(merged.created_at, now);
    assert_eq!(merged.updated_at, later);
    assert_eq!(merged.expires_at, shared::ground::time::expiry(later, ttl));
    assert_eq!(
        store.get(&owner, &id).await.expect("get"),
        Some(merged.clone())
    );

    // Another merchant's id space is its own; an expired session starts anew.
    let (theirs, created) = store
        .associate(&stranger, &id, &more, later, ttl)
        .await
        .expect("associate");
    assert!(created);
    assert_eq!(theirs.ids.customer_id, None);
    let after_expiry = merged.expires_at + SignedDuration::from_secs(1);
    let (fresh, created) = store
        .associate(&owner, &id, &VisitIds::default(), after_expiry, ttl)
        .await
        .expect("associate");
    assert!(created);
    assert_eq!(fresh.ids, VisitIds::default());
    assert_eq!(fresh.created_at, after_expiry);
}
