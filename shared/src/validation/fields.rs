//! The rule of each known field: what it accepts and the normal form it stores.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::{Accepted, FieldError};
use crate::form::FieldDefinition;
use crate::ground::bank;
use crate::ground::country::CountryCode;

/// Known fields hold text; JSON numbers and booleans are read as what a form would send.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}

pub(super) fn truthy(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Some(true),
        "0" | "false" | "off" | "no" | "" => Some(false),
        _ => None,
    }
}

pub(super) fn choice(
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

pub(super) fn name_rule(text: &str) -> Result<Accepted, FieldError> {
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if text.chars().any(char::is_alphabetic) && text.chars().all(allowed) {
        Ok(Accepted::plain(text))
    } else {
        Err(FieldError::InvalidName)
    }
}

pub(super) fn email_rule(text: &str) -> Result<Accepted, FieldError> {
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

pub(super) fn phone_rule(text: &str) -> Result<Accepted, FieldError> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-/().".contains(c);
    if (5..=20).contains(&digits) && text.chars().all(allowed) {
        Ok(Accepted::plain(text))
    } else {
        Err(FieldError::InvalidPhone)
    }
}

/// An IBAN is taken for SEPA direct debit only, so one outside the schemes is refused here.
pub(super) fn iban_rule(text: &str) -> Result<Accepted, FieldError> {
    let iban = bank::parse_iban(text).ok_or(FieldError::InvalidIban)?;
    if iban.sepa_scope().is_none() {
        return Err(FieldError::IbanOutsideSepa);
    }
    Ok(Accepted {
        value: iban.electronic,
        derived: Some(json!({
            "country": iban.country,
            "bank_code": iban.bank_code,
        })),
    })
}

pub(super) fn bic_rule(text: &str) -> Result<Accepted, FieldError> {
    bank::normalized_bic(text)
        .map(Accepted::plain)
        .ok_or(FieldError::InvalidBic)
}

/// `2024-05-17` or the German `17.05.2024`.
pub(super) fn parse_date(text: &str) -> Option<Date> {
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

/// Postal codes where we know the country's format; elsewhere 2 to 10 letters and digits.
pub(super) fn is_post_code(code: &str, country: &CountryCode) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        for outside in [
            "TR330006100519786457841326",
            "BR1800360305000010009795493C1",
        ] {
            assert_eq!(
                iban_rule(outside),
                Err(FieldError::IbanOutsideSepa),
                "{outside}"
            );
        }
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
        assert_eq!(bic_rule("ABCDXéY"), Err(FieldError::InvalidBic));
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
