//! The rules for a donor's values: each known field parsed into its normal form (IBAN in
//! electronic format, amounts in canonical decimals, ISO codes upper-case), and the errors a
//! donor sees, in German or English.

mod fields;
mod messages;

pub use fields::scalar_text;
pub use messages::FieldError;

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde_json::{Map, Value};

use crate::form::{FormDefinition, InputType};
use crate::ground::bank::parse_iban;
use crate::ground::country::{CountryCode, SepaScope};
use crate::ground::money::{Amount, AmountError, Currency, Interval, MethodKind};
use crate::sepa::MANDATE_TEXT_VERSION;
use fields::{
    bic_rule, choice, email_rule, iban_rule, is_post_code, name_rule, parse_date, phone_rule,
    truthy,
};

/// A value as it is stored, and what validation learnt from it (shown in `meta_info`).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub value: String,
    pub derived: Option<Value>,
}

impl Accepted {
    pub(crate) fn plain(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            derived: None,
        }
    }
}

/// The fields with a meaning of their own; validated even when the form does not show them.
const BUILT_IN: &[&str] = &[
    "salutation",
    "title",
    "first_name",
    "last_name",
    "company",
    "street",
    "post_code",
    "city",
    "country",
    "email",
    "phone",
    "birthday",
    "amount",
    "currency",
    "interval",
    "payment_method",
    "iban",
    "bic",
    "fb_item_id",
    "wants_receipt",
    "is_privacy_accepted",
];

const DEFAULT_SALUTATIONS: &[&str] = &["Mr.", "Ms.", "Mx."];
pub const NO_RECEIPT: &str = "no_receipt";
const DEFAULT_RECEIPTS: &[&str] = &[NO_RECEIPT, "receipt"];
const ADDRESS_FIELDS: &[&str] = &["street", "post_code", "city"];
/// What a debit from an account outside the EEA carries besides the IBAN (SDD rulebook AT-09,
/// AT-13): the bank's BIC and the debtor's address, its country included.
const DEBTOR_ADDRESS_FIELDS: &[&str] = &["street", "post_code", "city", "country"];

/// The value names that are personal data, for DataSets' `sensitive_data`.
pub const PERSONAL_FIELDS: &[&str] = &[
    "salutation",
    "title",
    "first_name",
    "last_name",
    "company",
    "street",
    "post_code",
    "city",
    "email",
    "phone",
    "birthday",
    "iban",
    "bic",
];

/// The value that records the donor's SEPA mandate: the hosted form's box sets it; a
/// merchant's own page sends the version of the mandate text its donor accepted
/// (`payment[sepa_mandate]=sepa-core-2026-12`).
pub const MANDATE_VALUE: &str = "sepa_mandate";

/// Whether the values record a granted mandate for the text version shown today.
pub fn mandate_granted(values: &Map<String, Value>) -> bool {
    match values.get(MANDATE_VALUE) {
        Some(Value::String(version)) => version.trim() == MANDATE_TEXT_VERSION,
        Some(granted @ Value::Object(_)) => {
            granted["accepted"] == Value::Bool(true)
                && granted["textVersion"] == MANDATE_TEXT_VERSION
        }
        _ => false,
    }
}

/// The validation rules of one form, on one day (birthdays must lie before it).
pub struct Rules<'a> {
    form: &'a FormDefinition,
    today: Date,
    /// Whether the form's direct debits are collected (a creditor is set): then the donor's
    /// mandate is needed before a direct debit is complete.
    collects_direct_debits: bool,
}

impl<'a> Rules<'a> {
    pub fn new(form: &'a FormDefinition, today: Date, collects_direct_debits: bool) -> Self {
        Self {
            form,
            today,
            collects_direct_debits,
        }
    }

    /// Whether a value is checked at all: built-in names and the form's own fields are;
    /// everything else (a merchant's keys, shop baskets) is kept as sent.
    pub fn applies_to(&self, name: &str) -> bool {
        BUILT_IN.contains(&name) || self.form.field(name).is_some()
    }

    /// Checks one sent value. `country` is the donor's country as far as known (for the
    /// postal code).
    pub fn check(
        &self,
        name: &str,
        raw: &Value,
        country: &CountryCode,
    ) -> Result<Accepted, FieldError> {
        let text = scalar_text(raw).ok_or(FieldError::Invalid)?;
        let text = text.trim();
        let field = self.form.field(name);
        let max_len = field
            .and_then(|f| f.max_length)
            .unwrap_or(crate::form::DEFAULT_MAX_LENGTH);
        if text.chars().count() > max_len as usize {
            return Err(FieldError::TooLong(max_len));
        }
        let multi_line = field.is_some_and(|f| f.input_type == InputType::Textarea);
        if text
            .chars()
            .any(|c| c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t')))
        {
            return Err(FieldError::Invalid);
        }
        match name {
            "first_name" | "last_name" => name_rule(text),
            "post_code" => {
                let code = text.to_ascii_uppercase();
                if is_post_code(&code, country) {
                    Ok(Accepted::plain(code))
                } else {
                    Err(FieldError::InvalidPostCode)
                }
            }
            "country" => CountryCode::parse(text)
                .map(|c| Accepted::plain(c.as_str()))
                .ok_or(FieldError::InvalidCountry),
            "email" => email_rule(text),
            "phone" => phone_rule(text),
            "birthday" => self.birthday_rule(text),
            "amount" => self.amount_rule(text),
            "currency" => match Currency::parse(text) {
                Some(c) if c == self.form.currency => Ok(Accepted::plain(c.as_str())),
                Some(_) => Err(FieldError::NotOffered),
                None => Err(FieldError::Invalid),
            },
            "interval" => {
                let interval = text
                    .parse::<u8>()
                    .ok()
                    .and_then(Interval::new)
                    .ok_or(FieldError::Invalid)?;
                if self.form.intervals.contains(&interval) {
                    Ok(Accepted::plain(interval.months().to_string()))
                } else {
                    Err(FieldError::NotOffered)
                }
            }
            "payment_method" => {
                let method = MethodKind::parse(text).ok_or(FieldError::Invalid)?;
                if self.form.payment_methods.contains(&method) {
                    Ok(Accepted::plain(method.as_str()))
                } else {
                    Err(FieldError::NotOffered)
                }
            }
            "iban" => iban_rule(text),
            "bic" => bic_rule(text),
            "fb_item_id" => self
                .form
                .item(text)
                .map(|item| Accepted::plain(item.id.as_str()))
                .ok_or(FieldError::NotOffered),
            "salutation" => choice(field, text, DEFAULT_SALUTATIONS),
            "wants_receipt" => choice(field, text, DEFAULT_RECEIPTS),
            "is_privacy_accepted" => match truthy(text) {
                Some(true) => Ok(Accepted::plain("1")),
                _ => Err(FieldError::AcceptPrivacy),
            },
            _ => match field.map(|f| f.input_type) {
                Some(InputType::Email) => email_rule(text),
                Some(InputType::Tel) => phone_rule(text),
                Some(InputType::Date) => parse_date(text)
                    .map(|d| Accepted::plain(d.to_string()))
                    .ok_or(FieldError::InvalidDate),
                Some(InputType::Number) => text
                    .parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .map(|_| Accepted::plain(text))
                    .ok_or(FieldError::Invalid),
                Some(InputType::Select | InputType::Radio) => choice(field, text, &[]),
                Some(InputType::Checkbox) => truthy(text)
                    .map(|yes| Accepted::plain(if yes { "1" } else { "0" }))
                    .ok_or(FieldError::Invalid),
                _ => Ok(Accepted::plain(text)),
            },
        }
    }

    fn amount_rule(&self, text: &str) -> Result<Accepted, FieldError> {
        let amount = Amount::parse(text).map_err(|err| match err {
            AmountError::TooManyDecimals => FieldError::AmountDecimals,
            AmountError::Invalid => FieldError::Invalid,
        })?;
        let currency = || self.form.currency.as_str().to_owned();
        if amount < self.form.min_amount {
            return Err(FieldError::AmountBelow(self.form.min_amount, currency()));
        }
        if amount > self.form.max_amount {
            return Err(FieldError::AmountAbove(self.form.max_amount, currency()));
        }
        Ok(Accepted::plain(amount.canonical()))
    }

    fn birthday_rule(&self, text: &str) -> Result<Accepted, FieldError> {
        let date = parse_date(text).ok_or(FieldError::InvalidDate)?;
        if date < Date::constant(1900, 1, 1) {
            return Err(FieldError::InvalidDate);
        }
        if date >= self.today {
            return Err(FieldError::BirthdayNotPast);
        }
        Ok(Accepted::plain(date.to_string()))
    }

    /// What the stored values still lack or no longer satisfy (`other_fields`).
    pub fn lacking(&self, values: &Map<String, Value>) -> BTreeMap<String, FieldError> {
        let country = values
            .get("country")
            .and_then(Value::as_str)
            .and_then(CountryCode::parse)
            .unwrap_or_else(|| self.form.default_country.clone());
        let mut lacking = BTreeMap::new();
        for (name, value) in values {
            if let Some(Err(err)) = self
                .applies_to(name)
                .then(|| self.check(name, value, &country))
            {
                lacking.insert(name.clone(), err);
            }
        }
        let present = |name: &str| {
            values
                .get(name)
                .and_then(scalar_text)
                .is_some_and(|v| !v.is_empty())
        };
        for field in self.form.fields.iter().filter(|f| f.required) {
            let unchecked = field.input_type == InputType::Checkbox
                && values.get(&field.name).and_then(scalar_text).as_deref() == Some("0");
            if !present(&field.name) || unchecked {
                lacking.insert(field.name.clone(), required_error(&field.name));
            }
        }
        let chosen = |name: &str| values.get(name).and_then(Value::as_str);
        if chosen("payment_method") == Some(MethodKind::SepaDirectDebit.as_str()) {
            if !present("iban") {
                lacking.insert("iban".to_owned(), FieldError::IbanNeededForSepa);
            }
            if self.collects_direct_debits && !mandate_granted(values) {
                lacking.insert(MANDATE_VALUE.to_owned(), FieldError::GrantMandate);
            }
            let outside_eea = chosen("iban")
                .and_then(parse_iban)
                .is_some_and(|iban| iban.sepa_scope() == Some(SepaScope::NonEea));
            if outside_eea {
                if !present("bic") {
                    lacking.insert("bic".to_owned(), FieldError::BicNeededOutsideEea);
                }
                for name in DEBTOR_ADDRESS_FIELDS.iter().filter(|n| !present(n)) {
                    lacking.insert((*name).to_owned(), FieldError::AddressNeededOutsideEea);
                }
            }
        }
        if chosen("wants_receipt").is_some_and(|r| r != NO_RECEIPT) {
            for name in ADDRESS_FIELDS.iter().filter(|n| !present(n)) {
                lacking.insert((*name).to_owned(), FieldError::AddressNeededForReceipt);
            }
        }
        lacking
    }
}

fn required_error(name: &str) -> FieldError {
    match name {
        "payment_method" => FieldError::ChoosePaymentMethod,
        "amount" => FieldError::EnterAmount,
        "is_privacy_accepted" => FieldError::AcceptPrivacy,
        _ => FieldError::Required,
    }
}
