//! Link tokens: what lets a donor's browser attach a payment session to a visit session. The
//! merchant gets one with every visit session it starts or reads, and hands it to the page; an
//! anonymous caller who only guesses or copies a visit session id cannot link to it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::ground::ids::{MerchantId, VisitSessionId};

/// Signs and checks link tokens with the signing secret.
pub struct LinkSigner {
    key: Vec<u8>,
}

impl LinkSigner {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into() }
    }

    fn mac(&self, merchant: &MerchantId, id: &VisitSessionId) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"visitSession.link.v1\0");
        mac.update(merchant.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(id.as_str().as_bytes());
        mac
    }

    /// The token of the merchant's visit session `id`.
    pub fn issue(&self, merchant: &MerchantId, id: &VisitSessionId) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(merchant, id).finalize().into_bytes())
    }

    /// Whether `token` is the one issued for this merchant's visit session `id`.
    pub fn verify(&self, merchant: &MerchantId, id: &VisitSessionId, token: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(token)
            .is_ok_and(|tag| self.mac(merchant, id).verify_slice(&tag).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_links_one_merchants_visit_session_only() {
        let signer = LinkSigner::new("link tests secret");
        let merchant = MerchantId::parse("nonprofit-a").expect("valid");
        let other = MerchantId::parse("nonprofit-b").expect("valid");
        let id = VisitSessionId::parse("visit-0001").expect("valid");
        let token = signer.issue(&merchant, &id);
        assert!(signer.verify(&merchant, &id, &token));
        assert!(!signer.verify(&other, &id, &token));
        let other_id = VisitSessionId::parse("visit-0002").expect("valid");
        assert!(!signer.verify(&merchant, &other_id, &token));
        assert!(!LinkSigner::new("another secret").verify(&merchant, &id, &token));
        for forged in ["", "x", "!!!!", &"A".repeat(43)] {
            assert!(!signer.verify(&merchant, &id, forged), "{forged:?}");
        }
    }
}
