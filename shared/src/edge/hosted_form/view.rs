//! What one rendering of the form shows, and the page's two languages.

use std::collections::{BTreeMap, BTreeSet};

use crate::form::Form;
use crate::ground::lang::Lang;

pub(super) fn t(lang: Lang, de: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::De => de,
        Lang::En => en,
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
