//! SEPA direct debit, collected by the nonprofit's own bank: the creditor settings, mandates
//! and their debits, TARGET2 business days, the SEPA character set, and the pain.008 file the
//! bank takes, and the reports it sends back.

pub mod calendar;
mod creditor;
mod mandate;
mod pain008;
pub mod reports;
mod text;

pub use creditor::{
    Creditor, CreditorId, CreditorInputError, DEFAULT_PRENOTIFICATION_DAYS,
    DEFAULT_REPRESENTATION_DAYS, InvalidCreditorId,
};
pub use mandate::{
    MANDATE_LAPSES_AFTER_MONTHS, MANDATE_TEXT_VERSION, Mandate, MandateKind, Sequence, due_date,
    end_to_end_id, payment_of,
};
pub use pain008::{CollectionFile, Debit, PostalAddress};
pub use text::sepa_text;
