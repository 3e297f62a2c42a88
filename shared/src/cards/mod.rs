//! The payment-provider boundary. Processing hands a complete session's payment to a
//! provider and records the guids it answers with; a real provider plugs in here without the
//! handler changing.

use std::future::Future;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ground::ids::{MerchantId, SessionHash};
use crate::ground::money::{Amount, Currency, Interval, MethodKind};

/// What a provider is asked to do for one processed session.
#[derive(Debug, Clone)]
pub struct PaymentOrder<'a> {
    /// The provider's idempotency key: asking twice for one session must not pay twice.
    pub session: &'a SessionHash,
    pub merchant: &'a MerchantId,
    pub amount: Amount,
    pub currency: &'a Currency,
    pub interval: Interval,
    pub method: MethodKind,
}

/// What a provider answers for an executed order: its own reference for the payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentOutcome {
    pub reference: String,
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

/// Takes every payment without moving money; its reference follows from the session, so
/// asking again for the same session answers the same, as a real provider's idempotency key
/// would. (SEPA direct debits need no provider: the nonprofit's own bank collects them.)
#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxProvider;

impl PaymentProvider for SandboxProvider {
    async fn execute(&self, order: &PaymentOrder<'_>) -> Result<PaymentOutcome, ProviderError> {
        let digest = Sha256::new()
            .chain_update(b"sandbox:")
            .chain_update(order.session.as_str())
            .finalize();
        Ok(PaymentOutcome {
            reference: format!("sandbox-{}", hex::encode(&digest[..12])),
        })
    }
}
