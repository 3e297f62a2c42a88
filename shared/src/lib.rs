//! What every function shares, in layers whose dependencies point downward only:
//!
//! 1. [`ground`]: values and newtypes (ids, money, countries, time, randomness, the storage
//!    error).
//! 2. The domain, one module per concern ([`auth`], [`form`], [`validation`], [`session`],
//!    [`payment`], [`dataset`], [`visit`], [`idempotency`], [`entities`], [`changelog`]): rules,
//!    services and the ports
//!    (store traits) they need. No HTTP, no DynamoDB.
//! 3. [`store`]: the ports implemented over DynamoDB and in memory.
//! 4. [`edge`]: the request pipeline and the mapping from domain errors to HTTP per API family.
//! 5. [`app`]: each function's state, wired from the adapters once per cold start.
//!
//! [`telemetry`] and [`metrics`] serve every layer; [`config`] reads the environment for the
//! adapters and the app.

pub mod app;
pub mod bank;
pub mod cards;
pub mod changelog;
pub mod dataset;
pub mod edge;
pub mod form;
pub mod ground;
pub mod idempotency;
pub mod ledger;
pub mod listing;
pub mod merchant;
pub mod metrics;
pub mod outbound;
pub mod recurring;
pub mod sepa;
pub mod session;
pub mod store;
pub mod telemetry;
pub mod validation;
pub mod visit;
pub mod wire;
