//! The form's HTML: server-rendered, no scripts, no third-party assets; every text escaped by
//! `maud`. Labels are bound to their inputs, errors linked with `aria-describedby`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use crate::form::{FieldDefinition, Form, InputType};
use crate::ground::lang::Lang;
use crate::ground::money::{Interval, PaymentMethod};

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
button:focus,input:focus,select:focus{outline:3px solid #0a84ff;outline-offset:1px}";

/// `style-src` allows exactly this stylesheet, by its hash.
pub static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::digest(CSS.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

fn t(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::De => de,
        Lang::En => en,
    }
}

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

/// What one rendering of the form shows.
pub struct FormView<'a> {
    pub form: &'a Form,
    pub lang: Lang,
    /// Values as the inputs show them: the session's, or what the donor just typed.
    pub values: BTreeMap<String, String>,
    pub fixed: &'a BTreeSet<String>,
    pub errors: BTreeMap<String, String>,
    pub session: Option<&'a str>,
    pub csrf: String,
    pub notice: Option<&'static str>,
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
                button type="submit" { (t(lang, "Jetzt spenden", "Donate now")) }
            }
        },
    )
}

/// The choices of a select or radio field: its own options, else what the form configures.
fn choices(form: &Form, field: &FieldDefinition, lang: Lang) -> Vec<(String, String)> {
    let definition = &form.definition;
    let own: Vec<(String, String)> = field
        .options
        .iter()
        .map(|o| (o.value.clone(), o.label.get(lang).to_owned()))
        .collect();
    let allowed = |value: &str| match field.name.as_str() {
        "interval" => value
            .parse()
            .ok()
            .and_then(Interval::new)
            .is_some_and(|i| definition.intervals.contains(&i)),
        "payment_method" => {
            PaymentMethod::parse(value).is_some_and(|m| definition.payment_methods.contains(&m))
        }
        _ => true,
    };
    if !own.is_empty() {
        return own
            .into_iter()
            .filter(|(value, _)| allowed(value))
            .collect();
    }
    match field.name.as_str() {
        "fb_item_id" => definition
            .items
            .iter()
            .map(|item| (item.id.clone(), item.label.get(lang).to_owned()))
            .collect(),
        "interval" => definition
            .intervals
            .iter()
            .map(|i| (i.months().to_string(), i.months().to_string()))
            .collect(),
        "payment_method" => definition
            .payment_methods
            .iter()
            .map(|m| (m.as_str().to_owned(), m.as_str().to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Browsers fill what they know; mobile keyboards fit the value.
fn autocomplete(name: &str) -> &'static str {
    match name {
        "salutation" | "title" => "honorific-prefix",
        "first_name" => "given-name",
        "last_name" => "family-name",
        "company" => "organization",
        "street" => "street-address",
        "post_code" => "postal-code",
        "city" => "address-level2",
        "country" => "country",
        "email" => "email",
        "phone" => "tel",
        "birthday" => "bday",
        "amount" => "transaction-amount",
        _ => "off",
    }
}

fn field_markup(view: &FormView<'_>, field: &FieldDefinition) -> Markup {
    let lang = view.lang;
    let name = field.name.as_str();
    let id = format!("f-{name}");
    let error_id = format!("e-{name}");
    let error = view.errors.get(name);
    let value = view
        .values
        .get(name)
        .map(String::as_str)
        .unwrap_or_default();
    let fixed = view.fixed.contains(name);
    let described = error.map(|_| error_id.clone());
    let invalid = error.map(|_| "true");
    let label = field.label.get(lang);
    let required_mark = if field.required { " *" } else { "" };
    let fixed_note = html! {
        @if fixed { " " span.fixed { (t(lang, "(vorgegeben)", "(fixed)")) } }
    };
    let error_markup = html! {
        @if let Some(message) = error {
            p.error id=(error_id) { (message) }
        }
    };
    match field.input_type {
        InputType::Select | InputType::Radio => {
            let choices = choices(view.form, field, lang);
            let radio = field.input_type == InputType::Radio;
            html! {
                @if radio {
                    fieldset.field aria-describedby=[described.as_deref()] {
                        legend { (label) (required_mark) (fixed_note) }
                        @for (i, (option, text)) in choices.iter().enumerate() {
                            label.choice for=(format!("{id}-{i}")) {
                                input type="radio" id=(format!("{id}-{i}")) name=(name) value=(option)
                                    checked[option == value] disabled[fixed]
                                    aria-invalid=[invalid];
                                (text)
                            }
                        }
                        @if fixed { input type="hidden" name=(name) value=(value); }
                        (error_markup)
                    }
                } @else {
                    div.field {
                        label for=(id) { (label) (required_mark) (fixed_note) }
                        select id=(id) name=(name) disabled[fixed] required[field.required]
                            autocomplete=(autocomplete(name)) aria-invalid=[invalid]
                            aria-describedby=[described.as_deref()] {
                            option value="" { (t(lang, "Bitte wählen", "Please choose")) }
                            @for (option, text) in &choices {
                                option value=(option) selected[option == value] { (text) }
                            }
                        }
                        @if fixed { input type="hidden" name=(name) value=(value); }
                        (error_markup)
                    }
                }
            }
        }
        InputType::Checkbox => html! {
            div.field {
                input type="hidden" name=(name) value="0";
                label.choice for=(id) {
                    input type="checkbox" id=(id) name=(name) value="1" checked[value == "1"]
                        disabled[fixed] required[field.required] aria-invalid=[invalid]
                        aria-describedby=[described.as_deref()];
                    span { (label) (required_mark) }
                }
                @if fixed { input type="hidden" name=(name) value=(value); }
                (error_markup)
            }
        },
        InputType::Textarea => html! {
            div.field {
                label for=(id) { (label) (required_mark) (fixed_note) }
                textarea id=(id) name=(name) rows="4" readonly[fixed] required[field.required]
                    maxlength=[field.max_length] aria-invalid=[invalid]
                    aria-describedby=[described.as_deref()] { (value) }
                (error_markup)
            }
        },
        InputType::Hidden => html! {
            input type="hidden" name=(name) value=(value);
        },
        other => {
            let (kind, mode) = match other {
                InputType::Email => ("email", "email"),
                InputType::Tel => ("tel", "tel"),
                // Amounts take a comma: a text input with a decimal keyboard.
                InputType::Number => ("text", "decimal"),
                _ => ("text", "text"),
            };
            html! {
                div.field {
                    label for=(id) { (label) (required_mark) (fixed_note) }
                    input type=(kind) id=(id) name=(name) value=(value) inputmode=(mode)
                        autocomplete=(autocomplete(name)) readonly[fixed]
                        required[field.required] maxlength=[field.max_length]
                        aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                    (error_markup)
                }
            }
        }
    }
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
