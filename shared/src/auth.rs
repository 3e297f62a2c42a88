//! Merchant API keys: generated from the OS CSPRNG, shown once, stored only as SHA-256.
//! A request's merchant comes from its key and nothing else.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use lambda_http::http::HeaderMap;
use lambda_http::http::header::AUTHORIZATION;
use sha2::{Digest, Sha256};

use crate::merchant::MerchantId;
use crate::store::{ApiKeyStore, StoreError};

const KEY_PREFIX: &str = "dk_";
const KEY_BYTES: usize = 32;
/// Longest header value worth hashing; anything longer cannot be one of our keys.
const MAX_PRESENTED_KEY_LEN: usize = 256;

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

/// A random string of lowercase letters and digits, for public identifiers such as form and
/// session hashes. Rejection sampling keeps every symbol equally likely.
pub fn random_lowercase_alnum(len: usize) -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf)?;
        for &b in &buf {
            // 252 = 7 * 36: bytes at or above it would favour the first symbols.
            if b < 252 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no API key was sent; use 'Authorization: Bearer <key>' or 'x-api-key: <key>'")]
    Missing,
    #[error("the API key is not valid")]
    Unknown,
    #[error("the API key has been revoked")]
    Revoked,
    #[error(transparent)]
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

impl<K: ApiKeyStore> Authenticator<K> {
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

    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<MerchantId, AuthError> {
        let key = presented_key(headers).ok_or(AuthError::Missing)?;
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

/// `Authorization: Bearer <key>` (scheme case-insensitive) or `x-api-key: <key>`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    bearer
        .or_else(|| {
            headers
                .get("x-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        })
        .filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

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

    #[test]
    fn keys_are_read_from_bearer_or_x_api_key() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert("x-api-key", HeaderValue::from_static("k1"));
        assert_eq!(presented_key(&headers), Some("k1"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer k2"));
        assert_eq!(presented_key(&headers), Some("k2"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic k3"));
        assert_eq!(presented_key(&headers), Some("k1"));
    }

    async fn keys_with_one(revoked: bool) -> (crate::store::memory::MemoryApiKeys, ApiKey) {
        use crate::store::ApiKeyStore;
        let keys = crate::store::memory::MemoryApiKeys::default();
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

    fn bearer(key: &ApiKey) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("Bearer {}", key.expose());
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).expect("ascii"));
        headers
    }

    #[tokio::test]
    async fn a_warm_instance_trusts_a_key_for_the_cache_ttl_only() {
        use crate::store::ApiKeyStore;
        let (keys, key) = keys_with_one(false).await;
        let auth = Authenticator::with_ttl(keys, Duration::from_millis(50));
        assert!(auth.authenticate(&bearer(&key)).await.is_ok());
        auth.keys().revoke_key(&key.hash()).await.expect("revoked");
        assert!(auth.authenticate(&bearer(&key)).await.is_ok(), "cached");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(matches!(
            auth.authenticate(&bearer(&key)).await,
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
            auth.authenticate(&bearer(&revoked)).await,
            Err(AuthError::Revoked)
        ));
        let unknown = ApiKey::generate().expect("os rng");
        assert!(matches!(
            auth.authenticate(&bearer(&unknown)).await,
            Err(AuthError::Unknown)
        ));
        assert!(matches!(
            auth.authenticate(&HeaderMap::new()).await,
            Err(AuthError::Missing)
        ));
    }

    #[test]
    fn random_hashes_use_the_lowercase_alphabet() {
        let hash = random_lowercase_alnum(26).expect("os rng");
        assert_eq!(hash.len(), 26);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_ne!(hash, random_lowercase_alnum(26).expect("os rng"));
    }
}
