//! The nonprofit's bank: its pending direct debits claimed into pain.008 collection files for
//! it to collect, sent or voided as the merchant reports, and the returns it reports back
//! (as JSON or in its own camt.054/pain.002), a temporary return's debit presented again once.

mod claims;
mod model;
mod ports;
mod reports;
mod representation;
mod returns;
mod sending;
mod service;

pub use model::{
    Collection, CollectionStatus, Lease, MAX_DEBITS_PER_FILE, MAX_FILE_BYTES, id_range,
};
pub use ports::{Claim, CollectionPage, CollectionStore};
pub use reports::{ReportBookError, ReportBooked, book_report};
pub use returns::{BankReturn, Booked, BookedResult, MAX_RETURNS, ReturnInputError, book};
pub use sending::{CollectionStateError, Moved, Sending, SendingError, Way};
pub use service::{CollectError, CollectInputError, CollectRequest, Collected, Collector, LEASE};
