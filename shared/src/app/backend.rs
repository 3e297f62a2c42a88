//! The one wiring: a [`Backend`] names an adapter for every port (DynamoDB or memory for
//! storage, a payment provider), a [`Wiring`] adds the deployment's settings and signing
//! secret, and each function's [`State`] is built from a wiring, the same way in Lambda and in
//! the tests. A new port is one associated type and one method here, and one line in each
//! backend.

use std::time::Duration;

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::config::{self, ConfigError};
use crate::bank::{CollectionStore, LEASE};
use crate::cards::PaymentProvider;
use crate::changelog::ChangelogStore;
use crate::dataset::DataSetStore;
use crate::form::{FormCatalog, FormStore};
use crate::idempotency::IdempotencyStore;
use crate::ledger::EntityStore;
use crate::merchant::{Authenticator, MerchantStore};
use crate::recurring::Schedule;
use crate::session::{ProcessStore, SessionStore};
use crate::visit::VisitStore;

/// How long one `POST /actions` call goes on with an erasure's or a merge's batches before it
/// answers "in progress" (well inside the function's timeout; the next call goes on).
pub const ACTION_BUDGET: Duration = Duration::from_secs(15);

/// How long one `POST /sepa/collections` call claims debits before it answers `202` (well
/// inside the function's 29 s timeout; the next call goes on with the same collection).
pub const COLLECTION_BUDGET: Duration = Duration::from_secs(15);

/// An adapter for every port. Each method builds a handle (cheap: a client and a table name,
/// or shared memory); it fails only when the function was not given what the port needs (a
/// table name in its environment).
pub trait Backend: Send + Sync + Sized + 'static {
    type Merchants: MerchantStore + 'static;
    type Forms: FormStore + 'static;
    type Sessions: SessionStore + 'static;
    type Processing: ProcessStore + 'static;
    type Visits: VisitStore + 'static;
    type DataSets: DataSetStore + 'static;
    type Idempotency: IdempotencyStore + 'static;
    type Entities: EntityStore + 'static;
    type Changelogs: ChangelogStore + 'static;
    type Collections: CollectionStore + 'static;
    type Schedule: Schedule + 'static;
    type Payments: PaymentProvider + 'static;

    /// # Errors
    /// `ConfigError` when the function lacks the port's table (likewise below).
    fn merchants(&self) -> Result<Self::Merchants, ConfigError>;
    fn forms(&self) -> Result<Self::Forms, ConfigError>;
    fn sessions(&self) -> Result<Self::Sessions, ConfigError>;
    fn processing(&self) -> Result<Self::Processing, ConfigError>;
    fn visits(&self) -> Result<Self::Visits, ConfigError>;
    fn datasets(&self) -> Result<Self::DataSets, ConfigError>;
    fn idempotency(&self) -> Result<Self::Idempotency, ConfigError>;
    fn entities(&self) -> Result<Self::Entities, ConfigError>;
    fn changelogs(&self) -> Result<Self::Changelogs, ConfigError>;
    fn collections(&self) -> Result<Self::Collections, ConfigError>;
    fn schedule(&self) -> Result<Self::Schedule, ConfigError>;
    fn payments(&self) -> Self::Payments;
}

/// The deployment's settings (the template's parameters in Lambda, their defaults in tests).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Zone of the seed's human timestamps and of date ranges.
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    pub visit_session_ttl: SignedDuration,
    /// See [`ACTION_BUDGET`].
    pub action_budget: Duration,
    /// How long a call holds a building collection between batches.
    pub collection_lease: Duration,
    /// See [`COLLECTION_BUDGET`].
    pub collection_budget: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            time_zone: TimeZone::get(config::DEFAULT_TIME_ZONE)
                .unwrap_or_else(|_| unreachable!("the bundled tzdb has Europe/Berlin")),
            session_ttl: SignedDuration::from_hours(48),
            visit_session_ttl: SignedDuration::from_hours(24 * 30),
            action_budget: ACTION_BUDGET,
            collection_lease: LEASE,
            collection_budget: COLLECTION_BUDGET,
        }
    }
}

impl Settings {
    /// From the environment, as the SAM template sets it.
    ///
    /// # Errors
    /// `Invalid` for a value out of its range.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
            visit_session_ttl: config::visit_session_ttl()?,
            action_budget: ACTION_BUDGET,
            collection_lease: LEASE,
            collection_budget: COLLECTION_BUDGET,
        })
    }
}

/// What every function's state is built from.
pub struct Wiring<B> {
    pub backend: B,
    pub settings: Settings,
    /// The key of what we sign (listing cursors, CSRF and visit-link tokens); read only for
    /// functions whose state signs.
    pub secret: Option<Vec<u8>>,
}

impl<B> Wiring<B> {
    /// The same settings and secret over another backend (the same stores seen through
    /// another provider, or a test's wrapper).
    pub fn with_backend<C>(&self, backend: C) -> Wiring<C> {
        Wiring {
            backend,
            settings: self.settings.clone(),
            secret: self.secret.clone(),
        }
    }
}

impl<B: Backend> Wiring<B> {
    /// # Errors
    /// `Missing` when the wiring was built without it.
    pub fn secret(&self) -> Result<&[u8], ConfigError> {
        self.secret
            .as_deref()
            .ok_or(ConfigError::Missing(config::SIGNING_SECRET_ARN))
    }

    /// # Errors
    /// `ConfigError` when the function lacks the merchants' table.
    pub fn auth(&self) -> Result<Authenticator<B::Merchants>, ConfigError> {
        Ok(Authenticator::new(self.backend.merchants()?))
    }

    /// Forms as donors reach them: offering only the payment methods that are collected.
    ///
    /// # Errors
    /// `ConfigError` when the function lacks the forms' or merchants' table.
    pub fn catalog(&self) -> Result<FormCatalog<B::Forms, B::Merchants>, ConfigError> {
        Ok(FormCatalog::new(
            self.backend.forms()?,
            self.backend.merchants()?,
            self.backend.payments().methods(),
        ))
    }

    pub fn time_zone(&self) -> TimeZone {
        self.settings.time_zone.clone()
    }
}

/// A function's state, built from a wiring once per cold start (or once per test).
pub trait State<B: Backend>: Sized + Send + Sync + 'static {
    /// Whether it signs or checks tokens: only then is the signing secret read.
    const SIGNS: bool = false;

    /// # Errors
    /// `ConfigError` when the wiring lacks a table or the secret this state needs.
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError>;
}
