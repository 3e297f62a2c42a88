//! The wiring, above the edge: a [`Backend`] per storage (DynamoDB for Lambda and the
//! integration tests, memory for fast handler tests), the deployment's [`Settings`], and each
//! function's state built from them by one [`State::build`], the same in Lambda
//! ([`production`]) and in the tests.

mod back_office;
mod backend;
pub mod config;
mod donor;
mod dynamo;
mod ledger;
mod memory;
mod sepa;

pub use back_office::{FormsState, ListingState, PostRecordState, RecordsState, VisitsState};
pub use backend::{Backend, Settings, State, Wiring};
pub use donor::{FormPageState, FormPostState, ProcessState, SessionApiState};
pub use dynamo::{Dynamo, Production, Tables, production, provided_methods};
pub use ledger::{
    ActionsState, ChangelogListingState, ChangelogState, ContactsState, ContinueBatchesState,
};
pub use memory::Memory;
pub use sepa::{
    CollectionListingState, CollectionsState, CreditorState, RecurringPaymentsState, ReturnsState,
    SendingState,
};
