//! Recurring donations: the daily scheduler that makes each subscription's next payment and
//! settles submitted direct debits.

mod ports;
mod service;

pub use ports::{Due, DuePage, SHARDS, Schedule};
pub use service::{RETURN_WINDOW_DAYS, Report, Scheduler};
