//! Mandates and the payments collected under them: the reference a mandate carries, the
//! sequence type of each debit, its due date, and the end-to-end id that ties a debit in a
//! file (and a return from the bank) to its payment.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::calendar;
use crate::ground::ids::EntityGuid;

/// Which debit of a mandate this is, as the file names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Sequence {
    /// The first of a series.
    Frst,
    /// A later one of a series.
    Rcur,
    /// A one-off.
    Ooff,
}

impl Sequence {
    pub fn code(self) -> &'static str {
        match self {
            Self::Frst => "FRST",
            Self::Rcur => "RCUR",
            Self::Ooff => "OOFF",
        }
    }
}

/// What a mandate authorises (SDD Core rulebook): one debit, or a series. A one-off mandate is
/// never drawn on again, a recurrent one never for a one-off debit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MandateKind {
    OneOff,
    Recurrent,
}

/// A SEPA Core mandate as the donor signed it in the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mandate {
    /// Unique per creditor: `DON` and the payment method's guid (35 characters).
    pub reference: String,
    pub signed_on: Date,
    /// The mandate text the donor saw (see `MANDATE_TEXT_VERSION`).
    pub text_version: String,
    /// The due date of the last debit under it: a mandate unused for 36 months expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<Date>,
    /// One-off or recurrent; `None` for a mandate signed before the two were told apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<MandateKind>,
    /// The creditor identifier its debits were last drawn under: when the creditor's changes,
    /// the next debit tells the bank (`AmdmntInd` with the original identifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_id: Option<String>,
}

/// The version of the mandate text the hosted form shows (`hosted_form` renders it).
pub const MANDATE_TEXT_VERSION: &str = "sepa-core-2026-12";

/// Months after its last use at which a mandate lapses (SEPA rulebook).
pub const MANDATE_LAPSES_AFTER_MONTHS: i64 = 36;

impl Mandate {
    pub fn new(payment_method: EntityGuid, signed_on: Date, kind: MandateKind) -> Self {
        Self {
            reference: format!(
                "DON{}",
                payment_method
                    .uuid()
                    .simple()
                    .to_string()
                    .to_ascii_uppercase()
            ),
            signed_on,
            text_version: MANDATE_TEXT_VERSION.to_owned(),
            last_used: None,
            kind: Some(kind),
            creditor_id: None,
        }
    }

    /// Whether it may carry a one-off debit (`recurring` false) or a series' debit: a one-off
    /// mandate only once, a recurrent one only for a series (one from before the two were told
    /// apart, as it was used).
    pub fn allows(&self, recurring: bool) -> bool {
        match (self.kind, recurring) {
            (Some(MandateKind::OneOff), false) => self.last_used.is_none(),
            (Some(MandateKind::OneOff), true) | (Some(MandateKind::Recurrent), false) => false,
            (Some(MandateKind::Recurrent), true) | (None, _) => true,
        }
    }

    /// Whether a debit due on `due` may still be drawn under it.
    pub fn valid_on(&self, due: Date) -> bool {
        let since = self.last_used.unwrap_or(self.signed_on);
        since
            .checked_add(MANDATE_LAPSES_AFTER_MONTHS.months())
            .is_ok_and(|lapses| due < lapses)
    }
}

/// The due date of a debit announced on `today`: `days` of notice, then the first TARGET2
/// business day.
pub fn due_date(today: Date, days: u8) -> Date {
    today
        .checked_add(i64::from(days).days())
        .map_or(today, calendar::on_or_after)
}

/// A payment's end-to-end id: its guid's 32 hex digits, which the bank hands back on a return.
pub fn end_to_end_id(payment: EntityGuid) -> String {
    payment.uuid().simple().to_string()
}

/// The payment an end-to-end id names.
pub fn payment_of(end_to_end_id: &str) -> Option<EntityGuid> {
    let id = end_to_end_id.trim();
    (id.len() == 32)
        .then(|| uuid::Uuid::try_parse(id).ok())
        .flatten()
        .map(EntityGuid::from_uuid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn references_and_end_to_end_ids_round_trip_and_fit_35_characters() {
        let guid = EntityGuid::new_v4();
        let mandate = Mandate::new(guid, date(2026, 12, 1), MandateKind::Recurrent);
        assert_eq!(mandate.reference.len(), 35);
        assert_eq!(payment_of(&end_to_end_id(guid)), Some(guid));
        assert_eq!(payment_of("not-an-id"), None);
        assert!(mandate.valid_on(date(2029, 11, 30)));
        assert!(!mandate.valid_on(date(2029, 12, 1)));
        // 14 days' notice from Friday 11 December 2026 is Christmas Day: the 28th.
        assert_eq!(due_date(date(2026, 12, 11), 14), date(2026, 12, 28));
    }
}
