//! `POST /actions` as its body says it: the action, the entity it names, and the fields the
//! action takes, each read into its domain value (an amount, an interval, a guid).

use serde::Deserialize;
use serde_json::Value;

use crate::dataset::JsonElement;
use crate::ground::ids::EntityGuid;
use crate::ground::money::{Amount, Currency, Interval};
use crate::ledger::{
    ACTIONS, ActionEntity, ActionFields, ActionInputError, ActionKind, ActionRequest,
};

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

fn guid(raw: Option<String>, field: &'static str) -> Result<Option<EntityGuid>, ActionInputError> {
    raw.map(|g| EntityGuid::parse(&g))
        .transpose()
        .map_err(|source| ActionInputError::Guid { field, source })
}

/// Reads a `POST /actions` body; unknown fields, and actions outside the table, are refused.
pub fn action(body: &str) -> Result<ActionRequest, ActionInputError> {
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
        .map(|months| Interval::new(months).ok_or(invalid("interval", "must be 0, 1, 3, 6 or 12")))
        .transpose()?;
    let currency = body
        .currency
        .map(|c| Currency::parse(&c).ok_or(invalid("currency", "must be a three-letter code")))
        .transpose()?;
    let json_element = body
        .json_element
        .map(|raw| {
            JsonElement::from_object_text(raw.get())
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
    Ok(ActionRequest {
        kind,
        entity,
        entity_guid: EntityGuid::parse(&body.entity_guid).map_err(|source| {
            ActionInputError::Guid {
                field: "entityGuid",
                source,
            }
        })?,
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
            payment_method: guid(body.payment_method_guid, "paymentMethodGuid")?,
            target_contact: guid(body.target_contact_guid, "targetContactGuid")?,
            json_element,
        },
    })
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
            assert!(action(&body).is_ok(), "{body}");
        }
        let refund_contact =
            format!(r#"{{"action":"Refund","entityType":"Contact","entityGuid":"{guid}"}}"#);
        assert!(matches!(
            action(&refund_contact),
            Err(ActionInputError::NotInTable { .. })
        ));
        let unknown =
            format!(r#"{{"action":"Refund","entityType":"Payment","entityGuid":"{guid}","x":1}}"#);
        assert!(matches!(
            action(&unknown),
            Err(ActionInputError::Malformed(_))
        ));
        let zero = format!(
            r#"{{"action":"Refund","entityType":"Payment","entityGuid":"{guid}","amount":"0"}}"#
        );
        assert!(matches!(
            action(&zero),
            Err(ActionInputError::Invalid {
                field: "amount",
                ..
            })
        ));
    }

    #[test]
    fn a_bad_guid_is_named_by_its_field() {
        let guid = EntityGuid::new_v4();
        for field in ["paymentMethodGuid", "targetContactGuid"] {
            let body = format!(
                r#"{{"action":"Merge","entityType":"Contact","entityGuid":"{guid}","{field}":"x"}}"#
            );
            let error = action(&body).unwrap_err();
            assert!(
                error.to_string().starts_with(&format!("{field}: ")),
                "{error}"
            );
        }
        let body = r#"{"action":"Merge","entityType":"Contact","entityGuid":"x"}"#;
        assert!(
            action(body)
                .unwrap_err()
                .to_string()
                .starts_with("entityGuid: ")
        );
    }
}
