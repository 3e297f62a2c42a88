//! The form's HTML: server-rendered, no scripts, no third-party assets; every text escaped by
//! `maud`. Labels are bound to their inputs, errors linked with `aria-describedby`.

use std::sync::LazyLock;

use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::fields::field_markup;
use super::sepa::mandate_markup;
use super::view::{FormView, t};
use crate::form::Form;
use crate::ground::lang::Lang;

const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d1d1f;background:#f5f5f7}\
main{max-width:36rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}\
h1{font-size:1.5rem;margin:.5rem 0 1rem}\
.field{margin:0 0 1rem;border:0;padding:0}\
label,legend{display:block;font-weight:600;margin-bottom:.25rem}\
.choice{font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.25rem 0}\
input[type=text],input[type=email],input[type=tel],input[type=date],select,textarea\
{width:100%;padding:.6rem;font:inherit;border:1px solid #86868b;border-radius:.4rem}\
input[readonly]{background:#e8e8ed;color:#1d1d1f}\
[aria-invalid=true]{border-color:#c00;outline:1px solid #c00}\
.error{color:#b00;margin:.25rem 0 0;font-size:.95rem}\
.notice{background:#fff4ce;padding:.75rem;border-radius:.4rem}\
.fixed{font-weight:400;color:#515154;font-size:.9rem}\
button{width:100%;padding:.8rem;font:inherit;font-weight:600;color:#fff;background:#0a6b3d;\
border:0;border-radius:.4rem;cursor:pointer}\
button:focus,input:focus,select:focus{outline:3px solid #0a84ff;outline-offset:1px}\
.presets{display:flex;flex-wrap:wrap;gap:.5rem}.presets .choice{margin:0}\
.mandate{background:#f5f5f7;padding:.75rem;border-radius:.4rem;font-size:.95rem}\
form:not(:has([value=sepa_direct_debit]:checked)) .sepa-only{display:none}";

/// `style-src` allows exactly this stylesheet, by its hash.
pub static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(CSS.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

fn layout(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(match lang { Lang::De => "de", Lang::En => "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { main { (body) } }
        }
    }
}

pub fn form_page(view: &FormView<'_>) -> Markup {
    let (form, lang) = (view.form, view.lang);
    let definition = &form.definition;
    let action = format!("/form/{}", form.hash);
    layout(
        lang,
        &definition.name,
        html! {
            h1 { (definition.name) }
            @if let Some(notice) = view.notice {
                p.notice role="status" { (notice) }
            }
            @if !view.errors.is_empty() {
                p.notice role="alert" {
                    (t(lang, "Bitte prüfen Sie die markierten Angaben.",
                          "Please check the marked fields."))
                }
            }
            form method="post" action=(action) novalidate {
                input type="hidden" name="csrf" value=(view.csrf);
                @if let Some(session) = view.session {
                    input type="hidden" name="fbSessionHash" value=(session);
                }
                input type="hidden" name="lang" value=(match lang { Lang::De => "de", Lang::En => "en" });
                @for field in &definition.fields {
                    (field_markup(view, field))
                }
                (mandate_markup(view))
                button type="submit" { (t(lang, "Jetzt spenden", "Donate now")) }
            }
        },
    )
}

pub fn thank_you_page(form: &Form, lang: Lang, reference: &str, amount: Option<&str>) -> Markup {
    layout(
        lang,
        &form.definition.name,
        html! {
            h1 { (t(lang, "Vielen Dank für Ihre Spende!", "Thank you for your donation!")) }
            @if let Some(amount) = amount {
                p { (t(lang, "Betrag", "Amount")) ": " (amount) " " (form.definition.currency.as_str()) }
            }
            p {
                (t(lang, "Ihre Referenz", "Your reference")) ": "
                strong id="reference" { (reference) }
            }
        },
    )
}

pub fn message_page(lang: Lang, title: &str, text: &str) -> Markup {
    layout(
        lang,
        title,
        html! {
            h1 { (title) }
            p { (text) }
        },
    )
}
