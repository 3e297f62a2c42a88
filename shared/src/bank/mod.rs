//! SEPA collections: the nonprofit's pending direct debits claimed into pain.008 files for its
//! bank, and the returns its bank reports back.

mod model;
mod ports;
mod returns;
mod service;

pub use model::{Collection, CollectionStatus, Lease};
pub use ports::{Claim, CollectionStore};
pub use returns::{BankReturn, Booked, BookedResult, ReturnInputError, book};
pub use service::{CollectError, CollectInputError, CollectRequest, Collector, LEASE};
