//! The languages forms and messages come in. German is the default, as in the seeds.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    /// `de`, `en`, `en-GB`, `EN`: anything whose primary tag we speak.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        match primary.to_ascii_lowercase().as_str() {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The best language of an `Accept-Language` header we speak, by quality value.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(Self, f32)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(lang) = parts.next().and_then(Self::from_tag) else {
                continue;
            };
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(_, q)| quality > q) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }
}

/// A text in German and, optionally, English (German stands in when English is missing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub de: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Labels {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => self.en.as_deref().unwrap_or(&self.de),
            Lang::De => &self.de,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_language_we_speak() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("fr, de;q=0.5, en;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_accept_language("fr, it"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
    }
}
