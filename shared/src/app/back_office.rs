//! States of the merchant-key routes: DataSets, forms, visit sessions.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::backend::{Backend, State, Wiring};
use super::config::ConfigError;
use crate::cards::PaymentProvider;
use crate::ground::money::MethodKind;
use crate::listing::TokenSigner;
use crate::merchant::Authenticator;
use crate::visit::LinkSigner;

/// `GET` and `PUT` of one DataSet.
pub struct RecordsState<B: Backend> {
    pub datasets: B::DataSets,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for RecordsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            datasets: wiring.backend.datasets()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
        })
    }
}

/// `POST /dataSet`: the records, and the idempotency keys that make a retry safe.
pub struct PostRecordState<B: Backend> {
    pub datasets: B::DataSets,
    pub idempotency: B::Idempotency,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
}

impl<B: Backend> State<B> for PostRecordState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            datasets: wiring.backend.datasets()?,
            idempotency: wiring.backend.idempotency()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
        })
    }
}

/// `GET /dataSets`: the records, and the key that signs `nextToken`.
pub struct ListingState<B: Backend> {
    pub datasets: B::DataSets,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

impl<B: Backend> State<B> for ListingState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            datasets: wiring.backend.datasets()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            signer: TokenSigner::new(wiring.secret()?),
        })
    }
}

/// Form configuration, and the card and wallet methods a form may offer (those a payment
/// provider takes).
pub struct FormsState<B: Backend> {
    pub forms: B::Forms,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub provided: &'static [MethodKind],
}

impl<B: Backend> State<B> for FormsState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            forms: wiring.backend.forms()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            provided: wiring.backend.payments().methods(),
        })
    }
}

/// The Session Management API: visit sessions, how long they live, and their link tokens.
pub struct VisitsState<B: Backend> {
    pub visits: B::Visits,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub ttl: SignedDuration,
    pub links: LinkSigner,
}

impl<B: Backend> State<B> for VisitsState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            visits: wiring.backend.visits()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            ttl: wiring.settings.visit_session_ttl,
            links: LinkSigner::new(wiring.secret()?),
        })
    }
}
