//! The rules for a donor's values: each known field parsed into its normal form (IBAN in
//! electronic format, amounts in canonical decimals, ISO codes upper-case), and the errors a
//! donor sees, in German or English.

use std::collections::BTreeMap;

use iban::{Iban, IbanLike};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::form::{FieldDefinition, FormDefinition, InputType, Lang};

/// Names of session values and of their nested keys: safe as DynamoDB attribute names.
pub fn is_value_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An amount of money in cents. Parsed from what donors type (`20`, `20,5`, `20.50`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "AmountInput", into = "String")]
pub struct Amount(u64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AmountError {
    #[error("not an amount")]
    Invalid,
    #[error("more than two decimals")]
    TooManyDecimals,
}

/// The largest amount we take at all (ten million), far above any form's maximum.
const AMOUNT_CEILING_CENTS: u64 = 1_000_000_000;

impl Amount {
    pub fn from_cents(cents: u64) -> Self {
        Self(cents)
    }

    pub fn cents(self) -> u64 {
        self.0
    }

    pub fn parse(raw: &str) -> Result<Self, AmountError> {
        let raw = raw.trim();
        let (whole, fraction) = match raw.split_once(['.', ',']) {
            Some((whole, fraction)) => (whole, fraction),
            None => (raw, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 10 || !digits(whole) || !digits(fraction) {
            return Err(AmountError::Invalid);
        }
        if raw.contains(['.', ',']) && fraction.is_empty() {
            return Err(AmountError::Invalid);
        }
        if fraction.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        let whole: u64 = whole.parse().map_err(|_| AmountError::Invalid)?;
        let fraction: u64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| AmountError::Invalid)?;
        let cents = whole
            .checked_mul(100)
            .and_then(|c| c.checked_add(fraction))
            .filter(|c| *c <= AMOUNT_CEILING_CENTS)
            .ok_or(AmountError::Invalid)?;
        Ok(Self(cents))
    }

    /// `120` for whole amounts (as in the seed), `20.50` otherwise: one spelling per amount.
    pub fn canonical(self) -> String {
        let (whole, cents) = (self.0 / 100, self.0 % 100);
        if cents == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{cents:02}")
        }
    }

    /// `5,00` in German, `5.00` in English.
    pub fn display(self, lang: Lang) -> String {
        let separator = if lang == Lang::De { ',' } else { '.' };
        format!("{}{separator}{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Forms may write amounts as JSON numbers or strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum AmountInput {
    Text(String),
    Number(serde_json::Number),
}

impl TryFrom<AmountInput> for Amount {
    type Error = String;
    fn try_from(input: AmountInput) -> Result<Self, Self::Error> {
        let text = match input {
            AmountInput::Text(text) => text,
            AmountInput::Number(number) => number.to_string(),
        };
        Amount::parse(&text).map_err(|err| format!("'{text}' is {err}"))
    }
}

impl From<Amount> for String {
    fn from(amount: Amount) -> Self {
        amount.canonical()
    }
}

/// An ISO 4217 currency code such as `EUR`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_uppercase();
        (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).ok_or_else(|| format!("'{raw}' is not a three-letter currency code"))
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.0
    }
}

/// Months between payments: 0 (one-off), 1, 3, 6 or 12.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Interval(u8);

impl Interval {
    pub const ONE_OFF: Self = Self(0);

    pub fn new(months: u8) -> Option<Self> {
        [0, 1, 3, 6, 12].contains(&months).then_some(Self(months))
    }

    pub fn months(self) -> u8 {
        self.0
    }

    pub fn is_recurring(self) -> bool {
        self.0 > 0
    }
}

impl TryFrom<u8> for Interval {
    type Error = String;
    fn try_from(months: u8) -> Result<Self, Self::Error> {
        Self::new(months).ok_or_else(|| format!("{months} is not one of 0, 1, 3, 6, 12"))
    }
}

impl From<Interval> for u8 {
    fn from(interval: Interval) -> Self {
        interval.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    SepaDirectDebit,
    CreditCard,
    Paypal,
}

impl PaymentMethod {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "sepa_direct_debit" => Some(Self::SepaDirectDebit),
            "credit_card" => Some(Self::CreditCard),
            "paypal" => Some(Self::Paypal),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SepaDirectDebit => "sepa_direct_debit",
            Self::CreditCard => "credit_card",
            Self::Paypal => "paypal",
        }
    }
}

/// ISO 3166-1 alpha-2, upper-case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG \
BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX \
CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN \
GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI \
KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ \
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR \
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC \
TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT \
ZA ZM ZW";

impl CountryCode {
    pub fn parse(raw: &str) -> Option<Self> {
        let code = raw.trim().to_ascii_uppercase();
        (code.len() == 2 && ISO_COUNTRIES.split(' ').any(|c| c == code)).then_some(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CountryCode {
    fn default() -> Self {
        Self("DE".to_owned())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).ok_or_else(|| format!("'{raw}' is not an ISO 3166 country code"))
    }
}

impl From<CountryCode> for String {
    fn from(code: CountryCode) -> Self {
        code.0
    }
}

/// Postal codes where we know the country's format; elsewhere 2 to 10 letters and digits.
fn is_post_code(code: &str, country: &CountryCode) -> bool {
    let b = code.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let letters = |s: &[u8]| s.iter().all(u8::is_ascii_uppercase);
    match country.as_str() {
        "DE" | "FR" | "IT" | "ES" | "FI" | "HR" | "EE" | "US" if b.len() == 5 => digits(b),
        "US" if b.len() == 10 => digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]),
        "DE" | "FR" | "IT" | "ES" | "FI" | "HR" | "EE" | "US" => false,
        "AT" | "CH" | "LI" | "BE" | "LU" | "DK" | "NO" | "HU" | "SI" => b.len() == 4 && digits(b),
        "NL" => match b.len() {
            6 => digits(&b[..4]) && letters(&b[4..]),
            7 => digits(&b[..4]) && b[4] == b' ' && letters(&b[5..]),
            _ => false,
        },
        "PL" => b.len() == 6 && digits(&b[..2]) && b[2] == b'-' && digits(&b[3..]),
        "SE" | "CZ" | "SK" => match b.len() {
            5 => digits(b),
            6 => digits(&b[..3]) && b[3] == b' ' && digits(&b[4..]),
            _ => false,
        },
        "GB" => {
            let compact: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
            (5..=7).contains(&compact.len())
                && compact[0].is_ascii_uppercase()
                && compact.iter().all(u8::is_ascii_alphanumeric)
                && compact[compact.len() - 3].is_ascii_digit()
                && letters(&compact[compact.len() - 2..])
        }
        _ => {
            (2..=10).contains(&b.len())
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b' ' || *c == b'-')
        }
    }
}

/// What a donor is told about one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldError {
    Required,
    ChoosePaymentMethod,
    EnterAmount,
    AcceptPrivacy,
    IbanNeededForSepa,
    AddressNeededForReceipt,
    Invalid,
    NotOffered,
    Fixed,
    TooLong(u32),
    InvalidName,
    InvalidEmail,
    InvalidPhone,
    InvalidIban,
    InvalidBic,
    InvalidPostCode,
    InvalidCountry,
    InvalidDate,
    BirthdayNotPast,
    AmountDecimals,
    AmountBelow(Amount, String),
    AmountAbove(Amount, String),
}

impl FieldError {
    pub fn message(&self, lang: Lang) -> String {
        let (de, en): (&str, &str) = match self {
            Self::Required => (
                "Bitte füllen Sie dieses Feld aus",
                "Please fill in this field",
            ),
            Self::ChoosePaymentMethod => (
                "Bitte wählen Sie eine Zahlungsweise",
                "Please choose a payment method",
            ),
            Self::EnterAmount => ("Bitte geben Sie einen Betrag ein", "Please enter an amount"),
            Self::AcceptPrivacy => (
                "Bitte stimmen Sie der Datenschutzerklärung zu",
                "Please accept the privacy policy",
            ),
            Self::IbanNeededForSepa => (
                "Für das Lastschriftverfahren benötigen wir Ihre IBAN",
                "Please enter your IBAN for the direct debit",
            ),
            Self::AddressNeededForReceipt => (
                "Für eine Zuwendungsbestätigung benötigen wir Ihre Anschrift",
                "Please enter your postal address for a donation receipt",
            ),
            Self::Invalid => ("Ungültig", "Invalid"),
            Self::NotOffered => (
                "Diese Auswahl ist bei diesem Formular nicht möglich",
                "This choice is not available on this form",
            ),
            Self::Fixed => (
                "Dieser Wert ist vorgegeben und kann nicht geändert werden",
                "This value is fixed and cannot be changed",
            ),
            Self::TooLong(max) => {
                return match lang {
                    Lang::De => format!("Bitte geben Sie höchstens {max} Zeichen ein"),
                    Lang::En => format!("Please enter at most {max} characters"),
                };
            }
            Self::InvalidName => (
                "Bitte geben Sie einen gültigen Namen ein",
                "Please enter a valid name",
            ),
            Self::InvalidEmail => (
                "Bitte geben Sie eine gültige E-Mail-Adresse ein",
                "Please enter a valid email address",
            ),
            Self::InvalidPhone => (
                "Bitte geben Sie eine gültige Telefonnummer ein",
                "Please enter a valid phone number",
            ),
            Self::InvalidIban => (
                "Bitte geben Sie eine gültige IBAN ein",
                "Please enter a valid IBAN",
            ),
            Self::InvalidBic => (
                "Bitte geben Sie eine gültige BIC ein",
                "Please enter a valid BIC",
            ),
            Self::InvalidPostCode => (
                "Bitte geben Sie eine gültige Postleitzahl ein",
                "Please enter a valid postal code",
            ),
            Self::InvalidCountry => (
                "Bitte wählen Sie ein gültiges Land",
                "Please choose a valid country",
            ),
            Self::InvalidDate => (
                "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ)",
                "Please enter a valid date (YYYY-MM-DD)",
            ),
            Self::BirthdayNotPast => (
                "Das Geburtsdatum muss in der Vergangenheit liegen",
                "The date of birth must be in the past",
            ),
            Self::AmountDecimals => (
                "Bitte geben Sie einen Betrag mit höchstens zwei Nachkommastellen ein",
                "Please enter an amount with at most two decimals",
            ),
            Self::AmountBelow(min, currency) => {
                let min = min.display(lang);
                return match lang {
                    Lang::De => format!("Der Mindestbetrag ist {min} {currency}"),
                    Lang::En => format!("The minimum amount is {min} {currency}"),
                };
            }
            Self::AmountAbove(max, currency) => {
                let max = max.display(lang);
                return match lang {
                    Lang::De => format!("Der Höchstbetrag ist {max} {currency}"),
                    Lang::En => format!("The maximum amount is {max} {currency}"),
                };
            }
        };
        match lang {
            Lang::De => de.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

/// A value as it is stored, and what validation learnt from it (shown in `meta_info`).
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub value: String,
    pub derived: Option<Value>,
}

impl Accepted {
    fn plain(value: impl Into<String>) -> Self {
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

/// Fields whose choices come from the form's configuration, not from field options.
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

const DEFAULT_SALUTATIONS: &[&str] = &["Mr.", "Ms.", "Mx."];
pub const NO_RECEIPT: &str = "no_receipt";
const DEFAULT_RECEIPTS: &[&str] = &[NO_RECEIPT, "receipt"];
const ADDRESS_FIELDS: &[&str] = &["street", "post_code", "city"];

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

/// The validation rules of one form, on one day (birthdays must lie before it).
pub struct Rules<'a> {
    form: &'a FormDefinition,
    today: Date,
}

impl<'a> Rules<'a> {
    pub fn new(form: &'a FormDefinition, today: Date) -> Self {
        Self { form, today }
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
                let method = PaymentMethod::parse(text).ok_or(FieldError::Invalid)?;
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
        if chosen("payment_method") == Some(PaymentMethod::SepaDirectDebit.as_str())
            && !present("iban")
        {
            lacking.insert("iban".to_owned(), FieldError::IbanNeededForSepa);
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

/// Known fields hold text; JSON numbers and booleans are read as what a form would send.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}

fn truthy(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" | "" => Some(false),
        _ => None,
    }
}

fn choice(
    field: Option<&FieldDefinition>,
    text: &str,
    defaults: &[&str],
) -> Result<Accepted, FieldError> {
    let offered = match field.filter(|f| !f.options.is_empty()) {
        Some(field) => field.offers(text),
        None => defaults.contains(&text),
    };
    if offered {
        Ok(Accepted::plain(text))
    } else {
        Err(FieldError::Invalid)
    }
}

fn name_rule(text: &str) -> Result<Accepted, FieldError> {
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if text.chars().any(char::is_alphabetic) && text.chars().all(allowed) {
        Ok(Accepted::plain(text))
    } else {
        Err(FieldError::InvalidName)
    }
}

fn email_rule(text: &str) -> Result<Accepted, FieldError> {
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
    };
    match email_address::EmailAddress::parse_with_options(text, options) {
        Ok(_) if text.len() <= 254 && !text.contains(char::is_whitespace) => {
            Ok(Accepted::plain(text))
        }
        _ => Err(FieldError::InvalidEmail),
    }
}

fn phone_rule(text: &str) -> Result<Accepted, FieldError> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-/().".contains(c);
    if (5..=20).contains(&digits) && text.chars().all(allowed) {
        Ok(Accepted::plain(text))
    } else {
        Err(FieldError::InvalidPhone)
    }
}

fn iban_rule(text: &str) -> Result<Accepted, FieldError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let iban: Iban = compact.parse().map_err(|_| FieldError::InvalidIban)?;
    Ok(Accepted {
        value: iban.electronic_str().to_owned(),
        derived: Some(json!({
            "country": iban.country_code(),
            "bank_code": iban.bank_identifier(),
        })),
    })
}

fn bic_rule(text: &str) -> Result<Accepted, FieldError> {
    let bic: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = bic.as_bytes();
    let valid = (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && CountryCode::parse(&bic[4..6]).is_some()
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if valid {
        Ok(Accepted::plain(bic))
    } else {
        Err(FieldError::InvalidBic)
    }
}

/// `2024-05-17` or the German `17.05.2024`.
fn parse_date(text: &str) -> Option<Date> {
    if let Ok(date) = text.parse::<Date>() {
        return Some(date);
    }
    let mut parts = text.split('.');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 {
        return None;
    }
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_take_comma_or_dot_and_at_most_two_decimals() {
        assert_eq!(Amount::parse("20"), Ok(Amount(2000)));
        assert_eq!(Amount::parse("20,5"), Ok(Amount(2050)));
        assert_eq!(Amount::parse(" 20.05 "), Ok(Amount(2005)));
        assert_eq!(Amount::parse("20.123"), Err(AmountError::TooManyDecimals));
        for bad in [
            "",
            "-5",
            "1.000,00",
            "20.",
            ".5",
            "abc",
            "1e3",
            "99999999999",
        ] {
            assert_eq!(Amount::parse(bad), Err(AmountError::Invalid), "{bad:?}");
        }
        assert_eq!(Amount(12000).canonical(), "120");
        assert_eq!(Amount(2050).canonical(), "20.50");
        assert_eq!(Amount(500).display(Lang::De), "5,00");
    }

    #[test]
    fn the_country_list_is_iso_3166() {
        assert_eq!(ISO_COUNTRIES.split(' ').count(), 249);
        assert!(CountryCode::parse("de").is_some());
        assert!(CountryCode::parse("XX").is_none());
        assert!(CountryCode::parse("DEU").is_none());
    }

    #[test]
    fn post_codes_follow_their_country() {
        let c = |code: &str| CountryCode::parse(code).expect("valid");
        assert!(is_post_code("10115", &c("DE")));
        assert!(!is_post_code("1011", &c("DE")));
        assert!(is_post_code("1010", &c("AT")));
        assert!(!is_post_code("10115", &c("AT")));
        assert!(is_post_code("1012 AB", &c("NL")));
        assert!(is_post_code("00-950", &c("PL")));
        assert!(is_post_code("SW1A 1AA", &c("GB")));
        assert!(!is_post_code("SW1A", &c("GB")));
        assert!(is_post_code("K1A 0B1", &c("CA")));
    }

    #[test]
    fn ibans_are_checked_and_normalized() {
        let accepted = iban_rule("de89 3704 0044 0532 0130 00").expect("valid German IBAN");
        assert_eq!(accepted.value, "DE89370400440532013000");
        assert_eq!(
            accepted.derived,
            Some(json!({"country": "DE", "bank_code": "37040044"}))
        );
        assert!(iban_rule("AT611904300234573201").is_ok());
        assert!(iban_rule("GB82 WEST 1234 5698 7654 32").is_ok());
        assert!(iban_rule("CH9300762011623852957").is_ok());
        // checksum broken, country length wrong, not an IBAN
        for bad in ["DE89370400440532013001", "DE8937040044053201300", "hello"] {
            assert_eq!(iban_rule(bad), Err(FieldError::InvalidIban), "{bad}");
        }
    }

    #[test]
    fn bics_have_eight_or_eleven_characters_and_a_country() {
        assert_eq!(
            bic_rule("cobadeffxxx").map(|a| a.value),
            Ok("COBADEFFXXX".into())
        );
        assert!(bic_rule("COBADEFF").is_ok());
        assert!(bic_rule("COBAXXFF").is_err());
        assert!(bic_rule("COBADEF").is_err());
    }

    #[test]
    fn dates_in_iso_or_german_order() {
        assert_eq!(parse_date("1980-02-29"), Some(Date::constant(1980, 2, 29)));
        assert_eq!(parse_date("29.02.1980"), Some(Date::constant(1980, 2, 29)));
        assert_eq!(parse_date("29.02.1981"), None);
        assert_eq!(parse_date("1.2.80"), None);
    }

    #[test]
    fn names_are_letters_with_a_few_separators() {
        assert!(name_rule("Jean-Luc O’Neill").is_ok());
        assert!(name_rule("Zoë").is_ok());
        assert!(name_rule("R2D2").is_err());
        assert!(name_rule("--").is_err());
        assert!(name_rule("<script>").is_err());
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(email_rule("max@example.org").is_ok());
        for bad in [
            "max@localhost",
            "max",
            "max@ex ample.org",
            "Max <max@example.org>",
        ] {
            assert_eq!(email_rule(bad), Err(FieldError::InvalidEmail), "{bad}");
        }
    }
}
