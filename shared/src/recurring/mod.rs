//! Recurring donations: the daily run (function `recurring-payments`) that makes each
//! subscription's next payment (a direct debit, or a card or PayPal charge through the payment
//! provider) and settles submitted direct debits.

mod period;
mod ports;
mod report;
mod service;

pub use ports::{Due, DuePage, SHARDS, Schedule};
pub use report::Report;
pub use service::{RETURN_WINDOW_DAYS, Scheduler};
