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
    /// The earliest next due date of its add-ons with an interval of their own: the daily run
    /// looks at the subscription then too (see [`Subscription::wakes_on`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_ons_due: Option<Date>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl Subscription {
    /// When the daily run has to look at it next: its next period, or an add-on's before it.
    /// An active subscription is found by this date, so a held or cancelled one's add-ons are
    /// never read, let alone charged.
    pub fn wakes_on(&self) -> Date {
        self.add_ons_due
            .map_or(self.next_due, |add_on| add_on.min(self.next_due))
    }
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
    /// A debit presented again after a temporary return (AM04, MS03): the returned payment.
    /// Returned again, it is not presented a third time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representation_of: Option<EntityGuid>,
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
    /// An add-on with an interval other than its subscription's is a payment of its own: when
    /// that falls due next. `None` for one of the subscription's interval (summed into its
    /// payments), and for one stored before add-ons had their own calendar (due with the
    /// subscription's next period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due: Option<Date>,
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
