//! Identifiers, each parsed once at the edge and trusted afterwards. Each alphabet is small on
//! purpose: ids are parts of DynamoDB keys (`merchant#shard`, `visit#merchant#id`), so none may
//! contain the separators.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::random::random_lowercase_alnum;

/// The conversions every string id has: to and from `String` (for serde), and `Display`.
macro_rules! string_id {
    ($name:ident, $error:ty) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A merchant's readable id (the seed's `"merchantId": "onlinefundraising"`).
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
}

string_id!(MerchantId, InvalidMerchantId);

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
}

string_id!(FormHash, InvalidFormHash);

/// A payment session's hash: 32 characters of `[a-z0-9]` from the OS CSPRNG (about 165 bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionHash(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a session hash is 20 to 64 characters of a-z and 0-9")]
pub struct InvalidSessionHash;

const SESSION_HASH_LEN: usize = 32;

impl SessionHash {
    pub fn generate() -> Result<Self, getrandom::Error> {
        random_lowercase_alnum(SESSION_HASH_LEN).map(Self)
    }

    /// Refuses anything we never hand out, which then reads as "session not found".
    pub fn parse(raw: &str) -> Result<Self, InvalidSessionHash> {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        if (20..=64).contains(&raw.len()) && raw.chars().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidSessionHash)
        }
    }
}

string_id!(SessionHash, InvalidSessionHash);

/// A visit session's id: `[A-Za-z0-9_-]{8,128}`, chosen by us (`PUT /sessions/new`) or by the
/// merchant (`POST /sessions/{sessionId}`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VisitSessionId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a sessionId is 8 to 128 characters of A-Z, a-z, 0-9, '_' and '-'")]
pub struct InvalidVisitSessionId;

impl VisitSessionId {
    pub fn parse(raw: &str) -> Result<Self, InvalidVisitSessionId> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        if (8..=128).contains(&raw.len()) && raw.bytes().all(allowed) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidVisitSessionId)
        }
    }

    /// 32 characters from the OS CSPRNG (about 165 bits).
    pub fn generate() -> Result<Self, getrandom::Error> {
        random_lowercase_alnum(32).map(Self)
    }
}

string_id!(VisitSessionId, InvalidVisitSessionId);

/// The conversions of every guid: a UUID, written hyphenated and lowercase (the form we hand
/// out, and the one the seed shows), parsed only in that form.
macro_rules! guid {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new_v4() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn parse(raw: &str) -> Result<Self, InvalidGuid> {
                let refused = || InvalidGuid(raw.chars().take(64).collect());
                if raw.len() != 36 {
                    return Err(refused());
                }
                Uuid::try_parse(raw).map(Self).map_err(|_| refused())
            }

            pub fn uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a guid (a UUID such as a863d62e-d53b-4651-9b7b-0123456789ab)")]
pub struct InvalidGuid(pub String);

guid!(
    /// `dataSetGuid`.
    DataSetGuid
);
guid!(
    /// A payment entity: contact, payment method, subscription, payment or add-on.
    EntityGuid
);
guid!(
    /// A changelog entry.
    ChangelogGuid
);

/// Names of session values and of their nested keys: safe as DynamoDB attribute names.
pub fn is_value_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchant_ids_are_readable_and_refuse_index_separators() {
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

    #[test]
    fn form_hashes_are_lowercase_alphanumerics() {
        assert!(FormHash::parse("demo123abc").is_ok());
        for bad in ["short", "UPPER123", "with-dash", "", &"a".repeat(65)] {
            assert_eq!(FormHash::parse(bad), Err(InvalidFormHash), "{bad:?}");
        }
    }

    #[test]
    fn visit_session_ids_have_a_safe_alphabet_and_length() {
        assert!(VisitSessionId::parse("visit-2026_abc").is_ok());
        for bad in [
            "short",
            "has space in it",
            "semi;colon1",
            "visit#abcdef",
            &"a".repeat(129),
        ] {
            assert_eq!(
                VisitSessionId::parse(bad),
                Err(InvalidVisitSessionId),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn guids_must_be_hyphenated_uuids() {
        let guid = DataSetGuid::new_v4();
        assert_eq!(DataSetGuid::parse(&guid.to_string()), Ok(guid));
        for bad in [
            "",
            "123",
            "a863d62e-d53b-4651-9b7b-xxxxxxxxxxxx",
            "a863d62ed53b46519b7b0123456789ab",
        ] {
            assert!(DataSetGuid::parse(bad).is_err(), "{bad}");
        }
    }
}
