//! camt.054 debit notifications: each `Ntry/NtryDtls/TxDtls` is one transaction; a return of
//! ours is a booked debit (`DBIT`, or a reversed `CRDT`) of an issued direct debit (bank
//! transaction family `IDDT`, when given) with `RtrInf`, found by `Refs/EndToEndId`.

use jiff::civil::Date;

use super::tree::Node;
use super::{
    ReportError, ReportFormat, ReportedDebit, ReportedEntry, Unmatched, UnmatchedReason, amount,
    created, creditor_id, date, end_to_end_id, reason_code,
};

/// Issued direct debits: the creditor's collections and their returns.
const ISSUED_DIRECT_DEBITS: &str = "IDDT";
/// Where a transaction's own amount sits, first found wins (`Amt` is 2019 only).
const AMOUNTS: [&[&str]; 3] = [
    &["Amt"],
    &["AmtDtls", "TxAmt", "Amt"],
    &["AmtDtls", "InstdAmt", "Amt"],
];

pub(super) fn entries(
    message: &Node,
    format: ReportFormat,
) -> Result<Vec<ReportedEntry>, ReportError> {
    let created = created(message, format)?;
    let mut entries = Vec::new();
    for ntry in message.all("Ntfctn").flat_map(|n| n.all("Ntry")) {
        entry(ntry, format, created, &mut entries)?;
    }
    Ok(entries)
}

fn entry(
    ntry: &Node,
    format: ReportFormat,
    created: Date,
    entries: &mut Vec<ReportedEntry>,
) -> Result<(), ReportError> {
    let total = amount("Ntry/Amt", ntry.text_at(&["Amt"]))?;
    let reference = ntry
        .text_at(&["NtryRef"])
        .or_else(|| ntry.text_at(&["AcctSvcrRef"]));
    let status = if format.is_2019() {
        ntry.text_at(&["Sts", "Cd"])
    } else {
        ntry.text_at(&["Sts"])
    };
    let booked = status.is_some_and(|s| s.eq_ignore_ascii_case("BOOK"));
    let reversal = ntry
        .text_at(&["RvslInd"])
        .is_some_and(|r| r.eq_ignore_ascii_case("true"));
    let day = ["BookgDt", "ValDt"]
        .iter()
        .find_map(|at| {
            ntry.text_at(&[at, "Dt"])
                .or_else(|| ntry.text_at(&[at, "DtTm"]))
        })
        .map(|raw| date("Ntry/BookgDt", raw))
        .transpose()?
        .unwrap_or(created);
    let transactions: Vec<&Node> = ntry.all("NtryDtls").flat_map(|d| d.all("TxDtls")).collect();
    let single = transactions.len() == 1;
    if transactions.is_empty() {
        let debit = is_debit(ntry.text_at(&["CdtDbtInd"]), reversal);
        entries.push(ReportedEntry::Unmatched(Unmatched {
            end_to_end_id: None,
            reference: reference.map(str::to_owned),
            amount: total,
            reason: match (booked, debit) {
                (false, _) => UnmatchedReason::NotBooked,
                (true, false) => UnmatchedReason::Credit,
                (true, true) => UnmatchedReason::NoEndToEndId,
            },
        }));
        return Ok(());
    }
    for tx in transactions {
        let tx_amount = AMOUNTS
            .iter()
            .find_map(|path| tx.text_at(path))
            .map(|raw| amount("TxDtls/Amt", Some(raw)))
            .transpose()?
            .flatten()
            .or(if single { total } else { None });
        let direction = tx
            .text_at(&["CdtDbtInd"])
            .or_else(|| ntry.text_at(&["CdtDbtInd"]));
        let family = tx
            .child("BkTxCd")
            .or_else(|| ntry.child("BkTxCd"))
            .and_then(|code| code.text_at(&["Domn", "Fmly", "Cd"]));
        let raw_id = tx.text_at(&["Refs", "EndToEndId"]);
        let why = if !booked {
            UnmatchedReason::NotBooked
        } else if !is_debit(direction, reversal) {
            UnmatchedReason::Credit
        } else if family.is_some_and(|f| !f.eq_ignore_ascii_case(ISSUED_DIRECT_DEBITS)) {
            UnmatchedReason::NotDirectDebit
        } else if tx.child("RtrInf").is_none() {
            UnmatchedReason::NotReturned
        } else {
            match end_to_end_id(raw_id) {
                Ok(end_to_end_id) => {
                    entries.push(ReportedEntry::Debit(ReportedDebit {
                        end_to_end_id,
                        reason: reason_code(
                            tx.text_at(&["RtrInf", "Rsn", "Cd"])
                                .or_else(|| tx.text_at(&["RtrInf", "Rsn", "Prtry"])),
                        ),
                        date: day,
                        amount: tx_amount,
                        creditor_id: creditor_id(tx.at(&["RltdPties", "Cdtr"])),
                    }));
                    continue;
                }
                Err(why) => why,
            }
        };
        entries.push(ReportedEntry::Unmatched(Unmatched {
            end_to_end_id: raw_id.map(str::to_owned),
            reference: tx
                .text_at(&["Refs", "AcctSvcrRef"])
                .or(reference)
                .map(str::to_owned),
            amount: tx_amount,
            reason: why,
        }));
    }
    Ok(())
}

/// Money out of the account: a debit, or a credit reversed.
fn is_debit(direction: Option<&str>, reversal: bool) -> bool {
    direction.is_some_and(|d| d.eq_ignore_ascii_case("DBIT")) != reversal
}
