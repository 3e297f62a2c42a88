//! Money and how it is given: integer cents, ISO 4217 currencies, intervals in months, and
//! the payment methods a form may offer.

use serde::{Deserialize, Serialize};

use super::lang::Lang;

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

    /// Always two decimals with a dot (`5.00`), as XML and bank files write amounts.
    pub fn decimal(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
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

    /// The due date one interval after `from`, on the series' `day` of the month where the
    /// month has it, else on its last day: Jan 31 → Feb 28 → Mar 31. `None` out of range.
    pub fn after(self, from: jiff::civil::Date, day: Option<i8>) -> Option<jiff::civil::Date> {
        let next = from
            .checked_add(jiff::Span::new().months(i64::from(self.0)))
            .ok()?;
        let Some(day) = day else { return Some(next) };
        next.with().day(day.min(next.days_in_month())).build().ok()
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
pub enum MethodKind {
    SepaDirectDebit,
    CreditCard,
    Paypal,
}

impl MethodKind {
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
    fn a_series_keeps_its_day_of_the_month() {
        use jiff::civil::date;
        let monthly = Interval(1);
        let mut due = date(2027, 1, 31);
        let mut seen = Vec::new();
        for _ in 0..4 {
            due = monthly.after(due, Some(31)).expect("in range");
            seen.push(due);
        }
        assert_eq!(
            seen,
            [
                date(2027, 2, 28),
                date(2027, 3, 31),
                date(2027, 4, 30),
                date(2027, 5, 31)
            ]
        );
        assert_eq!(
            Interval(12).after(date(2027, 2, 28), Some(29)),
            Some(date(2028, 2, 29))
        );
        assert_eq!(
            Interval(3).after(date(2027, 1, 15), None),
            Some(date(2027, 4, 15))
        );
    }
}
