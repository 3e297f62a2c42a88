//! States of the SEPA routes: creditor settings, collections, returns.

use std::time::Duration;

use jiff::tz::TimeZone;

use crate::bank::LEASE;
use crate::config::{self, ConfigError};
use crate::merchant::Authenticator;
use crate::store::dynamo::{
    DynamoChangelogs, DynamoCollections, DynamoDataSets, DynamoEntities, DynamoMerchants,
    DynamoSchedule,
};

/// `PUT` and `GET /sepa/creditor`: the settings live on the merchant's record.
pub struct CreditorState<K> {
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoCreditorState = CreditorState<DynamoMerchants>;

impl DynamoCreditorState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// The collection routes: collections over the merchant's entities.
pub struct CollectionsState<S, K> {
    pub collections: S,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    /// How long a call holds a building collection between batches.
    pub lease: Duration,
}

pub type DynamoCollectionsState = CollectionsState<DynamoCollections, DynamoMerchants>;

impl DynamoCollectionsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let changelogs = DynamoChangelogs::from_env(client.clone())?;
        let entities = DynamoEntities::from_env(client.clone(), changelogs, datasets)?;
        Ok(Self {
            collections: DynamoCollections::from_env(client.clone(), entities)?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
            lease: LEASE,
        })
    }
}

/// The daily scheduler: the entities, their due indexes, and the merchants' creditor settings.
pub struct SchedulerState<E, S, K> {
    pub entities: E,
    pub schedule: S,
    pub keys: K,
    pub time_zone: TimeZone,
}

pub type DynamoSchedulerState = SchedulerState<DynamoEntities, DynamoSchedule, DynamoMerchants>;

impl DynamoSchedulerState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let changelogs = DynamoChangelogs::from_env(client.clone())?;
        let entities = DynamoEntities::from_env(client.clone(), changelogs, datasets)?;
        Ok(Self {
            schedule: DynamoSchedule::new(entities.clone()),
            entities,
            keys: DynamoMerchants::from_env(client)?,
            time_zone: config::time_zone()?,
        })
    }
}

/// `POST /sepa/returns`: the entities the returns change.
pub struct ReturnsState<E, K> {
    pub entities: E,
    pub auth: Authenticator<K>,
}

pub type DynamoReturnsState = ReturnsState<DynamoEntities, DynamoMerchants>;

impl DynamoReturnsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let changelogs = DynamoChangelogs::from_env(client.clone())?;
        Ok(Self {
            entities: DynamoEntities::from_env(client.clone(), changelogs, datasets)?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
        })
    }
}
