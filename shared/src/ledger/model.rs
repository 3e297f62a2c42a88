//! The payment entities behind a donation, all in one partition per contact: the contact, its
//! payment methods (a SEPA mandate, later cards), subscriptions, payments and add-ons.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::ground::ids::{ChangelogGuid, EntityGuid, MerchantId};
use crate::ground::money::{Amount, Currency, Interval, MethodKind};
use crate::sepa::{Mandate, PostalAddress, Sequence};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContactState {
    Active,
    /// Read-only: kept for the records, changed no more.
    Archived,
    /// Moved into another contact (`merged_into`); a pointer only.
    Merged,
    /// Being erased, in batches; `anonymised` once nothing of the donor is left.
    Anonymising,
    Anonymised,
}

/// A donor's person and address, as the form's value names call them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salutation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
}

impl Person {
    /// The name to print on a mandate or a receipt.
    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.first_name, &self.last_name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty())
            .then(|| parts.join(" "))
            .or_else(|| self.company.clone())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub guid: EntityGuid,
    pub merchant_id: MerchantId,
    pub state: ContactState,
    /// Boxed: most of a contact's size, and an entity is moved around a lot.
    pub person: Box<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<EntityGuid>,
    /// The changelog entry of an erasure or merge under way, and how far its batches got
    /// (the sort key of the last DataSet done): the next call goes on from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pending {
    pub changelog: ChangelogGuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub done: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PaymentMethodState {
    Active,
    /// A renewal replaced it (`replaced_by`); subscriptions moved to the new one.
    Replaced,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub guid: EntityGuid,
    pub contact: EntityGuid,
    pub kind: MethodKind,
    pub state: PaymentMethodState,
    /// SEPA: the debtor's IBAN (electronic form), shown masked in every answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    /// The account holder (the debtor of a mandate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<EntityGuid>,
    /// SEPA: the mandate the donor signed in the form (or with a renewal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<Mandate>,
    /// Cards and PayPal: the provider's id of the saved method later payments charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_reference: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SubscriptionState {
    Active,
    OnHold,
    Cancelled,
}

/// The agreement of a recurring donation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub guid: EntityGuid,
    pub contact: EntityGuid,
    pub amount: Amount,
    pub currency: Currency,
    pub interval: Interval,
    pub state: SubscriptionState,
    pub payment_method: EntityGuid,
    /// When the next payment falls due (the first one is made at sign-up).
    pub next_due: Date,
    /// The day of the month the series falls on (its first payment's), kept through shorter
    /// months; absent on subscriptions made before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<i8>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PaymentState {
    Pending,
    /// In a collection file that is not yet sent to the bank (`debit.collection`).
    Claimed,
    Submitted,
    Collected,
    Returned,
    Refunded,
    /// A debit withdrawn before it was sent to the bank: its subscription was cancelled or
    /// held, a return held it, or its donor was erased (the changelog says which).
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub guid: EntityGuid,
    pub contact: EntityGuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<EntityGuid>,
    pub payment_method: EntityGuid,
    pub amount: Amount,
    pub currency: Currency,
    pub due_date: Date,
    pub state: PaymentState,
    /// Refunded so far; a refund never exceeds what was collected.
    pub refunded: Amount,
    /// SEPA direct debits: what the bank is asked to collect, as it stood when the payment was
    /// made (a later renewal does not change a debit already announced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debit: Option<DirectDebit>,
    /// Cards and PayPal: the provider's id of the payment, once the provider has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_reference: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

/// A payment's direct debit: its sequence in the mandate's series, the mandate, the debtor,
/// and, once claimed, the collection file it went into; a return from the bank, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectDebit {
    pub sequence: Sequence,
    pub mandate_reference: String,
    pub mandate_signed_on: Date,
    pub debtor_name: String,
    pub debtor_iban: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_bic: Option<String>,
    /// Debtors outside the EEA only: the rulebook wants their address in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_address: Option<PostalAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// The date the bank is asked to collect on (a business day on or after the due date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<DebitReturn>,
    /// The creditor identifier the mandate was known under when this debit was made: a file
    /// made under another one marks the debit's mandate as amended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_id: Option<String>,
}

/// What the bank said when it gave a debit back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DebitReturn {
    /// An ISO 20022 return reason code (AC04, MD01, AM04, …).
    pub reason: String,
    pub date: Date,
}

/// An extra amount on top of a subscription (an upgrade with an add-on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddOn {
    pub guid: EntityGuid,
    pub contact: EntityGuid,
    pub subscription: EntityGuid,
    pub name: String,
    pub amount: Amount,
    pub interval: Interval,
    pub created_at: Timestamp,
    pub version: u64,
}

/// Any entity, as one item of a contact's partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Entity {
    Contact(Contact),
    PaymentMethod(PaymentMethod),
    Subscription(Subscription),
    Payment(Payment),
    AddOn(AddOn),
}

impl Entity {
    pub fn guid(&self) -> EntityGuid {
        match self {
            Self::Contact(e) => e.guid,
            Self::PaymentMethod(e) => e.guid,
            Self::Subscription(e) => e.guid,
            Self::Payment(e) => e.guid,
            Self::AddOn(e) => e.guid,
        }
    }

    pub fn version(&self) -> u64 {
        match self {
            Self::Contact(e) => e.version,
            Self::PaymentMethod(e) => e.version,
            Self::Subscription(e) => e.version,
            Self::Payment(e) => e.version,
            Self::AddOn(e) => e.version,
        }
    }

    /// The contact whose partition holds it.
    pub fn contact(&self) -> EntityGuid {
        match self {
            Self::Contact(e) => e.guid,
            Self::PaymentMethod(e) => e.contact,
            Self::Subscription(e) => e.contact,
            Self::Payment(e) => e.contact,
            Self::AddOn(e) => e.contact,
        }
    }

    pub fn kind(&self) -> EntityKind {
        match self {
            Self::Contact(_) => EntityKind::Contact,
            Self::PaymentMethod(_) => EntityKind::PaymentMethod,
            Self::Subscription(_) => EntityKind::Subscription,
            Self::Payment(_) => EntityKind::Payment,
            Self::AddOn(_) => EntityKind::AddOn,
        }
    }
}

/// The kinds of stored entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntityKind {
    Contact,
    PaymentMethod,
    Subscription,
    Payment,
    AddOn,
}

/// A contact with everything its partition holds, as one Query reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Donor {
    pub contact: Contact,
    pub payment_methods: Vec<PaymentMethod>,
    pub subscriptions: Vec<Subscription>,
    pub payments: Vec<Payment>,
    pub add_ons: Vec<AddOn>,
}

impl Donor {
    /// Sorts a partition's entities into a donor; `None` without its contact.
    pub fn from_entities(entities: Vec<Entity>) -> Option<Self> {
        let mut contact = None;
        let (mut payment_methods, mut subscriptions, mut payments, mut add_ons) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for entity in entities {
            match entity {
                Entity::Contact(c) => contact = Some(c),
                Entity::PaymentMethod(e) => payment_methods.push(e),
                Entity::Subscription(e) => subscriptions.push(e),
                Entity::Payment(e) => payments.push(e),
                Entity::AddOn(e) => add_ons.push(e),
            }
        }
        Some(Self {
            contact: contact?,
            payment_methods,
            subscriptions,
            payments,
            add_ons,
        })
    }

    /// Every entity, the contact first.
    pub fn entities(&self) -> Vec<Entity> {
        let mut all = vec![Entity::Contact(self.contact.clone())];
        all.extend(
            self.payment_methods
                .iter()
                .cloned()
                .map(Entity::PaymentMethod),
        );
        all.extend(self.subscriptions.iter().cloned().map(Entity::Subscription));
        all.extend(self.payments.iter().cloned().map(Entity::Payment));
        all.extend(self.add_ons.iter().cloned().map(Entity::AddOn));
        all
    }

    pub fn find(&self, guid: EntityGuid) -> Option<Entity> {
        self.entities().into_iter().find(|e| e.guid() == guid)
    }
}

/// An IBAN as answers show it: country, check digits hidden, the last four kept.
pub fn masked_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let country: String = chars[..2].iter().collect();
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{country}{}{last}", "*".repeat(chars.len() - 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_shows_only_its_country_and_last_four() {
        assert_eq!(
            masked_iban("DE89370400440532013000"),
            "DE****************3000"
        );
        assert_eq!(masked_iban("DE12"), "****");
    }
}
