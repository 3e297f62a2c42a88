//! States of the SEPA routes and the daily run: creditor settings, collections, returns, and
//! the recurring payments.

use std::time::Duration;

use jiff::tz::TimeZone;

use super::backend::{Backend, State, Wiring};
use super::config::ConfigError;
use crate::bank::{Collector, Sending};
use crate::listing::TokenSigner;
use crate::merchant::Authenticator;

/// `PUT` and `GET /sepa/creditor`: the settings live on the merchant's record.
pub struct CreditorState<B: Backend> {
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for CreditorState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
        })
    }
}

/// The collection routes: collections over the merchant's entities.
pub struct CollectionsState<B: Backend> {
    pub collections: B::Collections,
    /// The `Idempotency-Key`s of `POST /sepa/collections`.
    pub idempotency: B::Idempotency,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    /// How long a call holds a building collection between batches.
    pub lease: Duration,
    /// How long a call claims before it answers "call again".
    pub budget: Duration,
}

impl<B: Backend> State<B> for CollectionsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            collections: wiring.backend.collections()?,
            idempotency: wiring.backend.idempotency()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            lease: wiring.settings.collection_lease,
            budget: wiring.settings.collection_budget,
        })
    }
}

impl<B: Backend> CollectionsState<B> {
    /// The collection service over this state's stores.
    pub fn collector(&self) -> Collector<'_, B::Collections, B::Idempotency> {
        Collector {
            store: &self.collections,
            keys: &self.idempotency,
            lease: self.lease,
            budget: self.budget,
        }
    }
}

/// `GET /sepa/collections`: pages of collections, with signed `nextToken`s.
pub struct CollectionListingState<B: Backend> {
    pub collections: B::Collections,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

impl<B: Backend> State<B> for CollectionListingState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            collections: wiring.backend.collections()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            signer: TokenSigner::collections(wiring.secret()?),
        })
    }
}

/// How long `…/submitted` and `…/voided` move debits before answering "call again" (API
/// Gateway waits 30 s).
const SENDING_BUDGET: Duration = Duration::from_secs(20);

/// `…/submitted` and `…/voided`: a collection and the payments it claimed.
pub struct SendingState<B: Backend> {
    pub collections: B::Collections,
    pub entities: B::Entities,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub budget: Duration,
}

impl<B: Backend> State<B> for SendingState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            collections: wiring.backend.collections()?,
            entities: wiring.backend.entities()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            budget: SENDING_BUDGET,
        })
    }
}

impl<B: Backend> SendingState<B> {
    /// The service over this state's stores.
    pub fn sending(&self) -> Sending<'_, B::Collections, B::Entities> {
        Sending {
            store: &self.collections,
            entities: &self.entities,
            budget: self.budget,
        }
    }
}

/// The daily run: the entities, their due indexes, the merchants' creditor settings, and the
/// payment provider that charges card and PayPal renewals.
pub struct RecurringPaymentsState<B: Backend> {
    pub entities: B::Entities,
    pub schedule: B::Schedule,
    pub merchants: B::Merchants,
    pub provider: B::Payments,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for RecurringPaymentsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            entities: wiring.backend.entities()?,
            schedule: wiring.backend.schedule()?,
            merchants: wiring.backend.merchants()?,
            provider: wiring.backend.payments(),
            time_zone: wiring.time_zone(),
        })
    }
}

/// `POST /sepa/returns`: the entities the returns change.
pub struct ReturnsState<B: Backend> {
    pub entities: B::Entities,
    pub auth: Authenticator<B::Merchants>,
}

impl<B: Backend> State<B> for ReturnsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            entities: wiring.backend.entities()?,
            auth: wiring.auth()?,
        })
    }
}
