//! The signed `nextToken`: what it carries, and the key and feed it is signed for.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::ListingError;

/// What a `nextToken` carries. Signed, so a client can neither forge a position nor reuse a
/// token of another merchant or another query.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Cursor {
    #[serde(rename = "m")]
    pub(super) merchant: String,
    #[serde(rename = "s")]
    pub(super) start_date: Option<Date>,
    #[serde(rename = "e")]
    pub(super) end_date: Option<Date>,
    #[serde(rename = "z")]
    pub(super) page_size: u16,
    #[serde(rename = "p")]
    pub(super) page_number: u32,
    #[serde(rename = "t")]
    pub(super) after_time: Timestamp,
    #[serde(rename = "g")]
    pub(super) after_guid: String,
}

/// Signs and checks `nextToken`s, with the signing secret (`app::config::Aws::signing_secret`),
/// per feed: a cursor of one feed (DataSets, changelogs) is no cursor of another.
pub struct TokenSigner {
    key: Vec<u8>,
    feed: &'static [u8],
}

impl TokenSigner {
    /// Cursors of `GET /dataSets`.
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            feed: b"dataSets.nextToken.v1\0",
        }
    }

    /// Cursors of `GET /changelogs`.
    pub fn changelogs(key: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            feed: b"changelogs.nextToken.v1\0",
        }
    }

    /// Cursors of `GET /sepa/collections`.
    pub fn collections(key: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            feed: b"collections.nextToken.v1\0",
        }
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(self.feed);
        mac.update(payload);
        mac
    }

    pub(super) fn issue(&self, cursor: &Cursor) -> String {
        let payload = serde_json::to_vec(cursor).unwrap_or_default();
        let tag = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    pub(super) fn open(&self, token: &str) -> Result<Cursor, ListingError> {
        let malformed = ListingError::BadToken("it is malformed or was altered");
        let (payload, tag) = token.split_once('.').ok_or(malformed.clone())?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| malformed.clone())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| malformed.clone())?;
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| malformed.clone())?;
        serde_json::from_slice(&payload).map_err(|_| malformed)
    }
}
