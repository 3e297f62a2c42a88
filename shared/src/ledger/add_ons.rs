//! Add-ons: an extra amount on a subscription. One of the subscription's interval is summed
//! into its payments; one with an interval of its own is a payment of its own on its own
//! calendar (the daily run makes it). The subscription carries the earliest date such an
//! add-on falls due (`add_ons_due`), so the daily run finds it by that date too, and every
//! change that moves an add-on's date writes the subscription with it, in one transaction.

use jiff::civil::Date;

use super::model::{AddOn, Entity, Subscription};
use super::ports::EntityWrite;

/// Whether `add_on` is charged on its own calendar under `sub`, not summed into its payments.
/// (A one-off add-on stored before they were refused is neither.)
pub fn own_interval(add_on: &AddOn, sub: &Subscription) -> bool {
    add_on.subscription == sub.guid
        && add_on.interval.is_recurring()
        && add_on.interval != sub.interval
}

/// The earliest next due date of `sub`'s add-ons with an interval of their own.
pub fn add_ons_due(sub: &Subscription, add_ons: &[AddOn]) -> Option<Date> {
    add_ons
        .iter()
        .filter(|a| own_interval(a, sub))
        .filter_map(|a| a.next_due)
        .min()
}

/// The add-ons of a subscription changed from `before` to `after` (its interval upgraded, or
/// restarted), written where their dates move, and `after`'s `add_ons_due` set to match: one
/// that now has an interval of its own starts with the next period, one that now has the
/// subscription's is summed into its payments (no date of its own), and none falls due before
/// `not_before` (a restart goes on from today, as the subscription does).
pub(super) fn realigned(
    add_ons: &[AddOn],
    before: &Subscription,
    after: &mut Subscription,
    not_before: Date,
) -> Vec<EntityWrite> {
    let mut writes = Vec::new();
    let mut moved = Vec::new();
    for add_on in add_ons.iter().filter(|a| a.subscription == after.guid) {
        let next_due = if !own_interval(add_on, after) {
            None
        } else if own_interval(add_on, before) {
            add_on.next_due.map(|due| due.max(not_before))
        } else {
            Some(after.next_due)
        };
        if next_due == add_on.next_due {
            moved.push(add_on.clone());
            continue;
        }
        let changed = AddOn {
            next_due,
            version: add_on.version + 1,
            ..add_on.clone()
        };
        writes.push(EntityWrite::Replace {
            expected: add_on.version,
            entity: Entity::AddOn(changed.clone()),
        });
        moved.push(changed);
    }
    after.add_ons_due = add_ons_due(after, &moved);
    writes
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;
    use jiff::civil::date;

    use super::*;
    use crate::ground::ids::EntityGuid;
    use crate::ground::money::{Amount, Currency, Interval};
    use crate::ledger::SubscriptionState;

    fn monthly(next_due: Date) -> Subscription {
        Subscription {
            guid: EntityGuid::new_v4(),
            contact: EntityGuid::new_v4(),
            amount: Amount::from_cents(2500),
            currency: Currency::parse("EUR").expect("EUR"),
            interval: Interval::new(1).expect("monthly"),
            state: SubscriptionState::Active,
            payment_method: EntityGuid::new_v4(),
            next_due,
            day: Some(18),
            add_ons_due: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 3,
        }
    }

    fn add_on(sub: &Subscription, months: u8, next_due: Option<Date>) -> AddOn {
        AddOn {
            guid: EntityGuid::new_v4(),
            contact: sub.contact,
            subscription: sub.guid,
            name: "AddOn".to_owned(),
            amount: Amount::from_cents(1000),
            interval: Interval::new(months).expect("interval"),
            next_due,
            created_at: Timestamp::UNIX_EPOCH,
            version: 0,
        }
    }

    fn next_dues(writes: &[EntityWrite]) -> Vec<Option<Date>> {
        writes
            .iter()
            .filter_map(|w| match w {
                EntityWrite::Replace {
                    entity: Entity::AddOn(a),
                    ..
                } => Some(a.next_due),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_upgraded_interval_never_charges_an_add_on_twice_for_a_period() {
        let before = monthly(date(2027, 3, 18));
        // Yearly on a monthly subscription: its own date. Quarterly: summed, after the upgrade.
        let yearly = add_on(&before, 12, Some(date(2028, 1, 18)));
        let quarterly = add_on(&before, 3, Some(date(2027, 4, 18)));
        let mut after = Subscription {
            interval: Interval::new(3).expect("quarterly"),
            ..before.clone()
        };
        let writes = realigned(
            &[yearly.clone(), quarterly.clone()],
            &before,
            &mut after,
            Date::MIN,
        );
        // The yearly one keeps its date; the quarterly one loses its own (summed from now on).
        assert_eq!(next_dues(&writes), [None]);
        assert_eq!(after.add_ons_due, Some(date(2028, 1, 18)));
        // Back to monthly: the quarterly one is its own again, from the next period, never
        // from a date it was summed for.
        let summed = AddOn {
            next_due: None,
            ..quarterly
        };
        let mut back = Subscription {
            interval: Interval::new(1).expect("monthly"),
            ..after.clone()
        };
        let writes = realigned(&[yearly, summed], &after, &mut back, Date::MIN);
        assert_eq!(next_dues(&writes), [Some(date(2027, 3, 18))]);
        assert_eq!(back.add_ons_due, Some(date(2027, 3, 18)));
    }

    #[test]
    fn a_restart_moves_past_add_on_dates_to_today() {
        let sub = monthly(date(2027, 6, 18));
        let late = add_on(&sub, 12, Some(date(2027, 1, 18)));
        let later = add_on(&sub, 6, Some(date(2027, 9, 18)));
        let mut after = sub.clone();
        let writes = realigned(&[late, later], &sub, &mut after, date(2027, 6, 1));
        assert_eq!(next_dues(&writes), [Some(date(2027, 6, 1))]);
        assert_eq!(after.add_ons_due, Some(date(2027, 6, 1)));
    }
}
