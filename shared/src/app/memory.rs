//! The in-memory backend, for fast handler tests and in-process benchmarks: every port's
//! handle shares one set of records, as DynamoDB clients share the tables.

use super::backend::Backend;
use super::config::ConfigError;
use crate::cards::PaymentProvider;
use crate::store::memory::{
    MemoryChangelogs, MemoryCollections, MemoryDataSets, MemoryEntities, MemoryForms,
    MemoryIdempotency, MemoryMerchants, MemoryProcessing, MemorySchedule, MemorySessions,
    MemoryVisits,
};

/// The in-memory stores, with payment provider `P`.
#[derive(Clone)]
pub struct Memory<P> {
    pub merchants: MemoryMerchants,
    pub forms: MemoryForms,
    pub sessions: MemorySessions,
    pub visits: MemoryVisits,
    pub datasets: MemoryDataSets,
    pub idempotency: MemoryIdempotency,
    /// The entities and their changelog, recording DataSets into `datasets`.
    pub entities: MemoryEntities,
    pub collections: MemoryCollections,
    pub payments: P,
}

impl<P> Memory<P> {
    /// Empty stores.
    pub fn new(payments: P) -> Self {
        let datasets = MemoryDataSets::default();
        let entities = MemoryEntities::recording_into(datasets.clone());
        Self {
            merchants: MemoryMerchants::default(),
            forms: MemoryForms::default(),
            sessions: MemorySessions::default(),
            visits: MemoryVisits::default(),
            idempotency: MemoryIdempotency::default(),
            collections: MemoryCollections::over(entities.clone()),
            datasets,
            entities,
            payments,
        }
    }
}

impl<P: PaymentProvider + Clone + 'static> Backend for Memory<P> {
    type Merchants = MemoryMerchants;
    type Forms = MemoryForms;
    type Sessions = MemorySessions;
    type Processing = MemoryProcessing;
    type Visits = MemoryVisits;
    type DataSets = MemoryDataSets;
    type Idempotency = MemoryIdempotency;
    type Entities = MemoryEntities;
    type Changelogs = MemoryChangelogs;
    type Collections = MemoryCollections;
    type Schedule = MemorySchedule;
    type Payments = P;

    fn merchants(&self) -> Result<MemoryMerchants, ConfigError> {
        Ok(self.merchants.clone())
    }

    fn forms(&self) -> Result<MemoryForms, ConfigError> {
        Ok(self.forms.clone())
    }

    fn sessions(&self) -> Result<MemorySessions, ConfigError> {
        Ok(self.sessions.clone())
    }

    fn processing(&self) -> Result<MemoryProcessing, ConfigError> {
        Ok(MemoryProcessing {
            sessions: self.sessions.clone(),
            entities: self.entities.clone(),
        })
    }

    fn visits(&self) -> Result<MemoryVisits, ConfigError> {
        Ok(self.visits.clone())
    }

    fn datasets(&self) -> Result<MemoryDataSets, ConfigError> {
        Ok(self.datasets.clone())
    }

    fn idempotency(&self) -> Result<MemoryIdempotency, ConfigError> {
        Ok(self.idempotency.clone())
    }

    fn entities(&self) -> Result<MemoryEntities, ConfigError> {
        Ok(self.entities.clone())
    }

    fn changelogs(&self) -> Result<MemoryChangelogs, ConfigError> {
        Ok(self.entities.changelogs.clone())
    }

    fn collections(&self) -> Result<MemoryCollections, ConfigError> {
        Ok(self.collections.clone())
    }

    fn schedule(&self) -> Result<MemorySchedule, ConfigError> {
        Ok(MemorySchedule {
            entities: self.entities.clone(),
        })
    }

    fn payments(&self) -> P {
        self.payments.clone()
    }
}
