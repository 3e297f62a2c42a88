//! Payment sessions and the processing writes in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use super::entities::MemoryEntities;
use super::lock;
use crate::dataset::DataSet;
use crate::ground::ids::SessionHash;
use crate::ground::storage::StoreError;
use crate::ledger::Donor;
use crate::session::{
    Claim, Expectation, PaymentSession, ProcessStore, Processed, Processing, SessionChanges,
    SessionStatus, SessionStore, SessionWrite,
};

#[derive(Clone, Default)]
pub struct MemorySessions {
    pub(super) sessions: Arc<Mutex<HashMap<SessionHash, PaymentSession>>>,
}

impl SessionStore for MemorySessions {
    async fn create(&self, session: &PaymentSession) -> Result<(), StoreError> {
        let mut sessions = lock(&self.sessions);
        if sessions.contains_key(&session.hash) {
            return Err(StoreError::AlreadyExists);
        }
        sessions.insert(session.hash.clone(), session.clone());
        Ok(())
    }

    async fn get(&self, hash: &SessionHash) -> Result<Option<PaymentSession>, StoreError> {
        Ok(lock(&self.sessions).get(hash).cloned())
    }

    async fn update(
        &self,
        hash: &SessionHash,
        expect: &Expectation,
        changes: &SessionChanges,
    ) -> Result<SessionWrite, StoreError> {
        let mut sessions = lock(&self.sessions);
        let Some(session) = sessions.get_mut(hash) else {
            return Ok(SessionWrite::Conflict(None));
        };
        let holds = session.form_hash == expect.form_hash
            && session.status == SessionStatus::Open
            && session.is_live(expect.now)
            && session.fixed_rev == expect.fixed_rev;
        if !holds {
            return Ok(SessionWrite::Conflict(Some(session.clone())));
        }
        session.apply(changes);
        Ok(SessionWrite::Updated(session.clone()))
    }
}

/// Sessions beside the entities (and the DataSets they record into), so that processing can
/// change them at once.
#[derive(Clone, Default)]
pub struct MemoryProcessing {
    pub sessions: MemorySessions,
    pub entities: MemoryEntities,
}

impl ProcessStore for MemoryProcessing {
    async fn claim(
        &self,
        read: &PaymentSession,
        claim: &Claim,
        now: Timestamp,
    ) -> Result<Processing, StoreError> {
        let mut sessions = lock(&self.sessions.sessions);
        let Some(session) = sessions.get_mut(&read.hash) else {
            return Ok(Processing::Conflict);
        };
        if session.status != SessionStatus::Open
            || session.version != read.version
            || !session.is_live(now)
        {
            return Ok(Processing::Conflict);
        }
        session.status = SessionStatus::Processing;
        session.claim = Some(claim.clone());
        session.version += 1;
        Ok(Processing::Done)
    }

    async fn commit(
        &self,
        claimed: &PaymentSession,
        processed: &Processed,
        dataset: &DataSet,
        donor: &Donor,
    ) -> Result<Processing, StoreError> {
        // Entities first, DataSets last: the order every memory store locks in.
        let mut entities = lock(&self.entities.entities);
        let mut sessions = lock(&self.sessions.sessions);
        let mut datasets = lock(&self.entities.datasets.items);
        let merchant = &donor.contact.merchant_id;
        let donor_entities = donor.entities();
        if donor_entities.iter().any(|e| {
            entities
                .directory
                .contains_key(&(merchant.clone(), e.guid()))
        }) {
            return Ok(Processing::Conflict);
        }
        let Some(session) = sessions.get_mut(&claimed.hash) else {
            return Ok(Processing::Conflict);
        };
        let claim_holds =
            session.claim.as_ref().map(|c| c.data_set_guid) == Some(processed.data_set_guid);
        if session.status != SessionStatus::Processing
            || !claim_holds
            || datasets.contains_key(&dataset.guid)
        {
            return Ok(Processing::Conflict);
        }
        session.status = SessionStatus::Processed;
        session.processed = Some(processed.clone());
        session.values.clear();
        session.meta.clear();
        session.version += 1;
        datasets.insert(dataset.guid, dataset.clone());
        for entity in donor_entities {
            entities.put(merchant, entity);
        }
        Ok(Processing::Done)
    }
}
