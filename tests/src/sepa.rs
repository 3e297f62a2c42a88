//! Direct debits written straight into the Entities table, for the tests that need thousands
//! of them (processing that many donations through the API would only test processing again).

use jiff::civil::Date;

use shared::ground::ids::{EntityGuid, MerchantId};
use shared::ground::money::{Amount, Currency, MethodKind};
use shared::ledger::{
    Applied, Change, Contact, ContactState, DirectDebit, Entity, EntityStore, EntityWrite, Payment,
    PaymentMethod, PaymentMethodState, PaymentState, Person,
};
use shared::sepa::{Mandate, Sequence};

/// Payments per donor: a donor's contact, mandate and payments are written in one transaction
/// (100 items at most: two each, the entity and its directory entry).
const PER_DONOR: usize = 40;

/// `count` pending one-off direct debits of `cents` each, due on `due`, for `merchant`; their
/// guids.
pub async fn seed_due_debits<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    count: usize,
    cents: u64,
    due: Date,
) -> Vec<EntityGuid> {
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
        let mandate = Mandate::new(method, due);
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
                    debtor_name: "Jürgen Weiß-Öztürk".into(),
                    debtor_iban: "DE89370400440532013000".into(),
                    debtor_bic: None,
                    debtor_address: None,
                    collection: None,
                    collection_date: None,
                    returned: None,
                }),
                provider_reference: None,
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
