//! The SEPA direct debit mandate as the form shows it while direct debit is chosen: who
//! collects (creditor name and identifier), the standard authorisation wording, the donor's
//! right to a refund within 8 weeks, and the box that signs it.

use maud::{Markup, html};

use super::view::{FormView, t};
use crate::ground::lang::Lang;
use crate::ground::money::MethodKind;
use crate::session::MANDATE_VALUE;

/// The mandate block, or nothing when the form offers no direct debit.
pub(super) fn mandate_markup(view: &FormView<'_>) -> Markup {
    let definition = &view.form.definition;
    let Some(creditor) = view.form.creditor.as_deref() else {
        return html! {};
    };
    if !definition
        .payment_methods
        .contains(&MethodKind::SepaDirectDebit)
    {
        return html! {};
    }
    let lang = view.lang;
    let (name, id) = (creditor.name.as_str(), creditor.creditor_id.as_str());
    let days = creditor.prenotification_days;
    let error = view.errors.get(MANDATE_VALUE);
    let text = match lang {
        Lang::De => format!(
            "Ich ermächtige {name} (Gläubiger-Identifikationsnummer {id}), Zahlungen von meinem \
             Konto mittels Lastschrift einzuziehen. Zugleich weise ich mein Kreditinstitut an, die \
             von {name} auf mein Konto gezogenen Lastschriften einzulösen. Hinweis: Ich kann \
             innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des \
             belasteten Betrages verlangen. Es gelten dabei die mit meinem Kreditinstitut \
             vereinbarten Bedingungen. Die Mandatsreferenz und jede Lastschrift werden mir \
             spätestens {days} Tage vor der Fälligkeit mitgeteilt."
        ),
        Lang::En => format!(
            "By signing this mandate, I authorise {name} (creditor identifier {id}) to send \
             instructions to my bank to debit my account, and my bank to debit my account in \
             accordance with the instructions from {name}. As part of my rights, I am entitled \
             to a refund from my bank under the terms and conditions of my agreement with my \
             bank. A refund must be claimed within 8 weeks starting from the date on which my \
             account was debited. I will be told the mandate reference and each debit at least \
             {days} days before it falls due."
        ),
    };
    html! {
        fieldset.field.sepa-only.mandate aria-describedby=[error.map(|_| "e-sepa_mandate")] {
            legend { (t(lang, "SEPA-Lastschriftmandat", "SEPA Direct Debit Mandate")) }
            p { (text) }
            label.choice for="f-sepa_mandate" {
                input type="checkbox" id="f-sepa_mandate" name=(MANDATE_VALUE) value="1"
                    aria-invalid=[error.map(|_| "true")];
                span {
                    (t(lang, "Ich erteile dieses SEPA-Lastschriftmandat.",
                          "I grant this SEPA Direct Debit Mandate."))
                    " *"
                }
            }
            @if let Some(message) = error {
                p.error id="e-sepa_mandate" { (message) }
            }
        }
    }
}
