//! A batch of claims: which pending payments a batch takes, each as the collection claims it
//! (its debit as the file will carry it), and how many fit in what a file may take.

use jiff::Timestamp;
use jiff::civil::Date;

use super::model::{Collection, MAX_FILE_BYTES};
use super::ports::Claim;
use crate::ledger::{Payment, PaymentState};
use crate::sepa::{Debit, calendar, end_to_end_id, sepa_text};

/// Payments claimed per transaction: each is a payment, a debit item and the checks that its
/// contact and subscription are active (at most 4 items), with the header: under DynamoDB's 100.
pub(super) const BATCH: usize = 24;

/// Up to `size` of the pending payments, from a random place in the window (concurrent calls
/// then mostly claim different payments), as claims of `collection`.
pub(super) fn batch(
    pending: &[Payment],
    size: usize,
    collection: &Collection,
    earliest: Date,
    now: Timestamp,
) -> Vec<Claim> {
    let start = usize::from(random_byte()) % pending.len();
    pending
        .iter()
        .cycle()
        .skip(start)
        .take(size.min(pending.len()))
        .filter_map(|payment| claim(payment, collection, earliest, now))
        .collect()
}

/// Drops claims from the end of the batch until the collection's file stays within
/// [`MAX_FILE_BYTES`]; answers what the rest add to it (counted as a file of their own, so
/// at least what they add).
pub(super) fn fit(claims: &mut Vec<Claim>, collection: &Collection) -> u64 {
    let room = MAX_FILE_BYTES.saturating_sub(collection.file_bytes);
    loop {
        let debits: Vec<Debit> = claims.iter().map(|c| c.debit.clone()).collect();
        let bytes = collection.bytes_of(&debits);
        if bytes <= room || claims.pop().is_none() {
            return bytes;
        }
    }
}

fn random_byte() -> u8 {
    let mut byte = [0u8; 1];
    getrandom::fill(&mut byte).map_or(0, |()| byte[0])
}

/// A pending payment as the collection claims it: `claimed` (the bank has it only once the
/// file is sent), its collection date the due date or, for a debit already due, the first
/// date the bank can still collect on.
fn claim(
    payment: &Payment,
    collection: &Collection,
    earliest: Date,
    now: Timestamp,
) -> Option<Claim> {
    let debit = payment.debit.as_ref()?;
    let date = calendar::on_or_after(payment.due_date.max(earliest));
    let mut claimed = payment.clone();
    claimed.state = PaymentState::Claimed;
    claimed.updated_at = now;
    claimed.version = payment.version + 1;
    if let Some(d) = claimed.debit.as_mut() {
        d.collection = Some(collection.id.clone());
        d.collection_date = Some(date);
    }
    Some(Claim {
        expected: payment.version,
        debit: Debit {
            end_to_end_id: end_to_end_id(payment.guid),
            amount: payment.amount,
            sequence: debit.sequence,
            collection_date: date,
            mandate_reference: debit.mandate_reference.clone(),
            mandate_signed_on: debit.mandate_signed_on,
            debtor_name: debit.debtor_name.clone(),
            debtor_iban: debit.debtor_iban.clone(),
            debtor_bic: debit.debtor_bic.clone(),
            debtor_address: debit.debtor_address.clone(),
            remittance: sepa_text(
                &format!("Spende / Donation {}", collection.creditor.name),
                140,
                "Spende / Donation",
            ),
            original_creditor_id: debit
                .creditor_id
                .clone()
                .filter(|id| id != collection.creditor.creditor_id.as_str()),
        },
        payment: claimed,
    })
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::bank::Lease;
    use crate::ground::ids::{EntityGuid, MerchantId};
    use crate::ground::money::{Amount, Currency};
    use crate::ledger::DirectDebit;
    use crate::sepa::{Creditor, Sequence};

    fn pending(name: &str) -> Payment {
        let now = Timestamp::UNIX_EPOCH;
        let date = Date::constant(2027, 1, 4);
        Payment {
            guid: EntityGuid::new_v4(),
            contact: EntityGuid::new_v4(),
            subscription: None,
            payment_method: EntityGuid::new_v4(),
            amount: Amount::from_cents(500),
            currency: Currency::parse("EUR").expect("EUR"),
            due_date: date,
            state: PaymentState::Pending,
            refunded: Amount::from_cents(0),
            debit: Some(DirectDebit {
                sequence: Sequence::Ooff,
                mandate_reference: "M-1".to_owned(),
                mandate_signed_on: date,
                debtor_name: name.to_owned(),
                debtor_iban: "DE89370400440532013000".to_owned(),
                debtor_bic: None,
                debtor_address: None,
                collection: None,
                collection_date: None,
                returned: None,
                creditor_id: None,
            }),
            provider_reference: None,
            representation_of: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    #[test]
    fn a_batch_that_would_pass_the_file_limit_is_cut_to_what_fits() {
        let creditor = Creditor::new(
            "Tierschutz",
            "DE98ZZZ09999999999",
            "DE02120300000000202051",
            None,
            None,
            None,
        )
        .expect("creditor");
        let now = Timestamp::UNIX_EPOCH;
        let mut collection = Collection::begin(
            Collection::new_id(now),
            &MerchantId::parse("m1").expect("merchant"),
            &creditor,
            now,
            &jiff::tz::TimeZone::UTC,
            Lease {
                owner: Uuid::nil(),
                until: now,
            },
        );
        let payments: Vec<Payment> = (0..24).map(|_| pending(&"W".repeat(70))).collect();
        let earliest = Date::constant(2027, 1, 4);
        let whole = batch(&payments, 24, &collection, earliest, now);
        let mut all = whole.clone();
        let bytes = fit(&mut all, &collection);
        assert_eq!(all.len(), 24, "an empty file takes all");
        // Room for about half of them.
        collection.file_bytes = MAX_FILE_BYTES - bytes / 2;
        let mut cut = whole.clone();
        let added = fit(&mut cut, &collection);
        assert!((1..24).contains(&cut.len()), "{} claims", cut.len());
        assert!(collection.file_bytes + added <= MAX_FILE_BYTES);
        let debits: Vec<Debit> = cut.iter().map(|c| c.debit.clone()).collect();
        assert_eq!(added, collection.bytes_of(&debits));
        // A full file takes none.
        collection.file_bytes = MAX_FILE_BYTES;
        let mut none = whole;
        fit(&mut none, &collection);
        assert!(none.is_empty());
    }
}
