//! States of the merchant-key routes: DataSets, forms, visit sessions.

use jiff::SignedDuration;
use jiff::tz::TimeZone;

use crate::config::{self, ConfigError};
use crate::listing::TokenSigner;
use crate::merchant::Authenticator;
use crate::store::dynamo::{
    self, DynamoDataSets, DynamoIdempotency, DynamoMerchants, DynamoVisits,
};
use crate::visit::LinkSigner;

/// `GET` and `PUT` of one DataSet.
pub struct RecordsState<D, K> {
    pub datasets: D,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoRecordsState = RecordsState<DynamoDataSets, DynamoMerchants>;

impl DynamoRecordsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            datasets: DynamoDataSets::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// `POST /dataSet`: the records, and the idempotency keys that make a retry safe.
pub struct PostRecordState<D, I, K> {
    pub datasets: D,
    pub idempotency: I,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoPostRecordState =
    PostRecordState<DynamoDataSets, DynamoIdempotency, DynamoMerchants>;

impl DynamoPostRecordState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            datasets: DynamoDataSets::from_env(client.clone())?,
            idempotency: DynamoIdempotency::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// `GET /dataSets`: the records, and the key that signs `nextToken`.
pub struct ListingState<D, K> {
    pub datasets: D,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

pub type DynamoListingState = ListingState<DynamoDataSets, DynamoMerchants>;

impl DynamoListingState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        let client = aws.dynamodb();
        Ok(Self {
            datasets: DynamoDataSets::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
            signer: TokenSigner::new(aws.signing_secret().await?),
        })
    }
}

/// Form configuration.
pub struct FormsState<F, K> {
    pub forms: F,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoFormsState = FormsState<dynamo::DynamoForms, DynamoMerchants>;

impl DynamoFormsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            forms: dynamo::DynamoForms::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// The Session Management API: visit sessions, how long they live, and their link tokens.
pub struct VisitsState<V, K> {
    pub visits: V,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub ttl: SignedDuration,
    pub links: LinkSigner,
}

pub type DynamoVisitsState = VisitsState<DynamoVisits, DynamoMerchants>;

impl DynamoVisitsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        let client = aws.dynamodb();
        Ok(Self {
            visits: DynamoVisits::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
            ttl: config::visit_session_ttl()?,
            links: LinkSigner::new(aws.signing_secret().await?),
        })
    }
}
