//! The creditor: the nonprofit as its bank knows it for direct debits. Its creditor identifier
//! is checked as the EPC prescribes: two letters of country, two check digits computed by
//! ISO 7064 mod 97-10 over the national identifier (the three-character business code is not
//! part of the check), then the business code and the national identifier.

use serde::{Deserialize, Serialize};

use crate::ground::bank::{normalized_bic, parse_iban};

/// A creditor identifier such as the Bundesbank's test id `DE98ZZZ09999999999`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditorId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidCreditorId {
    #[error("a creditor identifier is 8 to 35 letters and digits, e.g. DE98ZZZ09999999999")]
    Shape,
    #[error("the creditor identifier's check digits are wrong (ISO 7064 mod 97-10)")]
    CheckDigits,
}

/// Letters count as 10 (A) to 35 (Z), digits as themselves: the number mod 97-10 works on.
fn digits_of(text: &str) -> Option<String> {
    text.chars()
        .map(|c| c.to_digit(36).map(|d| d.to_string()))
        .collect()
}

fn mod97(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |rest, b| (rest * 10 + u32::from(b - b'0')) % 97)
}

impl CreditorId {
    pub fn parse(raw: &str) -> Result<Self, InvalidCreditorId> {
        let id: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let shaped = (8..=35).contains(&id.len())
            && id.is_ascii()
            && id[..2].bytes().all(|b| b.is_ascii_uppercase())
            && id[2..4].bytes().all(|b| b.is_ascii_digit())
            && id[4..].bytes().all(|b| b.is_ascii_alphanumeric());
        if !shaped {
            return Err(InvalidCreditorId::Shape);
        }
        let national = &id[7..];
        let digits = digits_of(&format!("{national}{}{}", &id[..2], &id[2..4]))
            .ok_or(InvalidCreditorId::Shape)?;
        if mod97(&digits) != 1 {
            return Err(InvalidCreditorId::CheckDigits);
        }
        Ok(Self(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `raw` names this creditor: the business code (characters 5 to 7) is not part
    /// of the identity, the creditor may change it per collection.
    pub fn is(&self, raw: &str) -> bool {
        let raw = raw.trim().to_ascii_uppercase();
        let key = |id: &str| id.get(..4).zip(id.get(7..)).map(|(a, b)| format!("{a}{b}"));
        key(&raw).is_some_and(|k| key(&self.0) == Some(k))
    }
}

impl TryFrom<String> for CreditorId {
    type Error = InvalidCreditorId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<CreditorId> for String {
    fn from(id: CreditorId) -> Self {
        id.0
    }
}

/// Days between the donor's notice of a debit and its due date. The rulebook's default is 14
/// calendar days; a mandate text may agree fewer (at least 1).
pub const DEFAULT_PRENOTIFICATION_DAYS: u8 = 14;

/// Days after a temporary return (AM04, MS03) at which its debit is presented again, once.
pub const DEFAULT_REPRESENTATION_DAYS: u8 = 7;

/// The most days a temporary return's debit may wait to be presented again: a month.
const MAX_REPRESENTATION_DAYS: u8 = 30;

const fn default_representation_days() -> u8 {
    DEFAULT_REPRESENTATION_DAYS
}

/// The creditor settings a merchant stores with `PUT /sepa/creditor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Creditor {
    pub name: String,
    pub creditor_id: CreditorId,
    pub iban: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    pub prenotification_days: u8,
    /// Days after a temporary return at which its debit is presented again; 0: never.
    /// Settings stored before it was asked have the default.
    #[serde(default = "default_representation_days")]
    pub representation_days: u8,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CreditorInputError {
    #[error("malformed creditor settings: {0}")]
    Malformed(String),
    #[error("creditorId: {0}")]
    CreditorId(#[from] InvalidCreditorId),
    #[error("'{field}' {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
}

fn invalid(field: &'static str, reason: &'static str) -> CreditorInputError {
    CreditorInputError::Invalid { field, reason }
}

impl Creditor {
    /// The settings as a merchant gives them, every field checked: the creditor's name (as
    /// the bank file carries it), its identifier, IBAN and BIC (blank: IBAN only), its days
    /// of notice (default 14) and the days after which a temporary return's debit is
    /// presented again (default 7, 0 never).
    pub fn new(
        name: &str,
        creditor_id: &str,
        iban: &str,
        bic: Option<&str>,
        prenotification_days: Option<u8>,
        representation_days: Option<i64>,
    ) -> Result<Self, CreditorInputError> {
        let name = name.trim();
        let name_ok =
            !name.is_empty() && name.chars().count() <= 70 && !name.chars().any(char::is_control);
        if !name_ok {
            return Err(invalid(
                "name",
                "must be 1 to 70 characters without control characters",
            ));
        }
        let iban = parse_iban(iban).ok_or(invalid("iban", "is not a valid IBAN"))?;
        if iban.sepa_scope().is_none() {
            return Err(invalid(
                "iban",
                "is of a country outside the SEPA schemes: direct debits are collected into \
                 an account in SEPA",
            ));
        }
        // The same rule as donors' BICs: whatever is stored is what the file carries.
        let bic = bic
            .filter(|bic| !bic.trim().is_empty())
            .map(|bic| {
                normalized_bic(bic).ok_or(invalid(
                    "bic",
                    "is not a BIC: 4 letters (bank), an ISO country, 2 and optionally 3 more \
                     letters or digits",
                ))
            })
            .transpose()?;
        let days = prenotification_days.unwrap_or(DEFAULT_PRENOTIFICATION_DAYS);
        if !(1..=DEFAULT_PRENOTIFICATION_DAYS).contains(&days) {
            return Err(invalid(
                "prenotificationDays",
                "must be 1 to 14 (calendar days)",
            ));
        }
        let representation_days = representation_days
            .map_or(Some(DEFAULT_REPRESENTATION_DAYS), |days| {
                u8::try_from(days).ok()
            })
            .filter(|days| *days <= MAX_REPRESENTATION_DAYS)
            .ok_or(invalid(
                "representationDays",
                "must be 0 (a returned debit is never presented again) to 30 (calendar days)",
            ))?;
        Ok(Self {
            name: name.to_owned(),
            creditor_id: CreditorId::parse(creditor_id)?,
            iban: iban.electronic,
            bic,
            prenotification_days: days,
            representation_days,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creditor_is_named_whatever_its_business_code() {
        let id = CreditorId::parse("DE98ZZZ09999999999").expect("valid");
        assert!(id.is(" de98zzz09999999999"));
        assert!(id.is("DE98ABC09999999999"));
        assert!(!id.is("DE98ZZZ09999999998"));
        assert!(!id.is("DE9"));
    }

    #[test]
    fn creditor_ids_are_checked_by_mod_97_10_over_the_national_part() {
        assert_eq!(
            CreditorId::parse("DE98ZZZ09999999999").map(|id| id.0),
            Ok("DE98ZZZ09999999999".to_owned())
        );
        // The business code is not checked: any three characters do.
        assert!(CreditorId::parse("de98 abc 09999999999").is_ok());
        assert_eq!(
            CreditorId::parse("DE97ZZZ09999999999"),
            Err(InvalidCreditorId::CheckDigits)
        );
        assert_eq!(CreditorId::parse("DE98"), Err(InvalidCreditorId::Shape));
        assert_eq!(
            CreditorId::parse("DEXXZZZ0999"),
            Err(InvalidCreditorId::Shape)
        );
        assert_eq!(
            CreditorId::parse("DE98ZZZ0999999999ä"),
            Err(InvalidCreditorId::Shape)
        );
        // Other countries' published examples, letters in the national part included.
        for id in [
            "AT61ZZZ01234567890",
            "IT66ZZZA1B2C3D4E5F6G7H8",
            "ES59ZZZX1234567L",
            "FR72ZZZ123456",
        ] {
            assert!(CreditorId::parse(id).is_ok(), "{id}");
        }
    }
}
