//! `POST /actions` requests: every row of the seed's "DataSet and Changes" table, and the
//! fields each one takes.

use serde_json::Value;

use crate::dataset::JsonElement;
use crate::ground::ids::{EntityGuid, InvalidGuid};
use crate::ground::money::{Amount, Currency, Interval};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Upgrade,
    Renewal,
    SignUp,
    Refund,
    Cancel,
    Hold,
    Restart,
    Anonymise,
    Archive,
    Merge,
}

/// The entity an action names, as the seed's table calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ActionEntity {
    Contact,
    PaymentMethod,
    /// The agreement: amount and frequency.
    Subscription,
    SubscriptionWithOneOff,
    Payment,
    AddOn,
    DataSet,
}

impl ActionKind {
    /// An action by its name in the seed's table, in any case.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.to_ascii_lowercase().as_str() {
            "upgrade" => Self::Upgrade,
            "renewal" => Self::Renewal,
            "signup" => Self::SignUp,
            "refund" => Self::Refund,
            "cancel" => Self::Cancel,
            "hold" => Self::Hold,
            "restart" => Self::Restart,
            "anonymise" | "anonymize" => Self::Anonymise,
            "archive" => Self::Archive,
            "merge" => Self::Merge,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upgrade => "Upgrade",
            Self::Renewal => "Renewal",
            Self::SignUp => "SignUp",
            Self::Refund => "Refund",
            Self::Cancel => "Cancel",
            Self::Hold => "Hold",
            Self::Restart => "Restart",
            Self::Anonymise => "Anonymise",
            Self::Archive => "Archive",
            Self::Merge => "Merge",
        }
    }
}

impl ActionEntity {
    /// An entity by its name in the seed's table (or `agreement`), in any case.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.to_ascii_lowercase().as_str() {
            "contact" => Self::Contact,
            "paymentmethod" => Self::PaymentMethod,
            "subscription" | "agreement" => Self::Subscription,
            "subscriptionwithoneoff" => Self::SubscriptionWithOneOff,
            "payment" => Self::Payment,
            "addon" => Self::AddOn,
            "dataset" => Self::DataSet,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "Contact",
            Self::PaymentMethod => "PaymentMethod",
            Self::Subscription => "Subscription",
            Self::SubscriptionWithOneOff => "SubscriptionWithOneOff",
            Self::Payment => "Payment",
            Self::AddOn => "AddOn",
            Self::DataSet => "DataSet",
        }
    }
}

/// The pairs of the seed's table: anything else is not an action.
pub const ACTIONS: &[(ActionKind, ActionEntity)] = &[
    (ActionKind::Upgrade, ActionEntity::Subscription),
    (ActionKind::Upgrade, ActionEntity::AddOn),
    (ActionKind::Renewal, ActionEntity::PaymentMethod),
    (ActionKind::SignUp, ActionEntity::Payment),
    (ActionKind::SignUp, ActionEntity::Subscription),
    (ActionKind::SignUp, ActionEntity::SubscriptionWithOneOff),
    (ActionKind::SignUp, ActionEntity::DataSet),
    (ActionKind::Refund, ActionEntity::Payment),
    (ActionKind::Cancel, ActionEntity::Subscription),
    (ActionKind::Hold, ActionEntity::Subscription),
    (ActionKind::Restart, ActionEntity::Subscription),
    (ActionKind::Anonymise, ActionEntity::Contact),
    (ActionKind::Archive, ActionEntity::Contact),
    (ActionKind::Merge, ActionEntity::Contact),
];

/// What an action brings besides its target; which ones it needs depends on the action.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActionFields {
    pub amount: Option<Amount>,
    pub interval: Option<Interval>,
    pub one_off_amount: Option<Amount>,
    pub currency: Option<Currency>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub holder: Option<String>,
    pub name: Option<String>,
    pub payment_method: Option<EntityGuid>,
    pub target_contact: Option<EntityGuid>,
    pub json_element: Option<JsonElement>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionRequest {
    pub kind: ActionKind,
    pub entity: ActionEntity,
    /// The entity acted on; for sign-ups the contact, for an add-on its subscription.
    pub entity_guid: EntityGuid,
    pub meta_data: Option<Value>,
    pub fields: ActionFields,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ActionInputError {
    #[error("malformed action: {0}")]
    Malformed(String),
    #[error(
        "'{0}' is not one of Upgrade, Renewal, SignUp, Refund, Cancel, Hold, Restart, Anonymise, Archive, Merge"
    )]
    UnknownAction(String),
    #[error(
        "'{0}' is not one of Contact, PaymentMethod, Subscription, SubscriptionWithOneOff, Payment, AddOn, DataSet"
    )]
    UnknownEntity(String),
    #[error("{action} of a {entity} is not in the DataSet and Changes table")]
    NotInTable {
        action: &'static str,
        entity: &'static str,
    },
    /// Names the field whose value is no guid: `entityGuid`, `paymentMethodGuid`, …
    #[error("{field}: {source}")]
    Guid {
        field: &'static str,
        source: InvalidGuid,
    },
    #[error("'{field}' {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}
