//! The ground floor: values every layer uses (identifiers, money, countries, languages, time,
//! randomness, bank account identifiers), the pause between conflicting writes, and the one
//! storage error every port returns. Nothing here knows about HTTP, DynamoDB or any domain
//! rule.

pub mod bank;
pub mod country;
pub mod ids;
pub mod lang;
pub mod money;
pub mod random;
pub mod retry;
pub mod storage;
pub mod time;
