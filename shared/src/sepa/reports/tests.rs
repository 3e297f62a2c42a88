use proptest::prelude::*;

use super::samples::{Sample, camt054, pain002};
use super::*;

const ALL: [ReportFormat; 4] = ReportFormat::ALL;
const CAMT: [ReportFormat; 2] = [ReportFormat::Camt054V02, ReportFormat::Camt054V08];
const PAIN: [ReportFormat; 2] = [ReportFormat::Pain002V03, ReportFormat::Pain002V10];
const E2E: &str = "0123456789abcdef0123456789abcdef";

fn sample_file(format: ReportFormat, samples: &[Sample]) -> String {
    if CAMT.contains(&format) {
        camt054(format, samples)
    } else {
        pain002(format, samples, None)
    }
}

fn entries(xml: &str) -> Vec<ReportedEntry> {
    read_report(xml.as_bytes()).expect("a valid report").entries
}

fn unmatched(entry: &ReportedEntry) -> (Option<&str>, UnmatchedReason) {
    match entry {
        ReportedEntry::Unmatched(u) => (u.end_to_end_id.as_deref(), u.reason),
        ReportedEntry::Debit(d) => panic!("booked {d:?}"),
    }
}

#[test]
fn every_version_reads_a_return_or_reject_by_end_to_end_id() {
    for format in ALL {
        let xml = sample_file(format, &[Sample::debit(E2E, "md01", "25.00")]);
        let report = read_report(xml.as_bytes()).expect("valid");
        assert_eq!(report.format, format);
        let date = if CAMT.contains(&format) {
            "2026-12-30"
        } else {
            "2026-12-31"
        };
        assert_eq!(
            report.entries,
            vec![ReportedEntry::Debit(ReportedDebit {
                end_to_end_id: E2E.to_owned(),
                reason: "MD01".to_owned(),
                date: date.parse().expect("date"),
                amount: Some(Amount::from_cents(2500)),
                creditor_id: Some("DE98ZZZ09999999999".to_owned()),
            })],
            "{}",
            format.name()
        );
    }
}

#[test]
fn entries_without_a_usable_end_to_end_id_are_unmatched() {
    for format in ALL {
        let missing = Sample {
            end_to_end_id: None,
            ..Sample::debit(E2E, "AC04", "5")
        };
        let xml = sample_file(
            format,
            &[Sample::debit("NOTPROVIDED", "AC04", "5"), missing],
        );
        let found = entries(&xml);
        assert_eq!(
            found.iter().map(unmatched).collect::<Vec<_>>(),
            vec![
                (Some("NOTPROVIDED"), UnmatchedReason::NotProvided),
                (None, UnmatchedReason::NoEndToEndId)
            ],
            "{}",
            format.name()
        );
    }
}

#[test]
fn credits_and_credit_transfers_in_a_camt_are_unmatched() {
    for format in CAMT {
        let credit = Sample {
            credit: true,
            ..Sample::debit(E2E, "AC04", "5")
        };
        let transfer = Sample {
            family: "ICDT",
            ..Sample::debit(E2E, "AC04", "7")
        };
        let found = entries(&camt054(format, &[credit, transfer]));
        assert_eq!(
            found.iter().map(unmatched).collect::<Vec<_>>(),
            vec![
                (Some(E2E), UnmatchedReason::Credit),
                (Some(E2E), UnmatchedReason::NotDirectDebit)
            ]
        );
        let ReportedEntry::Unmatched(transfer) = &found[1] else {
            panic!("unmatched")
        };
        assert_eq!(
            (transfer.reference.as_deref(), transfer.amount),
            (Some("TX-1"), Some(Amount::from_cents(700)))
        );
    }
}

#[test]
fn a_batch_rejected_whole_is_unmatched_by_its_payment_information_id() {
    for format in PAIN {
        let found = entries(&pain002(format, &[], Some("MSG-1-2")));
        assert_eq!(
            found,
            vec![ReportedEntry::Unmatched(Unmatched {
                end_to_end_id: None,
                reference: Some("MSG-1-2".to_owned()),
                amount: Some(Amount::from_cents(3000)),
                reason: UnmatchedReason::BatchRejected,
            })]
        );
    }
}

#[test]
fn statuses_other_than_booked_or_rejected_book_nothing() {
    let pending = camt054(ReportFormat::Camt054V08, &[Sample::debit(E2E, "AM04", "1")])
        .replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>");
    assert_eq!(
        unmatched(&entries(&pending)[0]).1,
        UnmatchedReason::NotBooked
    );
    let accepted = pain002(
        ReportFormat::Pain002V10,
        &[Sample::debit(E2E, "AM04", "1")],
        None,
    )
    .replace("RJCT", "ACCP");
    assert_eq!(
        unmatched(&entries(&accepted)[0]).1,
        UnmatchedReason::NotReturned
    );
}

#[test]
fn malformed_files_are_refused_with_what_is_wrong() {
    let good = camt054(ReportFormat::Camt054V02, &[Sample::debit(E2E, "AM04", "1")]);
    let cut = &good[..good.len() / 2];
    assert!(matches!(
        read_report(cut.as_bytes()),
        Err(ReportError::Malformed(_))
    ));
    let unclosed = good.replace("</Document>", "");
    assert!(matches!(
        read_report(unclosed.as_bytes()),
        Err(ReportError::Malformed(m)) if m.contains("ends inside <Document>")
    ));
    let other = good.replace("camt.054.001.02", "camt.053.001.02");
    assert_eq!(
        read_report(other.as_bytes()),
        Err(ReportError::UnknownNamespace(
            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02".to_owned()
        ))
    );
    let amount = good.replace(">1.00</Amt>", ">1.005</Amt>");
    assert!(matches!(
        read_report(amount.as_bytes()),
        Err(ReportError::Invalid { .. })
    ));
    let no_header = good.replace(
        "<CreDtTm>2026-12-30T08:00:00</CreDtTm></GrpHdr>",
        "</GrpHdr>",
    );
    assert!(matches!(
        read_report(no_header.as_bytes()),
        Err(ReportError::Missing {
            element: "GrpHdr/CreDtTm",
            ..
        })
    ));
    let entity = good.replace("CAMT-1", "&undefined;");
    assert!(matches!(
        read_report(entity.as_bytes()),
        Err(ReportError::Malformed(m)) if m.contains("&undefined;")
    ));
    assert_eq!(read_report(b"\xff\xfe<"), Err(ReportError::NotUtf8));
    assert!(read_report(b"").is_err());
}

#[test]
fn a_doctype_is_refused_before_any_entity_is_read() {
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                  <!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
                  <Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">&lol2;</Document>";
    assert_eq!(read_report(laughs.as_bytes()), Err(ReportError::Doctype));
    let external =
        "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Document>&x;</Document>";
    assert_eq!(read_report(external.as_bytes()), Err(ReportError::Doctype));
}

#[test]
fn escaped_text_is_read_as_written() {
    let xml = camt054(
        ReportFormat::Camt054V08,
        &[Sample::debit("a&amp;b&#x41;", "AM04", "1")],
    );
    let ReportedEntry::Debit(debit) = &entries(&xml)[0] else {
        panic!("a debit")
    };
    assert_eq!(debit.end_to_end_id, "a&bA");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_report(&bytes);
    }

    #[test]
    fn arbitrary_xml_like_text_never_panics(text in "[<>/a-zA-Z:=\"&;# !?\\[\\]-]{0,200}") {
        let _ = read_report(text.as_bytes());
    }

    #[test]
    fn a_valid_report_cut_anywhere_is_read_or_refused(cut in 0usize..4000, which in 0usize..4) {
        let xml = sample_file(ALL[which], &[Sample::debit(E2E, "MD01", "25.00")]);
        let cut = cut.min(xml.len());
        if let Ok(report) = read_report(&xml.as_bytes()[..cut]) {
            prop_assert!(report.entries.len() <= 1);
        }
    }
}
