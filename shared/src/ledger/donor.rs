//! A donor as one Query reads it: the contact and everything its partition holds; and the
//! masked IBAN every answer shows.

use super::model::{AddOn, Contact, Entity, Payment, PaymentMethod, Subscription};
use crate::ground::ids::EntityGuid;

/// A contact with everything its partition holds, as one Query reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Donor {
    pub contact: Contact,
    pub payment_methods: Vec<PaymentMethod>,
    pub subscriptions: Vec<Subscription>,
    pub payments: Vec<Payment>,
    pub add_ons: Vec<AddOn>,
}

impl Donor {
    /// Sorts a partition's entities into a donor; `None` without its contact.
    pub fn from_entities(entities: Vec<Entity>) -> Option<Self> {
        let mut contact = None;
        let (mut payment_methods, mut subscriptions, mut payments, mut add_ons) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for entity in entities {
            match entity {
                Entity::Contact(c) => contact = Some(c),
                Entity::PaymentMethod(e) => payment_methods.push(e),
                Entity::Subscription(e) => subscriptions.push(e),
                Entity::Payment(e) => payments.push(e),
                Entity::AddOn(e) => add_ons.push(e),
            }
        }
        Some(Self {
            contact: contact?,
            payment_methods,
            subscriptions,
            payments,
            add_ons,
        })
    }

    /// Every entity, the contact first.
    pub fn entities(&self) -> Vec<Entity> {
        let mut all = vec![Entity::Contact(self.contact.clone())];
        all.extend(
            self.payment_methods
                .iter()
                .cloned()
                .map(Entity::PaymentMethod),
        );
        all.extend(self.subscriptions.iter().cloned().map(Entity::Subscription));
        all.extend(self.payments.iter().cloned().map(Entity::Payment));
        all.extend(self.add_ons.iter().cloned().map(Entity::AddOn));
        all
    }

    pub fn find(&self, guid: EntityGuid) -> Option<Entity> {
        self.entities().into_iter().find(|e| e.guid() == guid)
    }
}

/// An IBAN as answers show it: country, check digits hidden, the last four kept.
pub fn masked_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let country: String = chars[..2].iter().collect();
    let last: String = chars[chars.len() - 4..].iter().collect();
    format!("{country}{}{last}", "*".repeat(chars.len() - 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_shows_only_its_country_and_last_four() {
        assert_eq!(
            masked_iban("DE89370400440532013000"),
            "DE****************3000"
        );
        assert_eq!(masked_iban("DE12"), "****");
    }
}
