//! A subscription the daily run cannot pay: on hold, with a changelog entry saying why, until
//! it is renewed or restarted.

use jiff::Timestamp;

use crate::ground::ids::ChangelogGuid;
use crate::ledger::{
    Change, ContactState, Donor, Entity, EntityWrite, RecordWrite, Subscription, SubscriptionState,
    derived_guid, entry_of,
};

/// Why a due subscription is put on hold instead of paid.
#[derive(Clone, Copy)]
pub(super) enum HoldReason {
    /// Its SEPA mandate lapsed (unused for 36 months): the donor renews it.
    MandateLapsed,
    /// Card or PayPal, and no payment provider here takes it (a subscription made before
    /// methods had to be collected): nothing may be booked that nobody charged.
    NoPaymentProvider,
}

impl HoldReason {
    fn code(self) -> &'static str {
        match self {
            Self::MandateLapsed => "mandateLapsed",
            Self::NoPaymentProvider => "noPaymentProvider",
        }
    }

    /// What the hold's changelog guid derives from, with the period.
    fn label(self) -> &'static str {
        match self {
            Self::MandateLapsed => "lapsed",
            Self::NoPaymentProvider => "unprovided",
        }
    }
}

/// `sub` on hold for `reason`, recorded.
pub(super) fn hold(
    donor: &Donor,
    sub: &Subscription,
    now: Timestamp,
    reason: HoldReason,
) -> Change {
    let held = Subscription {
        state: SubscriptionState::OnHold,
        updated_at: now,
        version: sub.version + 1,
        ..sub.clone()
    };
    let before = Entity::Subscription(sub.clone());
    let after = Entity::Subscription(held.clone());
    let guid = derived_guid(
        sub.guid.uuid(),
        &format!("{} {}", reason.label(), sub.next_due),
    );
    let entry = entry_of(
        "Hold",
        (&before, &after),
        &donor.contact.merchant_id,
        ChangelogGuid::from_uuid(guid.uuid()),
        now,
        Some(serde_json::json!({"reason": reason.code()})),
    );
    Change {
        merchant: donor.contact.merchant_id.clone(),
        conditions: vec![(donor.contact.guid, &[ContactState::Active])],
        writes: vec![EntityWrite::Replace {
            expected: sub.version,
            entity: after,
        }],
        records: vec![RecordWrite::NewChangelog(entry)],
    }
}
