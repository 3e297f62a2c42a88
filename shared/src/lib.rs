//! What every function shares: domain types and their validation, request decoding and
//! responses, the storage boundary with its DynamoDB and in-memory stores, auth and config.
//! Functions stay thin: they parse at the edge with these types, then trust them.

pub mod auth;
pub mod config;
pub mod dataset;
pub mod form;
pub mod http;
pub mod listing;
pub mod merchant;
pub mod metrics;
pub mod payment;
pub mod session;
pub mod store;
pub mod telemetry;
pub mod time;
pub mod validation;
pub mod visit;
