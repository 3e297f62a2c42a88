//! A payment session and what a request may do to it.

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use crate::form::Form;
use crate::ground::ids::{DataSetGuid, FormHash, MerchantId, SessionHash, VisitSessionId};
use crate::ground::time::expiry;

/// What a processed session keeps, so that processing it again answers the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    pub data_set_guid: DataSetGuid,
    /// The DataSet's `paymentSessionResult`.
    pub payment_result: Map<String, Value>,
    pub processed_at: Timestamp,
}

/// A processing under way: the session's values are frozen from the moment it is claimed, and
/// what processing makes of them is fixed here, so that whoever finishes it (the first caller,
/// or the next one after a crash) pays with the same key and writes the same DataSet.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub data_set_guid: DataSetGuid,
    pub claimed_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Still taking values; `complete` or `incomplete` is worked out from its errors.
    Open,
    /// Claimed for processing: no value changes any more.
    Processing,
    /// Paid and recorded; the donor's values live in the DataSet alone.
    Processed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PaymentSession {
    pub hash: SessionHash,
    pub form_hash: FormHash,
    pub merchant_id: MerchantId,
    pub status: SessionStatus,
    pub values: Map<String, Value>,
    pub fixed: BTreeSet<String>,
    /// What validation derived from values (e.g. an IBAN's country and bank code).
    pub meta: Map<String, Value>,
    /// Bumped whenever `fixed` changes, so a write can insist the fixed set it checked holds.
    pub fixed_rev: u64,
    /// Bumped by every write (the processing step conditions on it).
    pub version: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
    /// Set with `status` `Processing` (and kept when processed): what processing will make.
    pub claim: Option<Claim>,
    /// Set with `status` `Processed`: the DataSet and payment result it produced.
    pub processed: Option<Processed>,
    /// The merchant's visit session (Session Management API) this donation belongs to.
    pub visit_session: Option<VisitSessionId>,
}

/// How long a session may live in all, however often it is touched: the sliding expiry cannot
/// keep one alive (and billed for storage) forever.
pub const ABSOLUTE_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

impl PaymentSession {
    /// A session without values yet, expiring `ttl` from now.
    pub fn open(hash: SessionHash, form: &Form, now: Timestamp, ttl: SignedDuration) -> Self {
        Self {
            hash,
            form_hash: form.hash.clone(),
            merchant_id: form.merchant_id.clone(),
            status: SessionStatus::Open,
            values: Map::new(),
            fixed: BTreeSet::new(),
            meta: Map::new(),
            fixed_rev: 0,
            version: 0,
            created_at: now,
            updated_at: now,
            expires_at: expiry(now, ttl),
            claim: None,
            processed: None,
            visit_session: None,
        }
    }

    /// When a change at `now` makes the session expire: `ttl` later, but never after its
    /// absolute lifetime.
    pub fn expiry_after(&self, now: Timestamp, ttl: SignedDuration) -> Timestamp {
        let last = expiry(self.created_at, ABSOLUTE_LIFETIME);
        expiry(now, ttl).min(last)
    }

    /// TTL deletion lags by up to days, so every read checks the expiry itself.
    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }

    /// Applies changes as the stores do, for new sessions and the in-memory store.
    pub fn apply(&mut self, changes: &SessionChanges) {
        for (name, value) in &changes.set_values {
            self.values.insert(name.clone(), value.clone());
        }
        for name in &changes.remove_values {
            self.values.remove(name);
        }
        for (name, value) in &changes.set_meta {
            self.meta.insert(name.clone(), value.clone());
        }
        for name in &changes.remove_meta {
            self.meta.remove(name);
        }
        if let Some(fixed) = &changes.fixed {
            self.fixed = fixed.clone();
            self.fixed_rev += 1;
        }
        if let Some(visit) = &changes.visit_session {
            self.visit_session = Some(visit.clone());
        }
        self.updated_at = changes.updated_at;
        self.expires_at = changes.expires_at;
        self.version += 1;
    }
}

/// Who is changing a session: the public (the form hash is all it takes) or the merchant,
/// proven by its API key, who alone may change fixed values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
    Public,
    Merchant,
}

/// One request's effect on a session, written per value so concurrent requests that touch
/// different values never undo each other.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionChanges {
    pub set_values: Vec<(String, Value)>,
    pub remove_values: Vec<String>,
    pub set_meta: Vec<(String, Value)>,
    pub remove_meta: Vec<String>,
    /// The whole new fixed set, when it changes.
    pub fixed: Option<BTreeSet<String>>,
    /// A new link to a visit session.
    pub visit_session: Option<VisitSessionId>,
    pub updated_at: Timestamp,
    pub expires_at: Timestamp,
}

impl SessionChanges {
    pub fn changes_values(&self) -> bool {
        !(self.set_values.is_empty()
            && self.remove_values.is_empty()
            && self.set_meta.is_empty()
            && self.remove_meta.is_empty()
            && self.fixed.is_none()
            && self.visit_session.is_none())
    }
}

/// What a conditional session write insists on: still open and live, on this form, with the
/// fixed set that was checked.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub form_hash: FormHash,
    pub fixed_rev: u64,
    pub now: Timestamp,
}

/// The values of one request, `name_fix` already split into the name and a fix flag.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PaymentInput {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    pub value: Value,
    pub fix: bool,
}

impl PaymentInput {
    /// `amount_fix=5` means "amount is 5, and fixed"; when both spellings come, the fixed
    /// one wins.
    pub fn from_map(payment: Map<String, Value>) -> Self {
        let mut entries: Vec<Entry> = Vec::with_capacity(payment.len());
        for (key, value) in payment {
            let (name, fix) = match key.strip_suffix("_fix") {
                Some(name) if !name.is_empty() => (name.to_owned(), true),
                _ => (key, false),
            };
            match entries.iter_mut().find(|e| e.name == name) {
                Some(existing) if fix => *existing = Entry { name, value, fix },
                Some(_) => {}
                None => entries.push(Entry { name, value, fix }),
            }
        }
        Self { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What one request submits: its values, who sends them, and a visit session to link.
#[derive(Clone, Debug)]
pub struct Submission {
    pub values: PaymentInput,
    /// Values left out at decoding because a number in them cannot be stored exactly.
    pub unstorable: Vec<String>,
    pub authority: Authority,
    pub visit_session: Option<VisitSessionId>,
}
