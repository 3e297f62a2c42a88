//! The payment-provider boundary. Processing hands a complete session's payment to a
//! provider and records the guids it answers with; a real provider plugs in here without the
//! handler changing.

use std::future::Future;

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ground::ids::{MerchantId, SessionHash};
use crate::ground::money::{Amount, Currency, Interval, PaymentMethod};

/// What a provider is asked to do for one processed session.
#[derive(Debug, Clone)]
pub struct PaymentOrder<'a> {
    /// The provider's idempotency key: asking twice for one session must not pay twice.
    pub session: &'a SessionHash,
    pub merchant: &'a MerchantId,
    pub amount: Amount,
    pub currency: &'a Currency,
    pub interval: Interval,
    pub method: PaymentMethod,
}

/// The payment entities a provider created (the DataSet seed's `…GuidResult` fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentOutcome {
    pub contact: Uuid,
    pub payment_method: Uuid,
    pub payment: Uuid,
    /// Recurring donations only: the mandate or agreement, and the subscription.
    pub agreement: Option<Uuid>,
    pub subscription: Option<Uuid>,
}

#[derive(Debug, thiserror::Error)]
#[error("the payment provider failed: {0}")]
pub struct ProviderError(pub String);

pub trait PaymentProvider: Send + Sync {
    /// Executes the order, or answers the outcome of the same order executed before.
    ///
    /// # Errors
    /// `ProviderError` when the provider refuses or cannot be reached.
    fn execute(
        &self,
        order: &PaymentOrder<'_>,
    ) -> impl Future<Output = Result<PaymentOutcome, ProviderError>> + Send;
}

/// Takes every payment without moving money; its guids follow from the session, so asking
/// again for the same session answers the same, as a real provider's idempotency key would.
#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxProvider;

impl SandboxProvider {
    fn guid(order: &PaymentOrder<'_>, entity: &str) -> Uuid {
        let digest = Sha256::new()
            .chain_update(b"sandbox:")
            .chain_update(order.session.as_str())
            .chain_update(b":")
            .chain_update(entity)
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

impl PaymentProvider for SandboxProvider {
    async fn execute(&self, order: &PaymentOrder<'_>) -> Result<PaymentOutcome, ProviderError> {
        let recurring = order.interval.is_recurring();
        Ok(PaymentOutcome {
            contact: Self::guid(order, "contact"),
            payment_method: Self::guid(order, "payment-method"),
            payment: Self::guid(order, "payment"),
            agreement: recurring.then(|| Self::guid(order, "agreement")),
            subscription: recurring.then(|| Self::guid(order, "subscription")),
        })
    }
}
