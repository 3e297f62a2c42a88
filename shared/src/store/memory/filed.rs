//! Collections as memory holds them, shared by the collections store (which builds them) and
//! the entities store (whose changes withdraw debits from them), under one lock order:
//! entities first, then these.

use std::collections::{BTreeMap, HashMap};

use crate::bank::{Collection, CollectionStatus};
use crate::ground::ids::MerchantId;
use crate::ground::money::Amount;
use crate::ledger::Payment;
use crate::sepa::{Debit, Sequence, end_to_end_id};

pub(super) type Key = (MerchantId, String);

#[derive(Default)]
pub(super) struct Filed {
    pub(super) headers: HashMap<Key, Collection>,
    /// Debits by collection, in file order.
    pub(super) debits: HashMap<Key, BTreeMap<String, Debit>>,
}

/// A debit's place in its file: sequence type, collection date, end-to-end id.
pub(super) fn debit_sort(
    sequence: Sequence,
    date: jiff::civil::Date,
    end_to_end_id: &str,
) -> String {
    format!("{}#{date}#{end_to_end_id}", sequence.code())
}

impl Filed {
    /// Whether the collection is there and not yet sent, so a debit may leave it.
    pub(super) fn unsent(&self, merchant: &MerchantId, collection: &str) -> bool {
        self.headers
            .get(&(merchant.clone(), collection.to_owned()))
            .is_some_and(|c| {
                matches!(
                    c.status,
                    CollectionStatus::Building | CollectionStatus::Ready
                )
            })
    }

    /// A claimed debit leaves its collection: out of the file, count and sum lowered.
    pub(super) fn withdraw(&mut self, merchant: &MerchantId, collection: &str, payment: &Payment) {
        let key = (merchant.clone(), collection.to_owned());
        if let (Some(debits), Some(debit)) = (self.debits.get_mut(&key), payment.debit.as_ref()) {
            let date = debit.collection_date.unwrap_or(payment.due_date);
            debits.remove(&debit_sort(
                debit.sequence,
                date,
                &end_to_end_id(payment.guid),
            ));
        }
        if let Some(header) = self.headers.get_mut(&key) {
            header.count = header.count.saturating_sub(1);
            header.control_sum = Amount::from_cents(
                header
                    .control_sum
                    .cents()
                    .saturating_sub(payment.amount.cents()),
            );
            header.withdrawn += 1;
        }
    }
}
