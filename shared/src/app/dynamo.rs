//! The DynamoDB backend: what Lambda runs (with [`production`]) and what the integration
//! tests run against DynamoDB Local (with their own client and, where a test needs one, a
//! table of its own).

use aws_sdk_dynamodb::Client;

use super::backend::{Backend, Settings, State, Wiring};
use super::config::{self, Aws, ConfigError};
use crate::cards::{NoProvider, PaymentProvider};
use crate::dataset::ShardCount;
use crate::ground::money::MethodKind;
use crate::store::dynamo::{
    DynamoChangelogs, DynamoCollections, DynamoDataSets, DynamoEntities, DynamoForms,
    DynamoIdempotency, DynamoMerchants, DynamoProcessing, DynamoSchedule, DynamoSessions,
    DynamoVisits,
};

/// What Lambda runs: DynamoDB, and no payment provider yet (only SEPA direct debit, which the
/// nonprofit's bank collects, is offered).
pub type Production = Dynamo<NoProvider>;

/// The tables a function was given: in Lambda, the ones its environment names (the template
/// gives each function only those its policy lets it use).
#[derive(Clone, Debug, Default)]
pub struct Tables {
    pub datasets: Option<String>,
    pub merchants: Option<String>,
    pub forms: Option<String>,
    pub sessions: Option<String>,
    pub idempotency: Option<String>,
    pub entities: Option<String>,
    pub changelogs: Option<String>,
    pub collections: Option<String>,
}

impl Tables {
    /// The tables named in the environment (`DATASETS_TABLE`, …).
    pub fn from_env() -> Self {
        let var = |name| config::table_name(name).ok();
        Self {
            datasets: var(config::DATASETS_TABLE),
            merchants: var(config::API_KEYS_TABLE),
            forms: var(config::FORMS_TABLE),
            sessions: var(config::SESSIONS_TABLE),
            idempotency: var(config::IDEMPOTENCY_TABLE),
            entities: var(config::ENTITIES_TABLE),
            changelogs: var(config::CHANGELOGS_TABLE),
            collections: var(config::COLLECTIONS_TABLE),
        }
    }

    /// Every table, named as the template's logical ids (`make dev`, `make test`).
    pub fn as_in_template() -> Self {
        let name = |n: &str| Some(n.to_owned());
        Self {
            datasets: name("DataSets"),
            merchants: name("ApiKeys"),
            forms: name("Forms"),
            sessions: name("Sessions"),
            idempotency: name("Idempotency"),
            entities: name("Entities"),
            changelogs: name("Changelogs"),
            collections: name("Collections"),
        }
    }
}

fn table(name: &Option<String>, var: &'static str) -> Result<String, ConfigError> {
    name.clone().ok_or(ConfigError::Missing(var))
}

/// The DynamoDB stores on one client, with payment provider `P`.
#[derive(Clone, Debug)]
pub struct Dynamo<P> {
    pub client: Client,
    pub tables: Tables,
    pub shards: ShardCount,
    pub payments: P,
}

impl<P> Dynamo<P> {
    /// The same stores with payment provider `payments`.
    pub fn with_payments<Q>(&self, payments: Q) -> Dynamo<Q> {
        Dynamo {
            client: self.client.clone(),
            tables: self.tables.clone(),
            shards: self.shards,
            payments,
        }
    }

    fn datasets_store(&self) -> Result<DynamoDataSets, ConfigError> {
        let name = table(&self.tables.datasets, config::DATASETS_TABLE)?;
        Ok(DynamoDataSets::new(self.client.clone(), name, self.shards))
    }

    fn changelogs_store(&self) -> Result<DynamoChangelogs, ConfigError> {
        let name = table(&self.tables.changelogs, config::CHANGELOGS_TABLE)?;
        Ok(DynamoChangelogs::new(
            self.client.clone(),
            name,
            self.shards,
        ))
    }

    fn sessions_store(&self) -> Result<DynamoSessions, ConfigError> {
        let name = table(&self.tables.sessions, config::SESSIONS_TABLE)?;
        Ok(DynamoSessions::new(self.client.clone(), name))
    }

    /// The entities, recording changelog entries and DataSets beside them.
    fn entities_store(&self) -> Result<DynamoEntities, ConfigError> {
        let name = table(&self.tables.entities, config::ENTITIES_TABLE)?;
        Ok(DynamoEntities::new(
            self.client.clone(),
            name,
            self.changelogs_store()?,
            self.datasets_store()?,
            self.tables.collections.clone(),
        ))
    }
}

impl<P: PaymentProvider + Clone + 'static> Backend for Dynamo<P> {
    type Merchants = DynamoMerchants;
    type Forms = DynamoForms;
    type Sessions = DynamoSessions;
    type Processing = DynamoProcessing;
    type Visits = DynamoVisits;
    type DataSets = DynamoDataSets;
    type Idempotency = DynamoIdempotency;
    type Entities = DynamoEntities;
    type Changelogs = DynamoChangelogs;
    type Collections = DynamoCollections;
    type Schedule = DynamoSchedule;
    type Payments = P;

    fn merchants(&self) -> Result<DynamoMerchants, ConfigError> {
        let name = table(&self.tables.merchants, config::API_KEYS_TABLE)?;
        Ok(DynamoMerchants::new(self.client.clone(), name))
    }

    fn forms(&self) -> Result<DynamoForms, ConfigError> {
        let name = table(&self.tables.forms, config::FORMS_TABLE)?;
        Ok(DynamoForms::new(self.client.clone(), name))
    }

    fn sessions(&self) -> Result<DynamoSessions, ConfigError> {
        self.sessions_store()
    }

    fn processing(&self) -> Result<DynamoProcessing, ConfigError> {
        Ok(DynamoProcessing::new(
            self.sessions_store()?,
            self.datasets_store()?,
            self.entities_store()?,
        ))
    }

    /// Visit sessions share the Sessions table with payment sessions.
    fn visits(&self) -> Result<DynamoVisits, ConfigError> {
        let name = table(&self.tables.sessions, config::SESSIONS_TABLE)?;
        Ok(DynamoVisits::new(self.client.clone(), name))
    }

    fn datasets(&self) -> Result<DynamoDataSets, ConfigError> {
        self.datasets_store()
    }

    fn idempotency(&self) -> Result<DynamoIdempotency, ConfigError> {
        let name = table(&self.tables.idempotency, config::IDEMPOTENCY_TABLE)?;
        Ok(DynamoIdempotency::new(self.client.clone(), name))
    }

    fn entities(&self) -> Result<DynamoEntities, ConfigError> {
        self.entities_store()
    }

    fn changelogs(&self) -> Result<DynamoChangelogs, ConfigError> {
        self.changelogs_store()
    }

    fn collections(&self) -> Result<DynamoCollections, ConfigError> {
        let name = table(&self.tables.collections, config::COLLECTIONS_TABLE)?;
        Ok(DynamoCollections::new(
            self.client.clone(),
            name,
            self.entities_store()?,
        ))
    }

    fn schedule(&self) -> Result<DynamoSchedule, ConfigError> {
        Ok(DynamoSchedule::new(self.entities_store()?))
    }

    fn payments(&self) -> P {
        self.payments.clone()
    }
}

/// Lambda's payment provider: none yet (see [`Production`]).
fn production_payments() -> NoProvider {
    NoProvider
}

/// The card and wallet methods Lambda's payment provider takes: what the operator's tools
/// check forms against, as `PUT /forms` does.
pub fn provided_methods() -> &'static [MethodKind] {
    production_payments().methods()
}

/// A Lambda function's state, once per cold start: Lambda's region and credentials, the
/// tables and settings of its environment, and the signing secret if it signs.
///
/// # Errors
/// `ConfigError` when the environment lacks what the state needs, or the secret cannot be read.
pub async fn production<S: State<Production>>() -> Result<S, ConfigError> {
    let aws = Aws::from_env()?;
    let backend = Dynamo {
        client: aws.dynamodb(),
        tables: Tables::from_env(),
        shards: config::dataset_shards()?,
        payments: production_payments(),
    };
    let secret = if S::SIGNS {
        Some(aws.signing_secret().await?)
    } else {
        None
    };
    S::build(&Wiring {
        backend,
        settings: Settings::from_env()?,
        secret,
    })
}
