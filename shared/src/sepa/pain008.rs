//! A collection as the bank takes it: an ISO 20022 `pain.008.001.08` customer direct debit
//! initiation, one `PmtInf` per sequence type and collection date, every text in the SEPA
//! character set. The same collection always gives the same bytes.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::{Deserialize, Serialize};

use super::creditor::Creditor;
use super::mandate::Sequence;
use super::text::sepa_text;
use crate::ground::money::Amount;

const NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08";

/// One debit of a collection, as it was claimed (the file never changes after).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Debit {
    pub end_to_end_id: String,
    pub amount: Amount,
    pub sequence: Sequence,
    pub collection_date: Date,
    pub mandate_reference: String,
    pub mandate_signed_on: Date,
    pub debtor_name: String,
    pub debtor_iban: String,
    pub debtor_bic: Option<String>,
    pub remittance: String,
}

/// The whole file: its message id, when it was made (local time), who collects, what.
pub struct CollectionFile<'a> {
    pub message_id: &'a str,
    pub created: DateTime,
    pub creditor: &'a Creditor,
    pub debits: &'a [Debit],
}

type Xml = Writer<Vec<u8>>;

fn leaf(xml: &mut Xml, name: &str, text: &str) -> std::io::Result<()> {
    xml.write_event(Event::Start(BytesStart::new(name)))?;
    xml.write_event(Event::Text(BytesText::new(text)))?;
    xml.write_event(Event::End(BytesEnd::new(name)))
}

fn open(xml: &mut Xml, name: &str) -> std::io::Result<()> {
    xml.write_event(Event::Start(BytesStart::new(name)))
}

fn close(xml: &mut Xml, name: &str) -> std::io::Result<()> {
    xml.write_event(Event::End(BytesEnd::new(name)))
}

/// `<name><Id><IBAN>…</IBAN></Id></name>`.
fn account(xml: &mut Xml, name: &str, iban: &str) -> std::io::Result<()> {
    open(xml, name)?;
    open(xml, "Id")?;
    leaf(xml, "IBAN", iban)?;
    close(xml, "Id")?;
    close(xml, name)
}

/// A bank by BIC, or `NOTPROVIDED` (IBAN-only, allowed within SEPA).
fn agent(xml: &mut Xml, name: &str, bic: Option<&str>) -> std::io::Result<()> {
    open(xml, name)?;
    open(xml, "FinInstnId")?;
    match bic {
        Some(bic) => leaf(xml, "BICFI", bic)?,
        None => {
            open(xml, "Othr")?;
            leaf(xml, "Id", "NOTPROVIDED")?;
            close(xml, "Othr")?;
        }
    }
    close(xml, "FinInstnId")?;
    close(xml, name)
}

fn sum(debits: &[&Debit]) -> String {
    Amount::from_cents(debits.iter().map(|d| d.amount.cents()).sum()).decimal()
}

impl CollectionFile<'_> {
    /// The XML document, UTF-8.
    pub fn to_xml(&self) -> Vec<u8> {
        let mut xml = Writer::new_with_indent(Vec::new(), b' ', 2);
        // Writing to a Vec cannot fail.
        let _ = self.write(&mut xml);
        xml.into_inner()
    }

    fn write(&self, xml: &mut Xml) -> std::io::Result<()> {
        let creditor_name = sepa_text(&self.creditor.name, 70, "Creditor");
        let all: Vec<&Debit> = self.debits.iter().collect();
        let mut groups: BTreeMap<(Sequence, Date), Vec<&Debit>> = BTreeMap::new();
        for debit in &all {
            groups
                .entry((debit.sequence, debit.collection_date))
                .or_default()
                .push(debit);
        }
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut document = BytesStart::new("Document");
        document.push_attribute(("xmlns", NAMESPACE));
        xml.write_event(Event::Start(document))?;
        open(xml, "CstmrDrctDbtInitn")?;
        open(xml, "GrpHdr")?;
        leaf(xml, "MsgId", self.message_id)?;
        leaf(
            xml,
            "CreDtTm",
            &self.created.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        )?;
        leaf(xml, "NbOfTxs", &all.len().to_string())?;
        leaf(xml, "CtrlSum", &sum(&all))?;
        open(xml, "InitgPty")?;
        leaf(xml, "Nm", &creditor_name)?;
        close(xml, "InitgPty")?;
        close(xml, "GrpHdr")?;
        for (index, ((sequence, date), debits)) in groups.iter().enumerate() {
            self.payment_information(xml, index + 1, *sequence, *date, debits, &creditor_name)?;
        }
        close(xml, "CstmrDrctDbtInitn")?;
        close(xml, "Document")
    }

    fn payment_information(
        &self,
        xml: &mut Xml,
        number: usize,
        sequence: Sequence,
        date: Date,
        debits: &[&Debit],
        creditor_name: &str,
    ) -> std::io::Result<()> {
        open(xml, "PmtInf")?;
        leaf(xml, "PmtInfId", &format!("{}-{number}", self.message_id))?;
        leaf(xml, "PmtMtd", "DD")?;
        leaf(xml, "BtchBookg", "true")?;
        leaf(xml, "NbOfTxs", &debits.len().to_string())?;
        leaf(xml, "CtrlSum", &sum(debits))?;
        open(xml, "PmtTpInf")?;
        open(xml, "SvcLvl")?;
        leaf(xml, "Cd", "SEPA")?;
        close(xml, "SvcLvl")?;
        open(xml, "LclInstrm")?;
        leaf(xml, "Cd", "CORE")?;
        close(xml, "LclInstrm")?;
        leaf(xml, "SeqTp", sequence.code())?;
        close(xml, "PmtTpInf")?;
        leaf(xml, "ReqdColltnDt", &date.to_string())?;
        open(xml, "Cdtr")?;
        leaf(xml, "Nm", creditor_name)?;
        close(xml, "Cdtr")?;
        account(xml, "CdtrAcct", &self.creditor.iban)?;
        agent(xml, "CdtrAgt", self.creditor.bic.as_deref())?;
        leaf(xml, "ChrgBr", "SLEV")?;
        open(xml, "CdtrSchmeId")?;
        open(xml, "Id")?;
        open(xml, "PrvtId")?;
        open(xml, "Othr")?;
        leaf(xml, "Id", self.creditor.creditor_id.as_str())?;
        open(xml, "SchmeNm")?;
        leaf(xml, "Prtry", "SEPA")?;
        close(xml, "SchmeNm")?;
        close(xml, "Othr")?;
        close(xml, "PrvtId")?;
        close(xml, "Id")?;
        close(xml, "CdtrSchmeId")?;
        for debit in debits {
            transaction(xml, debit)?;
        }
        close(xml, "PmtInf")
    }
}

fn transaction(xml: &mut Xml, debit: &Debit) -> std::io::Result<()> {
    open(xml, "DrctDbtTxInf")?;
    open(xml, "PmtId")?;
    leaf(xml, "EndToEndId", &debit.end_to_end_id)?;
    close(xml, "PmtId")?;
    let mut amount = BytesStart::new("InstdAmt");
    amount.push_attribute(("Ccy", "EUR"));
    xml.write_event(Event::Start(amount))?;
    xml.write_event(Event::Text(BytesText::new(&debit.amount.decimal())))?;
    close(xml, "InstdAmt")?;
    open(xml, "DrctDbtTx")?;
    open(xml, "MndtRltdInf")?;
    leaf(xml, "MndtId", &debit.mandate_reference)?;
    leaf(xml, "DtOfSgntr", &debit.mandate_signed_on.to_string())?;
    close(xml, "MndtRltdInf")?;
    close(xml, "DrctDbtTx")?;
    agent(xml, "DbtrAgt", debit.debtor_bic.as_deref())?;
    open(xml, "Dbtr")?;
    leaf(xml, "Nm", &sepa_text(&debit.debtor_name, 70, "Donor"))?;
    close(xml, "Dbtr")?;
    account(xml, "DbtrAcct", &debit.debtor_iban)?;
    open(xml, "RmtInf")?;
    leaf(xml, "Ustrd", &sepa_text(&debit.remittance, 140, "Donation"))?;
    close(xml, "RmtInf")?;
    close(xml, "DrctDbtTxInf")
}
