//! A collection as the bank takes it: an ISO 20022 `pain.008.001.08` customer direct debit
//! initiation, one `PmtInf` per sequence type and collection date, every text in the SEPA
//! character set. The same collection always gives the same bytes.
//!
//! Whatever was stored, every element the builder writes passes the XSD: texts go through
//! `sepa_text` (cut to their element's length), identifiers through `sepa_id`, and a BIC that
//! is not one is left out (`NOTPROVIDED`, as IBAN-only debits within the EEA are). Entry
//! refuses a debit outside the EEA without a BIC and an address, so only data stored before
//! that rule can still lack them; such a debit is written without, valid for the XSD, and the
//! bank may return it.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde::{Deserialize, Serialize};

use super::creditor::Creditor;
use super::mandate::Sequence;
use super::text::{sepa_id, sepa_text};
use crate::ground::bank::normalized_bic;
use crate::ground::country::CountryCode;
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
    /// Set for debtors outside the EEA, whose debits must carry it (SDD rulebook AT-09).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debtor_address: Option<PostalAddress>,
    pub remittance: String,
    /// The creditor identifier the mandate was known under before the creditor's changed: the
    /// debit then says the mandate was amended (`AmdmntInd`, `OrgnlCdtrSchmeId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_creditor_id: Option<String>,
}

/// A debtor's address as the file carries it (`PstlAdr`, structured).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostalAddress {
    pub street: String,
    pub post_code: String,
    pub city: String,
    pub country: CountryCode,
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

/// A bank by BIC, or `NOTPROVIDED` (IBAN-only, allowed within the EEA) when none or no valid
/// one is stored.
fn agent(xml: &mut Xml, name: &str, bic: Option<&str>) -> std::io::Result<()> {
    open(xml, name)?;
    open(xml, "FinInstnId")?;
    match bic.and_then(normalized_bic) {
        Some(bic) => leaf(xml, "BICFI", &bic)?,
        None => {
            open(xml, "Othr")?;
            leaf(xml, "Id", "NOTPROVIDED")?;
            close(xml, "Othr")?;
        }
    }
    close(xml, "FinInstnId")?;
    close(xml, name)
}

/// `<PstlAdr>` in the XSD's order; a part with nothing left in the SEPA set is left out.
fn postal_address(xml: &mut Xml, address: &PostalAddress) -> std::io::Result<()> {
    open(xml, "PstlAdr")?;
    for (name, raw, max) in [
        ("StrtNm", &address.street, 70),
        ("PstCd", &address.post_code, 16),
        ("TwnNm", &address.city, 35),
    ] {
        let text = sepa_text(raw, max, "");
        if !text.is_empty() {
            leaf(xml, name, &text)?;
        }
    }
    leaf(xml, "Ctry", address.country.as_str())?;
    close(xml, "PstlAdr")
}

fn sum(debits: &[&Debit]) -> String {
    Amount::from_cents(debits.iter().map(|d| d.amount.cents()).sum()).decimal()
}

impl CollectionFile<'_> {
    /// The XML document, UTF-8, without indentation: a file is for the bank's software, and
    /// a third more debits fit in what one response carries.
    pub fn to_xml(&self) -> Vec<u8> {
        let mut xml = Writer::new(Vec::new());
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
    leaf(xml, "EndToEndId", &sepa_id(&debit.end_to_end_id))?;
    close(xml, "PmtId")?;
    let mut amount = BytesStart::new("InstdAmt");
    amount.push_attribute(("Ccy", "EUR"));
    xml.write_event(Event::Start(amount))?;
    xml.write_event(Event::Text(BytesText::new(&debit.amount.decimal())))?;
    close(xml, "InstdAmt")?;
    open(xml, "DrctDbtTx")?;
    open(xml, "MndtRltdInf")?;
    leaf(xml, "MndtId", &sepa_id(&debit.mandate_reference))?;
    leaf(xml, "DtOfSgntr", &debit.mandate_signed_on.to_string())?;
    if let Some(original) = &debit.original_creditor_id {
        leaf(xml, "AmdmntInd", "true")?;
        open(xml, "AmdmntInfDtls")?;
        open(xml, "OrgnlCdtrSchmeId")?;
        open(xml, "Id")?;
        open(xml, "PrvtId")?;
        open(xml, "Othr")?;
        leaf(xml, "Id", &sepa_id(original))?;
        open(xml, "SchmeNm")?;
        leaf(xml, "Prtry", "SEPA")?;
        close(xml, "SchmeNm")?;
        close(xml, "Othr")?;
        close(xml, "PrvtId")?;
        close(xml, "Id")?;
        close(xml, "OrgnlCdtrSchmeId")?;
        close(xml, "AmdmntInfDtls")?;
    }
    close(xml, "MndtRltdInf")?;
    close(xml, "DrctDbtTx")?;
    agent(xml, "DbtrAgt", debit.debtor_bic.as_deref())?;
    open(xml, "Dbtr")?;
    leaf(xml, "Nm", &sepa_text(&debit.debtor_name, 70, "Donor"))?;
    if let Some(address) = &debit.debtor_address {
        postal_address(xml, address)?;
    }
    close(xml, "Dbtr")?;
    account(xml, "DbtrAcct", &debit.debtor_iban)?;
    open(xml, "RmtInf")?;
    leaf(xml, "Ustrd", &sepa_text(&debit.remittance, 140, "Donation"))?;
    close(xml, "RmtInf")?;
    close(xml, "DrctDbtTxInf")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sepa::Creditor;

    #[test]
    fn stored_values_that_the_xsd_refuses_are_not_written() {
        let creditor = Creditor::new(
            "Tierschutz & Co.",
            "DE98ZZZ09999999999",
            "DE02120300000000202051",
            None,
            None,
            None,
        )
        .expect("creditor");
        let date = Date::constant(2026, 3, 2);
        // As a Renewal stored it before BICs were checked, with a reference from elsewhere.
        let debit = Debit {
            end_to_end_id: "e2e <1>".to_owned(),
            amount: Amount::from_cents(500),
            sequence: Sequence::Ooff,
            collection_date: date,
            mandate_reference: "//MANDAT ä 1/".to_owned(),
            mandate_signed_on: date,
            debtor_name: "\u{1F600}".to_owned(),
            debtor_iban: "DE89370400440532013000".to_owned(),
            debtor_bic: Some("x".to_owned()),
            debtor_address: None,
            original_creditor_id: None,
            remittance: "Spende".to_owned(),
        };
        let file = CollectionFile {
            message_id: "C1",
            created: date.at(9, 0, 0, 0),
            creditor: &creditor,
            debits: &[debit],
        };
        let xml = String::from_utf8(file.to_xml()).expect("UTF-8");
        for expected in [
            "<Id>NOTPROVIDED</Id>",
            "<MndtId>MANDAT 1</MndtId>",
            "<EndToEndId>e2e 1</EndToEndId>",
            "<Nm>Donor</Nm>",
            "<Nm>Tierschutz + Co.</Nm>",
        ] {
            assert!(xml.contains(expected), "{expected} in {xml}");
        }
        assert!(!xml.contains("BICFI"), "{xml}");
    }

    #[test]
    fn five_thousand_of_the_longest_debits_pass_what_a_file_may_carry() {
        let creditor = Creditor::new(
            &"K".repeat(70),
            "DE98ZZZ09999999999",
            "DE02120300000000202051",
            Some("COBADEFFXXX"),
            None,
            None,
        )
        .expect("creditor");
        let date = Date::constant(2026, 3, 2);
        let longest = |i: usize| Debit {
            end_to_end_id: format!("{i:035}"),
            amount: Amount::from_cents(99_999_999_999),
            // Each debit in its own group: the most `PmtInf` a file can have.
            sequence: Sequence::Rcur,
            collection_date: date,
            mandate_reference: format!("{i:035}"),
            mandate_signed_on: date,
            debtor_name: "W".repeat(70),
            debtor_iban: "MT84MALT011000012345MTLCAST001S".to_owned(),
            debtor_bic: Some("MALTMTMTXXX".to_owned()),
            debtor_address: Some(PostalAddress {
                street: "S".repeat(70),
                post_code: "P".repeat(16),
                city: "C".repeat(35),
                country: CountryCode::parse("CH").expect("country"),
            }),
            remittance: "R".repeat(140),
            original_creditor_id: Some("DE98ZZZ09999999998".to_owned()),
        };
        let debits: Vec<Debit> = (0..5000).map(longest).collect();
        let file = CollectionFile {
            message_id: "C20260302090000-ABCDEF12",
            created: date.at(9, 0, 0, 0),
            creditor: &creditor,
            debits: &debits,
        };
        let xml = String::from_utf8(file.to_xml()).expect("UTF-8");
        // A collection stops claiming before its file passes 5 MiB as a response carries it
        // (see `bank::MAX_FILE_BYTES`); these 5,000 would pass it.
        let carried = crate::listing::carried_len(&xml);
        assert!(carried > 5 * 1024 * 1024, "{carried} bytes");
    }
}
