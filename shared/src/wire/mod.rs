//! The documents every API speaks, in one layer: each request body read into the domain value
//! it asks for (shape and types here; the rules it must follow stay in the domain), and each
//! answer written from domain values with the seed's names and timestamps in the merchant's
//! zone. The Session-API's parameters and session answer, the back office's DataSets, forms,
//! contacts, changelog entries, actions, visit sessions, creditor settings and collections,
//! and the listing envelope. Storage uses it only to know how large an item is in a listing
//! answer; HTTP itself (status codes, headers, problem+json) is the edge's.

pub mod actions;
pub mod changelogs;
pub mod collections;
pub mod contacts;
pub mod creditor;
pub mod datasets;
pub mod forms;
pub mod listing;
pub mod session_api;
pub mod visits;
