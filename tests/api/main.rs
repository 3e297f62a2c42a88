//! Every integration test in one binary, so `make test` links the workspace once: the store
//! contract on DynamoDB Local and in memory, each function's handler on both, the HTTP stack
//! through `cargo lambda watch`, and the template, router and OpenAPI document held together.
//! (`tests/logs.rs` is its own binary: it installs the process-wide log subscriber.)

mod capacity;
mod continuation;
mod crm_feed;
mod dataset_api;
mod dataset_listing;
mod entities;
mod entity_conflicts;
mod entity_handlers;
mod erasure;
mod erasure_gaps;
mod forms_api;
mod handlers;
mod hosted_form;
mod idempotency;
mod offered_methods;
mod process_session;
mod processing;
mod recurring_payments;
mod request_counts;
mod routes;
mod sepa_accounts;
mod sepa_add_on_calendar;
mod sepa_bank_reports;
mod sepa_bounded;
mod sepa_calendar;
mod sepa_collections;
mod sepa_creditor;
mod sepa_lifecycle;
mod sepa_mandates;
mod sepa_representation;
mod sepa_returns;
mod session_api;
mod smoke;
mod smoke_batches;
mod store_contract;
mod tables;
mod totality;
mod visit_sessions;
