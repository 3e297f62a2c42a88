//! Direct debits written straight into the Entities table, for the tests that need thousands
//! of them (processing that many donations through the API would only test processing again).

use jiff::civil::Date;

use shared::ground::country::CountryCode;
use shared::ground::ids::{EntityGuid, MerchantId};
use shared::ground::money::{Amount, Currency, MethodKind};
use shared::ledger::{
    Applied, Change, Contact, ContactState, DirectDebit, Entity, EntityStore, EntityWrite, Payment,
    PaymentMethod, PaymentMethodState, PaymentState, Person, Subscription, SubscriptionState,
};
use shared::sepa::{Mandate, MandateKind, PostalAddress, Sequence};

/// Payments per donor: a donor's contact, mandate and payments are written in one transaction
/// (100 items at most: two each, the entity and its directory entry).
const PER_DONOR: usize = 40;

/// What the seeded debits carry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A German donor: name and IBAN.
    Plain,
    /// A Swiss donor with the longest name, BIC and address a debit carries, on a mandate
    /// known under another creditor identifier (the debit carries the amendment).
    Longest,
}

/// `count` pending one-off direct debits of `cents` each, due on `due`, for `merchant`; their
/// guids.
pub async fn seed_due_debits<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    count: usize,
    cents: u64,
    due: Date,
) -> Vec<EntityGuid> {
    seed_shaped_debits(entities, merchant, count, cents, due, Shape::Plain).await
}

/// [`seed_due_debits`] of the given shape.
pub async fn seed_shaped_debits<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    count: usize,
    cents: u64,
    due: Date,
    shape: Shape,
) -> Vec<EntityGuid> {
    let amended = (shape == Shape::Longest).then(|| "DE98ZZZ09999999990".to_owned());
    let (name, iban, bic, address) = match shape {
        Shape::Plain => (
            "Jürgen Weiß-Öztürk".to_owned(),
            "DE89370400440532013000",
            None,
            None,
        ),
        Shape::Longest => (
            "W".repeat(70),
            "CH9300762011623852957",
            Some("UBSWCHZH80A".to_owned()),
            Some(PostalAddress {
                street: "S".repeat(70),
                post_code: "P".repeat(16),
                city: "C".repeat(35),
                country: CountryCode::parse("CH").expect("country"),
            }),
        ),
    };
    let now = shared::ground::time::now();
    let mut guids = Vec::with_capacity(count);
    let mut left = count;
    let mut writes = Vec::new();
    while left > 0 {
        let n = left.min(PER_DONOR);
        let contact = Contact {
            guid: EntityGuid::new_v4(),
            merchant_id: merchant.clone(),
            state: ContactState::Active,
            person: Box::new(Person {
                first_name: Some("Jürgen".into()),
                last_name: Some("Weiß-Öztürk".into()),
                ..Person::default()
            }),
            merged_into: None,
            pending: None,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        let method = EntityGuid::new_v4();
        // Seeded in bulk, as data from before mandates were told apart.
        let mandate = Mandate {
            kind: None,
            ..Mandate::new(method, due, MandateKind::OneOff)
        };
        writes.push(EntityWrite::Create(Entity::PaymentMethod(PaymentMethod {
            guid: method,
            contact: contact.guid,
            kind: MethodKind::SepaDirectDebit,
            state: PaymentMethodState::Active,
            iban: Some("DE89370400440532013000".into()),
            bic: None,
            holder: Some("Jürgen Weiß-Öztürk".into()),
            replaced_by: None,
            mandate: Some(mandate.clone()),
            provider_reference: None,
            created_at: now,
            updated_at: now,
            version: 0,
        })));
        for _ in 0..n {
            let guid = EntityGuid::new_v4();
            guids.push(guid);
            writes.push(EntityWrite::Create(Entity::Payment(Payment {
                guid,
                contact: contact.guid,
                subscription: None,
                payment_method: method,
                amount: Amount::from_cents(cents),
                currency: Currency::parse("EUR").expect("EUR"),
                due_date: due,
                state: PaymentState::Pending,
                refunded: Amount::from_cents(0),
                debit: Some(DirectDebit {
                    sequence: Sequence::Ooff,
                    mandate_reference: mandate.reference.clone(),
                    mandate_signed_on: due,
                    debtor_name: name.clone(),
                    debtor_iban: iban.into(),
                    debtor_bic: bic.clone(),
                    debtor_address: address.clone(),
                    collection: None,
                    collection_date: None,
                    returned: None,
                    creditor_id: amended.clone(),
                }),
                provider_reference: None,
                representation_of: None,
                created_at: now,
                updated_at: now,
                version: 0,
            })));
        }
        writes.insert(0, EntityWrite::Create(Entity::Contact(contact)));
        let change = Change {
            merchant: merchant.clone(),
            conditions: Vec::new(),
            writes: std::mem::take(&mut writes),
            records: Vec::new(),
        };
        assert_eq!(
            entities.apply(&change).await.expect("seeded"),
            Applied::Done
        );
        left -= n;
    }
    guids
}

/// A donor with a monthly SEPA subscription whose next period is `next_due`, on `day` of the
/// month, as a sign-up on that day would have left it (the mandate used for a FRST already):
/// its contact and subscription guids. For calendar tests that need a date today is not.
pub async fn seed_monthly_subscription<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    next_due: Date,
    day: i8,
) -> (EntityGuid, EntityGuid) {
    let now = shared::ground::time::now();
    let signed = next_due.saturating_sub(jiff::Span::new().months(1));
    let contact = Contact {
        guid: EntityGuid::new_v4(),
        merchant_id: merchant.clone(),
        state: ContactState::Active,
        person: Box::new(Person {
            first_name: Some("Erika".into()),
            last_name: Some("Mustermann".into()),
            ..Person::default()
        }),
        merged_into: None,
        pending: None,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let method = EntityGuid::new_v4();
    let mandate = Mandate::new(method, signed, MandateKind::Recurrent);
    let used = shared::ledger::used(
        &PaymentMethod {
            guid: method,
            contact: contact.guid,
            kind: MethodKind::SepaDirectDebit,
            state: PaymentMethodState::Active,
            iban: Some("DE89370400440532013000".into()),
            bic: None,
            holder: Some("Erika Mustermann".into()),
            replaced_by: None,
            mandate: Some(mandate),
            provider_reference: None,
            created_at: now,
            updated_at: now,
            version: 0,
        },
        signed,
        None,
    )
    .expect("a mandate to use");
    let subscription = Subscription {
        guid: EntityGuid::new_v4(),
        contact: contact.guid,
        amount: Amount::from_cents(2500),
        currency: Currency::parse("EUR").expect("EUR"),
        interval: shared::ground::money::Interval::new(1).expect("monthly"),
        state: SubscriptionState::Active,
        payment_method: method,
        next_due,
        day: Some(day),
        add_ons_due: None,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let guids = (contact.guid, subscription.guid);
    let change = Change {
        merchant: merchant.clone(),
        conditions: Vec::new(),
        writes: vec![
            EntityWrite::Create(Entity::Contact(contact)),
            EntityWrite::Create(Entity::PaymentMethod(used)),
            EntityWrite::Create(Entity::Subscription(subscription)),
        ],
        records: Vec::new(),
    };
    assert_eq!(
        entities.apply(&change).await.expect("seeded"),
        Applied::Done
    );
    guids
}
