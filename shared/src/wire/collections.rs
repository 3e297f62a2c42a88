//! SEPA collections and returns as the API has them: the body of `POST /sepa/collections`, a
//! collection as answers list it, and the returns of `POST /sepa/returns` with what became of
//! each.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::bank::{
    BankReturn, Booked, BookedResult, CollectInputError, CollectRequest, Collected, Collection,
    MAX_DEBITS_PER_FILE, MAX_RETURNS, Moved, ReturnInputError,
};
use crate::ground::money::Amount;
use crate::ground::time::seed_format;
use crate::sepa::reports::{ReportFormat, Unmatched, UnmatchedReason};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CollectBody {
    #[serde(default)]
    collection_date: Option<Date>,
    /// A JSON number: `100` and `100.0` are the same count.
    #[serde(default)]
    max_payments: Option<serde_json::Number>,
}

/// Reads a `POST /sepa/collections` body; none means every announced debit.
pub fn collect_request(body: Option<&str>) -> Result<CollectRequest, CollectInputError> {
    let Some(body) = body else {
        return Ok(CollectRequest::default());
    };
    let body: CollectBody =
        serde_json::from_str(body).map_err(|e| CollectInputError::Malformed(e.to_string()))?;
    let max_payments = body
        .max_payments
        .map(|n| {
            let whole = n.as_f64().filter(|f| f.fract() == 0.0 && *f >= 1.0);
            n.as_u64()
                .or_else(|| whole.map(|f| f as u64))
                .filter(|n| (1..=MAX_DEBITS_PER_FILE).contains(n))
                .ok_or(CollectInputError::MaxPayments)
        })
        .transpose()?;
    Ok(CollectRequest {
        collection_date: body.collection_date,
        max_payments,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReturnsBody {
    returns: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Item {
    end_to_end_id: String,
    reason_code: String,
    return_date: Date,
    amount: String,
}

/// Reads a `POST /sepa/returns` body.
pub fn returns(body: &str) -> Result<Vec<BankReturn>, ReturnInputError> {
    let body: ReturnsBody =
        serde_json::from_str(body).map_err(|e| ReturnInputError::Malformed(e.to_string()))?;
    if !(1..=MAX_RETURNS).contains(&body.returns.len()) {
        return Err(ReturnInputError::Count);
    }
    body.returns
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let reason = item.reason_code.trim().to_ascii_uppercase();
            if reason.len() != 4 || !reason.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(ReturnInputError::Reason(i));
            }
            let amount = Amount::parse(&item.amount)
                .ok()
                .filter(|a| a.cents() > 0)
                .ok_or(ReturnInputError::Amount(i))?;
            Ok(BankReturn {
                end_to_end_id: item.end_to_end_id.chars().take(35).collect(),
                reason,
                date: item.return_date,
                amount: Some(amount),
            })
        })
        .collect()
}

/// The collection as the API answers and lists it.
pub fn collection(collection: &Collection, zone: &TimeZone) -> Result<String, serde_json::Error> {
    serde_json::to_string(&json!({
        "collectionId": collection.id,
        "merchantId": collection.merchant_id.as_str(),
        "status": collection.status,
        "createdTs": seed_format(collection.created_at, zone),
        "numberOfTransactions": collection.count,
        "controlSum": collection.control_sum.decimal(),
        "withdrawnDebits": collection.withdrawn,
        "mustBeVoided": collection.stale(),
        "creditorId": collection.creditor.creditor_id.as_str(),
    }))
}

/// The answer of `POST /sepa/collections`: the collection, whether it is ready
/// (`false`: call again to go on) and whether due debits are left for another file.
pub fn collected(collected: &Collected, zone: &TimeZone) -> Result<String, serde_json::Error> {
    let mut answer: serde_json::Value =
        serde_json::from_str(&collection(&collected.collection, zone)?)?;
    answer["complete"] = json!(collected.complete);
    answer["moreDue"] = json!(collected.more_due);
    serde_json::to_string(&answer)
}

/// The answer of `…/submitted` and `…/voided`: the collection, the debits this call moved, and
/// whether every debit has (`false`: call again to go on).
pub fn moved(moved: &Moved, zone: &TimeZone) -> Result<String, serde_json::Error> {
    let mut answer: serde_json::Value =
        serde_json::from_str(&collection(&moved.collection, zone)?)?;
    answer["debitsMoved"] = json!(moved.debits);
    answer["complete"] = json!(moved.complete);
    serde_json::to_string(&answer)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BookedView<'a> {
    end_to_end_id: &'a str,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_guid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changelog_guid: Option<&'a str>,
    subscription_held: bool,
    /// The payment presenting a temporary return's debit again, made by this booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    representation_guid: Option<&'a str>,
}

fn result_name(result: BookedResult) -> &'static str {
    match result {
        BookedResult::Returned => "returned",
        BookedResult::AlreadyReturned => "alreadyReturned",
        BookedResult::Unknown => "unknown",
        BookedResult::NotSubmitted => "notSubmitted",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnmatchedView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    end_to_end_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
    reason: &'static str,
    detail: &'static str,
}

/// The reason's name and what the merchant may do about it.
fn unmatched_reason(reason: UnmatchedReason) -> (&'static str, &'static str) {
    match reason {
        UnmatchedReason::NoEndToEndId => (
            "noEndToEndId",
            "no EndToEndId to find the debit by; send its return as JSON if it is ours",
        ),
        UnmatchedReason::NotProvided => (
            "notProvided",
            "EndToEndId NOTPROVIDED; send its return as JSON if it is ours",
        ),
        UnmatchedReason::Credit => ("credit", "money in, not a return"),
        UnmatchedReason::NotDirectDebit => (
            "notDirectDebit",
            "not a direct debit we collected (bank transaction family other than IDDT)",
        ),
        UnmatchedReason::NotReturned => ("notReturned", "neither a return nor a reject"),
        UnmatchedReason::NotBooked => (
            "notBooked",
            "pending or information only; the report that books it changes the payment",
        ),
        UnmatchedReason::BatchRejected => (
            "batchRejected",
            "the whole batch (the pain.008's PmtInfId) or file (MsgId) was rejected without \
             listing its debits; send their rejects as JSON",
        ),
        UnmatchedReason::OtherCreditor => (
            "otherCreditor",
            "another creditor identifier than this merchant's",
        ),
    }
}

/// What became of each return, in the order sent; for a bank report also its format and the
/// entries that changed nothing.
pub fn booked(
    results: &[Booked],
    unmatched: &[Unmatched],
    format: Option<ReportFormat>,
) -> Result<String, serde_json::Error> {
    let results: Vec<BookedView<'_>> = results
        .iter()
        .map(|b| BookedView {
            end_to_end_id: &b.end_to_end_id,
            result: result_name(b.result),
            payment_guid: b.payment_guid.as_deref(),
            changelog_guid: b.changelog_guid.as_deref(),
            subscription_held: b.subscription_held,
            representation_guid: b.representation_guid.as_deref(),
        })
        .collect();
    let unmatched: Vec<UnmatchedView<'_>> = unmatched
        .iter()
        .map(|u| {
            let (reason, detail) = unmatched_reason(u.reason);
            UnmatchedView {
                end_to_end_id: u.end_to_end_id.as_deref(),
                reference: u.reference.as_deref(),
                amount: u.amount.map(Amount::decimal),
                reason,
                detail,
            }
        })
        .collect();
    let mut answer = json!({ "results": results, "unmatched": unmatched });
    if let Some(format) = format {
        answer["format"] = format.name().into();
    }
    serde_json::to_string(&answer)
}
