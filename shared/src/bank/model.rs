//! A collection: the debits one pain.008 file asks the bank to collect, claimed from the
//! merchant's pending payments. Its life follows the bank's: `building` while claims are
//! added, `ready` once complete (its debits `claimed`, not yet the bank's), `sent` when the
//! merchant says it uploaded the file (only then are its debits `submitted`), or `voided`
//! before that (its debits pending again for the next file).

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::listing::{Position, Start, TimeBounds};
use crate::sepa::{CollectionFile, Creditor, Debit};

/// Debits one file holds at most.
pub const MAX_DEBITS_PER_FILE: u64 = 5000;

/// What a file may take as a response carries it ([`crate::listing::carried_len`]): Lambda
/// answers at most 6 MB, and headers fit in the rest. 5,000 debits of the longest values
/// would not fit, so a collection also stops claiming at this size.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CollectionStatus {
    Building,
    Ready,
    Sent,
    Voided,
}

impl CollectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Building => "building",
            Self::Ready => "ready",
            Self::Sent => "sent",
            Self::Voided => "voided",
        }
    }
}

/// Who is adding claims to a building collection, and until when: a call that stopped half-way
/// leaves its lease to run out, and the next call takes over and finishes the collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub owner: Uuid,
    pub until: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// `C`, the creation time (UTC, to the second) and 8 random hex digits: the file's MsgId.
    pub id: String,
    pub merchant_id: MerchantId,
    pub status: CollectionStatus,
    pub created_at: Timestamp,
    /// The creditor as it was when the collection began: the file never changes after.
    pub creditor: Creditor,
    /// The file's creation time (`CreDtTm`) in the time zone of the call that began it, so
    /// the file stays byte-identical whatever the configured zone later says.
    pub file_created: DateTime,
    pub count: u64,
    pub control_sum: Amount,
    /// At least what its file takes (each batch counted as a file of its own; a debit
    /// withdrawn later is not subtracted), so a file never passes [`MAX_FILE_BYTES`].
    pub file_bytes: u64,
    pub lease: Lease,
    /// Debits withdrawn from it (a donor cancelled, was held or erased): while building they
    /// just leave the file; once it is ready the file is fixed, so one withdrawn after that
    /// (more than `withdrawn_when_ready`) means it must be voided, never sent.
    pub withdrawn: u64,
    pub withdrawn_when_ready: u64,
}

impl Collection {
    /// A new collection id: `C`, `now` in UTC to the second, and 8 hex digits from the CSPRNG.
    pub fn new_id(now: Timestamp) -> String {
        let random = Uuid::new_v4().simple().to_string();
        format!("C{}-{}", now.strftime("%Y%m%d%H%M%S"), &random[..8]).to_ascii_uppercase()
    }

    /// A new, empty collection `id`, leased to `owner` until `until`; its file dated `now` in
    /// `zone`.
    pub fn begin(
        id: String,
        merchant: &MerchantId,
        creditor: &Creditor,
        now: Timestamp,
        zone: &TimeZone,
        lease: Lease,
    ) -> Self {
        Self {
            id,
            merchant_id: merchant.clone(),
            status: CollectionStatus::Building,
            created_at: now,
            creditor: creditor.clone(),
            file_created: now.to_zoned(zone.clone()).datetime(),
            count: 0,
            control_sum: Amount::from_cents(0),
            file_bytes: 0,
            lease,
            withdrawn: 0,
            withdrawn_when_ready: 0,
        }
    }

    /// Whether a debit was withdrawn after the file was fixed: it may then not go to the bank.
    pub fn stale(&self) -> bool {
        self.status == CollectionStatus::Ready && self.withdrawn > self.withdrawn_when_ready
    }

    /// Whether an id could be a collection's (checked before it reaches storage).
    pub fn is_id(raw: &str) -> bool {
        raw.len() == 24
            && raw.starts_with('C')
            && raw.as_bytes()[15] == b'-'
            && raw
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 0 || i == 15 || b.is_ascii_digit() || b.is_ascii_uppercase())
    }

    /// Where the collection stands in `GET /sepa/collections` (newest first): the time and the
    /// random digits of its id, so a `nextToken` names the id and nothing else. (An id not of
    /// [`Collection::new_id`]'s shape, which storage never holds, stands at its creation.)
    pub fn position(&self) -> Position {
        let from_id = || {
            let stamp = jiff::fmt::strtime::parse("%Y%m%d%H%M%S", self.id.get(1..15)?).ok()?;
            let created_at = stamp.to_datetime().ok()?.to_zoned(TimeZone::UTC).ok()?;
            let random = u32::from_str_radix(self.id.get(16..)?, 16).ok()?;
            Some(Position {
                created_at: created_at.timestamp(),
                guid: Uuid::from_u128(u128::from(random)),
            })
        };
        from_id().unwrap_or(Position {
            created_at: self.created_at,
            guid: Uuid::nil(),
        })
    }

    /// The id at `position`, the inverse of [`Collection::position`].
    pub fn id_at(position: &Position) -> String {
        let low = position.guid.as_u128() & u128::from(u32::MAX);
        format!(
            "C{}-{low:08X}",
            position.created_at.strftime("%Y%m%d%H%M%S")
        )
    }

    /// The first id a collection begun in `at`'s second or later can have: ids sort by time,
    /// so a listing's UTC bounds (whole seconds) are a range of ids.
    pub fn first_id_from(at: Timestamp) -> String {
        format!("C{}-", at.strftime("%Y%m%d%H%M%S"))
    }

    /// The pain.008.001.08 file of a ready collection: the same bytes on every call.
    pub fn file(&self, debits: &[Debit]) -> Vec<u8> {
        CollectionFile {
            message_id: &self.id,
            created: self.file_created,
            creditor: &self.creditor,
            debits,
        }
        .to_xml()
    }

    /// What `debits` add to the file at most: a file of them alone, as a response carries it.
    pub fn bytes_of(&self, debits: &[Debit]) -> u64 {
        crate::listing::carried_len(&String::from_utf8_lossy(&self.file(debits)))
    }
}

/// The ids a listing page may hold, newest first: at least the first id of `bounds.from`,
/// below the first id of `bounds.until` and, after a position, below that collection's id.
pub fn id_range(bounds: TimeBounds, start: Start) -> (Option<String>, Option<String>) {
    let low = bounds.from.map(Collection::first_id_from);
    let until = bounds.until.map(Collection::first_id_from);
    let after = match start {
        Start::After(position) => Some(Collection::id_at(&position)),
        Start::Skip(_) => None,
    };
    let high = match (until, after) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    (low, high)
}
