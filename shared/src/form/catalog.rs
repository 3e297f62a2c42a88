//! Forms as donors reach them: whether a form may take sessions, from a short per-instance
//! cache so that a warm createSession costs one DynamoDB request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Form, FormStore};
use crate::ground::ids::FormHash;
use crate::ground::money::MethodKind;
use crate::ground::storage::StoreError;
use crate::merchant::MerchantStore;
use crate::sepa::Creditor;

/// How a session reaches a form: `apiEnabled` only governs the Session-API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    HostedForm,
}

/// Why a form cannot take sessions (the Session-API's errors 102 to 106).
#[derive(Debug, thiserror::Error)]
pub enum FormUnusable {
    #[error("no form has this hash")]
    NotFound,
    #[error("the form's merchant may not use forms")]
    MerchantWithoutForms,
    #[error("the form is not active")]
    Inactive,
    #[error("the form does not take sessions through the API")]
    ApiDisabled,
    #[error("the form could not be read")]
    Store(#[from] StoreError),
}

/// Each instance keeps a form (and whether its merchant may use forms) for at most a minute.
pub struct FormCatalog<F, K> {
    forms: F,
    keys: K,
    /// The card and wallet methods a payment provider takes.
    provided: &'static [MethodKind],
    ttl: Duration,
    cache: Mutex<HashMap<FormHash, CachedForm>>,
}

/// When it was read, the form as donors reach it, and whether its merchant may use forms.
type CachedForm = (Instant, Arc<Form>, bool);

/// How long a changed form may take to reach warm instances.
pub const FORM_CACHE_TTL: Duration = Duration::from_secs(60);

impl<F: FormStore, K: MerchantStore> FormCatalog<F, K> {
    /// The forms of `forms`, their merchants' in `keys`, offering SEPA direct debit where the
    /// merchant collects it and the card and wallet methods of `provided` only.
    pub fn new(forms: F, keys: K, provided: &'static [MethodKind]) -> Self {
        Self::with_ttl(forms, keys, provided, FORM_CACHE_TTL)
    }

    pub fn with_ttl(forms: F, keys: K, provided: &'static [MethodKind], ttl: Duration) -> Self {
        Self {
            forms,
            keys,
            provided,
            ttl: ttl.min(FORM_CACHE_TTL),
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn forms(&self) -> &F {
        &self.forms
    }

    /// The form, if it may take sessions through `channel`.
    pub async fn usable(
        &self,
        hash: &FormHash,
        channel: Channel,
    ) -> Result<Arc<Form>, FormUnusable> {
        let (form, forms_enabled) = self.lookup(hash).await?.ok_or(FormUnusable::NotFound)?;
        let definition = &form.definition;
        if !forms_enabled {
            Err(FormUnusable::MerchantWithoutForms)
        } else if !definition.active {
            Err(FormUnusable::Inactive)
        } else if channel == Channel::Api && !definition.api_enabled {
            Err(FormUnusable::ApiDisabled)
        } else {
            Ok(form)
        }
    }

    async fn lookup(&self, hash: &FormHash) -> Result<Option<(Arc<Form>, bool)>, StoreError> {
        if let Some(hit) = self.cached(hash) {
            return Ok(Some(hit));
        }
        let Some(form) = self.forms.get(hash).await? else {
            return Ok(None);
        };
        let merchant = self.keys.get_merchant(&form.merchant_id).await?;
        let forms_enabled = merchant.as_ref().is_some_and(|m| m.forms_enabled);
        let form = Arc::new(offered(
            form,
            merchant.and_then(|m| m.creditor),
            self.provided,
        ));
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

/// The form as donors reach it: SEPA direct debit only when its merchant has creditor
/// settings (a debit needs a creditor to collect it) and the form takes euros; a card or
/// wallet method only when a payment provider takes it. A form stored with a method that
/// nobody collects keeps working for its other methods.
fn offered(mut form: Form, creditor: Option<Creditor>, provided: &[MethodKind]) -> Form {
    let euros = form.definition.currency.as_str() == "EUR";
    form.creditor = creditor.filter(|_| euros).map(Arc::new);
    let sepa = form.creditor.is_some();
    form.definition.payment_methods.retain(|m| match m {
        MethodKind::SepaDirectDebit => sepa,
        other => provided.contains(other),
    });
    form
}
