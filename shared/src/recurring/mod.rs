//! Recurring donations: the daily run (function `recurring-payments`) that makes each
//! subscription's next payment, and each of its add-ons' with an interval of their own (a
//! direct debit, or a card or PayPal charge through the payment provider), and settles
//! submitted direct debits.

mod hold;
mod period;
mod ports;
mod report;
mod service;

pub use ports::{Due, DuePage, SHARDS, Schedule};
pub use report::Report;
pub use service::{RETURN_WINDOW_DAYS, Scheduler};
