//! The bank's own reports on our direct debits, read as pure data: a camt.054 debit
//! notification with returns (2009 `camt.054.001.02`, 2019 `camt.054.001.08`) and a pain.002
//! status report with rejects before settlement (`pain.002.001.03`, `pain.002.001.10`). The
//! version is the root element's namespace. Each entry is a debit to book by its
//! `EndToEndId`, or an unmatched one with why; deciding what to book is the bank service's.

mod camt054;
mod pain002;
#[cfg(any(test, feature = "test-doubles"))]
pub mod samples;
mod tree;

use jiff::civil::Date;

use crate::ground::money::Amount;

/// The reports this reader knows, by the namespace of their `Document`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Camt054V02,
    Camt054V08,
    Pain002V03,
    Pain002V10,
}

impl ReportFormat {
    const ALL: [Self; 4] = [
        Self::Camt054V02,
        Self::Camt054V08,
        Self::Pain002V03,
        Self::Pain002V10,
    ];

    /// The message name, as in `urn:iso:std:iso:20022:tech:xsd:camt.054.001.02`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Camt054V02 => "camt.054.001.02",
            Self::Camt054V08 => "camt.054.001.08",
            Self::Pain002V03 => "pain.002.001.03",
            Self::Pain002V10 => "pain.002.001.10",
        }
    }

    fn of_namespace(namespace: &str) -> Option<Self> {
        let name = namespace.strip_prefix("urn:iso:std:iso:20022:tech:xsd:")?;
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// 2019 versions wrap codes and parties (`<Sts><Cd>BOOK</Cd></Sts>`, `Cdtr/Pty`).
    fn is_2019(self) -> bool {
        matches!(self, Self::Camt054V08 | Self::Pain002V10)
    }
}

/// A debit the bank gave back: returned after settlement (camt.054) or rejected before it
/// (pain.002).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedDebit {
    pub end_to_end_id: String,
    /// The ISO 20022 reason code; `MS03` (reason not specified) when the bank gives none.
    pub reason: String,
    pub date: Date,
    pub amount: Option<Amount>,
    /// The SEPA creditor identifier the entry names, if it names one.
    pub creditor_id: Option<String>,
}

/// Why an entry books nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// No `EndToEndId` to find the debit by.
    NoEndToEndId,
    /// `NOTPROVIDED`: the debit's end-to-end id was not passed on.
    NotProvided,
    /// Money in (a collection credited, a credit transfer received), not a return.
    Credit,
    /// The bank transaction code is not a direct debit's (e.g. a credit transfer).
    NotDirectDebit,
    /// A debit with no return information, or a status other than a reject.
    NotReturned,
    /// Pending or information only (`Sts` other than `BOOK`): the booked report follows.
    NotBooked,
    /// A whole batch (`PmtInfId`) or file (`MsgId`) rejected without its transactions.
    BatchRejected,
    /// The entry names another creditor identifier than the merchant's.
    OtherCreditor,
}

/// An entry that changes nothing, with what identifies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unmatched {
    pub end_to_end_id: Option<String>,
    /// The bank's entry reference, or the batch's `PmtInfId` / the file's `MsgId`.
    pub reference: Option<String>,
    pub amount: Option<Amount>,
    pub reason: UnmatchedReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportedEntry {
    Debit(ReportedDebit),
    Unmatched(Unmatched),
}

/// A bank report: its format and its entries in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankReport {
    pub format: ReportFormat,
    pub entries: Vec<ReportedEntry>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("the bank report is not UTF-8")]
    NotUtf8,
    #[error("DOCTYPE declarations are refused in bank reports")]
    Doctype,
    #[error("malformed XML {0}")]
    Malformed(String),
    #[error("the XML nests deeper than {0} levels")]
    TooDeep(usize),
    #[error(
        "namespace '{0}' is not a report this API reads (camt.054.001.02, camt.054.001.08, \
         pain.002.001.03, pain.002.001.10)"
    )]
    UnknownNamespace(String),
    #[error("{format} needs <{element}>")]
    Missing {
        format: &'static str,
        element: &'static str,
    },
    #[error("{element} '{value}' is not valid")]
    Invalid {
        element: &'static str,
        value: String,
    },
}

const NOT_SPECIFIED: &str = "MS03";
const NOT_PROVIDED: &str = "NOTPROVIDED";

/// Reads a bank report.
///
/// # Errors
/// A [`ReportError`] naming what is wrong: not UTF-8, a DOCTYPE, malformed XML, an unknown
/// namespace, or a required element missing or invalid.
pub fn read_report(bytes: &[u8]) -> Result<BankReport, ReportError> {
    let xml = std::str::from_utf8(bytes).map_err(|_| ReportError::NotUtf8)?;
    let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    let (namespace, document) = tree::read(xml)?;
    let format = ReportFormat::of_namespace(&namespace)
        .ok_or_else(|| ReportError::UnknownNamespace(namespace.clone()))?;
    let camt = matches!(format, ReportFormat::Camt054V02 | ReportFormat::Camt054V08);
    let message = if camt {
        "BkToCstmrDbtCdtNtfctn"
    } else {
        "CstmrPmtStsRpt"
    };
    let body = (document.name == "Document")
        .then(|| document.child(message))
        .flatten()
        .ok_or(ReportError::Missing {
            format: format.name(),
            element: if camt {
                "Document/BkToCstmrDbtCdtNtfctn"
            } else {
                "Document/CstmrPmtStsRpt"
            },
        })?;
    let entries = if camt {
        camt054::entries(body, format)?
    } else {
        pain002::entries(body, format)?
    };
    Ok(BankReport { format, entries })
}

/// The entry's end-to-end id, or why there is none to match by.
fn end_to_end_id(raw: Option<&str>) -> Result<String, UnmatchedReason> {
    match raw {
        None => Err(UnmatchedReason::NoEndToEndId),
        Some(id) if id.eq_ignore_ascii_case(NOT_PROVIDED) => Err(UnmatchedReason::NotProvided),
        Some(id) => Ok(id.chars().take(35).collect()),
    }
}

/// A 4-character ISO code as given, else [`NOT_SPECIFIED`].
fn reason_code(raw: Option<&str>) -> String {
    raw.map(str::to_ascii_uppercase)
        .filter(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| NOT_SPECIFIED.to_owned())
}

fn amount(element: &'static str, raw: Option<&str>) -> Result<Option<Amount>, ReportError> {
    raw.map(|value| {
        Amount::parse(value).map_err(|_| ReportError::Invalid {
            element,
            value: value.to_owned(),
        })
    })
    .transpose()
}

/// The message's creation date (`GrpHdr/CreDtTm`): the date of an entry that has none.
fn created(message: &tree::Node, format: ReportFormat) -> Result<Date, ReportError> {
    let raw = message
        .text_at(&["GrpHdr", "CreDtTm"])
        .ok_or(ReportError::Missing {
            format: format.name(),
            element: "GrpHdr/CreDtTm",
        })?;
    date("GrpHdr/CreDtTm", raw)
}

/// The date of an ISODate or the date part of an ISODateTime.
fn date(element: &'static str, raw: &str) -> Result<Date, ReportError> {
    raw.get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| ReportError::Invalid {
            element,
            value: raw.to_owned(),
        })
}

/// The SEPA creditor identifier of a party (`Id/PrvtId/Othr` with scheme `SEPA`); 2019
/// versions may wrap the party in `Pty`.
fn creditor_id(party: Option<&tree::Node>) -> Option<String> {
    let party = party?;
    let party = party.child("Pty").unwrap_or(party);
    party
        .at(&["Id", "PrvtId"])?
        .all("Othr")
        .find(|o| {
            o.text_at(&["SchmeNm", "Prtry"])
                .is_some_and(|s| s.eq_ignore_ascii_case("SEPA"))
        })
        .and_then(|o| o.text_at(&["Id"]))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests;
