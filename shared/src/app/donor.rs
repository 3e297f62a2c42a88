//! States of the donor-facing routes: the Session-API, processing and the hosted form.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use crate::cards::{PaymentProvider, SandboxProvider};
use crate::config::{self, ConfigError};
use crate::form::{FormCatalog, FormStore};
use crate::merchant::{Authenticator, MerchantStore};
use crate::session::{ProcessStore, Processor, SessionStore};
use crate::store::dynamo::{
    DynamoChangelogs, DynamoDataSets, DynamoEntities, DynamoForms, DynamoMerchants,
    DynamoProcessing, DynamoSessions, DynamoVisits,
};
use crate::visit::{LinkSigner, VisitStore};

/// `createSession` and `updateSession`: the key, when one is sent, makes the merchant; the link
/// signer checks the tokens that let a browser link a visit session.
pub struct SessionApiState<S, F, K> {
    pub sessions: S,
    pub forms: FormCatalog<F, K>,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    pub links: LinkSigner,
}

pub type DynamoSessionApiState = SessionApiState<DynamoSessions, DynamoForms, DynamoMerchants>;

impl DynamoSessionApiState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        let client = aws.dynamodb();
        let keys = DynamoMerchants::from_env(client.clone())?;
        Ok(Self {
            sessions: DynamoSessions::from_env(client.clone())?,
            forms: FormCatalog::new(DynamoForms::from_env(client)?, keys.clone()),
            auth: Authenticator::new(keys),
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
            links: LinkSigner::new(aws.signing_secret().await?),
        })
    }
}

/// `processSession`: the sessions, the processing transaction, visit sessions for the
/// DataSet, and the payment provider.
pub struct ProcessState<S, P, V, F, K, Pay> {
    pub sessions: S,
    pub processing: P,
    pub visits: V,
    pub forms: FormCatalog<F, K>,
    pub provider: Pay,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
}

pub type DynamoProcessState = ProcessState<
    DynamoSessions,
    DynamoProcessing,
    DynamoVisits,
    DynamoForms,
    DynamoMerchants,
    SandboxProvider,
>;

impl DynamoProcessState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        Self::with_aws(&config::Aws::from_env()?)
    }

    fn with_aws(aws: &config::Aws) -> Result<Self, ConfigError> {
        let client = aws.dynamodb();
        let sessions = DynamoSessions::from_env(client.clone())?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let entities = DynamoEntities::from_env(
            client.clone(),
            DynamoChangelogs::from_env(client.clone())?,
            datasets.clone(),
        )?;
        Ok(Self {
            processing: DynamoProcessing::new(sessions.clone(), datasets, entities),
            sessions,
            visits: DynamoVisits::from_env(client.clone())?,
            forms: FormCatalog::new(
                DynamoForms::from_env(client.clone())?,
                DynamoMerchants::from_env(client)?,
            ),
            provider: SandboxProvider,
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
        })
    }
}

impl<S, P, V, F, K, Pay> ProcessState<S, P, V, F, K, Pay>
where
    S: SessionStore,
    P: ProcessStore,
    V: VisitStore,
    F: FormStore,
    K: MerchantStore,
    Pay: PaymentProvider,
{
    pub fn processor(&self) -> Processor<'_, S, P, V, Pay> {
        Processor {
            sessions: &self.sessions,
            processing: &self.processing,
            visits: &self.visits,
            provider: &self.provider,
        }
    }
}

/// `GET /form/{formHash}`: the form, prefilled from a session, with its CSRF token.
pub struct FormPageState<S, F, K> {
    pub sessions: S,
    pub forms: FormCatalog<F, K>,
    pub time_zone: TimeZone,
    pub session_ttl: SignedDuration,
    pub csrf_key: Vec<u8>,
}

pub type DynamoFormPageState = FormPageState<DynamoSessions, DynamoForms, DynamoMerchants>;

impl DynamoFormPageState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        let client = aws.dynamodb();
        Ok(Self {
            sessions: DynamoSessions::from_env(client.clone())?,
            forms: FormCatalog::new(
                DynamoForms::from_env(client.clone())?,
                DynamoMerchants::from_env(client)?,
            ),
            time_zone: config::time_zone()?,
            session_ttl: config::session_ttl()?,
            csrf_key: aws.signing_secret().await?,
        })
    }
}

/// `POST /form/{formHash}`: processing's state, and the key that checks CSRF tokens.
pub struct FormPostState<S, P, V, F, K, Pay> {
    pub process: ProcessState<S, P, V, F, K, Pay>,
    pub csrf_key: Vec<u8>,
}

pub type DynamoFormPostState = FormPostState<
    DynamoSessions,
    DynamoProcessing,
    DynamoVisits,
    DynamoForms,
    DynamoMerchants,
    SandboxProvider,
>;

impl DynamoFormPostState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        Ok(Self {
            process: DynamoProcessState::with_aws(&aws)?,
            csrf_key: aws.signing_secret().await?,
        })
    }
}
