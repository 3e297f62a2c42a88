//! States of the payment-entity routes: actions, contacts and the changelog.

use std::time::Duration;

use jiff::tz::TimeZone;

use crate::config::{self, ConfigError};
use crate::listing::TokenSigner;
use crate::merchant::Authenticator;
use crate::store::dynamo::{
    DynamoChangelogs, DynamoDataSets, DynamoEntities, DynamoIdempotency, DynamoMerchants,
    DynamoVisits,
};

/// How long one `POST /actions` call goes on with an erasure's or a merge's batches before it
/// answers "in progress" (well inside the function's timeout; the next call goes on).
pub const ACTION_BUDGET: Duration = Duration::from_secs(15);

/// `POST /actions`: the entities, the records changes write, the visit sessions an erasure
/// deletes, and the idempotency keys that make a retry safe.
pub struct ActionsState<E, D, C, V, I, K> {
    pub entities: E,
    pub datasets: D,
    pub changelogs: C,
    pub visits: V,
    pub idempotency: I,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub budget: Duration,
}

pub type DynamoActionsState = ActionsState<
    DynamoEntities,
    DynamoDataSets,
    DynamoChangelogs,
    DynamoVisits,
    DynamoIdempotency,
    DynamoMerchants,
>;

impl DynamoActionsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let changelogs = DynamoChangelogs::from_env(client.clone())?;
        Ok(Self {
            entities: DynamoEntities::from_env(
                client.clone(),
                changelogs.clone(),
                datasets.clone(),
            )?,
            datasets,
            changelogs,
            visits: DynamoVisits::from_env(client.clone())?,
            idempotency: DynamoIdempotency::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
            budget: ACTION_BUDGET,
        })
    }
}

/// `GET /contact/{guid}`: a contact's entities and the guids of its DataSets.
pub struct ContactsState<E, D, K> {
    pub entities: E,
    pub datasets: D,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoContactsState = ContactsState<DynamoEntities, DynamoDataSets, DynamoMerchants>;

impl DynamoContactsState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        let datasets = DynamoDataSets::from_env(client.clone())?;
        let changelogs = DynamoChangelogs::from_env(client.clone())?;
        Ok(Self {
            entities: DynamoEntities::from_env(client.clone(), changelogs, datasets.clone())?,
            datasets,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// `GET /changelog/{guid}`.
pub struct ChangelogState<C, K> {
    pub changelogs: C,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoChangelogState = ChangelogState<DynamoChangelogs, DynamoMerchants>;

impl DynamoChangelogState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            changelogs: DynamoChangelogs::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}

/// `GET /changelogs`: the entries, and the key that signs `nextToken`.
pub struct ChangelogListingState<C, K> {
    pub changelogs: C,
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
    pub signer: TokenSigner,
}

pub type DynamoChangelogListingState = ChangelogListingState<DynamoChangelogs, DynamoMerchants>;

impl DynamoChangelogListingState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = config::Aws::from_env()?;
        let client = aws.dynamodb();
        Ok(Self {
            changelogs: DynamoChangelogs::from_env(client.clone())?,
            auth: Authenticator::new(DynamoMerchants::from_env(client)?),
            time_zone: config::time_zone()?,
            signer: TokenSigner::changelogs(aws.signing_secret().await?),
        })
    }
}
