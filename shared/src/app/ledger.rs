//! States of the donor-ledger routes (actions, contacts and the changelog) and of the
//! continuation of erasures and merges.

use std::time::Duration;

use jiff::tz::TimeZone;

use super::backend::{Backend, State, Wiring};
use super::config::ConfigError;
use crate::ledger::Batches;
use crate::listing::TokenSigner;
use crate::merchant::Authenticator;

/// `POST /actions`: the entities, the records changes write, the visit sessions an erasure
/// deletes, the idempotency keys that make a retry safe, and the payment provider that
/// refunds and charges cards.
pub struct ActionsState<B: Backend> {
    pub entities: B::Entities,
    pub datasets: B::DataSets,
    pub changelogs: B::Changelogs,
    pub visits: B::Visits,
    pub idempotency: B::Idempotency,
    pub provider: B::Payments,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub budget: Duration,
}

impl<B: Backend> State<B> for ActionsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        let backend = &wiring.backend;
        Ok(Self {
            entities: backend.entities()?,
            datasets: backend.datasets()?,
            changelogs: backend.changelogs()?,
            visits: backend.visits()?,
            idempotency: backend.idempotency()?,
            provider: backend.payments(),
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            budget: wiring.settings.action_budget,
        })
    }
}

/// How long one continuation goes on with batches before it leaves the rest to the next
/// (well inside the function's 60 s timeout: a batch takes a few seconds at most).
const CONTINUATION_BUDGET: Duration = Duration::from_secs(40);

/// The continuation of erasures and merges (the Entities table's stream): the stores their
/// batches change.
pub struct ContinueBatchesState<B: Backend> {
    pub entities: B::Entities,
    pub datasets: B::DataSets,
    pub changelogs: B::Changelogs,
    pub visits: B::Visits,
    pub time_zone: TimeZone,
    pub budget: Duration,
}

impl<B: Backend> State<B> for ContinueBatchesState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        let backend = &wiring.backend;
        Ok(Self {
            entities: backend.entities()?,
            datasets: backend.datasets()?,
            changelogs: backend.changelogs()?,
            visits: backend.visits()?,
            time_zone: wiring.time_zone(),
            budget: CONTINUATION_BUDGET,
        })
    }
}

impl<B: Backend> ContinueBatchesState<B> {
    /// The batches over this state's stores.
    pub fn batches(&self) -> Batches<'_, B::Entities, B::DataSets, B::Changelogs, B::Visits> {
        Batches {
            entities: &self.entities,
            datasets: &self.datasets,
            changelogs: &self.changelogs,
            visits: &self.visits,
        }
    }
}

/// `GET /contact/{guid}`: a contact's entities and the guids of its DataSets.
pub struct ContactsState<B: Backend> {
    pub entities: B::Entities,
    pub datasets: B::DataSets,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for ContactsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            entities: wiring.backend.entities()?,
            datasets: wiring.backend.datasets()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
        })
    }
}

/// `GET /changelog/{guid}`.
pub struct ChangelogState<B: Backend> {
    pub changelogs: B::Changelogs,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for ChangelogState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            changelogs: wiring.backend.changelogs()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
        })
    }
}

/// `GET /changelogs`: the entries, and the key that signs `nextToken`.
pub struct ChangelogListingState<B: Backend> {
    pub changelogs: B::Changelogs,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

impl<B: Backend> State<B> for ChangelogListingState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            changelogs: wiring.backend.changelogs()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            signer: TokenSigner::changelogs(wiring.secret()?),
        })
    }
}
