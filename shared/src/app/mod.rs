//! Each function's state: the adapters wired into the services once per cold start. Generic
//! over the ports, so handler tests run the same state on the in-memory adapters; the
//! `Dynamo…State` aliases and their `from_env` are what Lambda runs.

mod back_office;
mod donor;
mod entities;
mod sepa;

pub use back_office::{
    DynamoFormsState, DynamoListingState, DynamoPostRecordState, DynamoRecordsState,
    DynamoVisitsState, FormsState, ListingState, PostRecordState, RecordsState, VisitsState,
};
pub use donor::{
    DynamoFormPageState, DynamoFormPostState, DynamoProcessState, DynamoSessionApiState,
    FormPageState, FormPostState, ProcessState, SessionApiState,
};
pub use entities::{
    ACTION_BUDGET, ActionsState, ChangelogListingState, ChangelogState, ContactsState,
    DynamoActionsState, DynamoChangelogListingState, DynamoChangelogState, DynamoContactsState,
};
pub use sepa::{
    CollectionsState, CreditorState, DynamoCollectionsState, DynamoCreditorState,
    DynamoReturnsState, DynamoSchedulerState, ReturnsState, SchedulerState,
};
