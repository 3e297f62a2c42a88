//! Settings from the environment, read once per cold start. The SAM template sets the same
//! variables in AWS that `make dev` sets locally.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls;
use jiff::tz::TimeZone;

use crate::dataset::ShardCount;

pub const DATASETS_TABLE: &str = "DATASETS_TABLE";
pub const API_KEYS_TABLE: &str = "API_KEYS_TABLE";
pub const FORMS_TABLE: &str = "FORMS_TABLE";
pub const SESSIONS_TABLE: &str = "SESSIONS_TABLE";
pub const IDEMPOTENCY_TABLE: &str = "IDEMPOTENCY_TABLE";
pub const ENTITIES_TABLE: &str = "ENTITIES_TABLE";
pub const CHANGELOGS_TABLE: &str = "CHANGELOGS_TABLE";
pub const COLLECTIONS_TABLE: &str = "COLLECTIONS_TABLE";
/// Hours a payment session lives after its last change (default 48).
pub const SESSION_TTL_HOURS: &str = "SESSION_TTL_HOURS";
/// Days a visit session lives after its last change (default 30).
pub const VISIT_SESSION_TTL_DAYS: &str = "VISIT_SESSION_TTL_DAYS";
pub const TIME_ZONE: &str = "TIME_ZONE";
pub const DATASET_SHARDS: &str = "DATASET_SHARDS";
/// Where the signing secret is: its Secrets Manager ARN (in AWS) …
pub const SIGNING_SECRET_ARN: &str = "SIGNING_SECRET_ARN";
/// … or, locally only, a file holding it (`make dev` and `make test` write `.local/`).
pub const SIGNING_SECRET_FILE: &str = "SIGNING_SECRET_FILE";
/// Only set locally: points the SDK at DynamoDB Local instead of AWS.
pub const DYNAMODB_ENDPOINT: &str = "DYNAMODB_ENDPOINT";

pub const DEFAULT_TIME_ZONE: &str = "Europe/Berlin";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("the signing secret could not be read")]
    Secret(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Name of the table given by `var` (e.g. `DATASETS_TABLE`).
pub fn table_name(var: &'static str) -> Result<String, ConfigError> {
    std::env::var(var)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(ConfigError::Missing(var))
}

/// Zone for the seed's human timestamps and for date ranges; `TIME_ZONE`, default Berlin.
pub fn time_zone() -> Result<TimeZone, ConfigError> {
    let name = std::env::var(TIME_ZONE).unwrap_or_else(|_| DEFAULT_TIME_ZONE.to_owned());
    TimeZone::get(&name).map_err(|err| ConfigError::Invalid {
        name: TIME_ZONE,
        reason: err.to_string(),
    })
}

pub fn dataset_shards() -> Result<ShardCount, ConfigError> {
    match std::env::var(DATASET_SHARDS) {
        Err(_) => Ok(ShardCount::DEFAULT),
        Ok(raw) => raw
            .parse()
            .ok()
            .and_then(ShardCount::new)
            .ok_or_else(|| ConfigError::Invalid {
                name: DATASET_SHARDS,
                reason: format!(
                    "'{raw}' is not a whole number from 1 to {}",
                    ShardCount::MAX
                ),
            }),
    }
}

/// How long payment sessions live after their last change: `SESSION_TTL_HOURS`, default 48.
pub fn session_ttl() -> Result<jiff::SignedDuration, ConfigError> {
    match std::env::var(SESSION_TTL_HOURS) {
        Err(_) => Ok(jiff::SignedDuration::from_hours(48)),
        Ok(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|hours| (1..=24 * 90).contains(hours))
            .map(jiff::SignedDuration::from_hours)
            .ok_or_else(|| ConfigError::Invalid {
                name: SESSION_TTL_HOURS,
                reason: format!("'{raw}' is not a whole number of hours from 1 to 2160"),
            }),
    }
}

/// How long visit sessions live after their last change: `VISIT_SESSION_TTL_DAYS`, default 30.
pub fn visit_session_ttl() -> Result<jiff::SignedDuration, ConfigError> {
    match std::env::var(VISIT_SESSION_TTL_DAYS) {
        Err(_) => Ok(jiff::SignedDuration::from_hours(24 * 30)),
        Ok(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|days| (1..=365).contains(days))
            .map(|days| jiff::SignedDuration::from_hours(24 * days))
            .ok_or_else(|| ConfigError::Invalid {
                name: VISIT_SESSION_TTL_DAYS,
                reason: format!("'{raw}' is not a whole number of days from 1 to 365"),
            }),
    }
}

/// How long a DynamoDB request may take: a stalled connection or a slow answer ends the
/// request with a clean "unavailable" well inside the function's 10 s timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(3);
const MAX_ATTEMPTS: u32 = 2;

/// The SDK settings every DynamoDB client of ours shares: timeouts, bounded retries, our HTTPS
/// client (`https_client`), and the endpoint of DynamoDB Local when `DYNAMODB_ENDPOINT` is set.
pub fn dynamodb_config(http: SharedHttpClient) -> aws_sdk_dynamodb::config::Builder {
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .timeout_config(timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .http_client(http);
    if let Ok(endpoint) = std::env::var(DYNAMODB_ENDPOINT) {
        config = config.endpoint_url(endpoint);
    }
    config
}

/// The HTTPS client under every SDK client of ours: rustls on ring. The SDK's default client
/// is rustls on aws-lc, a bigger binary to load on every cold start for the same TLS.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build()
}

/// The AWS side of one function, read once per cold start: the region and credentials Lambda
/// hands it, and one HTTPS client under all its SDK clients, so that DynamoDB and Secrets Manager
/// send their requests through one connector instead of building one each.
pub struct Aws {
    http: SharedHttpClient,
    region: Region,
    credentials: Credentials,
}

impl Aws {
    /// Lambda's region and credentials from the environment, valid for the instance's life;
    /// reading them directly spares the binary the whole credential-provider chain (STS, SSO,
    /// instance metadata).
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &'static str| std::env::var(name).map_err(|_| ConfigError::Missing(name));
        let credentials = Credentials::new(
            var("AWS_ACCESS_KEY_ID")?,
            var("AWS_SECRET_ACCESS_KEY")?,
            std::env::var("AWS_SESSION_TOKEN").ok(),
            None,
            "lambda-environment",
        );
        Ok(Self {
            http: https_client(),
            region: Region::new(var("AWS_REGION")?),
            credentials,
        })
    }

    /// The one DynamoDB client of a function.
    pub fn dynamodb(&self) -> Client {
        let config = dynamodb_config(self.http.clone())
            .region(self.region.clone())
            .credentials_provider(self.credentials.clone())
            .build();
        Client::from_conf(config)
    }

    /// The key for what we sign (listing cursors, CSRF and visit-link tokens): from Secrets
    /// Manager in AWS (never a plaintext environment variable), from a file of `.local/` locally.
    /// At least 32 bytes.
    pub async fn signing_secret(&self) -> Result<Vec<u8>, ConfigError> {
        match std::env::var(SIGNING_SECRET_FILE) {
            Ok(path) => {
                let stored =
                    std::fs::read_to_string(path).map_err(|e| ConfigError::Secret(e.into()))?;
                signing_key(&stored, SIGNING_SECRET_FILE)
            }
            Err(_) => {
                let arn = std::env::var(SIGNING_SECRET_ARN)
                    .map_err(|_| ConfigError::Missing(SIGNING_SECRET_ARN))?;
                let stored = self
                    .secrets_manager()
                    .get_secret_value()
                    .secret_id(arn)
                    .send()
                    .await
                    .map_err(|e| ConfigError::Secret(e.into()))?
                    .secret_string
                    .unwrap_or_default();
                signing_key(&stored, SIGNING_SECRET_ARN)
            }
        }
    }

    fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .timeout_config(timeouts())
            .http_client(self.http.clone())
            .region(self.region.clone())
            .credentials_provider(self.credentials.clone())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }
}

/// The DynamoDB client of a function that calls no other AWS service.
pub fn dynamodb_client() -> Result<Client, ConfigError> {
    Ok(Aws::from_env()?.dynamodb())
}

/// The signing key in a stored secret: its text without surrounding whitespace (a file's
/// trailing newline), refused under 32 bytes with the variable that named where it came from.
fn signing_key(stored: &str, source: &'static str) -> Result<Vec<u8>, ConfigError> {
    let key = stored.trim();
    if key.len() < 32 {
        return Err(ConfigError::Invalid {
            name: source,
            reason: format!(
                "the signing secret must be at least 32 bytes long, it has {}",
                key.len()
            ),
        });
    }
    Ok(key.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_secret_loses_its_surrounding_whitespace() {
        let stored = format!("  {}\n", "k".repeat(32));
        assert_eq!(
            signing_key(&stored, SIGNING_SECRET_FILE).unwrap(),
            "k".repeat(32).into_bytes()
        );
    }

    #[test]
    fn a_short_secret_is_refused_naming_where_it_came_from() {
        let stored = format!("{}\n", "k".repeat(31));
        let err = signing_key(&stored, SIGNING_SECRET_FILE).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: SIGNING_SECRET_FILE,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "environment variable SIGNING_SECRET_FILE is invalid: \
             the signing secret must be at least 32 bytes long, it has 31"
        );
        assert!(matches!(
            signing_key("", SIGNING_SECRET_ARN),
            Err(ConfigError::Invalid {
                name: SIGNING_SECRET_ARN,
                ..
            })
        ));
    }
}
