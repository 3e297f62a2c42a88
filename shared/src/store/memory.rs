//! In-memory stores for fast handler tests. Same contract as DynamoDB, no persistence. Each is
//! a cheap handle on shared state, as a DynamoDB client is: clones see the same records.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::{SignedDuration, Timestamp};

use crate::auth::{ApiKeyHash, ApiKeyRecord, ApiKeyStore, Merchant};
use crate::dataset::listing::{PageLimit, Position, Start, TimeBounds};
use crate::dataset::{DataSet, DataSetStore, JsonElement, Page};
use crate::form::{Form, FormStore, FormWrite};
use crate::ground::ids::{DataSetGuid, FormHash, MerchantId, SessionHash, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::ground::time::expiry;
use crate::idempotency::{Fingerprint, IdempotencyStore, Reservation};
use crate::session::{
    Claim, Expectation, PaymentSession, ProcessStore, Processed, Processing, SessionChanges,
    SessionStatus, SessionStore, SessionWrite,
};
use crate::visit::{VisitIds, VisitSession, VisitStore};

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Clone, Default)]
pub struct MemoryDataSets {
    items: Arc<Mutex<HashMap<DataSetGuid, DataSet>>>,
}

impl DataSetStore for MemoryDataSets {
    async fn insert(&self, dataset: &DataSet) -> Result<(), StoreError> {
        let mut items = lock(&self.items);
        if items.contains_key(&dataset.guid) {
            return Err(StoreError::AlreadyExists);
        }
        items.insert(dataset.guid, dataset.clone());
        Ok(())
    }

    async fn get(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
    ) -> Result<Option<DataSet>, StoreError> {
        Ok(lock(&self.items)
            .get(guid)
            .filter(|ds| &ds.merchant_id == merchant)
            .cloned())
    }

    async fn replace_json_element(
        &self,
        merchant: &MerchantId,
        guid: &DataSetGuid,
        json_element: &JsonElement,
        updated_at: Timestamp,
    ) -> Result<Option<DataSet>, StoreError> {
        let mut items = lock(&self.items);
        let Some(ds) = items.get_mut(guid).filter(|ds| &ds.merchant_id == merchant) else {
            return Ok(None);
        };
        ds.json_element = json_element.clone();
        ds.updated_at = updated_at;
        Ok(Some(ds.clone()))
    }

    async fn list(
        &self,
        merchant: &MerchantId,
        bounds: TimeBounds,
        start: Start,
        limit: PageLimit,
    ) -> Result<Page, StoreError> {
        let position = |ds: &DataSet| Position {
            created_at: ds.created_at,
            guid: ds.guid,
        };
        let mut matching: Vec<DataSet> = lock(&self.items)
            .values()
            .filter(|ds| &ds.merchant_id == merchant && bounds.contains(ds.created_at))
            .filter(|ds| match start {
                Start::After(after) => position(ds) > after,
                Start::Skip(_) => true,
            })
            .cloned()
            .collect();
        matching.sort_by_key(position);
        let skip = match start {
            Start::Skip(n) => usize::try_from(n).unwrap_or(usize::MAX),
            Start::After(_) => 0,
        };
        let mut items: Vec<DataSet> = matching.into_iter().skip(skip).collect();
        let fitting = limit.fitting(items.iter().map(|ds| ds.listed_size().total()));
        let more = items.len() > fitting;
        items.truncate(fitting);
        Ok(Page {
            items,
            more,
            read_units: 0.0,
        })
    }
}

#[derive(Clone, Default)]
pub struct MemoryApiKeys {
    merchants: Arc<Mutex<HashMap<MerchantId, Merchant>>>,
    keys: Arc<Mutex<HashMap<ApiKeyHash, ApiKeyRecord>>>,
}

impl ApiKeyStore for MemoryApiKeys {
    async fn put_merchant(&self, merchant: &Merchant) -> Result<(), StoreError> {
        let mut merchants = lock(&self.merchants);
        if merchants.contains_key(&merchant.id) {
            return Err(StoreError::AlreadyExists);
        }
        merchants.insert(merchant.id.clone(), merchant.clone());
        Ok(())
    }

    async fn get_merchant(&self, id: &MerchantId) -> Result<Option<Merchant>, StoreError> {
        Ok(lock(&self.merchants).get(id).cloned())
    }

    async fn put_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        lock(&self.keys).insert(key.key_hash.clone(), key.clone());
        Ok(())
    }

    async fn get_key(&self, hash: &ApiKeyHash) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(lock(&self.keys).get(hash).cloned())
    }

    async fn revoke_key(&self, hash: &ApiKeyHash) -> Result<bool, StoreError> {
        Ok(lock(&self.keys)
            .get_mut(hash)
            .map(|key| key.revoked = true)
            .is_some())
    }
}

#[derive(Clone, Default)]
pub struct MemoryForms {
    forms: Arc<Mutex<HashMap<FormHash, Form>>>,
}

impl FormStore for MemoryForms {
    async fn put(&self, form: &Form) -> Result<FormWrite, StoreError> {
        let mut forms = lock(&self.forms);
        let outcome = match forms.get(&form.hash) {
            Some(existing) if existing.merchant_id != form.merchant_id => {
                return Ok(FormWrite::Taken);
            }
            Some(_) => FormWrite::Replaced,
            None => FormWrite::Created,
        };
        forms.insert(form.hash.clone(), form.clone());
        Ok(outcome)
    }

    async fn get(&self, hash: &FormHash) -> Result<Option<Form>, StoreError> {
        Ok(lock(&self.forms).get(hash).cloned())
    }
}

#[derive(Clone, Default)]
pub struct MemorySessions {
    sessions: Arc<Mutex<HashMap<SessionHash, PaymentSession>>>,
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

/// Sessions and DataSets side by side, so that processing can change both at once.
#[derive(Clone, Default)]
pub struct MemoryProcessing {
    pub sessions: MemorySessions,
    pub datasets: MemoryDataSets,
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
    ) -> Result<Processing, StoreError> {
        let mut sessions = lock(&self.sessions.sessions);
        let mut datasets = lock(&self.datasets.items);
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
        Ok(Processing::Done)
    }
}

#[derive(Clone, Default)]
pub struct MemoryVisits {
    sessions: Arc<Mutex<HashMap<(MerchantId, VisitSessionId), VisitSession>>>,
}

impl VisitStore for MemoryVisits {
    async fn create(&self, session: &VisitSession) -> Result<(), StoreError> {
        let key = (session.merchant_id.clone(), session.id.clone());
        let mut sessions = lock(&self.sessions);
        if sessions.contains_key(&key) {
            return Err(StoreError::AlreadyExists);
        }
        sessions.insert(key, session.clone());
        Ok(())
    }

    async fn get(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
    ) -> Result<Option<VisitSession>, StoreError> {
        Ok(lock(&self.sessions)
            .get(&(merchant.clone(), id.clone()))
            .cloned())
    }

    async fn associate(
        &self,
        merchant: &MerchantId,
        id: &VisitSessionId,
        ids: &VisitIds,
        now: Timestamp,
        ttl: SignedDuration,
    ) -> Result<(VisitSession, bool), StoreError> {
        let mut sessions = lock(&self.sessions);
        let key = (merchant.clone(), id.clone());
        match sessions.get_mut(&key).filter(|s| s.is_live(now)) {
            Some(session) => {
                session.ids = ids.clone().over(session.ids.clone());
                session.updated_at = now;
                session.expires_at = expiry(now, ttl);
                Ok((session.clone(), false))
            }
            None => {
                let session =
                    VisitSession::new(id.clone(), merchant.clone(), ids.clone(), now, ttl);
                sessions.insert(key, session.clone());
                Ok((session, true))
            }
        }
    }
}

/// A held key: the request's fingerprint, its record, and when the key is free again.
type Held = (Fingerprint, String, Timestamp);

/// Reservations by scoped key.
#[derive(Clone, Default)]
pub struct MemoryIdempotency {
    keys: Arc<Mutex<HashMap<String, Held>>>,
}

impl IdempotencyStore for MemoryIdempotency {
    async fn reserve(
        &self,
        scoped_key: &str,
        fingerprint: &Fingerprint,
        resource: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<Reservation, StoreError> {
        let mut keys = lock(&self.keys);
        if let Some((held, held_resource, expiry)) = keys.get(scoped_key)
            && *expiry > now
        {
            return Ok(Reservation::Taken {
                fingerprint: held.clone(),
                resource: held_resource.clone(),
            });
        }
        keys.insert(
            scoped_key.to_owned(),
            (fingerprint.clone(), resource.to_owned(), expires_at),
        );
        Ok(Reservation::Fresh)
    }
}
