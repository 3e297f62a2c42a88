//! What a payment provider is asked, and what it answers. Every request that moves money
//! carries an idempotency key that follows from what caused it (the session, the payment's
//! guid, the refund's changelog entry), so asking again after a crash answers the first
//! result instead of paying twice.

use std::future::Future;

use jiff::Timestamp;

use crate::ground::ids::MerchantId;
use crate::ground::money::{Amount, Currency, Interval, MethodKind};

/// A donation's first payment, which the donor's browser confirms.
#[derive(Debug, Clone)]
pub struct PaymentOrder<'a> {
    /// The provider's idempotency key: the session's hash.
    pub key: &'a str,
    pub merchant: &'a MerchantId,
    pub amount: Amount,
    pub currency: &'a Currency,
    /// A recurring donation also saves the method for the charges of later periods.
    pub interval: Interval,
    pub method: MethodKind,
}

/// Where a payment stands with the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// The provider took the money: the payment is collected.
    Succeeded,
    /// The donor's browser has yet to confirm it (3-D Secure, a wallet's approval); the
    /// provider's webhook says how that ends.
    AwaitingConfirmation,
}

/// The provider's answer to a [`PaymentOrder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderPayment {
    /// The provider's id of the payment (a Stripe PaymentIntent's `pi_…`).
    pub reference: String,
    pub status: PaymentStatus,
    /// What the browser needs to confirm it (Stripe's `client_secret`), if anything.
    pub client_secret: Option<String>,
    /// The saved method later periods charge (Stripe's `pm_…`), for a recurring donation.
    pub saved_method: Option<String>,
}

/// A charge of a saved method, off-session: a subscription's period, a signed-up payment.
#[derive(Debug, Clone)]
pub struct ChargeOrder<'a> {
    /// The provider's idempotency key: the payment's guid.
    pub key: &'a str,
    pub merchant: &'a MerchantId,
    pub method: MethodKind,
    /// The provider's id of the saved method, if the first payment saved one.
    pub saved_method: Option<&'a str>,
    pub amount: Amount,
    pub currency: &'a Currency,
}

/// How an off-session charge went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    Succeeded {
        reference: String,
    },
    /// The card was declined (the provider's decline code, safe to show).
    Declined {
        reason: String,
    },
    /// The bank asks the donor to authenticate: the payment waits for them.
    NeedsAuthentication {
        reference: String,
    },
}

/// Money back to the donor from a collected payment.
#[derive(Debug, Clone)]
pub struct RefundOrder<'a> {
    /// The provider's idempotency key: the guid of the refund's changelog entry.
    pub key: &'a str,
    pub merchant: &'a MerchantId,
    pub method: MethodKind,
    /// The provider's id of the payment refunded.
    pub payment: Option<&'a str>,
    /// This refund's amount (never more than what is left of the payment).
    pub amount: Amount,
    pub currency: &'a Currency,
}

/// The provider's answer to a [`RefundOrder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    pub reference: String,
}

/// A webhook request, as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Webhook<'a> {
    pub merchant: &'a MerchantId,
    /// The provider's signature header.
    pub signature: Option<&'a str>,
    /// The raw body the signature is over.
    pub body: &'a [u8],
    pub received_at: Timestamp,
}

/// What a verified webhook event says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderEvent {
    PaymentSucceeded {
        event: String,
        payment: String,
    },
    PaymentFailed {
        event: String,
        payment: String,
        reason: String,
    },
    /// `refunded` is the payment's refunded total so far, not this refund's amount.
    Refunded {
        event: String,
        payment: String,
        refunded: Amount,
    },
    /// Anything else: acknowledged, and nothing changes.
    Other {
        event: String,
    },
}

/// Why a webhook request is not an event of the provider's (400, nothing changes).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventRefused {
    #[error("the webhook's signature is missing or does not match")]
    BadSignature,
    #[error("the webhook's timestamp is outside the tolerance")]
    Stale,
    #[error("the webhook's body is not an event")]
    Malformed,
    #[error("no payment provider is configured")]
    NoProvider,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no payment provider takes {} in this deployment", .0.as_str())]
    NotConfigured(MethodKind),
    /// The provider refused the request as made (its message, safe to show).
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
    #[error("the payment provider could not be reached")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A payment provider (Stripe next; a test double for handler tests).
pub trait PaymentProvider: Send + Sync {
    /// The methods it takes from donors; forms offer no other card or wallet method.
    fn methods(&self) -> &'static [MethodKind];

    /// Starts a donation's first payment, for the donor's browser to confirm; the same key
    /// answers the same payment.
    ///
    /// # Errors
    /// `NotConfigured` for a method it does not take, `Refused` or `Unavailable` otherwise.
    fn create_payment(
        &self,
        order: &PaymentOrder<'_>,
    ) -> impl Future<Output = Result<ProviderPayment, ProviderError>> + Send;

    /// Charges a saved method off-session; the same key answers the same charge.
    ///
    /// # Errors
    /// `NotConfigured` for a method it does not take, `Refused` or `Unavailable` otherwise;
    /// a decline is an answer, not an error.
    fn charge_saved(
        &self,
        order: &ChargeOrder<'_>,
    ) -> impl Future<Output = Result<Charge, ProviderError>> + Send;

    /// Refunds part or all of a collected payment; the same key answers the same refund.
    ///
    /// # Errors
    /// `NotConfigured`, `Refused` (nothing was refunded) or `Unavailable`.
    fn refund(
        &self,
        order: &RefundOrder<'_>,
    ) -> impl Future<Output = Result<Refunded, ProviderError>> + Send;

    /// Verifies a webhook request's signature over its raw body and reads its event.
    ///
    /// # Errors
    /// `EventRefused` for a forged, stale or malformed request.
    fn read_event(
        &self,
        webhook: &Webhook<'_>,
    ) -> impl Future<Output = Result<ProviderEvent, EventRefused>> + Send;
}
