//! What every function shares, in layers whose dependencies point downward only (no module
//! imports one above it; `docs/architecture.md` draws them):
//!
//! 1. [`ground`]: values and newtypes (ids, money, countries, languages, time, randomness,
//!    IBAN and BIC forms, the conflict retry, the storage error).
//! 2. The domain, one module per concern, each with its rules, services and the ports (traits)
//!    it needs; no HTTP, no DynamoDB, no JSON documents:
//!    - [`merchant`]: nonprofits, their API keys and settings (SEPA creditor);
//!    - [`sepa`]: the SEPA Core rules (creditor id, mandates, sequences, business days, the
//!      SEPA character set, the pain.008 file);
//!    - [`cards`]: card and PayPal payments through a payment provider (the port);
//!    - [`form`], [`validation`]: donation forms and the rules for a donor's values;
//!    - [`visit`], [`idempotency`], [`listing`] (pages and signed cursors of both feeds);
//!    - [`dataset`], [`changelog`]: the records a CRM syncs;
//!    - [`ledger`]: the donor ledger (contacts, payment methods, subscriptions, payments,
//!      add-ons) and the actions of the seed's table;
//!    - [`session`]: payment sessions and their processing into a donation;
//!    - [`bank`]: the nonprofit's bank: collection files out, returns in;
//!    - [`recurring`]: the daily run of recurring payments.
//! 3. [`wire`]: the JSON documents of every API (request bodies read into domain values,
//!    answers written from them).
//! 4. Adapters, never imported by the domain: [`store`] (the storage ports over DynamoDB and
//!    in memory) and [`outbound`] (everything that talks to another service; test doubles).
//! 5. [`edge`]: the request pipeline and the mapping from domain errors to HTTP per API family.
//! 6. [`app`]: the one wiring: a backend per storage, the settings, and each function's state.
//!
//! [`telemetry`] and [`metrics`] serve every layer.

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
