//! A collection: the debits one pain.008 file asks the bank to collect, claimed from the
//! merchant's pending payments. Its life follows the bank's: `building` while claims are
//! added, `ready` once complete (its debits `claimed`, not yet the bank's), `sent` when the
//! merchant says it uploaded the file (only then are its debits `submitted`), or `voided`
//! before that (its debits pending again for the next file).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::sepa::{CollectionFile, Creditor, Debit};

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
    pub count: u64,
    pub control_sum: Amount,
    pub lease: Lease,
    /// Debits withdrawn from it (a donor cancelled, was held or erased): while building they
    /// just leave the file; once it is ready the file is fixed, so one withdrawn after that
    /// (more than `withdrawn_when_ready`) means it must be voided, never sent.
    pub withdrawn: u64,
    pub withdrawn_when_ready: u64,
}

impl Collection {
    /// A new, empty collection, leased to `owner` until `until`.
    pub fn begin(
        merchant: &MerchantId,
        creditor: &Creditor,
        now: Timestamp,
        owner: Uuid,
        until: Timestamp,
    ) -> Self {
        let stamp = now.strftime("%Y%m%d%H%M%S");
        let random = owner.simple().to_string();
        Self {
            id: format!("C{stamp}-{}", &random[..8]).to_ascii_uppercase(),
            merchant_id: merchant.clone(),
            status: CollectionStatus::Building,
            created_at: now,
            creditor: creditor.clone(),
            count: 0,
            control_sum: Amount::from_cents(0),
            lease: Lease { owner, until },
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

    /// The pain.008.001.08 file of a ready collection: the same bytes on every call.
    pub fn file(&self, debits: &[Debit], zone: &TimeZone) -> Vec<u8> {
        CollectionFile {
            message_id: &self.id,
            created: self.created_at.to_zoned(zone.clone()).datetime(),
            creditor: &self.creditor,
            debits,
        }
        .to_xml()
    }
}
