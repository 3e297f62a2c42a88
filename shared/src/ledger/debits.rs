//! How a new payment is drawn from its payment method: a card or PayPal payment falls due
//! today and stays `pending` until the payment provider says it took the money; a SEPA direct
//! debit is announced `prenotification days` ahead, falls due on a TARGET2 business day and
//! waits, `pending`, for a collection file.

use jiff::civil::Date;

use super::model::{DirectDebit, PaymentMethod, PaymentState};
use crate::ground::money::MethodKind;
use crate::sepa::{Creditor, Sequence, due_date};

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
}

/// The terms of a payment made `today` from `method`, `recurring` when it belongs to a
/// subscription. `not_before` holds a recurring debit to its period's date.
pub fn terms(
    method: &PaymentMethod,
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
            debtor_bic: method.bic.clone(),
            collection: None,
            collection_date: None,
            returned: None,
        }),
    })
}

/// The payment method after a debit due on `due` was drawn under its mandate.
pub fn used(method: &PaymentMethod, due: Date) -> Option<PaymentMethod> {
    let mandate = method.mandate.as_ref()?;
    let mut used = method.clone();
    used.mandate = Some(crate::sepa::Mandate {
        last_used: Some(mandate.last_used.map_or(due, |last| last.max(due))),
        ..mandate.clone()
    });
    Some(used)
}
