//! Donation forms: what a merchant configures (amount limits, intervals, payment methods,
//! project items, fields) and what every session on the form is validated against.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::merchant::MerchantId;
use crate::store::{ApiKeyStore, FormStore, StoreError};
use crate::validation::{self, Amount, CountryCode, Currency, Interval, PaymentMethod};

/// A form's public hash: what the merchant's website sends as `hash`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FormHash(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a form hash is 6 to 64 characters of a-z and 0-9")]
pub struct InvalidFormHash;

impl FormHash {
    pub fn parse(raw: &str) -> Result<Self, InvalidFormHash> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        if (6..=64).contains(&raw.len()) && raw.chars().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidFormHash)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FormHash {
    type Error = InvalidFormHash;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<FormHash> for String {
    fn from(hash: FormHash) -> Self {
        hash.0
    }
}

impl std::fmt::Display for FormHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The languages forms and messages come in. German is the default, as in the seeds.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    Text,
    Textarea,
    Email,
    Tel,
    Date,
    Number,
    Select,
    Radio,
    Checkbox,
    Hidden,
}

impl InputType {
    fn needs_options(self) -> bool {
        matches!(self, Self::Select | Self::Radio)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOption {
    pub value: String,
    pub label: Labels,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldDefinition {
    pub name: String,
    pub label: Labels,
    pub input_type: InputType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<FieldOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
}

impl FieldDefinition {
    pub fn offers(&self, value: &str) -> bool {
        self.options.iter().any(|o| o.value == value)
    }
}

/// A project a donation can be earmarked for (`fb_item_id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectItem {
    pub id: String,
    pub label: Labels,
}

/// Everything a merchant configures on a form; the body of `PUT /forms/{formHash}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormDefinition {
    pub name: String,
    pub active: bool,
    pub api_enabled: bool,
    #[serde(default)]
    pub locale: Lang,
    pub currency: Currency,
    pub min_amount: Amount,
    pub max_amount: Amount,
    pub intervals: Vec<Interval>,
    pub payment_methods: Vec<PaymentMethod>,
    #[serde(default)]
    pub items: Vec<ProjectItem>,
    /// Sites allowed to embed the hosted form (`https://www.example.org`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Country assumed for postal codes while the donor has not chosen one.
    #[serde(default)]
    pub default_country: CountryCode,
    pub fields: Vec<FieldDefinition>,
}

/// Longest accepted text for a field that sets no `maxLength`.
pub const DEFAULT_MAX_LENGTH: u32 = 200;
const MAX_FIELDS: usize = 100;
const MAX_OPTIONS: usize = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormInputError {
    #[error("malformed form: {0}")]
    Malformed(String),
    #[error("'{field}' in the body does not match this request ({expected})")]
    Mismatch {
        field: &'static str,
        expected: String,
    },
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> FormInputError {
    FormInputError::Invalid(message.into())
}

impl FormDefinition {
    /// Reads a form from JSON. The response of `GET /forms/{formHash}` may be sent back as is:
    /// its `formHash` and `merchantId` must match the request, `updatedTs` is ignored.
    pub fn from_json(
        json: &str,
        hash: &FormHash,
        merchant: &MerchantId,
    ) -> Result<Self, FormInputError> {
        let mut document: Map<String, Value> =
            serde_json::from_str(json).map_err(|e| FormInputError::Malformed(e.to_string()))?;
        for (field, expected) in [
            ("formHash", hash.as_str()),
            ("merchantId", merchant.as_str()),
        ] {
            match document.remove(field) {
                Some(Value::String(given)) if given != expected => {
                    return Err(FormInputError::Mismatch {
                        field,
                        expected: expected.to_owned(),
                    });
                }
                Some(Value::String(_)) | None => {}
                Some(_) => return Err(invalid(format!("'{field}' must be a string"))),
            }
        }
        document.remove("updatedTs");
        let definition: Self = serde_json::from_value(Value::Object(document))
            .map_err(|e| FormInputError::Malformed(e.to_string()))?;
        definition.check()?;
        Ok(definition)
    }

    /// The rules a form must follow for its sessions to make sense.
    pub fn check(&self) -> Result<(), FormInputError> {
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(invalid("'name' must be 1 to 200 characters"));
        }
        if self.min_amount.cents() == 0 || self.min_amount > self.max_amount {
            return Err(invalid(
                "'minAmount' must be above zero and not above 'maxAmount'",
            ));
        }
        if self.intervals.is_empty() || self.payment_methods.is_empty() {
            return Err(invalid(
                "'intervals' and 'paymentMethods' must each allow at least one value",
            ));
        }
        if !unique(self.items.iter().map(|i| i.id.as_str())) {
            return Err(invalid("project item ids must be unique"));
        }
        if self
            .items
            .iter()
            .any(|i| i.id.is_empty() || i.id.len() > 64)
        {
            return Err(invalid("project item ids must be 1 to 64 characters"));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(invalid(format!(
                    "'{origin}' is not an origin such as https://www.example.org"
                )));
            }
        }
        self.check_fields()
    }

    fn check_fields(&self) -> Result<(), FormInputError> {
        if self.fields.len() > MAX_FIELDS {
            return Err(invalid(format!("a form has at most {MAX_FIELDS} fields")));
        }
        if !unique(self.fields.iter().map(|f| f.name.as_str())) {
            return Err(invalid("field names must be unique"));
        }
        for field in &self.fields {
            let name = &field.name;
            if !validation::is_value_name(name) || name.ends_with("_fix") {
                return Err(invalid(format!(
                    "field name '{name}' must match [A-Za-z0-9_]{{1,64}} and not end in _fix"
                )));
            }
            if field.input_type.needs_options()
                && field.options.is_empty()
                && !validation::derives_options(name)
            {
                return Err(invalid(format!("field '{name}' needs options")));
            }
            if field.options.len() > MAX_OPTIONS {
                return Err(invalid(format!(
                    "field '{name}' has more than {MAX_OPTIONS} options"
                )));
            }
            if field.max_length.is_some_and(|max| max == 0 || max > 10_000) {
                return Err(invalid(format!(
                    "field '{name}': maxLength must be 1 to 10000"
                )));
            }
        }
        for name in ["amount", "payment_method"] {
            if !self.field(name).is_some_and(|f| f.required) {
                return Err(invalid(format!(
                    "a donation form needs a required '{name}' field"
                )));
            }
        }
        Ok(())
    }

    pub fn field(&self, name: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn item(&self, id: &str) -> Option<&ProjectItem> {
        self.items.iter().find(|i| i.id == id)
    }
}

fn unique<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = BTreeSet::new();
    values.into_iter().all(|v| seen.insert(v))
}

/// `https://host[:port]`, or `http://` for local development hosts; nothing after the host.
fn is_origin(raw: &str) -> bool {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let scheme_ok =
        scheme == "https" || (scheme == "http" && (host == "localhost" || host == "127.0.0.1"));
    scheme_ok && host_ok && port_ok
}

/// A stored form: its definition plus who owns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub hash: FormHash,
    pub merchant_id: MerchantId,
    pub updated_at: Timestamp,
    pub definition: FormDefinition,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FormView<'a> {
    form_hash: &'a FormHash,
    merchant_id: &'a MerchantId,
    updated_ts: String,
    #[serde(flatten)]
    definition: &'a FormDefinition,
}

impl Form {
    pub fn to_json(&self, zone: &jiff::tz::TimeZone) -> Result<String, serde_json::Error> {
        serde_json::to_string(&FormView {
            form_hash: &self.hash,
            merchant_id: &self.merchant_id,
            updated_ts: crate::time::seed_format(self.updated_at, zone),
            definition: &self.definition,
        })
    }
}

/// How a session reaches a form: `apiEnabled` only governs the Session-API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    HostedForm,
}

/// Why a form cannot take sessions: the Session-API's errors 102 to 104.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRefusal {
    MerchantWithoutForms,
    Inactive,
    ApiDisabled,
}

/// Forms as the Session-API sees them: each instance keeps a form (and whether its merchant
/// may use forms) for at most a minute, so a warm createSession costs one DynamoDB request.
pub struct FormCatalog<F, K> {
    forms: F,
    keys: K,
    ttl: Duration,
    cache: Mutex<HashMap<FormHash, CachedForm>>,
}

/// When it was read, the form, and whether its merchant may use forms.
type CachedForm = (Instant, Arc<Form>, bool);

/// How long a changed form may take to reach warm instances.
pub const FORM_CACHE_TTL: Duration = Duration::from_secs(60);

impl<F: FormStore, K: ApiKeyStore> FormCatalog<F, K> {
    pub fn new(forms: F, keys: K) -> Self {
        Self::with_ttl(forms, keys, FORM_CACHE_TTL)
    }

    pub fn with_ttl(forms: F, keys: K, ttl: Duration) -> Self {
        Self {
            forms,
            keys,
            ttl: ttl.min(FORM_CACHE_TTL),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn forms(&self) -> &F {
        &self.forms
    }

    /// The form usable for sessions, `Ok(None)` when no form has this hash.
    pub async fn usable(
        &self,
        hash: &FormHash,
        channel: Channel,
    ) -> Result<Option<Result<Arc<Form>, FormRefusal>>, StoreError> {
        let Some((form, forms_enabled)) = self.lookup(hash).await? else {
            return Ok(None);
        };
        let definition = &form.definition;
        Ok(Some(if !forms_enabled {
            Err(FormRefusal::MerchantWithoutForms)
        } else if !definition.active {
            Err(FormRefusal::Inactive)
        } else if channel == Channel::Api && !definition.api_enabled {
            Err(FormRefusal::ApiDisabled)
        } else {
            Ok(form)
        }))
    }

    async fn lookup(&self, hash: &FormHash) -> Result<Option<(Arc<Form>, bool)>, StoreError> {
        if let Some(hit) = self.cached(hash) {
            return Ok(Some(hit));
        }
        let Some(form) = self.forms.get(hash).await? else {
            return Ok(None);
        };
        let forms_enabled = self
            .keys
            .get_merchant(&form.merchant_id)
            .await?
            .is_some_and(|m| m.forms_enabled);
        let form = Arc::new(form);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.insert(
            hash.clone(),
            (Instant::now(), Arc::clone(&form), forms_enabled),
        );
        Ok(Some((form, forms_enabled)))
    }

    fn cached(&self, hash: &FormHash) -> Option<(Arc<Form>, bool)> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .get(hash)
            .filter(|(at, _, _)| at.elapsed() < self.ttl)
            .map(|(_, form, enabled)| (Arc::clone(form), *enabled))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_hashes_are_lowercase_alphanumerics() {
        assert!(FormHash::parse("demo123abc").is_ok());
        for bad in ["short", "UPPER123", "with-dash", "", &"a".repeat(65)] {
            assert_eq!(FormHash::parse(bad), Err(InvalidFormHash), "{bad:?}");
        }
    }

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

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(is_origin("https://www.example.org"));
        assert!(is_origin("https://spenden.example.org:8443"));
        assert!(is_origin("http://localhost:3000"));
        for bad in [
            "http://www.example.org",
            "https://www.example.org/",
            "https://EXAMPLE.org",
            "www.example.org",
            "https://",
            "https://a.org:0",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
