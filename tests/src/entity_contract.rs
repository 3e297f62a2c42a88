//! The entity store contract, run on DynamoDB Local and in memory: a change is written whole
//! or (on a conflict) not at all, whatever part fails its condition; entities are found by
//! guid through the directory, moved between contacts, and never seen by another merchant;
//! the changelog is read and listed as written.

use jiff::{Timestamp, ToSpan};
use serde_json::json;

use shared::changelog::{ChangelogEntry, ChangelogStatus, ChangelogStore};
use shared::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use shared::ground::money::{Amount, Currency};
use shared::ledger::{
    Applied, Change, Contact, ContactState, Entity, EntityKind, EntityStore, EntityWrite, Located,
    Payment, PaymentState, Person, RecordWrite,
};
use shared::listing::{PageLimit, Start, TimeBounds};

use crate::unique_merchant;

fn contact(merchant: &MerchantId, at: Timestamp) -> Contact {
    Contact {
        guid: EntityGuid::new_v4(),
        merchant_id: merchant.clone(),
        state: ContactState::Active,
        person: Box::new(Person {
            last_name: Some("Mustermann".into()),
            ..Person::default()
        }),
        merged_into: None,
        pending: None,
        created_at: at,
        updated_at: at,
        version: 0,
    }
}

fn payment(contact: &Contact, at: Timestamp) -> Payment {
    Payment {
        guid: EntityGuid::new_v4(),
        contact: contact.guid,
        subscription: None,
        payment_method: EntityGuid::new_v4(),
        amount: Amount::from_cents(2500),
        currency: Currency::parse("EUR").expect("EUR"),
        due_date: at.to_zoned(jiff::tz::TimeZone::UTC).date(),
        state: PaymentState::Collected,
        refunded: Amount::from_cents(0),
        debit: None,
        provider_reference: None,
        representation_of: None,
        created_at: at,
        updated_at: at,
        version: 0,
    }
}

fn entry(merchant: &MerchantId, contact: &Contact, at: Timestamp) -> ChangelogEntry {
    ChangelogEntry {
        guid: ChangelogGuid::new_v4(),
        merchant_id: merchant.clone(),
        created_at: at,
        updated_at: at,
        action: "Refund".into(),
        entity_type: "Payment".into(),
        entity_guid: contact.guid,
        contact_guid: contact.guid,
        meta_data: None,
        before: json!({"state": "collected"}),
        after: json!({"state": "refunded"}),
        status: ChangelogStatus::Completed,
    }
}

fn change(merchant: &MerchantId, writes: Vec<EntityWrite>, records: Vec<RecordWrite>) -> Change {
    Change {
        merchant: merchant.clone(),
        conditions: Vec::new(),
        writes,
        records,
    }
}

pub async fn entity_changes_are_all_or_nothing<E: EntityStore, C: ChangelogStore>(
    store: &E,
    changelogs: &C,
) {
    let merchant = unique_merchant("entities");
    let now = shared::ground::time::now();
    let donor = contact(&merchant, now);
    let paid = payment(&donor, now);
    let created = change(
        &merchant,
        vec![
            EntityWrite::Create(Entity::Contact(donor.clone())),
            EntityWrite::Create(Entity::Payment(paid.clone())),
        ],
        Vec::new(),
    );
    assert_eq!(store.apply(&created).await.expect("apply"), Applied::Done);
    assert_eq!(
        store.apply(&created).await.expect("apply"),
        Applied::Conflict,
        "a guid is created once"
    );
    assert_eq!(
        store.locate(&merchant, &paid.guid).await.expect("locate"),
        Some(Located {
            contact: donor.guid,
            kind: EntityKind::Payment
        })
    );
    let stranger = unique_merchant("entities");
    assert_eq!(
        store.locate(&stranger, &paid.guid).await.expect("locate"),
        None
    );
    assert_eq!(
        store.donor(&stranger, &donor.guid).await.expect("donor"),
        None
    );

    // A stale version, or a contact not in the state insisted on: nothing at all is written.
    let refunded = Payment {
        state: PaymentState::Refunded,
        version: 1,
        ..paid.clone()
    };
    let logged = entry(&merchant, &donor, now);
    let stale = change(
        &merchant,
        vec![EntityWrite::Replace {
            entity: Entity::Payment(refunded.clone()),
            expected: 7,
        }],
        vec![RecordWrite::NewChangelog(logged.clone())],
    );
    assert_eq!(store.apply(&stale).await.expect("apply"), Applied::Conflict);
    let mut archived_only = change(
        &merchant,
        vec![EntityWrite::Replace {
            entity: Entity::Payment(refunded.clone()),
            expected: 0,
        }],
        vec![RecordWrite::NewChangelog(logged.clone())],
    );
    archived_only
        .conditions
        .push((donor.guid, &[ContactState::Archived]));
    assert_eq!(
        store.apply(&archived_only).await.expect("apply"),
        Applied::Conflict
    );
    assert_eq!(
        changelogs.get(&merchant, &logged.guid).await.expect("get"),
        None
    );
    let read = store
        .donor(&merchant, &donor.guid)
        .await
        .expect("donor")
        .expect("there");
    assert_eq!(read.payments, vec![paid.clone()]);

    // As read, with the contact active: entity and entry together.
    let mut fresh = archived_only;
    fresh.conditions = vec![(donor.guid, &[ContactState::Active])];
    assert_eq!(store.apply(&fresh).await.expect("apply"), Applied::Done);
    assert_eq!(
        store
            .donor(&merchant, &donor.guid)
            .await
            .expect("donor")
            .expect("there")
            .payments,
        vec![refunded.clone()]
    );
    assert_eq!(
        changelogs.get(&merchant, &logged.guid).await.expect("get"),
        Some(logged.clone())
    );
    assert_eq!(
        changelogs.get(&stranger, &logged.guid).await.expect("get"),
        None
    );
    assert_eq!(
        store.apply(&fresh).await.expect("apply"),
        Applied::Conflict,
        "never twice"
    );

    // A finished entry is never updated again.
    let mut update = logged.clone();
    update.after = json!({"state": "tampered"});
    let reopen = change(
        &merchant,
        Vec::new(),
        vec![RecordWrite::UpdateChangelog(update)],
    );
    assert_eq!(
        store.apply(&reopen).await.expect("apply"),
        Applied::Conflict
    );

    // Moved into another contact: found there, gone from the first.
    let other = contact(&merchant, now);
    let make_other = change(
        &merchant,
        vec![EntityWrite::Create(Entity::Contact(other.clone()))],
        Vec::new(),
    );
    assert_eq!(
        store.apply(&make_other).await.expect("apply"),
        Applied::Done
    );
    let moved = Payment {
        contact: other.guid,
        ..refunded.clone()
    };
    let relocate = change(
        &merchant,
        vec![EntityWrite::Move {
            entity: Entity::Payment(moved.clone()),
            from: donor.guid,
            expected: refunded.version,
        }],
        Vec::new(),
    );
    assert_eq!(store.apply(&relocate).await.expect("apply"), Applied::Done);
    assert_eq!(
        store.apply(&relocate).await.expect("apply"),
        Applied::Conflict
    );
    assert_eq!(
        store
            .locate(&merchant, &moved.guid)
            .await
            .expect("locate")
            .map(|l| l.contact),
        Some(other.guid)
    );
    assert!(
        store
            .donor(&merchant, &donor.guid)
            .await
            .expect("donor")
            .expect("there")
            .payments
            .is_empty()
    );
    assert_eq!(
        store
            .donor(&merchant, &other.guid)
            .await
            .expect("donor")
            .expect("there")
            .payments,
        vec![moved]
    );
}

pub async fn changelog_lists_in_created_order_within_bounds<E: EntityStore, C: ChangelogStore>(
    store: &E,
    changelogs: &C,
) {
    let merchant = unique_merchant("changelog");
    let base: Timestamp = "2026-03-01T10:00:00Z".parse().expect("time");
    let donor = contact(&merchant, base);
    let entries: Vec<ChangelogEntry> = (0..7)
        .map(|i| entry(&merchant, &donor, base + (i * 10).minutes()))
        .collect();
    for e in &entries {
        let record = change(
            &merchant,
            Vec::new(),
            vec![RecordWrite::NewChangelog(e.clone())],
        );
        assert_eq!(store.apply(&record).await.expect("apply"), Applied::Done);
    }
    let bounds = TimeBounds {
        from: Some(base + 10.minutes()),
        until: Some(base + 60.minutes()),
    };
    let first = changelogs
        .list(&merchant, bounds, Start::Skip(0), PageLimit::items(3))
        .await
        .expect("list");
    assert_eq!(first.items, entries[1..4].to_vec());
    assert!(first.more);
    let rest = changelogs
        .list(&merchant, bounds, Start::Skip(3), PageLimit::items(3))
        .await
        .expect("list");
    assert_eq!(rest.items, entries[4..6].to_vec());
    assert!(!rest.more);
    let stranger = unique_merchant("changelog");
    let none = changelogs
        .list(&stranger, bounds, Start::Skip(0), PageLimit::items(3))
        .await
        .expect("list");
    assert!(none.items.is_empty());
}

/// Entries with `metaData` are found by contact until an erasure went over them; entries
/// without, another contact's and another merchant's are not.
pub async fn changelog_finds_a_contacts_metadata_until_erased<E: EntityStore, C: ChangelogStore>(
    store: &E,
    changelogs: &C,
) {
    let merchant = unique_merchant("changelog-meta");
    let base: Timestamp = "2026-03-01T10:00:00Z".parse().expect("time");
    let (donor, other) = (contact(&merchant, base), contact(&merchant, base));
    let noted = ChangelogEntry {
        meta_data: Some(json!({"email": "erika@example.org", "reason": "paused"})),
        ..entry(&merchant, &donor, base)
    };
    let plain = entry(&merchant, &donor, base + 1.minutes());
    let elsewhere = ChangelogEntry {
        meta_data: Some(json!({"note": "x"})),
        ..entry(&merchant, &other, base)
    };
    for e in [&noted, &plain, &elsewhere] {
        let record = change(
            &merchant,
            Vec::new(),
            vec![RecordWrite::NewChangelog(e.clone())],
        );
        assert_eq!(store.apply(&record).await.expect("apply"), Applied::Done);
    }
    let found = changelogs
        .with_meta_data(&merchant, &donor.guid, 10)
        .await
        .expect("query");
    assert_eq!(found, vec![noted.clone()]);
    let stranger = unique_merchant("changelog-meta");
    assert!(
        changelogs
            .with_meta_data(&stranger, &donor.guid, 10)
            .await
            .expect("query")
            .is_empty()
    );
    changelogs
        .erase_meta_data(&stranger, &noted.guid, None)
        .await
        .expect("another merchant's: left alone");
    let erased = Some(json!({"reason": "paused"}));
    changelogs
        .erase_meta_data(&merchant, &noted.guid, erased.clone())
        .await
        .expect("erase");
    let stored = changelogs
        .get(&merchant, &noted.guid)
        .await
        .expect("get")
        .expect("there");
    assert_eq!(stored.meta_data, erased);
    assert!(
        changelogs
            .with_meta_data(&merchant, &donor.guid, 10)
            .await
            .expect("query")
            .is_empty(),
        "gone over once"
    );
}
