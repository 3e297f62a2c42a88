//! Consumed capacity, as DynamoDB bills it: a client that asks every request for its
//! `ConsumedCapacity` and adds up what the answers say, per operation. The functions do not
//! ask for it themselves; the meter rewrites each request on its way out.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde_json::Value;

/// Capacity units consumed since the last `take`, by operation (`PutItem`, …).
#[derive(Clone, Debug, Default)]
pub struct Capacity(Arc<Mutex<Vec<(String, f64)>>>);

impl Capacity {
    pub fn take(&self) -> Vec<(String, f64)> {
        std::mem::take(&mut *self.0.lock().expect("capacity log"))
    }

    /// Everything consumed since the last `take`.
    pub fn total(&self) -> f64 {
        self.take().iter().map(|(_, units)| units).sum()
    }
}

/// A DynamoDB Local client whose every request reports the capacity it consumed.
pub fn metered_dynamodb_client() -> (Client, Capacity) {
    let capacity = Capacity::default();
    let client = Client::from_conf(
        crate::dynamodb_config()
            .interceptor(capacity.clone())
            .build(),
    );
    (client, capacity)
}

/// The operation of the request under way, from `X-Amz-Target: DynamoDB_20120810.PutItem`.
#[derive(Clone, Debug)]
struct Operation(String);

impl Storable for Operation {
    type Storer = StoreReplace<Self>;
}

impl Intercept for Capacity {
    fn name(&self) -> &'static str {
        "Capacity"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let target = request.headers().get("x-amz-target").unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        cfg.interceptor_state().store_put(Operation(operation));
        let Some(mut body) = request
            .body()
            .bytes()
            .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok())
        else {
            return Ok(());
        };
        body["ReturnConsumedCapacity"] = Value::from("TOTAL");
        let bytes = serde_json::to_vec(&body)?;
        request
            .headers_mut()
            .insert("content-length", bytes.len().to_string());
        *request.body_mut() = SdkBody::from(bytes);
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let Some(body) = response
            .body()
            .bytes()
            .and_then(|bytes| serde_json::from_slice::<Value>(bytes).ok())
        else {
            return Ok(());
        };
        // One object for single-item operations, a list (per table) for batches and
        // transactions; a failed condition still bills its units, reported in the error.
        let consumed = match &body["ConsumedCapacity"] {
            Value::Array(tables) => tables
                .iter()
                .filter_map(|t| t["CapacityUnits"].as_f64())
                .sum(),
            other => other["CapacityUnits"].as_f64().unwrap_or(0.0),
        };
        let operation = cfg
            .load::<Operation>()
            .map_or_else(|| "unknown".to_owned(), |op| op.0.clone());
        self.0
            .lock()
            .expect("capacity log")
            .push((operation, consumed));
        Ok(())
    }
}
