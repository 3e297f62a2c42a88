//! Bank account identifiers in their electronic form, as a SEPA file carries them: the IBAN
//! (ISO 13616: country, length and mod-97 check digits, from `iban_validate`) and the BIC
//! (ISO 9362). Spaces and case as donors type them are accepted.

use iban::{Iban, IbanLike};

use super::country::{CountryCode, SepaScope, sepa_scope};

/// A valid IBAN, and what it says of its bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedIban {
    /// `DE89370400440532013000`.
    pub electronic: String,
    pub country: String,
    pub bank_code: Option<String>,
}

impl ParsedIban {
    /// Where the account's bank stands in SEPA: `None` cannot be debited by SEPA at all.
    pub fn sepa_scope(&self) -> Option<SepaScope> {
        sepa_scope(&self.country)
    }
}

/// The IBAN in `text`, if it is a valid one.
pub fn parse_iban(text: &str) -> Option<ParsedIban> {
    let iban: Iban = compact(text).parse().ok()?;
    Some(ParsedIban {
        electronic: iban.electronic_str().to_owned(),
        country: iban.country_code().to_owned(),
        bank_code: iban.bank_identifier().map(str::to_owned),
    })
}

/// An IBAN in its electronic form, if `text` is a valid one.
pub fn normalized_iban(text: &str) -> Option<String> {
    parse_iban(text).map(|iban| iban.electronic)
}

/// A BIC (`COBADEFFXXX`, or its 8-character form), if `text` is shaped like one: four letters
/// for the bank, an ISO country, two letters or digits for the place, three for the branch.
pub fn normalized_bic(text: &str) -> Option<String> {
    let bic = compact(text);
    let b = bic.as_bytes();
    // ASCII first: the country is sliced by byte, which must not split a character.
    let valid = bic.is_ascii()
        && (b.len() == 8 || b.len() == 11)
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && CountryCode::parse(&bic[4..6]).is_some()
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    valid.then_some(bic)
}

fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}
