//! `POST /actions` requests: every row of the seed's "DataSet and Changes" table, and the
//! fields each one takes.

use serde::Deserialize;
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
    fn parse(raw: &str) -> Option<Self> {
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
    fn parse(raw: &str) -> Option<Self> {
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
const ACTIONS: &[(ActionKind, ActionEntity)] = &[
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
    #[error("entityGuid: {0}")]
    EntityGuid(#[from] InvalidGuid),
    #[error("'{field}' {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}

/// The body as sent; every field is checked below.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    action: String,
    entity_type: String,
    entity_guid: String,
    #[serde(default)]
    meta_data: Option<Value>,
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    interval: Option<u8>,
    #[serde(default)]
    one_off_amount: Option<Value>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    iban: Option<String>,
    #[serde(default)]
    bic: Option<String>,
    #[serde(default)]
    holder: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    payment_method_guid: Option<String>,
    #[serde(default)]
    target_contact_guid: Option<String>,
    #[serde(default)]
    json_element: Option<Box<serde_json::value::RawValue>>,
}

fn invalid(field: &'static str, reason: &'static str) -> ActionInputError {
    ActionInputError::Invalid { field, reason }
}

fn amount(raw: Option<Value>, field: &'static str) -> Result<Option<Amount>, ActionInputError> {
    let text = match raw {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(invalid(
                field,
                "must be an amount such as \"25\" or \"12.50\"",
            ));
        }
    };
    match Amount::parse(&text) {
        Ok(amount) if amount.cents() > 0 => Ok(Some(amount)),
        _ => Err(invalid(
            field,
            "must be an amount above zero with at most two decimals",
        )),
    }
}

fn short_text(
    raw: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ActionInputError> {
    match raw.map(|s| s.trim().to_owned()) {
        None => Ok(None),
        Some(s)
            if !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control) =>
        {
            Ok(Some(s))
        }
        Some(_) => Err(invalid(
            field,
            "must be 1 to 200 characters without control characters",
        )),
    }
}

fn guid(raw: Option<String>) -> Result<Option<EntityGuid>, ActionInputError> {
    raw.map(|g| EntityGuid::parse(&g))
        .transpose()
        .map_err(Into::into)
}

impl ActionRequest {
    /// Reads a `POST /actions` body; unknown fields, and actions outside the table, are refused.
    pub fn from_json(body: &str) -> Result<Self, ActionInputError> {
        let body: Body =
            serde_json::from_str(body).map_err(|e| ActionInputError::Malformed(e.to_string()))?;
        let kind = ActionKind::parse(&body.action)
            .ok_or_else(|| ActionInputError::UnknownAction(truncated(&body.action)))?;
        let entity = ActionEntity::parse(&body.entity_type)
            .ok_or_else(|| ActionInputError::UnknownEntity(truncated(&body.entity_type)))?;
        if !ACTIONS.contains(&(kind, entity)) {
            return Err(ActionInputError::NotInTable {
                action: kind.as_str(),
                entity: entity.as_str(),
            });
        }
        let interval = body
            .interval
            .map(|months| {
                Interval::new(months).ok_or(invalid("interval", "must be 0, 1, 3, 6 or 12"))
            })
            .transpose()?;
        let currency = body
            .currency
            .map(|c| Currency::parse(&c).ok_or(invalid("currency", "must be a three-letter code")))
            .transpose()?;
        let json_element = body
            .json_element
            .map(|raw| {
                raw.get()
                    .starts_with('{')
                    .then(|| JsonElement::from_stored(raw.get().to_owned()))
                    .ok_or(invalid("jsonElement", "must be a JSON object"))
            })
            .transpose()?;
        if body
            .meta_data
            .as_ref()
            .is_some_and(|m| !m.is_object() && !m.is_null())
        {
            return Err(invalid("metaData", "must be a JSON object"));
        }
        Ok(Self {
            kind,
            entity,
            entity_guid: EntityGuid::parse(&body.entity_guid)?,
            meta_data: body.meta_data.filter(|m| !m.is_null()),
            fields: ActionFields {
                amount: amount(body.amount, "amount")?,
                interval,
                one_off_amount: amount(body.one_off_amount, "oneOffAmount")?,
                currency,
                iban: body.iban,
                bic: body.bic,
                holder: short_text(body.holder, "holder", 200)?,
                name: short_text(body.name, "name", 200)?,
                payment_method: guid(body.payment_method_guid)?,
                target_contact: guid(body.target_contact_guid)?,
                json_element,
            },
        })
    }
}

fn truncated(raw: &str) -> String {
    raw.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table_parses_and_nothing_else() {
        let guid = EntityGuid::new_v4();
        for (kind, entity) in ACTIONS {
            let body = format!(
                r#"{{"action":"{}","entityType":"{}","entityGuid":"{guid}"}}"#,
                kind.as_str(),
                entity.as_str()
            );
            assert!(ActionRequest::from_json(&body).is_ok(), "{body}");
        }
        let refund_contact =
            format!(r#"{{"action":"Refund","entityType":"Contact","entityGuid":"{guid}"}}"#);
        assert!(matches!(
            ActionRequest::from_json(&refund_contact),
            Err(ActionInputError::NotInTable { .. })
        ));
        let unknown =
            format!(r#"{{"action":"Refund","entityType":"Payment","entityGuid":"{guid}","x":1}}"#);
        assert!(matches!(
            ActionRequest::from_json(&unknown),
            Err(ActionInputError::Malformed(_))
        ));
        let zero = format!(
            r#"{{"action":"Refund","entityType":"Payment","entityGuid":"{guid}","amount":"0"}}"#
        );
        assert!(matches!(
            ActionRequest::from_json(&zero),
            Err(ActionInputError::Invalid {
                field: "amount",
                ..
            })
        ));
    }
}
