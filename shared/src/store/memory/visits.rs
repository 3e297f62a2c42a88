//! Visit sessions and idempotency keys in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

use super::lock;
use crate::ground::ids::{MerchantId, VisitSessionId};
use crate::ground::storage::StoreError;
use crate::ground::time::expiry;
use crate::idempotency::{Fingerprint, IdempotencyStore, Reservation};
use crate::visit::{VisitIds, VisitSession, VisitStore};

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

    async fn delete(&self, merchant: &MerchantId, id: &VisitSessionId) -> Result<(), StoreError> {
        lock(&self.sessions).remove(&(merchant.clone(), id.clone()));
        Ok(())
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
