//! States of the SEPA routes: creditor settings, collections, returns.

use jiff::tz::TimeZone;

use crate::auth::Authenticator;
use crate::config::{self, ConfigError};
use crate::store::dynamo::DynamoApiKeys;

/// `PUT` and `GET /sepa/creditor`: the settings live on the merchant's record.
pub struct CreditorState<K> {
    pub auth: Authenticator<K>,
    pub time_zone: TimeZone,
}

pub type DynamoCreditorState = CreditorState<DynamoApiKeys>;

impl DynamoCreditorState {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let client = config::dynamodb_client()?;
        Ok(Self {
            auth: Authenticator::new(DynamoApiKeys::from_env(client)?),
            time_zone: config::time_zone()?,
        })
    }
}
