//! Each field of the form as markup: labels bound to inputs, errors linked with
//! `aria-describedby`, choices from the form's configuration; the amount as preset choices
//! beside a free amount; the SEPA fields shown only while direct debit is chosen.

use maud::{Markup, html};

use super::view::{FormView, t};
use crate::form::{FieldDefinition, Form, InputType};
use crate::ground::lang::Lang;
use crate::ground::money::{Interval, MethodKind};

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
            MethodKind::parse(value).is_some_and(|m| definition.payment_methods.contains(&m))
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

/// A field, or nothing for the SEPA fields of a form that offers no direct debit; those are
/// shown only while direct debit is chosen (CSS `:has`, no script).
pub(super) fn field_markup(view: &FormView<'_>, field: &FieldDefinition) -> Markup {
    if matches!(field.name.as_str(), "iban" | "bic") {
        let offered = view
            .form
            .definition
            .payment_methods
            .contains(&MethodKind::SepaDirectDebit);
        return html! {
            @if offered { div.sepa-only { (plain_field(view, field)) } }
        };
    }
    let presets = !view.form.definition.amount_presets.is_empty();
    if field.name == "amount" && presets && !view.fixed.contains("amount") {
        return amount_choices(view, field);
    }
    plain_field(view, field)
}

/// The post field of the amount choices; `other` means the free amount.
pub const PRESET_FIELD: &str = "amount_preset";
pub const OTHER_AMOUNT: &str = "other";

/// The amount as preset choices (one chosen: the session's amount, else the form's default)
/// and a free amount, in one group with one legend.
fn amount_choices(view: &FormView<'_>, field: &FieldDefinition) -> Markup {
    let lang = view.lang;
    let definition = &view.form.definition;
    let currency = definition.currency.as_str();
    let typed = view
        .values
        .get("amount")
        .map(String::as_str)
        .unwrap_or_default();
    let typed_amount = crate::ground::money::Amount::parse(typed).ok();
    let preset_of_value = typed_amount.filter(|a| definition.amount_presets.contains(a));
    let chosen = if typed.is_empty() {
        definition.default_amount
    } else {
        preset_of_value
    };
    let other_chosen = chosen.is_none() && !typed.is_empty();
    let error = view.errors.get("amount");
    let required_mark = if field.required { " *" } else { "" };
    html! {
        fieldset.field aria-describedby=[error.map(|_| "e-amount")] {
            legend { (field.label.get(lang)) (required_mark) }
            div.presets {
                @for (i, preset) in definition.amount_presets.iter().enumerate() {
                    label.choice for=(format!("f-amount-{i}")) {
                        input type="radio" id=(format!("f-amount-{i}")) name=(PRESET_FIELD)
                            value=(preset.canonical()) checked[chosen == Some(*preset)];
                        (preset.display(lang)) " " (currency)
                    }
                }
                label.choice for="f-amount-other" {
                    input type="radio" id="f-amount-other" name=(PRESET_FIELD)
                        value=(OTHER_AMOUNT) checked[other_chosen];
                    (t(lang, "Anderer Betrag", "Other amount"))
                }
            }
            label for="f-amount" { (t(lang, "Ihr Betrag", "Your amount")) " (" (currency) ")" }
            input type="text" id="f-amount" name="amount" inputmode="decimal"
                autocomplete="transaction-amount"
                value=(if chosen.is_some() { "" } else { typed })
                aria-invalid=[error.map(|_| "true")];
            @if let Some(message) = error {
                p.error id="e-amount" { (message) }
            }
        }
    }
}

fn plain_field(view: &FormView<'_>, field: &FieldDefinition) -> Markup {
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
