//! Retry-safe writes (`Idempotency-Key`): the first request with a key reserves it for its
//! fingerprint and the record it is about to write; a retry with the same key and body gets
//! that record again (and finishes writing it if the first attempt was cut short), the same
//! key with another body is refused. Keys are the merchant's own and last 24 hours.

mod ports;

pub use ports::{IdempotencyStore, Reservation};

use jiff::SignedDuration;
use sha2::{Digest, Sha256};

use crate::ground::ids::MerchantId;

/// How long a key is remembered.
pub const KEY_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

/// A client's `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("an Idempotency-Key is 1 to 255 visible ASCII characters")]
pub struct InvalidIdempotencyKey;

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, InvalidIdempotencyKey> {
        let raw = raw.trim();
        if (1..=255).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidIdempotencyKey)
        }
    }

    /// Where the key is kept: per merchant, hashed, so no two merchants' keys meet and no key
    /// of any length or alphabet reaches a table key.
    pub fn scoped(&self, merchant: &MerchantId) -> String {
        let digest = Sha256::new()
            .chain_update(merchant.as_str())
            .chain_update([0])
            .chain_update(self.0.as_bytes())
            .finalize();
        format!("{merchant}#{}", hex::encode(&digest[..16]))
    }
}

/// What a request was: the SHA-256 of its body, so a retry is told from a new request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    pub fn of(body: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(body)))
    }

    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_and_scoped_per_merchant() {
        let key = IdempotencyKey::parse(" 7c1b-retry-1 ").expect("valid");
        let a = MerchantId::parse("merchant-a").expect("valid");
        let b = MerchantId::parse("merchant-b").expect("valid");
        assert_ne!(key.scoped(&a), key.scoped(&b));
        assert!(key.scoped(&a).starts_with("merchant-a#"));
        for bad in ["", "has space", "ünicode", &"k".repeat(256), "tab\there"] {
            assert_eq!(
                IdempotencyKey::parse(bad),
                Err(InvalidIdempotencyKey),
                "{bad:?}"
            );
        }
    }
}
