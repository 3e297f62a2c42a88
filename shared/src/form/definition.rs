//! What a merchant configures on a form (amount limits, intervals, payment methods, project
//! items, fields), and the rules a configuration must follow for its sessions to make sense.

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::Timestamp;

use serde::{Deserialize, Serialize};

use crate::ground::country::CountryCode;
use crate::ground::ids::{FormHash, MerchantId, is_value_name};
use crate::ground::lang::{Labels, Lang};
use crate::ground::money::{Amount, Currency, Interval, MethodKind};
use crate::sepa::Creditor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    Text,
    Textarea,
    Email,
    Tel,
    Date,
    Number,
    Select,
    Radio,
    Checkbox,
    Hidden,
}

impl InputType {
    fn needs_options(self) -> bool {
        matches!(self, Self::Select | Self::Radio)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOption {
    pub value: String,
    pub label: Labels,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldDefinition {
    pub name: String,
    pub label: Labels,
    pub input_type: InputType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FieldOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
}

impl FieldDefinition {
    pub fn offers(&self, value: &str) -> bool {
        self.options.iter().any(|o| o.value == value)
    }
}

/// A project a donation can be earmarked for (`fb_item_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectItem {
    pub id: String,
    pub label: Labels,
}

/// Everything a merchant configures on a form; the body of `PUT /forms/{formHash}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormDefinition {
    pub name: String,
    pub active: bool,
    pub api_enabled: bool,
    #[serde(default)]
    pub locale: Lang,
    pub currency: Currency,
    pub min_amount: Amount,
    pub max_amount: Amount,
    pub intervals: Vec<Interval>,
    pub payment_methods: Vec<MethodKind>,
    #[serde(default)]
    pub items: Vec<ProjectItem>,
    /// Sites allowed to embed the hosted form (`https://www.example.org`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Country assumed for postal codes while the donor has not chosen one.
    #[serde(default)]
    pub default_country: CountryCode,
    /// Amounts the hosted form offers as choices beside a free amount (at most 8).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amount_presets: Vec<Amount>,
    /// The preset chosen before the donor chooses (one of `amountPresets`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_amount: Option<Amount>,
    pub fields: Vec<FieldDefinition>,
}

/// Presets a form may offer.
const MAX_PRESETS: usize = 8;

/// Built-in fields whose choices come from the form's configuration, not from field options.
pub fn derives_options(name: &str) -> bool {
    matches!(
        name,
        "salutation"
            | "interval"
            | "payment_method"
            | "fb_item_id"
            | "wants_receipt"
            | "country"
            | "currency"
    )
}

/// Longest accepted text for a field that sets no `maxLength`.
pub const DEFAULT_MAX_LENGTH: u32 = 200;
const MAX_FIELDS: usize = 100;
const MAX_OPTIONS: usize = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormInputError {
    #[error("malformed form: {0}")]
    Malformed(String),
    #[error("'{field}' in the body does not match this request ({expected})")]
    Mismatch {
        field: &'static str,
        expected: String,
    },
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> FormInputError {
    FormInputError::Invalid(message.into())
}

impl FormDefinition {
    /// The rules a form must follow for its sessions to make sense.
    pub fn check(&self) -> Result<(), FormInputError> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(invalid("'name' must be 1 to 200 characters"));
        }
        if self.min_amount.cents() == 0 || self.min_amount > self.max_amount {
            return Err(invalid(
                "'minAmount' must be above zero and not above 'maxAmount'",
            ));
        }
        if self.intervals.is_empty() || self.payment_methods.is_empty() {
            return Err(invalid(
                "'intervals' and 'paymentMethods' must each allow at least one value",
            ));
        }
        if self.payment_methods.contains(&MethodKind::SepaDirectDebit)
            && self.currency.as_str() != "EUR"
        {
            return Err(invalid(
                "SEPA direct debit collects euros only: use 'currency' EUR or remove \
                 sepa_direct_debit from 'paymentMethods'",
            ));
        }
        self.check_presets()?;
        if !unique(self.items.iter().map(|i| i.id.as_str())) {
            return Err(invalid("project item ids must be unique"));
        }
        if self
            .items
            .iter()
            .any(|i| i.id.is_empty() || i.id.len() > 64)
        {
            return Err(invalid("project item ids must be 1 to 64 characters"));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(invalid(format!(
                    "'{origin}' is not an origin such as https://www.example.org"
                )));
            }
        }
        self.check_fields()
    }

    /// Whether every method it offers is collected by someone: SEPA direct debit by the
    /// nonprofit's bank, a card or wallet method only by a payment provider of `provided`.
    pub fn check_collected(&self, provided: &[MethodKind]) -> Result<(), FormInputError> {
        match self
            .payment_methods
            .iter()
            .find(|m| **m != MethodKind::SepaDirectDebit && !provided.contains(m))
        {
            None => Ok(()),
            Some(method) => Err(invalid(format!(
                "'{}' in 'paymentMethods' cannot be offered: no payment provider takes it in \
                 this deployment, so no money would be collected (SEPA direct debit needs none: \
                 the nonprofit's bank collects it)",
                method.as_str()
            ))),
        }
    }

    fn check_presets(&self) -> Result<(), FormInputError> {
        let presets = &self.amount_presets;
        let distinct: BTreeSet<Amount> = presets.iter().copied().collect();
        if presets.len() > MAX_PRESETS || distinct.len() != presets.len() {
            return Err(invalid(format!(
                "'amountPresets' takes at most {MAX_PRESETS} different amounts"
            )));
        }
        if presets
            .iter()
            .any(|a| *a < self.min_amount || *a > self.max_amount)
        {
            return Err(invalid(
                "every amount of 'amountPresets' must lie within 'minAmount' and 'maxAmount'",
            ));
        }
        if self.default_amount.is_some_and(|d| !presets.contains(&d)) {
            return Err(invalid("'defaultAmount' must be one of 'amountPresets'"));
        }
        Ok(())
    }

    fn check_fields(&self) -> Result<(), FormInputError> {
        if self.fields.len() > MAX_FIELDS {
            return Err(invalid(format!("a form has at most {MAX_FIELDS} fields")));
        }
        if !unique(self.fields.iter().map(|f| f.name.as_str())) {
            return Err(invalid("field names must be unique"));
        }
        for field in &self.fields {
            let name = &field.name;
            if !is_value_name(name) || name.ends_with("_fix") {
                return Err(invalid(format!(
                    "field name '{name}' must match [A-Za-z0-9_]{{1,64}} and not end in _fix"
                )));
            }
            if field.input_type.needs_options()
                && field.options.is_empty()
                && !derives_options(name)
            {
                return Err(invalid(format!("field '{name}' needs options")));
            }
            if field.options.len() > MAX_OPTIONS {
                return Err(invalid(format!(
                    "field '{name}' has more than {MAX_OPTIONS} options"
                )));
            }
            if field.max_length.is_some_and(|max| max == 0 || max > 10_000) {
                return Err(invalid(format!(
                    "field '{name}': maxLength must be 1 to 10000"
                )));
            }
        }
        for name in ["amount", "payment_method"] {
            if !self.field(name).is_some_and(|f| f.required) {
                return Err(invalid(format!(
                    "a donation form needs a required '{name}' field"
                )));
            }
        }
        Ok(())
    }

    pub fn field(&self, name: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn item(&self, id: &str) -> Option<&ProjectItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = BTreeSet::new();
    values.into_iter().all(|v| seen.insert(v))
}

/// `https://host[:port]`, or `http://` for local development hosts; nothing after the host.
fn is_origin(raw: &str) -> bool {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let scheme_ok =
        scheme == "https" || (scheme == "http" && (host == "localhost" || host == "127.0.0.1"));
    scheme_ok && host_ok && port_ok
}

/// A stored form: its definition plus who owns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub hash: FormHash,
    pub merchant_id: MerchantId,
    pub updated_at: Timestamp,
    pub definition: FormDefinition,
    /// The merchant's SEPA creditor settings as the catalog found them (never stored with
    /// the form): donors reach SEPA direct debit only with them, and only in euros.
    pub creditor: Option<Arc<Creditor>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(is_origin("https://www.example.org"));
        assert!(is_origin("https://spenden.example.org:8443"));
        assert!(is_origin("http://localhost:3000"));
        for bad in [
            "http://www.example.org",
            "https://www.example.org/",
            "https://EXAMPLE.org",
            "www.example.org",
            "https://",
            "https://a.org:0",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
