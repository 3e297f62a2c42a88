//! Card and wallet payments (a card, PayPal) through the nonprofit's own payment provider: the
//! port a real provider implements, shaped as providers work. The donor's browser confirms a
//! new payment (3-D Secure included); a renewal charges the saved method off-session; a refund
//! goes back through the provider; the provider's signed webhook events say what became of a
//! payment. SEPA direct debits need no provider: the nonprofit's own bank collects them.
//!
//! Nothing is booked as paid that the provider did not confirm, and a method that no provider
//! takes is not offered to donors: [`NoProvider`], what a deployment wires until it has a real
//! provider, takes none. Processing, the daily run and refunds already go through the port; a
//! real provider brings, besides its adapter, what the browser needs (the client secret of an
//! [`PaymentStatus::AwaitingConfirmation`] payment on the Session-API answer and the hosted
//! form's card field) and the webhook route that hands [`ProviderEvent`]s to the ledger.

mod ports;

pub use ports::{
    Charge, ChargeOrder, EventRefused, PaymentOrder, PaymentProvider, PaymentStatus, ProviderError,
    ProviderEvent, ProviderPayment, RefundOrder, Refunded, Webhook,
};

use crate::ground::money::MethodKind;

/// No payment provider: no card or wallet method is offered, nothing is ever charged.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProvider;

impl PaymentProvider for NoProvider {
    fn methods(&self) -> &'static [MethodKind] {
        &[]
    }

    async fn create_payment(
        &self,
        order: &PaymentOrder<'_>,
    ) -> Result<ProviderPayment, ProviderError> {
        Err(ProviderError::NotConfigured(order.method))
    }

    async fn charge_saved(&self, order: &ChargeOrder<'_>) -> Result<Charge, ProviderError> {
        Err(ProviderError::NotConfigured(order.method))
    }

    async fn refund(&self, order: &RefundOrder<'_>) -> Result<Refunded, ProviderError> {
        Err(ProviderError::NotConfigured(order.method))
    }

    async fn read_event(&self, _: &Webhook<'_>) -> Result<ProviderEvent, EventRefused> {
        Err(EventRefused::NoProvider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ground::ids::{MerchantId, SessionHash};
    use crate::ground::money::{Amount, Currency, Interval};

    #[tokio::test]
    async fn no_provider_offers_nothing_and_charges_nothing() {
        let merchant = MerchantId::parse("m1").expect("valid");
        let session = SessionHash::parse(&"a".repeat(32)).expect("valid");
        let currency = Currency::parse("EUR").expect("valid");
        let order = PaymentOrder {
            key: session.as_str(),
            merchant: &merchant,
            amount: Amount::from_cents(2500),
            currency: &currency,
            interval: Interval::ONE_OFF,
            method: MethodKind::CreditCard,
        };
        assert!(NoProvider.methods().is_empty());
        assert!(matches!(
            NoProvider.create_payment(&order).await,
            Err(ProviderError::NotConfigured(MethodKind::CreditCard))
        ));
    }
}
