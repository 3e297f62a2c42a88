//! Merchants: the nonprofits whose records are isolated from each other by API key.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A merchant's readable id (the seed's `"merchantId": "onlinefundraising"`).
///
/// Restricted to a small alphabet because it is part of DynamoDB index keys (`merchant#shard`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MerchantId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "a merchant id is 2 to 64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit"
)]
pub struct InvalidMerchantId;

impl MerchantId {
    pub fn parse(raw: &str) -> Result<Self, InvalidMerchantId> {
        let allowed =
            |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        let starts_well = raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if (2..=64).contains(&raw.len()) && starts_well && raw.chars().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidMerchantId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MerchantId {
    type Error = InvalidMerchantId;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<MerchantId> for String {
    fn from(id: MerchantId) -> Self {
        id.0
    }
}

impl std::fmt::Display for MerchantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    pub created_at: Timestamp,
    /// Off: the merchant's forms refuse sessions (the Session-API's error 102).
    pub forms_enabled: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_readable_ids_and_rejects_index_separators() {
        assert!(MerchantId::parse("onlinefundraising").is_ok());
        assert!(MerchantId::parse("red-cross_de2").is_ok());
        for bad in [
            "",
            "a",
            "Upper",
            "-lead",
            "has#hash",
            "spa ce",
            &"x".repeat(65),
        ] {
            assert_eq!(MerchantId::parse(bad), Err(InvalidMerchantId), "{bad:?}");
        }
    }
}
