//! The payment provider's test double: takes every card and PayPal payment at once without
//! moving money, answers each idempotency key with the same reference every time, as a real
//! provider does, and signs its webhook events the way Stripe does (`t=…,v1=…`, HMAC-SHA256
//! over `t.body`, five minutes' tolerance), so handler tests exercise every path of the port.

use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::cards::{
    Charge, ChargeOrder, EventRefused, PaymentOrder, PaymentProvider, PaymentStatus, ProviderError,
    ProviderEvent, ProviderPayment, RefundOrder, Refunded, Webhook,
};
use crate::ground::money::{Amount, MethodKind};

/// The key the sandbox signs its webhook events with.
pub const WEBHOOK_SECRET: &[u8] = b"sandbox webhook secret";
/// How old a signed event may be.
const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxProvider;

/// `sandbox-<what>-…`, following from the idempotency key alone.
fn reference(what: &str, key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"sandbox:")
        .chain_update(what.as_bytes())
        .chain_update(b":")
        .chain_update(key.as_bytes())
        .finalize();
    format!("sandbox-{what}-{}", hex::encode(&digest[..12]))
}

fn mac(signed: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(WEBHOOK_SECRET)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(signed);
    mac
}

impl SandboxProvider {
    /// The `Stripe-Signature`-style header for `body` signed at `unix_seconds`.
    pub fn sign(body: &[u8], unix_seconds: i64) -> String {
        let mut signed = format!("{unix_seconds}.").into_bytes();
        signed.extend_from_slice(body);
        format!(
            "t={unix_seconds},v1={}",
            hex::encode(mac(&signed).finalize().into_bytes())
        )
    }
}

/// A sandbox event: `{"id": "evt_…", "type": "payment.succeeded", "payment": "sandbox-…"}`.
#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    reason: String,
    /// Refunded total in cents.
    #[serde(default)]
    refunded: u64,
}

fn verified(webhook: &Webhook<'_>) -> Result<(), EventRefused> {
    let header = webhook.signature.ok_or(EventRefused::BadSignature)?;
    let mut time = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => time = t.parse::<i64>().ok(),
            Some(("v1", v1)) => signatures.extend(hex::decode(v1).ok()),
            _ => {}
        }
    }
    let time = time.ok_or(EventRefused::BadSignature)?;
    let mut signed = format!("{time}.").into_bytes();
    signed.extend_from_slice(webhook.body);
    if !signatures
        .iter()
        .any(|tag| mac(&signed).verify_slice(tag).is_ok())
    {
        return Err(EventRefused::BadSignature);
    }
    if (webhook.received_at.as_second() - time).abs() > TOLERANCE_SECONDS {
        return Err(EventRefused::Stale);
    }
    Ok(())
}

impl PaymentProvider for SandboxProvider {
    fn methods(&self) -> &'static [MethodKind] {
        &[MethodKind::CreditCard, MethodKind::Paypal]
    }

    async fn create_payment(
        &self,
        order: &PaymentOrder<'_>,
    ) -> Result<ProviderPayment, ProviderError> {
        Ok(ProviderPayment {
            reference: reference("payment", order.key),
            status: PaymentStatus::Succeeded,
            client_secret: None,
            saved_method: order
                .interval
                .is_recurring()
                .then(|| reference("method", order.key)),
        })
    }

    async fn charge_saved(&self, order: &ChargeOrder<'_>) -> Result<Charge, ProviderError> {
        Ok(Charge::Succeeded {
            reference: reference("charge", order.key),
        })
    }

    async fn refund(&self, order: &RefundOrder<'_>) -> Result<Refunded, ProviderError> {
        Ok(Refunded {
            reference: reference("refund", order.key),
        })
    }

    async fn read_event(&self, webhook: &Webhook<'_>) -> Result<ProviderEvent, EventRefused> {
        verified(webhook)?;
        let event: Event =
            serde_json::from_slice(webhook.body).map_err(|_| EventRefused::Malformed)?;
        Ok(match event.kind.as_str() {
            "payment.succeeded" => ProviderEvent::PaymentSucceeded {
                event: event.id,
                payment: event.payment,
            },
            "payment.failed" => ProviderEvent::PaymentFailed {
                event: event.id,
                payment: event.payment,
                reason: event.reason,
            },
            "refunded" => ProviderEvent::Refunded {
                event: event.id,
                payment: event.payment,
                refunded: Amount::from_cents(event.refunded),
            },
            _ => ProviderEvent::Other { event: event.id },
        })
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::ground::ids::MerchantId;
    use crate::ground::money::{Currency, Interval};

    fn webhook<'a>(merchant: &'a MerchantId, signature: &'a str, body: &'a [u8]) -> Webhook<'a> {
        Webhook {
            merchant,
            signature: Some(signature),
            body,
            received_at: Timestamp::from_second(1_800_000_000).expect("valid"),
        }
    }

    #[tokio::test]
    async fn the_same_key_answers_the_same_payment() {
        let merchant = MerchantId::parse("m1").expect("valid");
        let currency = Currency::parse("EUR").expect("valid");
        let order = |key| PaymentOrder {
            key,
            merchant: &merchant,
            amount: Amount::from_cents(2500),
            currency: &currency,
            interval: Interval::new(1).expect("monthly"),
            method: MethodKind::CreditCard,
        };
        let first = SandboxProvider
            .create_payment(&order("k1"))
            .await
            .expect("taken");
        assert_eq!(first.status, PaymentStatus::Succeeded);
        assert!(
            first.saved_method.is_some(),
            "a monthly donation saves its card"
        );
        assert_eq!(
            SandboxProvider
                .create_payment(&order("k1"))
                .await
                .expect("taken"),
            first
        );
        assert_ne!(
            SandboxProvider
                .create_payment(&order("k2"))
                .await
                .expect("taken"),
            first
        );
    }

    #[tokio::test]
    async fn events_are_read_only_when_signed_and_fresh() {
        let merchant = MerchantId::parse("m1").expect("valid");
        let body = br#"{"id":"evt_1","type":"refunded","payment":"p1","refunded":500}"#;
        let now = 1_800_000_000;
        let signed = SandboxProvider::sign(body, now);
        assert_eq!(
            SandboxProvider
                .read_event(&webhook(&merchant, &signed, body))
                .await,
            Ok(ProviderEvent::Refunded {
                event: "evt_1".into(),
                payment: "p1".into(),
                refunded: Amount::from_cents(500),
            })
        );
        let forged = br#"{"id":"evt_1","type":"refunded","payment":"p1","refunded":9999}"#;
        assert_eq!(
            SandboxProvider
                .read_event(&webhook(&merchant, &signed, forged))
                .await,
            Err(EventRefused::BadSignature)
        );
        let stale = SandboxProvider::sign(body, now - TOLERANCE_SECONDS - 1);
        assert_eq!(
            SandboxProvider
                .read_event(&webhook(&merchant, &stale, body))
                .await,
            Err(EventRefused::Stale)
        );
        let unsigned = Webhook {
            signature: None,
            ..webhook(&merchant, "", body)
        };
        assert_eq!(
            SandboxProvider.read_event(&unsigned).await,
            Err(EventRefused::BadSignature)
        );
    }
}
