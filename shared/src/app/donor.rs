//! States of the donor-facing routes: the Session-API, processing and the hosted form.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use super::backend::{Backend, State, Wiring};
use super::config::ConfigError;
use crate::form::FormCatalog;
use crate::merchant::Authenticator;
use crate::session::Processor;
use crate::visit::LinkSigner;

/// `createSession` and `updateSession`: the key, when one is sent, makes the merchant; the link
/// signer checks the tokens that let a browser link a visit session.
pub struct SessionApiState<B: Backend> {
    pub sessions: B::Sessions,
    pub forms: FormCatalog<B::Forms, B::Merchants>,
    pub auth: Authenticator<B::Merchants>,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    pub links: LinkSigner,
}

impl<B: Backend> State<B> for SessionApiState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: wiring.backend.sessions()?,
            forms: wiring.catalog()?,
            auth: wiring.auth()?,
            time_zone: wiring.time_zone(),
            session_ttl: wiring.settings.session_ttl,
            links: LinkSigner::new(wiring.secret()?),
        })
    }
}

/// `processSession`: the sessions, the processing transaction, visit sessions for the
/// DataSet, and the payment provider for cards and PayPal.
pub struct ProcessState<B: Backend> {
    pub sessions: B::Sessions,
    pub processing: B::Processing,
    pub visits: B::Visits,
    pub forms: FormCatalog<B::Forms, B::Merchants>,
    pub provider: B::Payments,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
}

impl<B: Backend> State<B> for ProcessState<B> {
    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: wiring.backend.sessions()?,
            processing: wiring.backend.processing()?,
            visits: wiring.backend.visits()?,
            forms: wiring.catalog()?,
            provider: wiring.backend.payments(),
            time_zone: wiring.time_zone(),
            session_ttl: wiring.settings.session_ttl,
        })
    }
}

impl<B: Backend> ProcessState<B> {
    pub fn processor(&self) -> Processor<'_, B::Sessions, B::Processing, B::Visits, B::Payments> {
        Processor {
            sessions: &self.sessions,
            processing: &self.processing,
            visits: &self.visits,
            provider: &self.provider,
        }
    }
}

/// `GET /form/{formHash}`: the form, prefilled from a session, with its CSRF token.
pub struct FormPageState<B: Backend> {
    pub sessions: B::Sessions,
    pub forms: FormCatalog<B::Forms, B::Merchants>,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    pub csrf_key: Vec<u8>,
}

impl<B: Backend> State<B> for FormPageState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            sessions: wiring.backend.sessions()?,
            forms: wiring.catalog()?,
            time_zone: wiring.time_zone(),
            session_ttl: wiring.settings.session_ttl,
            csrf_key: wiring.secret()?.to_vec(),
        })
    }
}

/// `POST /form/{formHash}`: processing's state, and the key that checks CSRF tokens.
pub struct FormPostState<B: Backend> {
    pub process: ProcessState<B>,
    pub csrf_key: Vec<u8>,
}

impl<B: Backend> State<B> for FormPostState<B> {
    const SIGNS: bool = true;

    fn build(wiring: &Wiring<B>) -> Result<Self, ConfigError> {
        Ok(Self {
            process: ProcessState::build(wiring)?,
            csrf_key: wiring.secret()?.to_vec(),
        })
    }
}
