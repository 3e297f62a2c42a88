//! What one request does to a session: each value validated against the form, rejected ones
//! reported and left out, fixed ones changed only by the merchant.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use super::model::{Authority, Entry, PaymentInput, PaymentSession, SessionChanges, Submission};
use crate::form::Form;
use crate::ground::country::CountryCode;
use crate::validation::{FieldError, Rules};

/// The most a value the form does not know may take, as JSON: a merchant's key, a basket.
pub const FREE_VALUE_LIMIT: usize = 4 * 1024;

/// What a request does to a session: the changes to write and the errors on its own values.
pub struct Plan {
    pub changes: SessionChanges,
    pub current: BTreeMap<String, FieldError>,
}

/// Validates a request's values against the form and the session as read. A rejected value
/// changes nothing; a fixed value changes only for the merchant.
pub fn plan(
    rules: &Rules<'_>,
    form: &Form,
    session: &PaymentSession,
    submission: &Submission,
    now: Timestamp,
    ttl: SignedDuration,
) -> Plan {
    let (input, authority) = (&submission.values, submission.authority);
    let mut current = BTreeMap::new();
    let mut changes = SessionChanges {
        set_values: Vec::new(),
        remove_values: Vec::new(),
        set_meta: Vec::new(),
        remove_meta: Vec::new(),
        fixed: None,
        visit_session: submission
            .visit_session
            .clone()
            .filter(|id| session.visit_session.as_ref() != Some(id)),
        updated_at: now,
        expires_at: session.expiry_after(now, ttl),
    };
    let mut fixed = session.fixed.clone();
    for name in &submission.unstorable {
        current.insert(name.clone(), FieldError::NumberNotStorable);
    }
    let country = donor_country(rules, form, session, input);
    for Entry { name, value, fix } in &input.entries {
        let clears = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        let accepted = if clears {
            None
        } else if rules.applies_to(name) {
            match rules.check(name, value, &country) {
                Ok(accepted) => Some((Value::String(accepted.value), accepted.derived)),
                Err(err) => {
                    let unchanged_fixed =
                        session.fixed.contains(name) && authority == Authority::Public;
                    current.insert(
                        name.clone(),
                        if unchanged_fixed {
                            FieldError::Fixed
                        } else {
                            err
                        },
                    );
                    continue;
                }
            }
        } else if serde_json::to_vec(value).map_or(usize::MAX, |v| v.len()) > FREE_VALUE_LIMIT {
            current.insert(name.clone(), FieldError::ValueTooLarge);
            continue;
        } else {
            Some((value.clone(), None))
        };
        let stored = session.values.get(name);
        if session.fixed.contains(name) && authority == Authority::Public {
            if accepted.as_ref().map(|(v, _)| v) != stored {
                current.insert(name.clone(), FieldError::Fixed);
            }
            continue;
        }
        match accepted {
            None if *fix => {
                current.insert(name.clone(), FieldError::Invalid);
                continue;
            }
            None => {
                fixed.remove(name);
                if stored.is_some() {
                    changes.remove_values.push(name.clone());
                }
                if session.meta.contains_key(name) {
                    changes.remove_meta.push(name.clone());
                }
            }
            Some((value, derived)) => {
                if stored != Some(&value) {
                    changes.set_values.push((name.clone(), value));
                }
                match derived {
                    Some(derived) if session.meta.get(name) != Some(&derived) => {
                        changes.set_meta.push((name.clone(), derived));
                    }
                    None if session.meta.contains_key(name) => {
                        changes.remove_meta.push(name.clone());
                    }
                    _ => {}
                }
                if *fix {
                    fixed.insert(name.clone());
                }
            }
        }
    }
    if fixed != session.fixed {
        changes.fixed = Some(fixed);
    }
    Plan { changes, current }
}

/// The country postal codes are checked against: this request's, else the session's, else
/// the form's default.
fn donor_country(
    rules: &Rules<'_>,
    form: &Form,
    session: &PaymentSession,
    input: &PaymentInput,
) -> CountryCode {
    let sent = input
        .entries
        .iter()
        .find(|e| e.name == "country")
        .and_then(|e| {
            rules
                .check("country", &e.value, &form.definition.default_country)
                .ok()
        })
        .and_then(|accepted| CountryCode::parse(&accepted.value));
    sent.or_else(|| {
        session
            .values
            .get("country")
            .and_then(Value::as_str)
            .and_then(CountryCode::parse)
    })
    .unwrap_or_else(|| form.definition.default_country.clone())
}
