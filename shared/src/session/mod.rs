//! Payment sessions (seed `session-json.md`): a donor's values built up request by request,
//! validated at once, until the session is complete and can be processed.

pub mod edge;
pub mod flow;
pub mod processing;
pub mod request;

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::form::{Form, FormHash, Lang};
use crate::merchant::MerchantId;
use crate::validation::{CountryCode, FieldError, Rules};
use crate::visit::VisitSessionId;

/// A session's hash: 32 characters of `[a-z0-9]` from the OS CSPRNG (about 165 bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionHash(String);

const SESSION_HASH_LEN: usize = 32;

impl SessionHash {
    pub fn generate() -> Result<Self, getrandom::Error> {
        crate::auth::random_lowercase_alnum(SESSION_HASH_LEN).map(Self)
    }

    /// `None` for anything we never hand out, which then reads as "session not found".
    pub fn parse(raw: &str) -> Option<Self> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        ((20..=64).contains(&raw.len()) && raw.chars().all(allowed)).then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SessionHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// Still taking values; `complete` or `incomplete` is worked out from its errors.
    Open,
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
    /// Set with `status` `Processed`: the DataSet and payment result it produced.
    pub processed: Option<processing::Processed>,
    /// The merchant's visit session (Session Management API) this donation belongs to.
    pub visit_session: Option<VisitSessionId>,
}

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
            processed: None,
            visit_session: None,
        }
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

/// Expiry at whole seconds, as DynamoDB's TTL attribute holds it.
pub fn expiry(now: Timestamp, ttl: SignedDuration) -> Timestamp {
    let at = now.saturating_add(ttl).unwrap_or(now);
    Timestamp::from_second(at.as_second()).unwrap_or(at)
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
    pub authority: Authority,
    pub visit_session: Option<VisitSessionId>,
}

/// What a request does to a session: the changes to write and the errors on its own values.
pub struct Plan {
    pub changes: SessionChanges,
    pub current: BTreeMap<String, FieldError>,
}

/// Validates a request's values against the form and the session as read. A rejected value
/// changes nothing; a fixed value changes only for the merchant.
pub fn plan(
    rules: &Rules<'_>,
    form: &Form,
    session: &PaymentSession,
    submission: &Submission,
    now: Timestamp,
    ttl: SignedDuration,
) -> Plan {
    let (input, authority) = (&submission.values, submission.authority);
    let mut current = BTreeMap::new();
    let mut changes = SessionChanges {
        set_values: Vec::new(),
        remove_values: Vec::new(),
        set_meta: Vec::new(),
        remove_meta: Vec::new(),
        fixed: None,
        visit_session: submission
            .visit_session
            .clone()
            .filter(|id| session.visit_session.as_ref() != Some(id)),
        updated_at: now,
        expires_at: expiry(now, ttl),
    };
    let mut fixed = session.fixed.clone();
    let country = donor_country(rules, form, session, input);
    for Entry { name, value, fix } in &input.entries {
        let clears = match value {
            Value::Null => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        };
        let accepted = if clears {
            None
        } else if rules.applies_to(name) {
            match rules.check(name, value, &country) {
                Ok(accepted) => Some((Value::String(accepted.value), accepted.derived)),
                Err(err) => {
                    let unchanged_fixed =
                        session.fixed.contains(name) && authority == Authority::Public;
                    current.insert(
                        name.clone(),
                        if unchanged_fixed {
                            FieldError::Fixed
                        } else {
                            err
                        },
                    );
                    continue;
                }
            }
        } else {
            Some((value.clone(), None))
        };
        let stored = session.values.get(name);
        if session.fixed.contains(name) && authority == Authority::Public {
            if accepted.as_ref().map(|(v, _)| v) != stored {
                current.insert(name.clone(), FieldError::Fixed);
            }
            continue;
        }
        match accepted {
            None if *fix => {
                current.insert(name.clone(), FieldError::Invalid);
                continue;
            }
            None => {
                fixed.remove(name);
                if stored.is_some() {
                    changes.remove_values.push(name.clone());
                }
                if session.meta.contains_key(name) {
                    changes.remove_meta.push(name.clone());
                }
            }
            Some((value, derived)) => {
                if stored != Some(&value) {
                    changes.set_values.push((name.clone(), value));
                }
                match derived {
                    Some(derived) if session.meta.get(name) != Some(&derived) => {
                        changes.set_meta.push((name.clone(), derived));
                    }
                    None if session.meta.contains_key(name) => {
                        changes.remove_meta.push(name.clone());
                    }
                    _ => {}
                }
                if *fix {
                    fixed.insert(name.clone());
                }
            }
        }
    }
    if fixed != session.fixed {
        changes.fixed = Some(fixed);
    }
    Plan { changes, current }
}

/// The country postal codes are checked against: this request's, else the session's, else
/// the form's default.
fn donor_country(
    rules: &Rules<'_>,
    form: &Form,
    session: &PaymentSession,
    input: &PaymentInput,
) -> CountryCode {
    let sent = input
        .entries
        .iter()
        .find(|e| e.name == "country")
        .and_then(|e| {
            rules
                .check("country", &e.value, &form.definition.default_country)
                .ok()
        })
        .and_then(|accepted| CountryCode::parse(&accepted.value));
    sent.or_else(|| {
        session
            .values
            .get("country")
            .and_then(Value::as_str)
            .and_then(CountryCode::parse)
    })
    .unwrap_or_else(|| form.definition.default_country.clone())
}

/// `{"status":"success","session":{…}}` exactly as the seeds show it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<'a> {
    status: &'static str,
    session: SessionView<'a>,
    /// Processed sessions: the donation's DataSet and payment result.
    #[serde(skip_serializing_if = "Option::is_none")]
    data_set_guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_session_result: Option<&'a Map<String, Value>>,
}

#[derive(Serialize)]
struct SessionView<'a> {
    hash: &'a str,
    status: &'static str,
    errors: Errors,
    values: &'a Map<String, Value>,
    fixed_values: BTreeMap<&'a str, &'static str>,
    meta_info: Map<String, Value>,
}

#[derive(Serialize)]
struct Errors {
    current_fields: BTreeMap<String, String>,
    other_fields: BTreeMap<String, String>,
}

/// The session as the Session-API answers it, with this request's errors (`current`) and
/// what the stored values still lack (`other_fields`, never repeating a current error).
pub fn render(
    session: &PaymentSession,
    rules: &Rules<'_>,
    current: &BTreeMap<String, FieldError>,
    lang: Lang,
    zone: &jiff::tz::TimeZone,
) -> Result<String, serde_json::Error> {
    let lacking = rules.lacking(&session.values);
    let messages = |errors: &mut dyn Iterator<Item = (&String, &FieldError)>| {
        errors
            .map(|(name, err)| (name.clone(), err.message(lang)))
            .collect::<BTreeMap<_, _>>()
    };
    let current_fields = messages(&mut current.iter());
    let other_fields = messages(
        &mut lacking
            .iter()
            .filter(|(name, _)| !current.contains_key(*name)),
    );
    let status = match session.status {
        SessionStatus::Processed => "processed",
        SessionStatus::Open if current_fields.is_empty() && other_fields.is_empty() => "complete",
        SessionStatus::Open => "incomplete",
    };
    let mut meta_info = session.meta.clone();
    let stamp = |at| Value::String(crate::time::seed_format(at, zone));
    meta_info.insert("form_hash".into(), session.form_hash.as_str().into());
    meta_info.insert("created_ts".into(), stamp(session.created_at));
    meta_info.insert("updated_ts".into(), stamp(session.updated_at));
    meta_info.insert("expires_ts".into(), stamp(session.expires_at));
    if let Some(visit) = &session.visit_session {
        meta_info.insert("visit_session_id".into(), visit.as_str().into());
    }
    serde_json::to_string(&Envelope {
        status: "success",
        session: SessionView {
            hash: session.hash.as_str(),
            status,
            errors: Errors {
                current_fields,
                other_fields,
            },
            values: &session.values,
            fixed_values: session.fixed.iter().map(|n| (n.as_str(), "fix")).collect(),
            meta_info,
        },
        data_set_guid: session
            .processed
            .as_ref()
            .map(|p| p.data_set_guid.to_string()),
        payment_session_result: session.processed.as_ref().map(|p| &p.payment_result),
    })
}
