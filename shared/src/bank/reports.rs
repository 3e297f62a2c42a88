//! A bank report booked: its returns and rejects become returns of our debits (a reject
//! before settlement and a return after it end the same way, so the second report of one
//! debit is `alreadyReturned`); entries naming another creditor join the unmatched ones.

use jiff::Timestamp;

use super::returns::{BankReturn, Booked, MAX_RETURNS, ReturnInputError, book};
use crate::ground::ids::MerchantId;
use crate::ground::storage::StoreError;
use crate::ledger::EntityStore;
use crate::sepa::Creditor;
use crate::sepa::reports::{BankReport, ReportedEntry, Unmatched, UnmatchedReason};

/// What a report changed and what it could not match.
#[derive(Debug)]
pub struct ReportBooked {
    pub results: Vec<Booked>,
    pub unmatched: Vec<Unmatched>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportBookError {
    #[error(transparent)]
    Input(#[from] ReturnInputError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Books `report` for `merchant`, whose creditor identifier (if set) an entry naming one must
/// match (and whose settings say when a debit is presented again).
///
/// # Errors
/// `Input` when the report holds more than [`MAX_RETURNS`] debits (nothing booked); `Store`
/// as [`book`] fails.
pub async fn book_report<E: EntityStore>(
    entities: &E,
    merchant: &MerchantId,
    creditor: Option<&Creditor>,
    report: &BankReport,
    now: Timestamp,
) -> Result<ReportBooked, ReportBookError> {
    let mut returns = Vec::new();
    let mut unmatched = Vec::new();
    for entry in &report.entries {
        match entry {
            ReportedEntry::Unmatched(entry) => unmatched.push(entry.clone()),
            ReportedEntry::Debit(debit)
                if debit
                    .creditor_id
                    .as_deref()
                    .zip(creditor)
                    .is_some_and(|(named, ours)| !ours.creditor_id.is(named)) =>
            {
                unmatched.push(Unmatched {
                    end_to_end_id: Some(debit.end_to_end_id.clone()),
                    reference: debit.creditor_id.clone(),
                    amount: debit.amount,
                    reason: UnmatchedReason::OtherCreditor,
                });
            }
            ReportedEntry::Debit(debit) => returns.push(BankReturn {
                end_to_end_id: debit.end_to_end_id.clone(),
                reason: debit.reason.clone(),
                date: debit.date,
                amount: debit.amount,
            }),
        }
    }
    if returns.len() > MAX_RETURNS {
        return Err(ReturnInputError::TooManyInReport(returns.len()).into());
    }
    let results = book(entities, merchant, creditor, &returns, now).await?;
    Ok(ReportBooked { results, unmatched })
}
