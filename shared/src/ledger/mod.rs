//! The donor ledger: the payment entities of the seed's table "DataSet and Changes" (the
//! contact, payment methods, subscriptions, payments and add-ons behind every donation) and the
//! actions that change them, each recorded as a changelog entry or a DataSet in the same
//! transaction; card and PayPal payments go through the payment provider first.

mod actions;
mod add_ons;
mod batches;
mod charges;
mod contacts;
mod context;
mod debits;
mod decide;
mod donor;
mod erasure;
mod error;
mod model;
mod ports;
mod records;
mod renewal;
mod rules;
mod service;
mod sign_up;
mod withdrawals;

pub use actions::{
    ACTIONS, ActionEntity, ActionFields, ActionInputError, ActionKind, ActionRequest,
};
pub use add_ons::{add_ons_due, own_interval};
pub use batches::{Batches, Budget, Resumed};
pub use charges::{NotTaken, charge_new_payments};
pub use debits::{NotDrawable, Terms, terms, used};
pub use donor::{Donor, masked_iban};
pub use erasure::redacted;
pub use error::ActionError;
pub use model::*;
pub use ports::{Applied, Change, EntityStore, EntityWrite, Located, RecordWrite};
pub use records::{derived_guid, entry_of, new_payment_entry, state_of, state_text};
pub use rules::Refusal;
pub use service::{Actions, Answer};
pub use withdrawals::{WithdrawalReason, unsent, withdraw, withdraw_subscription_debits};
