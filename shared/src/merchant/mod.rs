//! Merchants (the nonprofits), their settings and their API keys: keys are generated from the
//! OS CSPRNG, shown once, and stored only as SHA-256. A request's merchant comes from its key
//! and nothing else.

mod ports;

pub use ports::MerchantStore;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::sepa::Creditor;

const KEY_PREFIX: &str = "dk_";
const KEY_BYTES: usize = 32;
/// Longest presented key worth hashing; anything longer cannot be one of our keys.
const MAX_PRESENTED_KEY_LEN: usize = 256;

/// A nonprofit whose records are isolated from every other's by its API keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    pub created_at: Timestamp,
    /// Off: the merchant's forms refuse sessions (the Session-API's error 102).
    pub forms_enabled: bool,
    /// Set with `PUT /sepa/creditor`: only then do its forms offer SEPA direct debit.
    pub creditor: Option<Creditor>,
}

/// A secret API key in clear. Only exists between generation and printing, or while a
/// request is authenticated; `Debug` never shows it.
pub struct ApiKey(String);

impl ApiKey {
    /// 32 bytes from the operating system's CSPRNG, hex encoded behind a recognisable prefix.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; KEY_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("{KEY_PREFIX}{}", hex::encode(bytes))))
    }

    pub fn from_presented(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> ApiKeyHash {
        ApiKeyHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(redacted)")
    }
}

/// Lowercase hex SHA-256 of a key: the only form in which keys are stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiKeyHash(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a key hash is 64 lowercase hex characters")]
pub struct InvalidKeyHash;

impl ApiKeyHash {
    pub fn parse(raw: &str) -> Result<Self, InvalidKeyHash> {
        let hex_lower = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if raw.len() == 64 && raw.chars().all(hex_lower) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidKeyHash)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub key_hash: ApiKeyHash,
    pub merchant_id: MerchantId,
    pub created_at: Timestamp,
    pub revoked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no API key was sent; use 'Authorization: Bearer <key>' or 'x-api-key: <key>'")]
    Missing,
    #[error("the API key is not valid")]
    Unknown,
    #[error("the API key has been revoked")]
    Revoked,
    #[error("the API key could not be checked")]
    Store(#[from] StoreError),
}

/// How long a warm function trusts a key it has already looked up. Bounds how long a revoked
/// key keeps working, while sparing one DynamoDB read on nearly every request.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(60);
const KEY_CACHE_CAPACITY: usize = 10_000;

/// Resolves the merchant of a request from its API key, with a short per-instance cache.
pub struct Authenticator<K> {
    keys: K,
    ttl: Duration,
    cache: Mutex<HashMap<ApiKeyHash, (MerchantId, Instant)>>,
}

impl<K: MerchantStore> Authenticator<K> {
    pub fn new(keys: K) -> Self {
        Self::with_ttl(keys, KEY_CACHE_TTL)
    }

    pub fn with_ttl(keys: K, ttl: Duration) -> Self {
        Self {
            keys,
            ttl: ttl.min(KEY_CACHE_TTL),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn keys(&self) -> &K {
        &self.keys
    }

    /// The merchant of the key a request presented (none: [`AuthError::Missing`]).
    pub async fn authenticate(&self, presented: Option<&str>) -> Result<MerchantId, AuthError> {
        let key = presented.ok_or(AuthError::Missing)?;
        if key.len() > MAX_PRESENTED_KEY_LEN {
            return Err(AuthError::Unknown);
        }
        let hash = ApiKey::from_presented(key).hash();
        if let Some(merchant) = self.cached(&hash) {
            return Ok(merchant);
        }
        let record = self.keys.get_key(&hash).await?.ok_or(AuthError::Unknown)?;
        if record.revoked {
            return Err(AuthError::Revoked);
        }
        self.remember(hash, record.merchant_id.clone());
        Ok(record.merchant_id)
    }

    fn cached(&self, hash: &ApiKeyHash) -> Option<MerchantId> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .get(hash)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(merchant, _)| merchant.clone())
    }

    fn remember(&self, hash: ApiKeyHash, merchant: MerchantId) {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= KEY_CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(hash, (merchant, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One key record: all the authenticator asks of a store.
    #[derive(Default)]
    struct OneKey(Mutex<Option<ApiKeyRecord>>);

    impl MerchantStore for OneKey {
        async fn put_merchant(&self, _: &Merchant) -> Result<(), StoreError> {
            Ok(())
        }
        async fn get_merchant(&self, _: &MerchantId) -> Result<Option<Merchant>, StoreError> {
            Ok(None)
        }
        async fn set_creditor(&self, _: &MerchantId, _: &Creditor) -> Result<bool, StoreError> {
            Ok(false)
        }
        async fn put_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
            *self.0.lock().expect("key") = Some(key.clone());
            Ok(())
        }
        async fn get_key(&self, hash: &ApiKeyHash) -> Result<Option<ApiKeyRecord>, StoreError> {
            let key = self.0.lock().expect("key");
            Ok(key.clone().filter(|k| k.key_hash == *hash))
        }
        async fn revoke_key(&self, hash: &ApiKeyHash) -> Result<bool, StoreError> {
            let mut key = self.0.lock().expect("key");
            Ok(key
                .as_mut()
                .filter(|k| k.key_hash == *hash)
                .map(|k| k.revoked = true)
                .is_some())
        }
    }

    #[test]
    fn generated_keys_are_long_distinct_and_hash_to_hex() {
        let a = ApiKey::generate().expect("os rng");
        let b = ApiKey::generate().expect("os rng");
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), KEY_PREFIX.len() + 2 * KEY_BYTES);
        assert!(ApiKeyHash::parse(a.hash().as_str()).is_ok());
        assert_ne!(a.hash(), b.hash());
        assert_eq!(format!("{a:?}"), "ApiKey(redacted)");
    }

    #[test]
    fn sha256_of_a_known_key() {
        assert_eq!(
            ApiKey::from_presented("abc").hash().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    async fn keys_with_one(revoked: bool) -> (OneKey, ApiKey) {
        let keys = OneKey::default();
        let key = ApiKey::generate().expect("os rng");
        keys.put_key(&ApiKeyRecord {
            key_hash: key.hash(),
            merchant_id: MerchantId::parse("cache-test").expect("valid"),
            created_at: Timestamp::UNIX_EPOCH,
            revoked,
        })
        .await
        .expect("stored");
        (keys, key)
    }

    #[tokio::test]
    async fn a_warm_instance_trusts_a_key_for_the_cache_ttl_only() {
        let (keys, key) = keys_with_one(false).await;
        let auth = Authenticator::with_ttl(keys, Duration::from_millis(50));
        assert!(auth.authenticate(Some(key.expose())).await.is_ok());
        auth.keys().revoke_key(&key.hash()).await.expect("revoked");
        assert!(
            auth.authenticate(Some(key.expose())).await.is_ok(),
            "cached"
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(matches!(
            auth.authenticate(Some(key.expose())).await,
            Err(AuthError::Revoked)
        ));
    }

    #[tokio::test]
    async fn the_cache_ttl_never_exceeds_sixty_seconds() {
        let (keys, _) = keys_with_one(false).await;
        let auth = Authenticator::with_ttl(keys, Duration::from_secs(3600));
        assert_eq!(auth.ttl, KEY_CACHE_TTL);
    }

    #[tokio::test]
    async fn revoked_and_unknown_keys_are_refused() {
        let (keys, revoked) = keys_with_one(true).await;
        let auth = Authenticator::new(keys);
        assert!(matches!(
            auth.authenticate(Some(revoked.expose())).await,
            Err(AuthError::Revoked)
        ));
        let unknown = ApiKey::generate().expect("os rng");
        assert!(matches!(
            auth.authenticate(Some(unknown.expose())).await,
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            auth.authenticate(None).await,
            Err(AuthError::Missing)
        ));
    }
}
