//! Card and PayPal payments go through the payment provider before the change that records
//! them is written: a new payment is charged to its saved method, a refund is sent back. Only
//! what the provider confirmed is booked (`collected`, `refunded`). Each request's idempotency
//! key follows from the change (the new payment's guid, the refund's record), so a change
//! decided again after a conflict, or retried with its `Idempotency-Key`, asks the provider
//! the same question and gets the first answer: never a second charge or refund.

use uuid::Uuid;

use super::donor::Donor;
use super::model::{Entity, Payment, PaymentState};
use super::ports::{Change, EntityWrite};
use super::rules::Refusal;
use crate::cards::{Charge, ChargeOrder, PaymentProvider, ProviderError, RefundOrder};
use crate::ground::money::{Amount, MethodKind};

/// Why the provider did not take a charge or refund; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum NotTaken {
    /// The provider's answer, for the merchant (409).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The provider failed or could not be reached (502).
    #[error(transparent)]
    Provider(ProviderError),
}

impl From<ProviderError> for NotTaken {
    fn from(err: ProviderError) -> Self {
        match err {
            ProviderError::NotConfigured(_) | ProviderError::Refused(_) => {
                Self::Refused(Refusal::Conflict(err.to_string()))
            }
            ProviderError::Unavailable(_) => Self::Provider(err),
        }
    }
}

/// The method kind of a payment: the kind of the payment method it draws on.
fn kind_of(donor: &Donor, payment: &Payment) -> MethodKind {
    donor
        .payment_methods
        .iter()
        .find(|m| m.guid == payment.payment_method)
        .map_or(MethodKind::SepaDirectDebit, |m| m.kind)
}

/// Charges every card or PayPal payment the change creates, and books what the provider took.
///
/// # Errors
/// `Refused` when the provider declines (or is not configured), `Provider` when it fails.
pub async fn charge_new_payments<P: PaymentProvider>(
    provider: &P,
    donor: &Donor,
    change: &mut Change,
) -> Result<(), NotTaken> {
    for write in &mut change.writes {
        let EntityWrite::Create(Entity::Payment(payment)) = write else {
            continue;
        };
        if payment.debit.is_some() || payment.state != PaymentState::Pending {
            continue;
        }
        let method = donor
            .payment_methods
            .iter()
            .find(|m| m.guid == payment.payment_method);
        let key = payment.guid.to_string();
        let order = ChargeOrder {
            key: &key,
            merchant: &change.merchant,
            method: kind_of(donor, payment),
            saved_method: method.and_then(|m| m.provider_reference.as_deref()),
            amount: payment.amount,
            currency: &payment.currency,
        };
        match provider.charge_saved(&order).await? {
            Charge::Succeeded { reference } => {
                payment.state = PaymentState::Collected;
                payment.provider_reference = Some(reference);
            }
            Charge::Declined { reason } => {
                return Err(Refusal::Conflict(format!("the charge was declined: {reason}")).into());
            }
            Charge::NeedsAuthentication { .. } => {
                return Err(Refusal::Conflict(
                    "the donor's bank asks the donor to authenticate this charge".to_owned(),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Sends back, through the provider, what the change refunds of card or PayPal payments; `key`
/// is the refund's record (its changelog entry).
///
/// # Errors
/// `Refused` when the provider refuses the refund (or is not configured), `Provider` when it
/// fails: then nothing is refunded and nothing written.
pub(super) async fn refund_payments<P: PaymentProvider>(
    provider: &P,
    donor: &Donor,
    change: &Change,
    key: Uuid,
) -> Result<(), NotTaken> {
    for write in &change.writes {
        let EntityWrite::Replace {
            entity: Entity::Payment(after),
            ..
        } = write
        else {
            continue;
        };
        let Some(before) = donor.payments.iter().find(|p| p.guid == after.guid) else {
            continue;
        };
        let method = kind_of(donor, before);
        let refunded = after
            .refunded
            .cents()
            .saturating_sub(before.refunded.cents());
        if method == MethodKind::SepaDirectDebit || refunded == 0 {
            continue;
        }
        let key = key.to_string();
        provider
            .refund(&RefundOrder {
                key: &key,
                merchant: &change.merchant,
                method,
                payment: before.provider_reference.as_deref(),
                amount: Amount::from_cents(refunded),
                currency: &before.currency,
            })
            .await?;
    }
    Ok(())
}
