//! Payment sessions (seed `session-json.md`): a donor's values built up request by request,
//! validated at once, until the session is complete and is processed into a donation. The
//! Session-API and the hosted form both run this service, so both behave alike.

mod choices;
mod donation;
mod donor;
mod error;
mod model;
mod plan;
mod ports;
mod processor;
mod service;

pub use choices::{MANDATE_VALUE, choose_amount, sign_mandate};
pub use donation::{NotPayable, donation_dataset};
pub use donor::donor_of;
pub use error::SessionError;
pub use model::*;
pub use plan::{Plan, plan};
pub use ports::{ProcessStore, Processing, SessionStore, SessionWrite};
pub use processor::Processor;
pub use service::{Context, Outcome, create, live_session, update};
