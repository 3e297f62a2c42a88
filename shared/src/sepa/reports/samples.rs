//! Sample bank reports for the tests, valid against the schemas in `tests/iso20022/`: one
//! camt.054 entry or one pain.002 transaction per [`Sample`].

use super::ReportFormat;
use crate::ground::money::Amount;

/// One transaction as the bank reports it.
#[derive(Clone, Debug)]
pub struct Sample {
    pub end_to_end_id: Option<String>,
    pub reason: String,
    pub amount: Amount,
    /// Money in (`CRDT`) instead of a return.
    pub credit: bool,
    /// The bank transaction family: `IDDT` for our direct debits, `ICDT` a credit transfer.
    pub family: &'static str,
    pub creditor_id: Option<String>,
}

impl Sample {
    /// A returned (or rejected) direct debit of ours, with the demo creditor's id.
    pub fn debit(end_to_end_id: &str, reason: &str, amount: &str) -> Self {
        Self {
            end_to_end_id: Some(end_to_end_id.to_owned()),
            reason: reason.to_owned(),
            amount: Amount::parse(amount).expect("a sample amount"),
            credit: false,
            family: "IDDT",
            creditor_id: Some("DE98ZZZ09999999999".to_owned()),
        }
    }
}

fn head(format: ReportFormat) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document \
         xmlns=\"urn:iso:std:iso:20022:tech:xsd:{}\">",
        format.name()
    )
}

fn creditor(id: &str, wrapped: bool) -> String {
    let party = format!(
        "<Id><PrvtId><Othr><Id>{id}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr>\
         </PrvtId></Id>"
    );
    if wrapped {
        format!("<Pty>{party}</Pty>")
    } else {
        party
    }
}

/// A camt.054 (`Camt054V02` or `Camt054V08`) with one booked entry per sample.
pub fn camt054(format: ReportFormat, samples: &[Sample]) -> String {
    let v2019 = format.is_2019();
    let mut xml = head(format);
    xml.push_str(
        "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>CAMT-1</MsgId>\
         <CreDtTm>2026-12-30T08:00:00</CreDtTm></GrpHdr><Ntfctn><Id>N-1</Id>\
         <CreDtTm>2026-12-30T08:00:00</CreDtTm>\
         <Acct><Id><IBAN>DE02120300000000202051</IBAN></Id></Acct>",
    );
    for (i, sample) in samples.iter().enumerate() {
        let amount = sample.amount.decimal();
        let direction = if sample.credit { "CRDT" } else { "DBIT" };
        let status = if v2019 {
            "<Sts><Cd>BOOK</Cd></Sts>"
        } else {
            "<Sts>BOOK</Sts>"
        };
        let sub_family = if sample.credit { "ESCT" } else { "UPDD" };
        xml.push_str(&format!(
            "<Ntry><NtryRef>E{i}</NtryRef><Amt Ccy=\"EUR\">{amount}</Amt>\
             <CdtDbtInd>{direction}</CdtDbtInd>{status}<BookgDt><Dt>2026-12-30</Dt></BookgDt>\
             <ValDt><Dt>2026-12-30</Dt></ValDt><AcctSvcrRef>BANK-{i}</AcctSvcrRef>\
             <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{}</Cd><SubFmlyCd>{sub_family}</SubFmlyCd>\
             </Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><AcctSvcrRef>TX-{i}</AcctSvcrRef>",
            sample.family
        ));
        if let Some(id) = &sample.end_to_end_id {
            xml.push_str(&format!("<EndToEndId>{id}</EndToEndId>"));
        }
        xml.push_str("</Refs>");
        if v2019 {
            xml.push_str(&format!(
                "<Amt Ccy=\"EUR\">{amount}</Amt><CdtDbtInd>{direction}</CdtDbtInd>"
            ));
        } else {
            xml.push_str(&format!(
                "<AmtDtls><TxAmt><Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls>"
            ));
        }
        if let Some(id) = &sample.creditor_id {
            xml.push_str(&format!(
                "<RltdPties><Cdtr>{}</Cdtr></RltdPties>",
                creditor(id, v2019)
            ));
        }
        if !sample.credit {
            xml.push_str(&format!(
                "<RtrInf><Rsn><Cd>{}</Cd></Rsn></RtrInf>",
                sample.reason
            ));
        }
        xml.push_str("</TxDtls></NtryDtls></Ntry>");
    }
    xml.push_str("</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n");
    xml
}

/// A pain.002 (`Pain002V03` or `Pain002V10`) rejecting each sample in one batch, and, if
/// `rejected_batch` names one, a further batch rejected whole without its transactions.
pub fn pain002(format: ReportFormat, samples: &[Sample], rejected_batch: Option<&str>) -> String {
    let mut xml = head(format);
    xml.push_str(
        "<CstmrPmtStsRpt><GrpHdr><MsgId>PAIN002-1</MsgId>\
         <CreDtTm>2026-12-29T08:00:00</CreDtTm></GrpHdr><OrgnlGrpInfAndSts>\
         <OrgnlMsgId>MSG-1</OrgnlMsgId><OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId>\
         </OrgnlGrpInfAndSts>",
    );
    if !samples.is_empty() {
        xml.push_str("<OrgnlPmtInfAndSts><OrgnlPmtInfId>MSG-1-1</OrgnlPmtInfId>");
    }
    for (i, sample) in samples.iter().enumerate() {
        xml.push_str(&format!("<TxInfAndSts><StsId>S{i}</StsId>"));
        if let Some(id) = &sample.end_to_end_id {
            xml.push_str(&format!("<OrgnlEndToEndId>{id}</OrgnlEndToEndId>"));
        }
        xml.push_str(&format!(
            "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>{}</Cd></Rsn></StsRsnInf><OrgnlTxRef>\
             <Amt><InstdAmt Ccy=\"EUR\">{}</InstdAmt></Amt>\
             <ReqdColltnDt>2026-12-31</ReqdColltnDt>",
            sample.reason,
            sample.amount.decimal()
        ));
        if let Some(id) = &sample.creditor_id {
            xml.push_str(&format!(
                "<CdtrSchmeId>{}</CdtrSchmeId>",
                creditor(id, false)
            ));
        }
        xml.push_str("</OrgnlTxRef></TxInfAndSts>");
    }
    if !samples.is_empty() {
        xml.push_str("</OrgnlPmtInfAndSts>");
    }
    if let Some(batch) = rejected_batch {
        xml.push_str(&format!(
            "<OrgnlPmtInfAndSts><OrgnlPmtInfId>{batch}</OrgnlPmtInfId>\
             <OrgnlCtrlSum>30.00</OrgnlCtrlSum><PmtInfSts>RJCT</PmtInfSts>\
             <StsRsnInf><Rsn><Cd>AM05</Cd></Rsn></StsRsnInf></OrgnlPmtInfAndSts>"
        ));
    }
    xml.push_str("</CstmrPmtStsRpt></Document>\n");
    xml
}
