//! The moment and the names an action is decided with, shared by the rules that decide it
//! and the records that write it down.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use uuid::Uuid;

use crate::ground::ids::MerchantId;
use crate::sepa::Creditor;

/// The moment and the names an action is decided with.
pub struct ActionContext<'a> {
    pub merchant: &'a MerchantId,
    /// The merchant's SEPA creditor settings, for debits a sign-up draws.
    pub creditor: Option<&'a Creditor>,
    pub now: Timestamp,
    pub zone: &'a TimeZone,
    /// The guid of the record the action writes (a changelog entry or a DataSet), chosen
    /// before deciding: a retry with the same Idempotency-Key decides with the same guid, and
    /// the guids of entities it creates derive from it.
    pub record: Uuid,
}

impl ActionContext<'_> {
    pub fn today(&self) -> Date {
        self.now.to_zoned(self.zone.clone()).date()
    }
}
