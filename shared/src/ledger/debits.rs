//! How a new payment is drawn from its payment method: a card or PayPal payment falls due
//! today and stays `pending` until the payment provider says it took the money; a SEPA direct
//! debit is announced `prenotification days` ahead, falls due on a TARGET2 business day and
//! waits, `pending`, for a collection file.

use jiff::civil::Date;

use super::model::{DirectDebit, PaymentMethod, PaymentState, Person};
use crate::ground::bank::{normalized_bic, parse_iban};
use crate::ground::country::{CountryCode, SepaScope};
use crate::ground::money::MethodKind;
use crate::sepa::{Creditor, PostalAddress, Sequence, due_date};

/// When and how a new payment is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub due_date: Date,
    pub state: PaymentState,
    pub debit: Option<DirectDebit>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotDrawable {
    #[error("SEPA direct debits need the creditor settings: PUT /sepa/creditor first")]
    NoCreditor,
    #[error("this payment method has no SEPA mandate: renew it with an IBAN")]
    NoMandate,
    #[error("the SEPA mandate lapsed (unused for 36 months): renew the payment method")]
    MandateLapsed,
    #[error(
        "a one-off SEPA mandate carries one debit and a recurrent one only a series' debits: \
         this debit needs a mandate of its own"
    )]
    WrongMandate,
}

/// The terms of a payment made `today` from `method` of `debtor`, `recurring` when it belongs
/// to a subscription. `not_before` holds a recurring debit to its period's date.
pub fn terms(
    method: &PaymentMethod,
    debtor: &Person,
    creditor: Option<&Creditor>,
    today: Date,
    not_before: Option<Date>,
    recurring: bool,
) -> Result<Terms, NotDrawable> {
    if method.kind != MethodKind::SepaDirectDebit {
        return Ok(Terms {
            due_date: today,
            state: PaymentState::Pending,
            debit: None,
        });
    }
    let creditor = creditor.ok_or(NotDrawable::NoCreditor)?;
    let mandate = method.mandate.as_ref().ok_or(NotDrawable::NoMandate)?;
    let announced = due_date(today, creditor.prenotification_days);
    let due = not_before.map_or(announced, |period| {
        crate::sepa::calendar::on_or_after(period).max(announced)
    });
    if !mandate.valid_on(due) {
        return Err(NotDrawable::MandateLapsed);
    }
    if !mandate.allows(recurring) {
        return Err(NotDrawable::WrongMandate);
    }
    let sequence = match (recurring, mandate.last_used) {
        (false, _) => Sequence::Ooff,
        (true, None) => Sequence::Frst,
        (true, Some(_)) => Sequence::Rcur,
    };
    Ok(Terms {
        due_date: due,
        state: PaymentState::Pending,
        debit: Some(DirectDebit {
            sequence,
            mandate_reference: mandate.reference.clone(),
            mandate_signed_on: mandate.signed_on,
            debtor_name: method.holder.clone().unwrap_or_default(),
            debtor_iban: method.iban.clone().unwrap_or_default(),
            // Entry checks BICs; one stored before it did is left out rather than fail the file.
            debtor_bic: method.bic.as_deref().and_then(normalized_bic),
            debtor_address: outside_eea(method)
                .then(|| postal_address(debtor))
                .flatten(),
            collection: None,
            collection_date: None,
            returned: None,
            creditor_id: Some(
                mandate
                    .creditor_id
                    .clone()
                    .unwrap_or_else(|| creditor.creditor_id.as_str().to_owned()),
            ),
        }),
    })
}

/// Why an account given with an action cannot be debited (a 400 naming the field).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotDebitable {
    #[error("'iban' is not a valid IBAN")]
    InvalidIban,
    #[error("'iban' is of a country outside the SEPA schemes: it cannot be debited")]
    OutsideSepa,
    #[error("'bic' is not a valid BIC (e.g. COBADEFFXXX)")]
    InvalidBic,
    #[error("'bic' is needed for an account outside the EEA (SEPA rulebook, AT-13)")]
    BicNeeded,
    #[error(
        "an account outside the EEA needs the contact's address (street, post_code, city, \
         country; SEPA rulebook, AT-09)"
    )]
    AddressNeeded,
}

/// A new account of `debtor` as the file will carry it: IBAN (electronic) and BIC, checked as
/// the donor's form checks them, with what the rulebook asks beyond the EEA.
pub(super) fn debtor_account(
    iban: &str,
    bic: Option<&str>,
    debtor: &Person,
) -> Result<(String, Option<String>), NotDebitable> {
    let iban = parse_iban(iban).ok_or(NotDebitable::InvalidIban)?;
    let scope = iban.sepa_scope().ok_or(NotDebitable::OutsideSepa)?;
    let bic = bic
        .filter(|bic| !bic.trim().is_empty())
        .map(|bic| normalized_bic(bic).ok_or(NotDebitable::InvalidBic))
        .transpose()?;
    if scope == SepaScope::NonEea {
        bic.as_ref().ok_or(NotDebitable::BicNeeded)?;
        postal_address(debtor).ok_or(NotDebitable::AddressNeeded)?;
    }
    Ok((iban.electronic, bic))
}

/// Whether the method's account is in a SEPA country outside the EEA (CH, GB, …).
fn outside_eea(method: &PaymentMethod) -> bool {
    method
        .iban
        .as_deref()
        .and_then(parse_iban)
        .is_some_and(|iban| iban.sepa_scope() == Some(SepaScope::NonEea))
}

/// The debtor's address, if it is complete: street, post code, city and country.
fn postal_address(person: &Person) -> Option<PostalAddress> {
    let part = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    Some(PostalAddress {
        street: part(&person.street)?,
        post_code: part(&person.post_code)?,
        city: part(&person.city)?,
        country: person.country.as_deref().and_then(CountryCode::parse)?,
    })
}

/// The payment method after a debit due on `due` was drawn under its mandate, for `creditor`
/// (whose identifier the mandate is known under from now on).
pub fn used(
    method: &PaymentMethod,
    due: Date,
    creditor: Option<&Creditor>,
) -> Option<PaymentMethod> {
    let mandate = method.mandate.as_ref()?;
    let mut used = method.clone();
    used.mandate = Some(crate::sepa::Mandate {
        last_used: Some(mandate.last_used.map_or(due, |last| last.max(due))),
        creditor_id: creditor
            .map(|c| c.creditor_id.as_str().to_owned())
            .or_else(|| mandate.creditor_id.clone()),
        ..mandate.clone()
    });
    Some(used)
}
