//! pain.002 status reports: a transaction (`TxInfAndSts`) with status `RJCT`, its own or its
//! batch's or the file's, is a reject before settlement found by `OrgnlEndToEndId`. A batch
//! (`OrgnlPmtInfAndSts`) or the whole file rejected without listing its transactions names
//! no debit: it is reported unmatched with the pain.008's `PmtInfId` or `MsgId`.

use super::tree::Node;
use super::{
    ReportError, ReportFormat, ReportedDebit, ReportedEntry, Unmatched, UnmatchedReason, amount,
    created, creditor_id, date, end_to_end_id, reason_code,
};
use crate::ground::money::Amount;

const REJECTED: &str = "RJCT";

pub(super) fn entries(
    message: &Node,
    format: ReportFormat,
) -> Result<Vec<ReportedEntry>, ReportError> {
    let created = created(message, format)?;
    let group = message
        .child("OrgnlGrpInfAndSts")
        .ok_or(ReportError::Missing {
            format: format.name(),
            element: "OrgnlGrpInfAndSts",
        })?;
    let group_status = group.text_at(&["GrpSts"]);
    let group_reason = reason_of(group);
    let mut entries = Vec::new();
    let batches: Vec<&Node> = message.all("OrgnlPmtInfAndSts").collect();
    if batches.is_empty() {
        entries.push(whole(group, "OrgnlMsgId", group_status));
    }
    for batch in batches {
        let status = batch.text_at(&["PmtInfSts"]).or(group_status);
        let reason = reason_of(batch).or(group_reason);
        let transactions: Vec<&Node> = batch.all("TxInfAndSts").collect();
        if transactions.is_empty() {
            entries.push(whole(batch, "OrgnlPmtInfId", status));
        }
        for tx in transactions {
            let reference = tx
                .text_at(&["StsId"])
                .or_else(|| tx.text_at(&["OrgnlInstrId"]));
            let raw_id = tx.text_at(&["OrgnlEndToEndId"]);
            let tx_amount = amount(
                "OrgnlTxRef/Amt/InstdAmt",
                tx.text_at(&["OrgnlTxRef", "Amt", "InstdAmt"]),
            )?;
            let rejected = tx.text_at(&["TxSts"]).or(status) == Some(REJECTED);
            let why = if rejected {
                match end_to_end_id(raw_id) {
                    Ok(end_to_end_id) => {
                        let day = tx
                            .text_at(&["OrgnlTxRef", "ReqdColltnDt"])
                            .map(|raw| date("OrgnlTxRef/ReqdColltnDt", raw))
                            .transpose()?
                            .unwrap_or(created);
                        entries.push(ReportedEntry::Debit(ReportedDebit {
                            end_to_end_id,
                            reason: reason_code(reason_of(tx).or(reason)),
                            date: day,
                            amount: tx_amount,
                            creditor_id: creditor_id(tx.at(&["OrgnlTxRef", "CdtrSchmeId"])),
                        }));
                        continue;
                    }
                    Err(why) => why,
                }
            } else {
                UnmatchedReason::NotReturned
            };
            entries.push(ReportedEntry::Unmatched(Unmatched {
                end_to_end_id: raw_id.map(str::to_owned),
                reference: reference.map(str::to_owned),
                amount: tx_amount,
                reason: why,
            }));
        }
    }
    Ok(entries)
}

/// A batch or file reported as a whole, by `id`'s reference and its control sum.
fn whole(node: &Node, id: &str, status: Option<&str>) -> ReportedEntry {
    ReportedEntry::Unmatched(Unmatched {
        end_to_end_id: None,
        reference: node.text_at(&[id]).map(str::to_owned),
        amount: node
            .text_at(&["OrgnlCtrlSum"])
            .and_then(|sum| Amount::parse(sum).ok()),
        reason: if status == Some(REJECTED) {
            UnmatchedReason::BatchRejected
        } else {
            UnmatchedReason::NotReturned
        },
    })
}

/// The first status reason code given at this level.
fn reason_of(node: &Node) -> Option<&str> {
    node.all("StsRsnInf")
        .find_map(|info| info.text_at(&["Rsn", "Cd"]))
}
